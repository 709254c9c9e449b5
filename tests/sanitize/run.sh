#!/bin/bash
# The unit tests, the CLI bad-input table and the fuzz regression inputs under AddressSanitizer +
# UndefinedBehaviorSanitizer (gcc, -DTINYFORGE_SANITIZE=ON, build dir build-san). Any sanitizer report, leak
# included, fails the test that triggered it and so this script. Part of .ci/run (docs/reliability.md).
#   tests/sanitize/run.sh [BUILD_DIR]
# Subset: the unit-test binaries below and the `tinyforge` command; no Verilator or yosys designs (RTL tests),
# no golden records, no sweeps, no test_fixed (comparisons with SystemC sc_fixed: one source takes over 15
# minutes to compile with the sanitizers), no cim fast-path comparison against child processes and no 160-network neuro
# reference run (those exercise the same readers at many times the cost).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:-$root/build-san}")
targets=(tinyforge tf_fuzz_replay test_core test_dcim test_acim test_lmu test_contract test_sweep test_cim test_neuro test_hls_layers
         test_hls_conv test_fixed_format test_model_json test_emulator test_onnx test_netlist_depth test_cli)

start=$(date +%s)
# Verilator is left out on purpose: its configure-time lint of the RTL tests is not needed here.
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTINYFORGE_SANITIZE=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_verilator=ON "-DTF_SANITIZE_TARGETS=$(IFS=';'; echo "${targets[*]}")" >"$build/sanitize-configure.log" 2>&1 || { cat "$build/sanitize-configure.log"; exit 1; }
nice cmake --build "$build" -j2 --target sanitize_subset >"$build/sanitize-build.log" 2>&1 ||
  { tail -60 "$build/sanitize-build.log"; exit 1; }
built=$(date +%s)

supp=$root/tests/sanitize/lsan.supp
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# The tests to run: those of the binaries built above, the CLI bad-input table and the fuzz regression inputs.
numbers=$(cd "$build" && ctest --show-only=json-v1 | /usr/bin/python3 -c '
import json, os, sys
built = set(sys.argv[1:])
tests = json.load(sys.stdin)["tests"]
pick = [str(i + 1) for i, t in enumerate(tests)
        if t["name"].startswith("bad input: ") or os.path.basename(t.get("command", [""])[0]) in built]
print(",".join(pick))' "${targets[@]}")
[ -n "$numbers" ] || { echo "tests/sanitize/run.sh: no tests selected" >&2; exit 1; }
echo "sanitizer run: $(tr , '\n' <<<"$numbers" | wc -l) tests (build $((built - start)) s)"
rc=0
(cd "$build" && ctest -j2 -I "0,0,0,$numbers" --output-on-failure --timeout 600) || rc=$?
echo "sanitizer run: $(( $(date +%s) - start )) s in all (build $((built - start)) s)"
exit $rc
