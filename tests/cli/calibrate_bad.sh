#!/bin/bash
# scripts/calibrate_cim.py on broken calibration specs: each exits 2 naming the file, the JSON path and what was
# expected, in both modes (fitting, and held out against another macro's table).
# usage: calibrate_bad.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fails=0
# case NAME MACRO EXPECTED PYTHON-EDIT: copies MACRO's folder, edits its calibration.json, expects exit 2 + text
case_() {
  local name=$1 macro=$2 want=$3 edit=$4 d="$work/$1"
  mkdir -p "$d/configs/cim/macros"
  cp -r "$src/configs/cim/macros/$macro" "$d/configs/cim/macros/"
  ln -s "$src/configs/tech" "$d/configs/tech"
  /usr/bin/python3 - "$d/configs/cim/macros/$macro/calibration.json" "$edit" <<'PY'
import json, sys
p, edit = sys.argv[1], sys.argv[2]
cal = json.load(open(p))
exec(edit)
json.dump(cal, open(p, "w"))
PY
  set +e
  /usr/bin/python3 "$src/scripts/calibrate_cim.py" "$d/configs/cim/macros/$macro" --tinyforge "$bin" --check > "$d/out" 2>&1
  local rc=$?
  set -e
  if [ $rc -ne 2 ] || ! grep -qF -- "$want" "$d/out"; then
    echo "FAIL: $name: exit $rc, wanted 2 and: $want"; cat "$d/out"; fails=$((fails + 1))
  else
    echo "ok: $name"
  fi
}
case_ "published 0 (table mode)" acim_wang2023 "targets[0].published: got 0; expected a positive number" 'cal["targets"][0]["published"] = 0'
case_ "published 0 (fit mode)" acim_jia2020 "targets[2].published: got 0; expected a positive number" 'cal["targets"][2]["published"] = 0'
case_ "fit role in table mode" acim_wang2023 "targets[1].role: got 'fit'; expected \"held-out\"" 'cal["targets"][1]["role"] = "fit"'
case_ "unknown metric" acim_wang2023 "targets[0].metric: got 'tops_per_watt'; expected one of" 'cal["targets"][0]["metric"] = "tops_per_watt"'
case_ "missing source" acim_wang2023 "targets[2].source: missing" 'del cal["targets"][2]["source"]'
case_ "tolerance of 0" acim_jia2020 "targets[0].tolerance: got 0; expected a fraction" 'cal["targets"][0]["tolerance"] = 0'
case_ "a metric the model does not report" acim_wang2023 "targets[0].metric: the model's stats have no number 'throughput_steady_gops'" 'cal["targets"][0]["metric"] = "throughput_steady_gops"'
case_ "fitting a throughput" acim_jia2020 "only energy targets" 'cal["targets"][0]["metric"] = "throughput_tops"'
[ $fails -eq 0 ] || { echo "FAIL: $fails case(s)"; exit 1; }
echo "PASS: 8 broken calibration specs, each exit 2 with the path and what was expected"
