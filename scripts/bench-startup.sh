#!/usr/bin/env bash
# Whole-process time to first frame in a pseudo-terminal, and peak RSS, for the bundled pack
# and generated 1,000- and 10,000-trial packs. Runs are interleaved (pack A, B, C, A, B, C ...)
# so that load from other processes falls on every pack alike; min/median/max per pack.
#
#   scripts/bench-startup.sh            # 7 runs each, release build
#   RUNS=3 PACKS="bundled 1000" scripts/bench-startup.sh
#   BINS="old/trialdeck target/release/trialdeck" scripts/bench-startup.sh
#       # builds side by side, interleaved run by run; the table gives each build's medians
#       # and their ratio to the first build's
#
# Each generated pack is measured twice per round: with the pack cache off
# (TRIALDECK_CACHE_DIR=off: every file parsed from RON) and with a warm cache (a directory of
# this run for each build, filled by one load before the runs). The bundled pack is compiled
# in, never cached.
#
# First frame = from spawn until the app's output contains its header ("questions", the end
# of the header line), then `q` is sent. The app runs with --no-save and an empty data dir
# and config, so the review history stays out of the measurement (HISTORY=1 measures with a
# fresh history database instead). Peak RSS is measured in a second, interleaved run under
# `/usr/bin/time -v` ("Maximum resident set size").
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
PACKS=${PACKS:-"bundled 1000 10000"}
BINS=${BINS:-${BIN:-target/release/trialdeck}}
BIN=${BINS%% *}
WORK=${WORK:-target/bench-packs}
HISTORY=${HISTORY:-0}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
# The pack generator is a developer tool (`--features dev`), built apart so the measured
# binary stays the one users run.
GEN=${GEN:-target/dev-tools/release/trialdeck}
[ -x "$GEN" ] || cargo build --release --quiet --features dev --target-dir target/dev-tools
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
mkdir -p "$WORK"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CASES=""
for p in $PACKS; do
  if [ "$p" = bundled ]; then CASES="$CASES bundled"; continue; fi
  if [ ! -f "$WORK/gen$p/pack.ron" ]; then
    echo "generating $p-trial pack in $WORK/gen$p ..." >&2
    "$GEN" dev gen-pack --trials "$p" --out "$WORK/gen$p" >/dev/null
    sleep 3 # files this fresh are never cached (see src/content/cache.rs)
  fi
  # One warm cache per build (builds may not read each other's caches).
  bi=0; for b in $BINS; do bi=$((bi + 1))
    TRIALDECK_CACHE_DIR="$TMP/cache$bi" "$b" check --pack "$WORK/gen$p" >/dev/null 2>&1 || true
  done
  CASES="$CASES $p:nocache $p:cache"
done
export TRIALDECK_CONFIG="$TMP/config.ron" TERM=xterm-256color
save=(--no-save)
[ "$HISTORY" = 1 ] && save=()
args_for() { # case -> trialdeck args
  local d="$TMP/data-$RANDOM$RANDOM"
  if [ "$1" = bundled ]; then echo "--data-dir $d ${save[*]}"; else echo "--pack $WORK/gen${1%%:*} --data-dir $d ${save[*]}"; fi
}
cache_for() { # case, build number -> TRIALDECK_CACHE_DIR
  case "$1" in *:cache) echo "$TMP/cache$2" ;; *) echo off ;; esac
}
echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  bins=$BINS  runs=$RUNS  history=$HISTORY" >&2
for ((i = 1; i <= RUNS; i++)); do
  for p in $CASES; do
    bi=0
    for b in $BINS; do
      bi=$((bi + 1))
      export TRIALDECK_CACHE_DIR; TRIALDECK_CACHE_DIR=$(cache_for "$p" "$bi")
      load=$(cut -d' ' -f1 /proc/loadavg)
      # shellcheck disable=SC2046
      out=$(python3 scripts/ptyfirst.py questions -- "$b" $(args_for "$p"))
      ff=$(sed -n 's/.*first_frame_ms=\([^ ]*\).*/\1/p' <<<"$out")
      # shellcheck disable=SC2046
      python3 scripts/ptyfirst.py questions -- /usr/bin/time -v -o "$TMP/time.txt" "$b" $(args_for "$p") >/dev/null
      rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
      echo "$p $ff $rss $load $b" >>"$TMP/results"
      echo "run $i $p $b: first frame ${ff} ms, peak RSS ${rss} kB, load ${load}" >&2
    done
  done
done
pack_bytes() {
  if [ "$1" = bundled ]; then cat content/*/*.ron | wc -c
  else find "$WORK/gen${1%%:*}" -name '*.ron' -exec cat {} + | wc -c; fi
}
echo
echo "| pack | .ron bytes | build | first frame ms (min / median / max) | vs first build | peak RSS MB (min / median / max) | load avg (min-max) |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
for p in $CASES; do
  python3 - "$p" "$(pack_bytes "$p")" "$TMP/results" $BINS <<'PY'
import sys, statistics
p, nbytes, path, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
if p == "bundled":
    name = "bundled (compiled in)"
else:
    n, mode = p.split(":")
    name = f"{int(n):,} trials, " + ("warm cache" if mode == "cache" else "no cache")
base = None
for b in bins:
    rows = [l.split() for l in open(path) if l.split()[0] == p and l.split()[4] == b]
    ff = sorted(float(r[1]) for r in rows)
    rss = sorted(int(r[2]) / 1024 for r in rows)
    la = sorted(float(r[3]) for r in rows)
    med = statistics.median(ff)
    base = base or med
    print(f"| {name} | {nbytes/1e6:.1f} MB | {b} | {ff[0]:.1f} / {med:.1f} / {ff[-1]:.1f} | {med/base:.2f}"
          f" | {rss[0]:.1f} / {statistics.median(rss):.1f} / {rss[-1]:.1f} | {la[0]:.2f}-{la[-1]:.2f} |")
PY
done
