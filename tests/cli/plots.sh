#!/bin/bash
# scripts/plot_sweep.py and scripts/plot_run.py on real outputs: a small sweep (2 objectives, one min and one max, a
# categorical axis, invalid points) and a `tinyforge sim cim` run record. The expected files are written and
# printed, PNGs start with the PNG signature, SVGs parse as XML and carry the units and the count of points left
# out, a second run gives the same bytes, and missing or malformed inputs exit 2 naming the file, writing nothing.
# usage: plots.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE MPLCONFIGDIR=$work/mpl
py() { /usr/bin/python3 -c "$@"; }
sweep_plot=$src/scripts/plot_sweep.py
run_plot=$src/scripts/plot_run.py

"$bin" sweep "$src/tests/cli/fixtures/sweeps/plot_small.json" --out "$work/s" > "$work/log" 2>&1 || { cat "$work/log"; echo "FAIL: sweep"; exit 1; }
"$bin" sim cim --out "$work/run" > "$work/log" 2>&1 || { cat "$work/log"; echo "FAIL: sim cim"; exit 1; }

# Checks that the lines of LIST are exactly DIR's files, that they are the expected STEMS in FORMATS, that every
# PNG starts with the PNG signature and every SVG parses as XML; TEXTS must each appear in some SVG.
check_files() {  # check_files LIST DIR FORMATS STEMS TEXTS
  py "
import os, sys, xml.etree.ElementTree as ET
listed = [l for l in open('$1').read().split('\n') if l]
d, fmts, stems, texts = '$2', '$3'.split(','), '$4'.split(), [t for t in '''$5'''.split('|') if t]
want = sorted(os.path.join(d, s + '.' + f) for s in stems for f in fmts)
assert sorted(listed) == want, ('printed', sorted(listed), 'expected', want)
assert sorted(os.path.join(d, f) for f in os.listdir(d)) == want, ('in', d, sorted(os.listdir(d)))
svg_text = ''
for p in listed:
    data = open(p, 'rb').read()
    assert len(data) > 1000, p
    if p.endswith('.png'):
        assert data[:8] == b'\x89PNG\r\n\x1a\n', p
    else:
        root = ET.fromstring(data)
        assert root.tag == '{http://www.w3.org/2000/svg}svg', (p, root.tag)
        svg_text += ' '.join(t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text')) + '\n'
for t in texts:
    assert t in svg_text, ('no SVG has the text', t)
"
}

# 1. The sweep: 24 points, 6 invalid; objectives area_um2 (min) and throughput_gops (max); macro.cell categorical.
n_ok=$(grep -c ',ok,' "$work/s/results.csv"); n_front=$(($(wc -l < "$work/s/pareto.csv") - 1))
[ "$n_ok" -eq 18 ] && [ "$n_front" -ge 2 ] || { echo "FAIL: the sweep has $n_ok ok points (expected 18), $n_front on the front"; exit 1; }
"$sweep_plot" "$work/s" --tinyforge "$bin" > "$work/list" 2> "$work/err" || { cat "$work/err"; echo "FAIL: plot_sweep.py"; exit 1; }
check_files "$work/list" "$work/s/plots" png,svg \
  "pareto_area_um2__throughput_gops metric_area_um2 metric_throughput_gops metric_energy_pJ metric_latency_ns metric_tops_per_w" \
  "area_um2 (um2)  [min is better]|throughput_gops (GOPS)  [max is better]|macro.cell = 10t|Pareto front|macro.rows (rows)|18 ok of 24 points, $n_front on the Pareto front; not plotted: 6 invalid|tops_per_w (TOPS/W)" ||
  { echo "FAIL: plot_sweep.py outputs"; exit 1; }
# Same bytes again (no dates in the files, fixed SVG ids); --out and --format.
"$sweep_plot" "$work/s" --tinyforge "$bin" --out "$work/again" > /dev/null 2>&1 || { echo "FAIL: plot_sweep.py --out"; exit 1; }
diff -r "$work/s/plots" "$work/again" > /dev/null || { echo "FAIL: plot_sweep.py is not deterministic"; exit 1; }
"$sweep_plot" "$work/s" --tinyforge "$bin" --out "$work/pngonly" --format png > "$work/list" 2>&1 || { echo "FAIL: --format png"; exit 1; }
check_files "$work/list" "$work/pngonly" png \
  "pareto_area_um2__throughput_gops metric_area_um2 metric_throughput_gops metric_energy_pJ metric_latency_ns metric_tops_per_w" "" ||
  { echo "FAIL: plot_sweep.py --format png"; exit 1; }

# 2. The run record: the energy and area breakdowns of a cim run.
"$run_plot" "$work/run" --tinyforge "$bin" > "$work/list" 2> "$work/err" || { cat "$work/err"; echo "FAIL: plot_run.py"; exit 1; }
check_files "$work/list" "$work/run/plots" png,svg \
  "energy_by_component_pJ energy_by_action_pJ energy_by_op_pJ area_by_component_um2" \
  "cim (run record run): energy |energy_by_component_pJ: energy per component|area_by_component_um2: area per component|array|%)" || { echo "FAIL: plot_run.py outputs"; exit 1; }
"$run_plot" "$work/run" --tinyforge "$bin" --out "$work/again-run" > /dev/null 2>&1 || { echo "FAIL: plot_run.py --out"; exit 1; }
diff -r "$work/run/plots" "$work/again-run" > /dev/null || { echo "FAIL: plot_run.py is not deterministic"; exit 1; }

# 3. Bad input: exit 2, the file named with what was expected, nothing written.
check_bad() {  # check_bad EXPECT SCRIPT ARGS...
  local expect=$1 rc=0; shift
  "$@" > "$work/out" 2> "$work/err" || rc=$?
  [ $rc -eq 2 ] || { cat "$work/err"; echo "FAIL: $*: exit $rc, expected 2"; exit 1; }
  grep -qF -- "$expect" "$work/err" || { cat "$work/err"; echo "FAIL: $*: no '$expect' on stderr"; exit 1; }
  [ ! -s "$work/out" ] || { cat "$work/out"; echo "FAIL: $*: printed paths"; exit 1; }
}
bad() { rm -rf "$work/bad"; cp -r "$work/s" "$work/bad"; rm -rf "$work/bad/plots"; }
check_bad "$work/nope: no such directory; expected a finished sweep directory" "$sweep_plot" "$work/nope"
bad; rm "$work/bad/manifest.json"
check_bad "bad/manifest.json: no such file; expected the manifest of a finished sweep" "$sweep_plot" "$work/bad"
bad; printf '[{"point": 0,\n' > "$work/bad/results.json"
check_bad "bad/results.json:2:1: malformed JSON" "$sweep_plot" "$work/bad"
bad; echo '{"points": []}' > "$work/bad/results.json"
check_bad "bad/results.json: got a JSON object; expected a list of points" "$sweep_plot" "$work/bad"
bad; sed -i '$d' "$work/bad/results.csv"
check_bad "bad/results.csv: got 23 points; expected the 24 of results.json" "$sweep_plot" "$work/bad"
bad; rm "$work/bad/pareto.csv"
check_bad "bad/pareto.csv: no such file; expected the Pareto front of a finished sweep" "$sweep_plot" "$work/bad"
bad; echo 'a,b,c' > "$work/bad/pareto.csv"
check_bad "bad/pareto.csv: header: got 'a,b,c'" "$sweep_plot" "$work/bad"
[ ! -e "$work/bad/plots" ] || { echo "FAIL: a bad sweep directory got plots"; exit 1; }
check_bad "--format: got 'png,gif'" "$sweep_plot" "$work/s" --format png,gif
rm -rf "$work/badrun"; mkdir "$work/badrun"
check_bad "badrun/stats.json: no such file; expected the metrics of a run record" "$run_plot" "$work/badrun"
cp "$work/run/config.effective.json" "$work/badrun"; echo '{"model": "cim", "energy_pJ": ' > "$work/badrun/stats.json"
check_bad "badrun/stats.json:2:1: malformed JSON" "$run_plot" "$work/badrun"
echo '{"model": "cim", "energy_pJ": 1}' > "$work/badrun/stats.json"
check_bad "badrun/stats.json: no energy or area breakdown" "$run_plot" "$work/badrun"
cp "$work/run/stats.json" "$work/badrun"; rm "$work/badrun/config.effective.json"
check_bad "badrun/config.effective.json: no such file; expected the effective config of a run record" "$run_plot" "$work/badrun"
[ ! -e "$work/badrun/plots" ] || { echo "FAIL: a bad run record got plots"; exit 1; }
check_bad "$work/nope: no such directory; expected a run record" "$run_plot" "$work/nope"
echo ok
