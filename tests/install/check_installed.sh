#!/bin/bash
# Runs an installed tinyforge (PREFIX/bin/tinyforge) and the find_package example against PREFIX; called by
# install_test.sh, possibly inside a mount namespace where SOURCE_DIR is hidden (HIDDEN != 0).
# usage: check_installed.sh PREFIX EXAMPLE_SRC OUT_DIR SOURCE_DIR HIDDEN
set -euo pipefail
P=$(cd "$1" && pwd -P)
example=$2 out=$(mkdir -p "$3" && cd "$3" && pwd -P) src=$4 hidden=$5
fail() { echo "FAIL: $*" >&2; exit 1; }
unset TINYFORGE_DATA_DIR TINYFORGE
export SC_COPYRIGHT_MESSAGE=DISABLE
cd "$out"
tf=$P/bin/tinyforge
data=$P/share/tinyforge
step() { printf '  %-70s' "$1"; s0=$SECONDS; }
ok() { echo "ok ($((SECONDS - s0)) s)"; }

if [ "$hidden" != 0 ]; then
  [ ! -e "$src/configs" ] && [ ! -e "$src/hls" ] || fail "the source tree $src is still visible"
fi

step "tinyforge --version: data and headers in the installation"
"$tf" --version > version.txt || fail "tinyforge --version exited $?"
head -1 version.txt | grep -Eq '^tinyforge [0-9]+\.[0-9]+\.[0-9]+$' || fail "first line: $(head -1 version.txt)"
grep -q "^data directory: $data  (installed next to the binary $tf)$" version.txt ||
  fail "data directory is not $data: $(cat version.txt)"
grep -q "^HLS headers: *$P/include$" version.txt || fail "HLS headers are not $P/include: $(cat version.txt)"
grep -q "^git revision: " version.txt && grep -q "^SystemC: *2\." version.txt && grep -q "^Verilator: " version.txt &&
  grep -q "^yosys: " version.txt || fail "--version lacks a line: $(cat version.txt)"
ok

step "TINYFORGE_DATA_DIR overrides; a bad one, a lone binary fail"
grep -q "^modules:        $P/lib.*/tinyforge/tinyforge-sc.so" <("$tf" --version) || fail "--version names no installed module: $("$tf" --version)"
cp -r "$data" data-copy
TINYFORGE_DATA_DIR=$out/data-copy "$tf" --version > version-env.txt
grep -q "^data directory: $out/data-copy  (the environment variable TINYFORGE_DATA_DIR)$" version-env.txt ||
  fail "TINYFORGE_DATA_DIR=$out/data-copy: $(cat version-env.txt)"
TINYFORGE_DATA_DIR=$out/data-copy "$tf" sim cim --out cim-env > cim-env.txt ||
  fail "TINYFORGE_DATA_DIR: sim cim exited $?"
grep -q "config: $out/data-copy/configs/cim/digital_28nm.json" cim-env.txt || fail "TINYFORGE_DATA_DIR: $(head -1 cim-env.txt)"
rc=0
TINYFORGE_DATA_DIR=$out/nowhere "$tf" sim cim --out cim-bad > /dev/null 2> cim-bad.txt || rc=$?
[ $rc = 2 ] && grep -q "TINYFORGE_DATA_DIR: got '$out/nowhere'; expected a directory holding configs/" cim-bad.txt ||
  fail "a bad TINYFORGE_DATA_DIR: exit $rc, $(cat cim-bad.txt)"
mkdir -p lonely/bin && cp "$tf" lonely/bin/
rc=0
lonely/bin/tinyforge sim cim --out cim-lonely > /dev/null 2> cim-lonely.txt || rc=$?
[ $rc = 2 ] && grep -q "cannot find the module tinyforge-sc.so of $out/lonely/bin/tinyforge" cim-lonely.txt ||
  fail "a binary without its modules: exit $rc, $(cat cim-lonely.txt)"
rc=0
lonely/bin/tinyforge hls "$data/configs/models/jet_tagging_mlp.json" --out hls-lonely > /dev/null 2> hls-lonely.txt || rc=$?
[ $rc = 2 ] && grep -q "no data directory for $out/lonely/bin/tinyforge" hls-lonely.txt ||
  fail "a binary without its data: exit $rc, $(cat hls-lonely.txt)"
[ ! -e cim-bad ] && [ ! -e cim-lonely ] && [ ! -e hls-lonely ] || fail "a run without data left a run directory"
ok

step "tinyforge list"
"$tf" list > list.txt || fail "tinyforge list exited $?"
grep -q '^cim ' list.txt && grep -q '^neuro ' list.txt && grep -q '^hls ' list.txt || fail "list: $(cat list.txt)"
ok

step "tinyforge sim cim (the bundled default config)"
"$tf" sim cim --out cim > cim.txt || fail "sim cim exited $?: $(cat cim.txt)"
grep -q "config: $data/configs/cim/digital_28nm.json" cim.txt || fail "sim cim did not use $data: $(head -3 cim.txt)"
grep -q '"energy_pJ"' cim/stats.json || fail "sim cim: no energy_pJ in stats.json"
ok

step "tinyforge sim neuro"
"$tf" sim neuro --out neuro > neuro.txt || fail "sim neuro exited $?: $(cat neuro.txt)"
grep -q "config: $data/configs/neuro/" neuro.txt || fail "sim neuro did not use $data: $(head -3 neuro.txt)"
[ -f neuro/stats.json ] || fail "sim neuro: no stats.json"
ok

step "tinyforge hls digits_mlp.onnx --rtl --verify 20"
M=$data/configs/models/digits_mlp
"$tf" hls "$M.onnx" --precision "${M}_precision.json" --out digits --rtl --verify 20 > hls.txt 2>&1 ||
  fail "hls exited $?: $(tail -20 hls.txt)"
grep -q '^verify: bit-exact; .*: PASS$' hls.txt || fail "hls --verify: $(tail -5 hls.txt)"
cmp -s digits/hls/firmware/tinyforge/hls/dense.h "$P/include/tinyforge/hls/dense.h" ||
  fail "the HLS project's layer library is not the installed one"
cmp -s digits/rtl/tf_quant.v "$data/rtl/lib/tf_quant.v" || fail "the RTL project's tf_quant.v is not the installed one"
ok

step "the generated HLS project: build.sh (g++ -std=c++14)"
digits/hls/build.sh > build_sh.txt 2>&1 || fail "build.sh exited $?: $(tail -20 build_sh.txt)"
grep -q ' 0 mismatching outputs' build_sh.txt || fail "build.sh: $(tail -5 build_sh.txt)"
ok

step "tinyforge sweep cim_array.json --dry-run"
"$tf" sweep "$data/configs/sweeps/cim_array.json" --dry-run > dry.txt 2>&1 || fail "sweep --dry-run exited $?: $(cat dry.txt)"
grep -q '^estimated time: .*(ok)' dry.txt || fail "sweep --dry-run: $(cat dry.txt)"
ok

if /usr/bin/python3 -c 'import matplotlib, numpy' 2>/dev/null; then
  step "tinyforge sweep cim_array.json --plot (scripts/plot_sweep.py)"
  "$tf" sweep "$data/configs/sweeps/cim_array.json" --out sweep --plot > sweep.txt 2>&1 ||
    fail "sweep --plot exited $?: $(tail -20 sweep.txt)"
  ls sweep/plots/*.png > /dev/null 2>&1 || fail "sweep --plot drew nothing: $(tail -20 sweep.txt)"
  ok
else
  echo "  (sweep --plot skipped: /usr/bin/python3 lacks matplotlib or numpy)"
  "$tf" sweep "$data/configs/sweeps/cim_array.json" --out sweep > sweep.txt 2>&1 || fail "sweep exited $?: $(tail sweep.txt)"
fi

if [ -x "$P/bin/tinyforge-mpi" ] && command -v mpirun > /dev/null; then
  step "mpirun -n 2 tinyforge sweep cim_array.json --mpi (bin/tinyforge-mpi)"
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
  export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
  timeout 300 mpirun --oversubscribe -n 2 "$tf" sweep "$data/configs/sweeps/cim_array.json" --mpi --out mpi \
    > mpi.txt 2>&1 || fail "sweep --mpi exited $?: $(tail -20 mpi.txt)"
  counts() { sed -n 's/^results: .*results.csv  //p' "$1"; }
  [ -n "$(counts sweep.txt)" ] && [ "$(counts mpi.txt)" = "$(counts sweep.txt)" ] ||
    fail "sweep --mpi: '$(counts mpi.txt)'; the local run: '$(counts sweep.txt)'"
  # The same points, configs and energies as the local run (every column but the wall times).
  pick() { awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i !~ /wall_s$/) keep[i] = 1} {s = ""; for (i = 1; i <= NF;
           i++) if (keep[i]) s = s $i ","; print s}' "$1" | sort; }
  cmp -s <(pick mpi/results.csv) <(pick sweep/results.csv) || fail "sweep --mpi: results.csv differs from the local run"
  ok
fi

step "find_package(tinyforge) example: configure, build, run"
cmake -S "$example" -B example -DCMAKE_PREFIX_PATH="$P" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > example.txt 2>&1 ||
  fail "example: cmake: $(cat example.txt)"
grep -q "tinyforge [0-9.]*: $P/share/cmake/tinyforge" example.txt || fail "example found another tinyforge: $(cat example.txt)"
cmake --build example >> example.txt 2>&1 || fail "example: build: $(tail -20 example.txt)"
example/tiny_mlp > example_run.txt || fail "example: tiny_mlp exited $?: $(cat example_run.txt)"
grep -q '^tiny_mlp: PASS$' example_run.txt || fail "example: $(cat example_run.txt)"
ok

step "find_package version check: same major.minor accepted, 99.0 refused"
version=$(head -1 version.txt | cut -d' ' -f2)
for want in "${version%.*}" 99.0; do
  mkdir -p "vcheck-$want"
  printf 'cmake_minimum_required(VERSION 3.16)\nproject(v LANGUAGES NONE)\nfind_package(tinyforge %s CONFIG REQUIRED)\n' \
    "$want" > "vcheck-$want/CMakeLists.txt"
  if cmake -S "vcheck-$want" -B "vcheck-$want/build" -DCMAKE_PREFIX_PATH="$P" > "vcheck-$want.txt" 2>&1; then
    [ "$want" != 99.0 ] || fail "find_package(tinyforge 99.0) accepted version $version"
  else
    [ "$want" = 99.0 ] || fail "find_package(tinyforge $want) refused: $(cat "vcheck-$want.txt")"
  fi
done
ok

# Nothing the installed command wrote names the source tree.
leaks=$(grep -rlF "$src" . --exclude-dir=lonely || true)  # lonely/: a copy of the binary
[ -z "$leaks" ] || fail "outputs name the source tree $src: $leaks"
