#!/bin/bash
# Never destroy user data: a user's file planted in every place a command writes survives the command, whether
# the command refuses (exit 2: a directory or file it did not make) or runs beside it. Commands: sim (a SystemC
# model and the HLS flow as a model), hls (project, Verilog, --synth reports), sweep (fresh, --resume, --plot,
# --slurm --no-submit). The cases out_safety.sh covers in detail are not repeated here.
# usage: plant.sh TINYFORGE SOURCE_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
model=$src/configs/models/jet_tagging_mlp.json
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
plant() { mkdir -p "$(dirname "$1")"; echo "user data $1" > "$1"; }
intact() { for f in "$@"; do [ "$(cat "$f" 2>/dev/null)" = "user data $f" ] || bad "$f was changed or removed"; done; }
expect2() {  # expect2 WHAT CMD...: exit 2 with an error line
  local what=$1; shift
  "$@" > out.txt 2> err.txt; local rc=$?
  [ $rc -eq 2 ] && grep -q "^error: " err.txt || { bad "$what: exit $rc, expected 2 with an error"; cat err.txt; }
}
printf '{"model": "cim", "axes": {"seed": [1, 2]}, "objectives": {"energy_pJ": "min", "latency_ns": "min"}}\n' > spec.json

# --out is a user's file: every command refuses and leaves it.
plant userfile
expect2 "sim cim --out FILE" "$bin" sim cim --out userfile
expect2 "sim hls --out FILE" "$bin" sim hls --out userfile
expect2 "hls --out FILE" "$bin" hls "$model" --out userfile
expect2 "sweep --out FILE" "$bin" sweep spec.json --out userfile
intact userfile

# --out is a user's directory (not a tinyforge record): sim, sim hls and sweep refuse and leave it whole.
plant mine/notes.txt; plant mine/stats.json; plant mine/results.csv; plant mine/points/x/stats.json
expect2 "sim cim into a user directory" "$bin" sim cim --out mine
expect2 "sim hls into a user directory" "$bin" sim hls --out mine
expect2 "sweep into a user directory" "$bin" sweep spec.json --out mine
expect2 "sweep --slurm --no-submit into a user directory" "$bin" sweep spec.json --out mine --slurm --no-submit
expect2 "sweep --resume of a user directory" "$bin" sweep spec.json --out mine --resume
intact mine/notes.txt mine/stats.json mine/results.csv mine/points/x/stats.json

# hls writes DIR/hls, DIR/rtl (and --synth DIR/report.*) beside what the user keeps in DIR: all of it survives
# generating and regenerating.
plant proj/notes.txt; plant proj/Makefile; plant proj/tb/my_bench.cpp
"$bin" hls "$model" --out proj --rtl > /dev/null 2> err.txt || { bad "hls into a directory with user files"; cat err.txt; }
"$bin" hls "$model" --out proj --rtl --reuse 2 > /dev/null 2> err.txt || { bad "hls regenerating"; cat err.txt; }
[ -f proj/hls/.tinyforge-generated ] && [ -f proj/rtl/.tinyforge-generated ] || bad "hls wrote no marked hls/ and rtl/"
intact proj/notes.txt proj/Makefile proj/tb/my_bench.cpp
# A user file inside the generated hls/ is part of what tinyforge made and is replaced with it (documented);
# a user's own hls/ (no marker) is refused: out_safety.sh (4).

# sweep: the user's files inside a sweep folder survive --resume, --plot and a refused fresh re-run.
"$bin" sweep spec.json --out sw > /dev/null 2> err.txt || { bad "sweep"; cat err.txt; }
plant sw/notes.txt; plant sw/points/mine/x.txt; plant sw/plots/my_plot.png; plant sw/logs/my.log
expect2 "a fresh sweep into an earlier sweep (no --resume)" "$bin" sweep spec.json --out sw
"$bin" sweep spec.json --out sw --resume --plot > /dev/null 2> err.txt || { bad "sweep --resume --plot"; cat err.txt; }
intact sw/notes.txt sw/points/mine/x.txt sw/plots/my_plot.png sw/logs/my.log

# sim: --out names a new folder under a user's folder: the user's other files there survive.
plant home/keep.txt
"$bin" sim cim --out home/run > /dev/null 2> err.txt || { bad "sim cim into a new folder"; cat err.txt; }
"$bin" sim cim --out home/run --seed 3 > /dev/null 2> err.txt || { bad "sim cim re-run into its record"; cat err.txt; }
intact home/keep.txt
[ -z "$(ls -A home | grep -v -x -e keep.txt -e run)" ] || bad "sim left debris beside its record: $(ls -A home)"

[ $fail -eq 0 ] && echo ok
exit $fail
