#!/bin/bash
# Sourced by the benchmark scripts: prints the machine a table was measured on (CPU model, the flags that
# matter for the numbers, cores, load at the start), so that tables from different machines are never mixed.
tf_bench_machine() {
  local cpu flags cores load
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1 | tr ' ' '\n' |
          grep -xE 'avx2|avx512f|avx512bw|fma|bmi2' | tr '\n' ' ')
  cores=$(nproc)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "machine: ${cpu:-unknown CPU}; ${cores} cores; flags: ${flags:-none of avx2/avx512f/fma/bmi2}; load average at start: $load; $(uname -sr); $(date -u +%Y-%m-%d)"
}
# tf_bench_summary NAME VALUE TARGET MET: one line for tests/bench/all.sh's summary table, when it collects.
tf_bench_summary() {
  [ -n "${TF_BENCH_SUMMARY:-}" ] && printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$TF_BENCH_SUMMARY"
  return 0
}
