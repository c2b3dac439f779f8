#!/usr/bin/env bash
# Search, side by side, three ways:
#
# 1. Interactive, like with like (the table that compares speeds): trialdeck's app and fzf,
#    each one process in a pseudo-terminal that read its candidates once, typed into a key
#    at a time (scripts/ptysearch.py); each key is timed from writing it to the screen
#    settling. trialdeck runs on the generated pack of INTERACTIVE trials (default 10000)
#    opened from its image; `fzf -e` (exact) and `fzf` (fuzzy) run over the same records as
#    plain lines (one line per record). Runs interleaved, IREPS (default 3) each.
# 2. Whole commands, each query once per run: `trialdeck search QUERY --pack DIR` (start,
#    open the image, search, print) against `fzf --filter QUERY < lines` (start, read every
#    line, rank, print) and `sk --filter`.
# 3. In process (the bench's own table): trialdeck's search function as the app calls it
#    (narrowing, the machine's cores, app::SEARCH_LIMIT = 200 hits, the first 50
#    highlighted), per keystroke; this is not comparable with a whole process and is not
#    set against one.
#
#   scripts/bench-search.sh                       # bundled, 1k and 10k libraries, 7 runs
#   REPS=3 LIBS=bundled,1k scripts/bench-search.sh
#
# fzf and sk take seconds per keystroke on the 10,000-trial corpus (~126 MB of lines, and a
# fuzzy subsequence matches nearly every long line), so on libraries of more than
# BIG_RECORDS records (default 50,000) only each query's last keystroke (the whole query) is
# timed, with BIG_REPS runs (default 3), and trialdeck's figure for that row is taken over
# the same keystrokes.
#
# Needs fzf (Debian package `fzf`); sk (`cargo install skim`) is optional: a missing tool's
# column reads "-". The libraries are the bench's: the bundled pack and devgen's 1,000 and 10,000
# trials (the same corpus as `trialdeck dev gen-pack`).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-7}
IREPS=${IREPS:-3}
INTERACTIVE=${INTERACTIVE:-10000}
BIN=${BIN:-target/release/trialdeck}
GEN=${GEN:-target/dev-tools/release/trialdeck}
WORK=${WORK:-target/bench-packs}
BIG_RECORDS=${BIG_RECORDS:-50000}
BIG_REPS=${BIG_REPS:-3}
LIBS=${LIBS:-bundled,1k,10k}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
PATH="$PATH:$HOME/.cargo/bin"
echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
TRIALDECK_SEARCH_EXPORT="$OUT" TRIALDECK_BENCH_REPS=$REPS TRIALDECK_BENCH_LIBS=$LIBS \
  cargo bench --quiet --bench search >&2
tools=()
command -v fzf >/dev/null && tools+=(fzf) || echo "fzf not found: apt-get install fzf" >&2
command -v sk >/dev/null && tools+=(sk) || echo "sk not found: cargo install skim" >&2
mapfile -t allkeys <"$OUT/keys"
# The whole queries: keys that no later key extends.
lastkeys=()
for ((i = 0; i < ${#allkeys[@]}; i++)); do
  next=${allkeys[i + 1]:-}
  [[ -n "$next" && "$next" == "${allkeys[i]}"* ]] || lastkeys+=("${allkeys[i]}")
done
for lib in ${LIBS//,/ }; do
  [ -f "$OUT/$lib.lines" ] || continue
  : >"$OUT/$lib.others"
  keys=("${allkeys[@]}") reps=$REPS
  if [ "$(wc -l <"$OUT/$lib.lines")" -gt "$BIG_RECORDS" ]; then keys=("${lastkeys[@]}") reps=$BIG_REPS; fi
  printf '%s\n' "${keys[@]}" >"$OUT/$lib.keys"
  for ((r = 0; r < reps; r++)); do
    for k in "${keys[@]}"; do
      for t in "${tools[@]}"; do
        s=$(date +%s%N)
        "$t" --filter "$k" <"$OUT/$lib.lines" >/dev/null || true
        e=$(date +%s%N)
        printf '%s\t%s\t%s\n' "$t" "$k" "$(((e - s) / 1000))" >>"$OUT/$lib.others"
      done
    done
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$OUT" "$LIBS" <<'PY'
import sys, statistics, collections, os
out, libs = sys.argv[1], sys.argv[2].split(",")
print("In process (trialdeck's search call) beside whole processes (`--filter`: start, read every line, rank): not comparable, and no ratio is drawn between them; the interactive table below compares like with like.")
print()
print("| library | records | keystrokes | trialdeck in process ms | fzf --filter process ms | sk --filter process ms | trialdeck slowest key ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for lib in libs:
    path = os.path.join(out, lib + ".trialdeck")
    if not os.path.exists(path):
        continue
    timed = set(open(os.path.join(out, lib + ".keys")).read().split("\n")) - {""}
    tdk = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
    td = [float(t) for k, t in tdk if k in timed]
    recs = sum(1 for _ in open(os.path.join(out, lib + ".lines")))
    per = collections.defaultdict(list)
    for l in open(os.path.join(out, lib + ".others")):
        t, k, us = l.rstrip("\n").split("\t")
        per[(t, k)].append(int(us) / 1000)
    med = {}
    for t in ("fzf", "sk"):
        ks = [statistics.median(v) for (tt, _), v in per.items() if tt == t]
        med[t] = statistics.median(ks) if ks else None
    m = statistics.median(td)
    f = lambda x: "-" if x is None else f"{x:.2f}"
    print(f"| {lib} | {recs:,} | {len(td)} | {m:.3f} | {f(med['fzf'])} | {f(med['sk'])} | {max(td):.2f} |")
PY

# --- 1. Interactive: the app and fzf, one process each, a key at a time ---------------------
lib=$( [ "$INTERACTIVE" = 1000 ] && echo 1k || echo 10k )
if [ -f "$OUT/$lib.lines" ] && command -v fzf >/dev/null; then
  [ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
  [ -x "$GEN" ] || cargo build --release --quiet --features dev --target-dir target/dev-tools
  PACK="$WORK/gen$INTERACTIVE"
  [ -f "$PACK/pack.ron" ] || { "$GEN" dev gen-pack --trials "$INTERACTIVE" --out "$PACK" >/dev/null; sleep 3; }
  export TRIALDECK_CACHE_DIR="$OUT/cache" TRIALDECK_CONFIG="$OUT/config.ron" TERM=xterm-256color
  "$BIN" check --pack "$PACK" >/dev/null # the image
  n=$(wc -l <"$OUT/$lib.lines")
  echo "# interactive: $(date -u +%H:%MZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for ((r = 0; r < IREPS; r++)); do
    python3 scripts/ptysearch.py questions / -- "$BIN" --pack "$PACK" --no-save --data-dir "$OUT/data$r" \
      | sed 's/^/trialdeck\t/' >>"$OUT/interactive"
    python3 scripts/ptysearch.py "$n/$n" "" -- sh -c "fzf -e < '$OUT/$lib.lines'" \
      | sed 's/^/fzf -e\t/' >>"$OUT/interactive"
    python3 scripts/ptysearch.py "$n/$n" "" -- sh -c "fzf < '$OUT/$lib.lines'" \
      | sed 's/^/fzf (fuzzy)\t/' >>"$OUT/interactive"
  done
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  # --- 2. Whole commands ---------------------------------------------------------------------
  for ((r = 0; r < BIG_REPS; r++)); do
    for k in "${lastkeys[@]}"; do
      s=$(date +%s%N); "$BIN" search "$k" --pack "$PACK" >/dev/null || true; e=$(date +%s%N)
      printf 'trialdeck search\t%s\t%s\n' "$k" "$(((e - s) / 1000))" >>"$OUT/whole"
      for t in "${tools[@]}"; do
        s=$(date +%s%N); "$t" --filter "$k" <"$OUT/$lib.lines" >/dev/null || true; e=$(date +%s%N)
        printf '%s --filter\t%s\t%s\n' "$t" "$k" "$(((e - s) / 1000))" >>"$OUT/whole"
      done
    done
  done
  python3 - "$OUT" "$n" "$INTERACTIVE" <<'PY'
import sys, statistics, collections, os
out, n, trials = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per = collections.defaultdict(list)
for l in open(os.path.join(out, "interactive")):
    t, k, ms = l.rstrip("\n").split("\t")
    if ms != "nan":
        per[t].append(float(ms))
print()
print(f"Interactive, key to screen settled ({trials:,} trials, {n:,} records; every key of every query, all runs):")
print()
print("| program | keys | median ms | p90 ms | min–max ms | vs trialdeck (median) |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
base = statistics.median(per["trialdeck"]) if per["trialdeck"] else None
for t in ("trialdeck", "fzf -e", "fzf (fuzzy)"):
    v = sorted(per[t])
    if not v:
        continue
    m = statistics.median(v)
    p90 = v[int(0.9 * (len(v) - 1))]
    print(f"| {t} | {len(v)} | {m:.1f} | {p90:.1f} | {v[0]:.1f}–{v[-1]:.1f} | {m / base:.2f}x |")
whole = collections.defaultdict(list)
for l in open(os.path.join(out, "whole")):
    t, k, us = l.rstrip("\n").split("\t")
    whole[t].append(int(us) / 1000)
print()
print("Whole commands, one process per whole query (start, read, rank, print):")
print()
print("| command | runs | median ms | min–max ms |")
print("| --- | ---: | ---: | ---: |")
for t, v in whole.items():
    v.sort()
    print(f"| {t} | {len(v)} | {statistics.median(v):.1f} | {v[0]:.1f}–{v[-1]:.1f} |")
PY
fi
