#!/bin/bash
# Start-up and fixed cost of the tinyforge command, against a trivial C++ program built in the same run:
#   trivial      int main that prints one line with std::cout (g++ -O2): process creation, libc, libstdc++
#   SystemC      the same linked with Debian's libsystemc (sc_main stub): what loading SystemC costs by itself
#   --help       `tinyforge --help`: the command without its modules
#   list         `tinyforge list`: also loads the SystemC models' module (tinyforge-sc.so)
#   sim cim      the default CIM design point, whole process; fixed cost = whole process - its sim_wall_s
# Each command runs N times, interleaved round by round (so that load from elsewhere hits all alike); medians.
# usage: tests/bench/bench_startup.sh [BUILD_DIR] [N]   (prints a markdown table for docs/BENCHMARKS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
N=${2:-100}
tf=$build/sim/app/tinyforge
[ -x "$tf" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
source "$root/tests/bench/machine.sh"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf '#include <iostream>\nint main() { std::cout << "x\\n"; return 0; }\n' > "$work/trivial.cpp"
g++ -O2 "$work/trivial.cpp" -o "$work/trivial"
printf 'extern "C" int sc_main(int, char**) { return 0; }\n' > "$work/scfloor.cpp"
g++ -O2 "$work/scfloor.cpp" -o "$work/scfloor" -Wl,--no-as-needed -lsystemc
export SC_COPYRIGHT_MESSAGE=DISABLE
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | head -1; }
# The wall time of one run of "$@" in ms (bash's clock: no extra process).
once() { local t0=$EPOCHREALTIME; "$@" > /dev/null; local t1=$EPOCHREALTIME; echo "($t1 - $t0) * 1000" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
triv=(); scf=(); help=(); list=(); sim=(); simfix=()
for _ in $(seq 1 5); do "$work/trivial" >/dev/null; "$tf" --help >/dev/null; done  # warm the page cache
for i in $(seq 1 "$N"); do
  triv+=("$(once "$work/trivial")")
  scf+=("$(once "$work/scfloor")")
  help+=("$(once "$tf" --help)")
  list+=("$(once "$tf" list)")
  rm -rf "$work/p"
  t=$(once "$tf" sim cim --json --out "$work/p")
  s=$(field sim_wall_s "$work/p/stats.json")
  sim+=("$t"); simfix+=("$(echo "$t - $s * 1000" | bc -l)")
done
mt=$(median "${triv[@]}"); ms=$(median "${scf[@]}"); mh=$(median "${help[@]}"); ml=$(median "${list[@]}")
mw=$(median "${sim[@]}"); mf=$(median "${simfix[@]}")
msim=$(echo "$mw - $mf" | bc -l)
r() { echo "$1 / $mt" | bc -l; }
tf_bench_machine
printf '| run (median of %d, ms) | wall | ratio to trivial | target |\n|---|---|---|---|\n' "$N"
printf '| trivial C++ program (anchor) | %.2f | 1.00 | - |\n' "$mt"
printf '| trivial + libsystemc (what loading SystemC costs by itself) | %.2f | %.2f | - |\n' "$ms" "$(r "$ms")"
printf '| `tinyforge --help` (bare start: no module loaded) | %.2f | %.2f | <= 2x |\n' "$mh" "$(r "$mh")"
printf '| `tinyforge list` (loads tinyforge-sc.so: SystemC and its models) | %.2f | %.2f | - |\n' "$ml" "$(r "$ml")"
printf '| `tinyforge sim cim`, default point, whole process | %.2f | %.2f | <= 1.5x (trivial + simulation) = %.2f ms |\n' \
  "$mw" "$(r "$mw")" "$(echo "1.5 * ($mt + $msim)" | bc -l)"
printf '| `tinyforge sim cim`, fixed cost (whole process - sim_wall_s) | %.2f | %.2f | <= 2x |\n' "$mf" "$(r "$mf")"
printf '\nStart-up breakdown (differences of the medians above):\n\n'
printf '| part | ms |\n|---|---|\n'
printf '| process creation, libc, libstdc++ (trivial) | %.2f |\n' "$mt"
printf '| the command without modules: Boost.Program_options, muparser, its own relocations and static initialisers (--help - trivial) | %.2f |\n' "$(echo "$mh - $mt" | bc -l)"
printf '| loading SystemC alone (trivial + libsystemc - trivial) | %.2f |\n' "$(echo "$ms - $mt" | bc -l)"
printf '| loading tinyforge-sc.so with SystemC and registering the models (list - --help) | %.2f |\n' "$(echo "$ml - $mh" | bc -l)"
printf '| config, tech tables, elaboration, run record (fixed cost - list) | %.2f |\n' "$(echo "$mf - $ml" | bc -l)"
printf '| simulation (sim_wall_s) | %.2f |\n' "$msim"
# Instructions executed (valgrind's callgrind: the same count whatever else the machine is doing), when valgrind
# is installed: the load-independent view of the same runs.
if command -v valgrind > /dev/null; then
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
  it=$(ir "$work/trivial"); is=$(ir "$work/scfloor"); ih=$(ir "$tf" --help); il=$(ir "$tf" list)
  rm -rf "$work/p"; ic=$(ir "$tf" sim cim --out "$work/p")
  printf '\nInstructions executed (valgrind --tool=callgrind; repeatable under load; page faults and kernel time are not in them):\n\n'
  printf '| run | instructions | ratio to trivial |\n|---|---|---|\n'
  for row in "trivial C++ program:$it" "trivial + libsystemc:$is" "tinyforge --help:$ih" "tinyforge list:$il" "tinyforge sim cim (default point, whole process):$ic"; do
    printf '| %s | %s | %.2f |\n' "${row%%:*}" "${row##*:}" "$(echo "${row##*:} / $it" | bc -l)"
  done
fi
met() { [ "$(echo "$1 <= $2" | bc -l)" = 1 ] && echo yes || echo no; }
tf_bench_summary "start-up: tinyforge --help / trivial program" "$(printf '%.2fx' "$(r "$mh")")" "<= 2x" "$(met "$(r "$mh")" 2)"
tf_bench_summary "start-up: sim cim fixed cost / trivial program" "$(printf '%.2fx' "$(r "$mf")")" "<= 2x" "$(met "$(r "$mf")" 2)"
tf_bench_summary "CIM default point whole process / 1.5 (trivial + simulation)" \
  "$(printf '%.2f' "$(echo "$mw / (1.5 * ($mt + $msim))" | bc -l)")" "<= 1" "$(met "$mw" "$(echo "1.5 * ($mt + $msim)" | bc -l)")"
