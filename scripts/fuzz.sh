#!/usr/bin/env bash
# Runs seccoach's fuzz targets (fuzz/, cargo-fuzz + libFuzzer; needs a nightly toolchain).
#
#   scripts/fuzz.sh                 # every target for 60 s each
#   scripts/fuzz.sh yaml 600        # one target for 10 minutes
#
# Targets: rule_pack, lesson, dockerfile, yaml, helm, suppressions, baseline, config, gate. Crashing inputs
# land in fuzz/artifacts/<target>/; reproduce one with `cargo +nightly fuzz run <target> <file>`,
# fix it, and keep the input as a regression unit test beside the code that crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup toolchain list | grep -q nightly; then
    echo "fuzz: needs a nightly toolchain (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo +nightly install --locked cargo-fuzz
fi

TARGETS=(rule_pack lesson dockerfile yaml helm suppressions baseline config gate)
[[ $# -ge 1 ]] && TARGETS=("$1")
SECONDS_EACH=${2:-60}

for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    echo "== $target (${SECONDS_EACH}s)"
    # Seed the corpus with the repository's own examples of each input.
    case $target in
        dockerfile) find tests/fixtures -name 'Dockerfile*' -exec cp {} "fuzz/corpus/$target/" \; 2>/dev/null || true ;;
        yaml) find tests/fixtures -name '*.yml' -o -name '*.yaml' | head -200 | while read -r f; do
                  printf '\x00' | cat - "$f" > "fuzz/corpus/$target/$(echo "$f" | tr / _)"; done ;;
        helm) find tests/fixtures -path '*/templates/*.yaml' | while read -r f; do
                  values="$(dirname "$(dirname "$f")")/values.yaml"
                  { cat "$values" 2>/dev/null; printf '\x00'; cat "$f"; } \
                      > "fuzz/corpus/$target/$(echo "$f" | tr / _)"; done ;;
        rule_pack) cp checks/*/*.toml "fuzz/corpus/$target/" 2>/dev/null || true ;;
        lesson) find lessons -name '*.md' -exec cp {} "fuzz/corpus/$target/" \; ;;
        suppressions) printf '\x00x = 1  # seccoach:ignore secrets/jwt -- test data until 2099-01-01\n' \
                          > "fuzz/corpus/$target/seed" ;;
        baseline) printf '{"version": 1, "findings": [{"rule": "a/b", "path": "p", "fingerprint": "f"}]}' \
                      > "fuzz/corpus/$target/seed" ;;
        config) cp .seccoach.toml "fuzz/corpus/$target/" 2>/dev/null || true ;;
        gate) i=0; for p in '\bAKIA[A-Z2-7]{16}\b' '(?i)\bkey\b\s*=\s*"([^"]{8,40})"' \
                       '\b\w+\.run\([^)]{0,400}debug=True' '[^\x60]{2,}\$\{(\w+)\}'; do
                  printf '%s\x00x = é key = "abcdefghij" app.run(debug=True)\n' "$p" \
                      > "fuzz/corpus/$target/seed$i"; i=$((i + 1)); done ;;
    esac
    cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
