#!/bin/bash
# scripts/train_kws_lmu.py on a tiny synthetic set (5 clips per class), 2 epochs of the small network, twice:
# the same seed gives the same record (but for its timing and command) and the same weights bit for bit; the
# record holds the sizes, parameter counts and accuracies; bad arguments and a folder without a set exit 2.
# usage: train_smoke.sh SOURCE_DIR
set -euo pipefail
root=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
"$root/scripts/make_kws_data.sh" "$work/data" --per-class 5 --seed 1 >/dev/null
for r in a b; do
  /usr/bin/python3 "$root/scripts/train_kws_lmu.py" --data "$work/data" --size small --epochs 2 --threads 1 \
    --out "$work/$r" >"$work/$r.log"
done
/usr/bin/python3 - "$work" <<'PY' || fail=1
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/{r}/kws_lmu_training.json")) for r in "ab")
bad = []
m = a["models"].get("small", {})
for k in ("params", "macs_per_frame", "float_accuracy", "units", "order", "memory_d"):
    if k not in m:
        bad.append(f"record lacks models.small.{k}")
if m.get("params") != 5536:
    bad.append(f"small network has {m.get('params')} parameters, expected 5536 (48 units, order 32, 20 inputs, 12 classes)")
for k in ("train", "test", "ood"):
    if k not in m.get("float_accuracy", {}):
        bad.append(f"no {k} accuracy")
strip = lambda r: {k: v for k, v in r.items() if k != "command"}
for k in ("models",):
    for m2 in (a, b):
        m2["models"]["small"].pop("train_s", None)
if strip(a) != strip(b):
    bad.append("two runs with seed 0 wrote different records")
import torch
wa, wb = (torch.load(f"{w}/{r}/kws_lmu_small.pt") for r in "ab")
if wa.keys() != wb.keys() or any(not torch.equal(wa[k], wb[k]) for k in wa):
    bad.append("two runs with seed 0 trained different weights")
print("small:", m.get("params"), "parameters, accuracies", m.get("float_accuracy"))
for x in bad:
    print("FAIL:", x)
sys.exit(1 if bad else 0)
PY
check2() {  # expect exit 2 with TEXT on stderr
  local text=$1; shift
  set +e
  /usr/bin/python3 "$root/scripts/train_kws_lmu.py" "$@" 2>"$work/err" >/dev/null
  local rc=$?
  set -e
  if [ $rc -ne 2 ] || ! grep -qF -- "$text" "$work/err"; then echo "FAIL: $*: exit $rc: $(cat "$work/err")"; fail=1; fi
}
check2 "--epochs: got 0" --data "$work/data" --epochs 0 --out "$work/c"
check2 "no manifest.csv" --data "$work" --out "$work/c"
[ $fail -eq 0 ] && echo PASS
exit $fail
