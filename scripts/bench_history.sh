#!/usr/bin/env bash
# Benchmarks `seccoach scan --history` against gitleaks' `git` mode on the same repository, in
# the same run: wall time (median of RUNS), CPU time and peak RSS of each, and the ratio.
#
#   scripts/bench_history.sh                          # generated history (scripts/gen_history.py)
#   scripts/bench_history.sh --repo ~/src/project     # any repository instead
#   scripts/bench_history.sh --gitleaks /path/to/gitleaks --runs 5 --bin target/release/seccoach
#
# The generated repository (3,000 commits on main plus 60 on merged side branches, 40 fake
# secrets added over time) is deterministic and made once under /tmp/seccoach-bench/history.
# gitleaks writes its report to a temporary file (never /dev/null). Peak RSS comes from
# /usr/bin/time -v when present, else from the kernel's high-water mark of the process
# (/proc/PID/status VmHWM, sampled). The script never downloads anything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=5
REPO=""
GITLEAKS=/work/corpus-tools/gitleaks
BIN="$ROOT/target/release/seccoach"
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --repo) REPO=$2; shift 2 ;;
        --gitleaks) GITLEAKS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --bin) BIN=$2; BUILD=0; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [ "$BUILD" = 1 ]; then
    cargo build --release --locked --quiet
fi
if [ -z "$REPO" ]; then
    REPO=/tmp/seccoach-bench/history
    STAMP="$REPO/.git/seccoach-gen-$(sha256sum scripts/gen_history.py | cut -c1-16)"
    if [ ! -e "$STAMP" ]; then
        rm -rf "$REPO"
        mkdir -p "$(dirname "$REPO")"
        python3 scripts/gen_history.py "$REPO"
        touch "$STAMP"
    fi
fi
if [ ! -x "$GITLEAKS" ]; then
    echo "gitleaks not found at $GITLEAKS (use --gitleaks BIN)" >&2
    exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Runs "$@" once; prints "wall_seconds cpu_seconds peak_rss_kib".
measure() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$WORK/time" "$@" > "$WORK/stdout" 2> "$WORK/stderr" || true
        awk -F': ' '
            /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
            /User time/ { u = $2 } /System time/ { s = $2 }
            /Maximum resident set size/ { r = $2 }
            END { printf "%.3f %.3f %d\n", w, u + s, r }' "$WORK/time"
    else
        local start end peak=0 hwm
        start=$(date +%s.%N)
        "$@" > "$WORK/stdout" 2> "$WORK/stderr" &
        local pid=$!
        while kill -0 "$pid" 2> /dev/null; do
            hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || echo 0)
            [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
            sleep 0.01
        done
        wait "$pid" || true
        end=$(date +%s.%N)
        echo "$(echo "$end - $start" | bc) 0 $peak"
    fi
}

# Median of the first field of RUNS measurements of "$@"; prints "wall cpu rss" (the median
# wall, the CPU time and RSS of that run; the largest RSS seen).
median() {
    local out="$WORK/runs"
    : > "$out"
    for _ in $(seq "$RUNS"); do
        measure "$@" >> "$out"
    done
    local max_rss
    max_rss=$(awk '{ if ($3 > m) m = $3 } END { print m }' "$out")
    sort -n "$out" | awk -v n="$RUNS" -v rss="$max_rss" 'NR == int((n + 1) / 2) { print $1, $2, rss }'
}

COMMITS=$(git -C "$REPO" rev-list --all --count)
HEAD=$(git -C "$REPO" rev-parse HEAD)
echo "repository: $REPO (HEAD $HEAD, $COMMITS commits)"
echo "seccoach: $("$BIN" --version); gitleaks: $("$GITLEAKS" version)"
echo "runs: $RUNS of each tool, warm cache, medians"
echo

read -r S_WALL S_CPU S_RSS < <(median "$BIN" scan --history "$REPO" --format json --exit-zero \
    --output "$WORK/seccoach.json")
S_FOUND=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$WORK/seccoach.json")
read -r G_WALL G_CPU G_RSS < <(median "$GITLEAKS" git "$REPO" --no-banner --exit-code 0 \
    --report-format json --report-path "$WORK/gitleaks.json")
G_FOUND=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/gitleaks.json")

printf '%-10s %10s %10s %12s %9s\n' tool "wall (s)" "cpu (s)" "peak RSS" findings
printf '%-10s %10.3f %10.3f %8.1f MiB %9s\n' seccoach "$S_WALL" "$S_CPU" "$(echo "$S_RSS / 1024" | bc -l)" "$S_FOUND"
printf '%-10s %10.3f %10.3f %8.1f MiB %9s\n' gitleaks "$G_WALL" "$G_CPU" "$(echo "$G_RSS / 1024" | bc -l)" "$G_FOUND"
echo
printf 'seccoach is %.1fx faster than gitleaks git (wall), %.1fx (cpu); peak RSS %.1f MiB (target <= 150)\n' \
    "$(echo "$G_WALL / $S_WALL" | bc -l)" "$(echo "$G_CPU / $S_CPU" | bc -l)" "$(echo "$S_RSS / 1024" | bc -l)"
