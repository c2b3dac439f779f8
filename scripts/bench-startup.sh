#!/usr/bin/env bash
# Whole-process time to first frame in a pseudo-terminal, memory, and the answer to a key
# pressed just after it, for the bundled pack and generated packs. Runs are interleaved (pack
# A, B, C, A, B, C ...) so that load from other processes falls on every pack alike;
# min/median/max per pack.
#
#   scripts/bench-startup.sh            # 7 runs each, release build
#   RUNS=3 PACKS="bundled 1000" scripts/bench-startup.sh
#   NOCACHE=0 EDIT=none RUNS=11 PACKS="bundled 50000" scripts/bench-startup.sh
#       # warm starts only (no run without an image, no edited file)
#   PACKS="bundled 10000 20000 50000" scripts/bench-startup.sh
#   BINS="old/trialdeck target/release/trialdeck" scripts/bench-startup.sh
#       # builds side by side, interleaved run by run; the table gives each build's medians
#       # and their ratio to the first build's
#
# A generated pack of more trials than one pack may hold (20,000) is made of several packs
# of up to 20,000 (`dev gen-pack --first N`: their ids do not clash) loaded together.
# Delete target/bench-packs afterwards: 50,000 trials are 1 GB of RON.
#
# Each generated pack is measured three ways per round: with pack images off
# (TRIALDECK_CACHE_DIR=off: every file parsed from RON, no image written), warm (a cache
# directory of this run for each build, filled by two `check`s before the runs), and, for
# EDIT packs (default 10000), warm after one entry file was edited just before the run (its
# title grows by a letter; the file is then too fresh for the image to be written). The
# bundled pack is compiled in, never cached.
#
# First frame = from spawn until the app's output contains its header ("questions", the end
# of the header line). Memory is read from /proc then (VmRSS, and of it RssAnon, the heap,
# and RssFile, pages of files: the binary's and the pack image's clean pages); the key `j`
# is pressed KEY_AFTER_MS (10) ms after the first frame and timed until the screen answers;
# then `q` is sent. Peak RSS is the process's whole life (wait4's ru_maxrss, what
# `/usr/bin/time -v` prints). The app runs with --no-save and an empty data dir and config,
# so the review history stays out of the measurement (HISTORY=1 measures with a fresh
# history database instead).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
PACKS=${PACKS:-"bundled 1000 10000"}
EDIT=${EDIT-10000}
export KEY_AFTER_MS=${KEY_AFTER_MS:-10}
MAXPACK=20000
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
dirs_of() { # trials -> the pack directories of a generated curriculum
  local n=$1
  if [ "$n" -le "$MAXPACK" ]; then echo "$WORK/gen$n"; return; fi
  local first=0 k=0
  while [ "$first" -lt "$n" ]; do echo "$WORK/gen$n/part$k"; first=$((first + MAXPACK)); k=$((k + 1)); done
}
for p in $PACKS; do
  if [ "$p" = bundled ]; then CASES="$CASES bundled"; continue; fi
  first=0
  for d in $(dirs_of "$p"); do
    size=$((p - first)); [ "$size" -gt "$MAXPACK" ] && size=$MAXPACK
    if [ ! -f "$d/pack.ron" ]; then
      echo "generating $size trials from $first in $d ..." >&2
      "$GEN" dev gen-pack --trials "$size" --first "$first" --out "$d" >/dev/null
      sleep 3 # files this fresh are never cached (see src/content/cache.rs)
    fi
    first=$((first + MAXPACK))
  done
  # One warm cache per build (builds may not read each other's caches), as a user's earlier
  # session leaves it: the first `check` writes the images, the second opens them (and, for
  # several packs, remembers that they use no id twice, as the app does once it has looked).
  bi=0; for b in $BINS; do bi=$((bi + 1))
    for _ in 1 2; do
      # shellcheck disable=SC2046
      TRIALDECK_CACHE_DIR="$TMP/cache$bi" "$b" check $(for d in $(dirs_of "$p"); do echo "--pack $d"; done) >/dev/null 2>&1 || true
    done
  done
  [ "${NOCACHE:-1}" = 0 ] || CASES="$CASES $p:nocache"
  CASES="$CASES $p:cache"
  for e in $EDIT; do [ "$e" = "$p" ] && CASES="$CASES $p:edit"; done
done
export TRIALDECK_CONFIG="$TMP/config.ron" TERM=xterm-256color
save=(--no-save)
[ "$HISTORY" = 1 ] && save=()
args_for() { # case -> trialdeck args
  local d="$TMP/data-$RANDOM$RANDOM"
  if [ "$1" = bundled ]; then echo "--data-dir $d ${save[*]}"; else
    echo "$(for p in $(dirs_of "${1%%:*}"); do echo "--pack $p"; done) --data-dir $d ${save[*]}"; fi
}
cache_for() { # case, build number -> TRIALDECK_CACHE_DIR
  case "$1" in *:cache | *:edit) echo "$TMP/cache$2" ;; *) echo off ;; esac
}
edit_one() { # case: one entry file's title grows by a letter
  local f; f="$(dirs_of "${1%%:*}" | head -1)/trial-00042.ron"
  sed -i '0,/title: "/s//title: "x/' "$f"
}
echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  bins=$BINS  runs=$RUNS  history=$HISTORY" >&2
for ((i = 1; i <= RUNS; i++)); do
  for p in $CASES; do
    bi=0
    for b in $BINS; do
      bi=$((bi + 1))
      export TRIALDECK_CACHE_DIR; TRIALDECK_CACHE_DIR=$(cache_for "$p" "$bi")
      load=$(cut -d' ' -f1 /proc/loadavg)
      then=""
      case "$p" in *:edit) edit_one "$p"; then=reloaded ;; esac
      # shellcheck disable=SC2046
      out=$(THEN=$then python3 scripts/ptyfirst.py questions -- "$b" $(args_for "$p"))
      val() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$out"; }
      ff=$(val first_frame_ms); rss=$(val maxrss_kb)
      echo "$p $ff $rss $load $b $(val rss_kb) $(val anon_kb) $(val file_kb) $(val key_ms) $(val then_ms)" >>"$TMP/results"
      echo "run $i $p $b: first frame ${ff} ms, peak RSS ${rss} kB (at first frame $(val rss_kb): anon $(val anon_kb), file $(val file_kb)), key $(val key_ms) ms, load ${load}" >&2
    done
  done
done
pack_bytes() {
  if [ "$1" = bundled ]; then cat content/*/*.ron | wc -c
  else find $(dirs_of "${1%%:*}") -name '*.ron' -exec cat {} + | wc -c; fi
}
echo
echo "| pack | .ron bytes | build | first frame ms (min / median / max) | vs first build | peak RSS MB (min / median / max) | RSS at first frame MB: anon + file (median) | key after 10 ms, ms (median / max) | edit on screen ms (median) | load avg (min-max) |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for p in $CASES; do
  python3 - "$p" "$(pack_bytes "$p")" "$TMP/results" $BINS <<'PY'
import sys, statistics
p, nbytes, path, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
if p == "bundled":
    name = "bundled (compiled in)"
else:
    n, mode = p.split(":")
    name = f"{int(n):,} trials, " + {"cache": "warm image", "edit": "one file edited", "nocache": "no image"}[mode]
base = None
for b in bins:
    rows = [l.split() for l in open(path) if l.split()[0] == p and l.split()[4] == b]
    ff = sorted(float(r[1]) for r in rows)
    rss = sorted(int(r[2]) / 1024 for r in rows)
    la = sorted(float(r[3]) for r in rows)
    anon = statistics.median(int(r[6]) / 1024 for r in rows)
    fil = statistics.median(int(r[7]) / 1024 for r in rows)
    keys = sorted(float(r[8]) for r in rows if r[8] != "nan")
    key = f"{statistics.median(keys):.1f} / {keys[-1]:.1f}" if keys else "-"
    med = statistics.median(ff)
    base = base or med
    # When the edit is on screen: the first frame, or (a build that draws from the image
    # first and looks after) when it says it reloaded.
    if p.endswith(":edit"):
        shown = [float(r[9]) if len(r) > 9 and r[9] != "nan" else float(r[1]) for r in rows]
        edit = f"{statistics.median(shown):.1f}"
    else:
        edit = "-"
    print(f"| {name} | {nbytes/1e6:.1f} MB | {b} | {ff[0]:.1f} / {med:.1f} / {ff[-1]:.1f} | {med/base:.2f}"
          f" | {rss[0]:.1f} / {statistics.median(rss):.1f} / {rss[-1]:.1f} | {anon:.1f} + {fil:.1f} | {key} | {edit} | {la[0]:.2f}-{la[-1]:.2f} |")
PY
done
