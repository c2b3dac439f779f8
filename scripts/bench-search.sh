#!/usr/bin/env bash
# Per-keystroke search, side by side: trialdeck (in-process, as the app searches: narrowing,
# the machine's cores, app::SEARCH_LIMIT = 200 hits, the first 50 highlighted) against
# `fzf --filter` and `sk --filter` (one process per keystroke, reading the same records as
# plain lines, one line per record). Every keystroke of a fixed list of queries is timed
# (wall clock); fzf and sk runs are interleaved; each side's figure is the median over all
# keystrokes of the per-keystroke medians.
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
# Needs fzf (Debian package `fzf`) and sk (`cargo install skim`); a missing tool's column
# reads "-". The libraries are the bench's: the bundled pack and devgen's 1,000 and 10,000
# trials (the same corpus as `trialdeck dev gen-pack`).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-7}
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
print("| library | records | keystrokes | trialdeck ms | fzf --filter ms | sk --filter ms | fzf / trialdeck | sk / trialdeck | trialdeck slowest key ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
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
    r = lambda x: "-" if x is None else f"{x / m:.1f}x"
    print(f"| {lib} | {recs:,} | {len(td)} | {m:.3f} | {f(med['fzf'])} | {f(med['sk'])} | {r(med['fzf'])} | {r(med['sk'])} | {max(td):.2f} |")
PY
