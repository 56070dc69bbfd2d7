#!/usr/bin/env bash
# Benchmarks `seccoach scan` against ripgrep running the same secret regexes over the same files.
#
#   scripts/bench.sh                      # the real corpus when present (below), else synthetic
#   scripts/bench.sh --real DIR           # the real corpus in DIR
#   scripts/bench.sh --synthetic          # 200 MB / 25,000-file synthetic corpus under /tmp
#   scripts/bench.sh --dir ~/src/monorepo # any directory instead
#   scripts/bench.sh --size-mb 50 --files 6000 --runs 5
#   scripts/bench.sh --bin /tmp/old/seccoach   # time another build (e.g. before a change)
#   scripts/bench.sh --quick                    # skip ripgrep on the regexes as written (minutes)
#
#   scripts/bench.sh --gitleaks BIN             # compare with this gitleaks too (8.30: `dir`)
#
# Prints, for seccoach: median wall time, MB/s, files/s and peak RSS; for ripgrep (the floor):
# median wall time and the ratio seccoach/ripgrep with the 10 common secret regexes (the
# headline figure) and with all of them; the same ratio for kingfisher and gitleaks when they
# are there; and the median time on a 10 MB repository. Timings are warm-cache medians from
# hyperfine, every tool in the same run; CPU times (user + system) are given beside them, since
# wall times on a shared machine move with the other jobs. The script never downloads a corpus.
#
# The real corpus: the HEAD trees of hashicorp/terraform at 883c7221ee2e, istio/istio at
# 86c9f01fd735 and moby/moby at b985e2313a86 (196.6 MB, 25,076 files), in DIR/terraform,
# DIR/istio and DIR/moby. Its known place is a `corpus` folder beside this checkout. To make
# it from clones of the three repositories:
#     git -C CLONE archive COMMIT | tar -x -C DIR/NAME
# The synthetic corpus is deterministic (scripts/gen_corpus.py) and regenerated only when its
# parameters or the generator change.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZE_MB=200
FILES=25000
RUNS=10
SMALL_RUNS=30
DIR=""
CORPUS=/tmp/seccoach-bench/corpus
SMALL=/tmp/seccoach-bench/corpus-10mb
THREADS=0
BUILD=1
BIN=""
QUICK=0
REAL=$(cd "$(dirname "$0")/../.." && pwd)/corpus
SYNTHETIC=0
GITLEAKS=$(command -v gitleaks || true)

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) DIR=$2; shift 2 ;;
        --size-mb) SIZE_MB=$2; shift 2 ;;
        --files) FILES=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --corpus) CORPUS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --bin) BIN=$2; BUILD=0; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --real) REAL=$2; shift 2 ;;
        --synthetic) SYNTHETIC=1; shift ;;
        --gitleaks) GITLEAKS=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

# --- Tools -------------------------------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
command -v rg >/dev/null || need_apt+=(ripgrep)
[[ -x /usr/bin/time ]] || need_apt+=(time)
if [[ ${#need_apt[@]} -gt 0 ]]; then
    say "installing ${need_apt[*]}"
    if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null; fi
fi

# ripgrep 13 (Debian 12's) predates the regex engine rewrite and is 10-100x slower than 14 on
# these patterns (Unicode \b and classes fall off its DFA), which would flatter seccoach. Use a
# ripgrep >= 14 when one can be had from crates.io; say so when the floor is the old one.
RG=rg
rg_major() { "$1" --version 2>/dev/null | head -1 | sed -E 's/^ripgrep ([0-9]+).*/\1/'; }
if [[ $(rg_major rg) -lt 14 ]]; then
    TOOLS=$ROOT/target/bench-tools
    if [[ ! -x $TOOLS/bin/rg ]]; then
        say "system ripgrep is $(rg --version | head -1); building a current ripgrep from crates.io into $TOOLS"
        CARGO_TARGET_DIR=$ROOT/target/bench-tools-build cargo install --quiet --locked ripgrep \
            --root "$TOOLS" >&2 || true
    fi
    if [[ -x $TOOLS/bin/rg ]]; then RG=$TOOLS/bin/rg
    else say "warning: using $(rg --version | head -1) as the floor; ratios are flattering"; fi
fi

# --- Build -------------------------------------------------------------------------------------
if [[ $BUILD -eq 1 ]]; then
    say "building seccoach (release)"
    cargo build --release --locked --quiet --bin seccoach
fi
BIN=${BIN:-$ROOT/target/release/seccoach}
[[ -x $BIN ]] || { echo "bench: $BIN missing (build it or drop --no-build)" >&2; exit 2; }

# --- Corpus ------------------------------------------------------------------------------------
generate() { # generate DIR SIZE_MB FILES
    local dir=$1 stamp="$1.params"
    local want
    want="$2 $3 $(sha256sum scripts/gen_corpus.py | cut -c1-16)"
    if [[ -d $dir && -f $stamp && $(cat "$stamp") == "$want" ]]; then return; fi
    say "generating $dir ($2 MB, $3 files)"
    mkdir -p "$(dirname "$dir")"
    python3 scripts/gen_corpus.py "$dir" --size-mb "$2" --files "$3" --force
    echo "$want" > "$stamp"
}
real_corpus() { [[ -d $1/terraform && -d $1/istio && -d $1/moby ]]; }
if [[ -n $DIR ]]; then
    TARGET=$(cd "$DIR" && pwd)
elif [[ $SYNTHETIC -eq 0 ]] && real_corpus "$REAL"; then
    TARGET=$(cd "$REAL" && pwd)
    say "real corpus: $TARGET (terraform 883c7221ee2e, istio 86c9f01fd735, moby b985e2313a86)"
else
    if [[ $SYNTHETIC -eq 0 ]]; then
        say "no real corpus in $REAL (see the top of this script for how to make one); using the synthetic corpus"
    fi
    generate "$CORPUS" "$SIZE_MB" "$FILES"
    TARGET=$CORPUS
fi
generate "$SMALL" 10 1250

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Warm the page cache so that every tool reads from memory.
find "$TARGET" -type f -print0 | xargs -0 cat > /dev/null 2>&1 || true

# --- seccoach ----------------------------------------------------------------------------------
SCAN=("$BIN" scan "$TARGET" --format json --exit-zero --threads "$THREADS")
"${SCAN[@]}" > "$WORK/report.json"
read -r FILES_SCANNED BYTES_SCANNED RULES FINDINGS < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["files_scanned"], s["bytes_scanned"], s["rules"], s["total"])' "$WORK/report.json")
MAXSIZE=$(python3 - "$TARGET" <<'EOF'
import sys, tomllib, pathlib
p = pathlib.Path(sys.argv[1]) / ".seccoach.toml"
size = 2 * 1024 * 1024
try:
    v = tomllib.loads(p.read_text()).get("max_file_size")
    if isinstance(v, int):
        size = v
except Exception:
    pass
print(size)
EOF
)

hf() { # hf NAME JSON_OUT COMMAND... -> prints median seconds
    local name=$1 out=$2 runs=$RUNS warmup=1 start end
    shift 2
    # A command slower than 10 s gets fewer runs (ripgrep on some regex sets takes minutes).
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    if (( (end - start) > 10000000000 )); then runs=2; warmup=0; fi
    hyperfine --style none --warmup "$warmup" --runs "$runs" --ignore-failure -N \
        --command-name "$name" --export-json "$out" "$(printf '%q ' "$@")" > /dev/null
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$out"
}
cpu() { # cpu HYPERFINE_JSON -> mean user + system seconds
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["user"] + r["system"])' "$1"
}
peak_rss() { # peak_rss COMMAND... -> KiB
    /usr/bin/time -v "$@" > /dev/null 2> "$WORK/time.txt" || true
    awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt"
}

say "timing seccoach ($RUNS runs)"
T_SC=$(hf seccoach "$WORK/sc.json" "${SCAN[@]}")
RSS_SC=$(peak_rss "${SCAN[@]}")

# --- ripgrep floor -----------------------------------------------------------------------------
PACKS=(checks)
[[ -d $TARGET/.seccoach/checks ]] && PACKS+=("$TARGET/.seccoach/checks")
python3 scripts/secret_patterns.py "${PACKS[@]}" > "$WORK/patterns.txt"
python3 scripts/secret_patterns.py --ascii-word-boundaries "${PACKS[@]}" > "$WORK/patterns-ascii.txt"
python3 scripts/secret_patterns.py --common --ascii-word-boundaries checks > "$WORK/patterns-common.txt"
N_PATTERNS=$(wc -l < "$WORK/patterns.txt")
T_RG="" T_RGA="" T_RGC=""
if [[ $N_PATTERNS -gt 0 ]]; then
    rg_cmd() { # rg_cmd PATTERN_FILE -> fills RG_CMD
        RG_CMD=("$RG" --count --no-messages --hidden --glob '!.git' --max-filesize "$MAXSIZE" -f "$1")
        # Patterns that may match a line break (a PEM block) need multiline mode, as in seccoach.
        if ! "${RG_CMD[@]}" /dev/null > /dev/null 2> "$WORK/rg.err" \
            && grep -q multiline "$WORK/rg.err"; then
            RG_CMD+=(--multiline)
        fi
        [[ $THREADS -gt 0 ]] && RG_CMD+=(--threads "$THREADS")
        RG_CMD+=("$TARGET")
    }
    # The floor: ripgrep running the secret regexes with ASCII word boundaries, which ripgrep's
    # DFA runs at full speed (the same matches on ASCII text).
    rg_cmd "$WORK/patterns-common.txt"
    say "timing ripgrep (the 10 common secret regexes, ASCII \\b, $RUNS runs)"
    T_RGC=$(hf ripgrep-common "$WORK/rgc.json" "${RG_CMD[@]}")
    RSS_RG=$(peak_rss "${RG_CMD[@]}")
    rg_cmd "$WORK/patterns-ascii.txt"
    say "timing ripgrep ($N_PATTERNS secret regexes, ASCII \\b, $RUNS runs)"
    T_RGA=$(hf ripgrep-ascii "$WORK/rga.json" "${RG_CMD[@]}")
    # The regexes exactly as written: on text with non-ASCII bytes their Unicode \b pushes
    # ripgrep's combined regex off its DFA, which may take minutes.
    if [[ $QUICK -eq 0 ]]; then
        rg_cmd "$WORK/patterns.txt"
        say "timing ripgrep ($N_PATTERNS secret regexes as written)"
        T_RG=$(hf ripgrep "$WORK/rg.json" "${RG_CMD[@]}")
    fi
fi

# --- Other scanners, when installed ------------------------------------------------------------
OTHERS=()
if command -v kingfisher >/dev/null; then
    say "timing kingfisher"
    T=$(hf kingfisher "$WORK/kf.json" kingfisher scan "$TARGET" --no-validate --format json)
    OTHERS+=("kingfisher $T $(cpu "$WORK/kf.json")")
fi
if [[ -n $GITLEAKS && -x $GITLEAKS ]]; then
    GL_VERSION=$("$GITLEAKS" version 2>/dev/null || echo unknown)
    say "timing gitleaks $GL_VERSION"
    # gitleaks 8.19 and later: `dir`; earlier: `detect --no-git`. Its report goes to a file of
    # our own: gitleaks replaces the report path, and run as root on /dev/null that replaced
    # the system's /dev/null with a regular file.
    if "$GITLEAKS" dir --help > /dev/null 2>&1; then
        T=$(hf gitleaks "$WORK/gl.json" "$GITLEAKS" dir "$TARGET" --exit-code 0 --no-banner \
            --max-target-megabytes $((MAXSIZE / 1048576)) --report-format json \
            --report-path "$WORK/gitleaks-report.json" --log-level error)
    else
        T=$(hf gitleaks "$WORK/gl.json" "$GITLEAKS" detect --no-git --source "$TARGET" \
            --exit-code 0 --report-format json --report-path "$WORK/gitleaks-report.json")
    fi
    OTHERS+=("gitleaks $T $(cpu "$WORK/gl.json")")
fi

# --- 10 MB repository --------------------------------------------------------------------------
find "$SMALL" -type f -print0 | xargs -0 cat > /dev/null 2>&1 || true
say "timing seccoach on a 10 MB repository ($SMALL_RUNS runs)"
RUNS_SAVED=$RUNS
RUNS=$SMALL_RUNS
T_SMALL=$(hf small "$WORK/small.json" "$BIN" scan "$SMALL" --format json --exit-zero)
RUNS=$RUNS_SAVED
SMALL_BYTES=$(du -sb --apparent-size "$SMALL" | cut -f1)

# --- Report ------------------------------------------------------------------------------------
C_SC=$(cpu "$WORK/sc.json")
C_RGC=0
[[ -n $T_RGC ]] && C_RGC=$(cpu "$WORK/rgc.json")
python3 - "$T_SC" "$RSS_SC" "$FILES_SCANNED" "$BYTES_SCANNED" "$RULES" "$FINDINGS" \
    "${T_RG:-0}" "${T_RGA:-0}" "${RSS_RG:-0}" "$N_PATTERNS" "$T_SMALL" "$SMALL_BYTES" "$TARGET" \
    "$("$RG" --version | head -1)" "$(nproc)" "${T_RGC:-0}" "$C_SC" "$C_RGC" \
    "${OTHERS[@]+"${OTHERS[@]}"}" <<'EOF'
import sys
(t_sc, rss_sc, files, nbytes, rules, findings, t_rg, t_rga, rss_rg, n_pat, t_small, small_bytes, target,
 rg_version, cores, t_rgc, c_sc, c_rgc, *others) = sys.argv[1:]
t_sc, t_rg, t_rga, t_small = float(t_sc), float(t_rg), float(t_rga), float(t_small)
t_rgc, c_sc, c_rgc = float(t_rgc), float(c_sc), float(c_rgc)
files, nbytes, rss_sc, rss_rg = int(files), int(nbytes), int(rss_sc), int(rss_rg)
mb = nbytes / 1e6
print(f"\nseccoach benchmark: {target}  ({cores} cores, warm cache, hyperfine medians)")
print(f"  scanned      {files} files, {mb:.1f} MB, {rules} rules, {findings} findings")
print(f"  seccoach     {t_sc:.3f} s   {mb / t_sc:.0f} MB/s   {files / t_sc:.0f} files/s   "
      f"peak RSS {rss_sc / 1024:.1f} MiB   CPU {c_sc:.3f} s")
if t_rgc > 0:
    print(f"  ripgrep      {t_rgc:.3f} s   {mb / t_rgc:.0f} MB/s   peak RSS {rss_rg / 1024:.1f} MiB"
          f"   CPU {c_rgc:.3f} s   (the 10 common secret regexes, ASCII \\b; {rg_version})")
    print(f"  ratio        seccoach/ripgrep = {t_sc / t_rgc:.2f} wall, {c_sc / c_rgc:.2f} CPU"
          f"  (target <= 2.0; the headline figure)")
if t_rga > 0:
    print(f"  ripgrep      {t_rga:.3f} s   all {n_pat} secret regexes, ASCII \\b: ratio {t_sc / t_rga:.2f}")
    if t_rg > 0:
        print(f"  ripgrep      {t_rg:.3f} s   the same regexes as written (Unicode \\b): "
              f"ratio {t_sc / t_rg:.2f}")
else:
    print("  ripgrep      skipped: no secret regex rules in the catalogue")
for other in others:
    name, t, c = other.split()
    print(f"  {name:<12} {float(t):.3f} s   CPU {float(c):.3f} s   ratio seccoach/{name} = "
          f"{t_sc / float(t):.2f} wall, {c_sc / float(c):.2f} CPU")
print(f"  10 MB repo   {t_small * 1000:.0f} ms ({int(small_bytes) / 1e6:.1f} MB)  (target < 100 ms)")
EOF
