#!/bin/bash
# Builds the libFuzzer harnesses (clang, build-fuzz/) and runs each in turn, then prints a table.
#   fuzz/run.sh [--seconds N | --runs N] [--only NAME[,NAME...]] [--rss-mb M] [--timeout S] [--build-dir DIR]
# Default: 60 seconds per harness. The corpus of each harness grows in BUILD_DIR/fuzz-work/NAME/corpus and is
# reused by the next run; seeds are the bundled files (configs/, tests/fixtures, tests/cli/fixtures) and
# fuzz/regress/NAME, copied to BUILD_DIR/fuzz-work/NAME/seeds. Findings (crash-*, leak-*, timeout-*, oom-*)
# land in BUILD_DIR/fuzz-work/NAME/artifacts; a harness stops at its first finding. Exit 1 if any harness
# found something. Runs with nice; one harness at a time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60 runs="" only="" rss=2048 timeout=10 build="$root/build-fuzz"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; runs=""; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --rss-mb) rss=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --build-dir) build=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "fuzz/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
command -v clang++ >/dev/null || { echo "fuzz/run.sh: needs clang++ and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

all=(config cim_program cim_data neuro_network neuro_raster hls_model onnx hls_precision test_vectors test_vectors_seq test_vectors_text sweep_spec audio)
if [ -n "$only" ]; then IFS=, read -r -a names <<<"$only"; else names=("${all[@]}"); fi
for n in "${names[@]}"; do
  [ -f "$root/fuzz/harnesses/$n.cpp" ] || { echo "fuzz/run.sh: no harness '$n' (have: ${all[*]})" >&2; exit 2; }
done

# Build (only the harnesses; no tests, so no Verilator at configure time). Configured every time, so that a
# harness added since the last run gets its target.
mkdir -p "$build"
nice cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DTINYFORGE_FUZZ=ON -DBUILD_TESTING=OFF >"$build/fuzz-configure.log" 2>&1 || { cat "$build/fuzz-configure.log"; exit 1; }
nice cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${names[@]}") >"$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log"; exit 1; }

seeds_of() {  # the bundled files that seed harness $1
  local r=$root c=$root/tests/cli/fixtures
  case "$1" in
    config) ls $r/configs/cim/digital_28nm.json $r/configs/neuro/*.json $r/configs/hls/*.json $c/malformed.json \
              $c/many_errors.json $c/missing_base.json $c/dotted_key.json $c/number_overflow.json $c/base_is_dir.json ;;
    cim_program) ls $r/configs/cim/example_program.json $c/prog_*.json ;;
    cim_data) ls $c/data_*.json $c/bnn_zero.json ;;
    neuro_network) ls $c/neuro_*.json | grep -v raster ;;
    neuro_raster) ls $c/neuro_raster* ;;
    hls_model) ls $r/configs/models/jet_tagging_mlp.json $c/model_*.json ;;
    onnx) ls $r/configs/models/*.onnx $r/tests/fixtures/onnx/*.onnx ;;
    audio) ls $r/configs/audio/*.wav ;;
    hls_precision) ls $r/configs/models/digits_mlp_precision.json $c/precision_bad.json ;;
    test_vectors) ls $r/tests/fixtures/onnx/*_test.json ;;
    test_vectors_text) ls $c/vectors_* ;;
    sweep_spec) ls $r/configs/sweeps/*.json $c/sweeps/*.json ;;
  esac
}

# The harnesses write their inputs to files; a memory file system keeps that from dominating the run.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:allocator_may_return_null=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rows=() failed=0
for n in "${names[@]}"; do
  w=$build/fuzz-work/$n
  mkdir -p "$w/corpus" "$w/seeds" "$w/artifacts"
  rm -f "$w/seeds"/*
  for f in $(seeds_of "$n") "$root"/fuzz/regress/"$n"/*; do
    [ -f "$f" ] && cp "$f" "$w/seeds/$(basename "$(dirname "$f")")_$(basename "$f")"
  done
  dict=$root/fuzz/dict/json.dict max_len=65536
  [ "$n" = onnx ] && dict=$root/fuzz/dict/onnx.dict && max_len=32768
  [ "$n" = test_vectors_text ] && dict=$root/fuzz/dict/numbers.dict
  [ "$n" = audio ] && dict=$root/fuzz/dict/audio.dict && max_len=131072
  limit=(-max_total_time="$seconds")
  [ -n "$runs" ] && limit=(-runs="$runs")
  before=$(find "$w/corpus" -type f | wc -l)
  arts_before=$(find "$w/artifacts" -type f | wc -l)
  log=$w/last.log
  echo "== $n: ${limit[*]} (log: $log)"
  rc=0
  (cd "$w" && nice -n 19 "$build/fuzz/fuzz_$n" corpus seeds "${limit[@]}" -rss_limit_mb="$rss" -timeout="$timeout" \
     -max_len=$max_len -dict="$dict" -artifact_prefix=artifacts/ -print_final_stats=1 -close_fd_mask=1 \
     </dev/null >"$log" 2>&1) || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  after=$(find "$w/corpus" -type f | wc -l)
  found=$(( $(find "$w/artifacts" -type f | wc -l) - arts_before ))
  if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then found=1; fi  # a failure without an artifact still counts
  [ "$found" -gt 0 ] && failed=1
  rows+=("$(printf '%-15s %14s %9s %12s %9s' "$n" "${execs:-?}" "${rate:-?}" "$((after - before))" "$found")")
done

printf '\n%-15s %14s %9s %12s %9s\n' harness executions "exec/s" "new corpus" findings
for r in "${rows[@]}"; do echo "$r"; done
exit $failed
