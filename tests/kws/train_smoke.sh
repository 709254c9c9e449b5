#!/bin/bash
# scripts/train_kws_lmu.py on a tiny synthetic set (5 clips per class), 2 float epochs and 1 hardware-aware
# epoch of the small network, twice: the same seed gives the same record (but for its timing and command), the
# same weights bit for bit and the same exported model; the record holds the sizes, parameter counts and
# accuracies, and tinyforge's float and fixed-point accuracies of the exported model (it loads and runs); the
# exported test vectors run; bad arguments and a folder without a set exit 2.
# usage: train_smoke.sh SOURCE_DIR TINYFORGE
set -euo pipefail
root=$1
tf=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
"$root/scripts/make_kws_data.sh" "$work/data" --per-class 5 --seed 1 >/dev/null
for r in a b; do
  /usr/bin/python3 "$root/scripts/train_kws_lmu.py" --data "$work/data" --size small --epochs 2 --qat-epochs 1 \
    --vectors-per-class 1 --threads 1 --tinyforge "$tf" --out "$work/$r" >"$work/$r.log"
done
/usr/bin/python3 - "$work" <<'PY' || fail=1
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/{r}/kws_lmu_training.json")) for r in "ab")
bad = []
m = a["models"].get("small", {})
for k in ("params", "macs_per_frame", "float_accuracy", "qat_accuracy", "tinyforge", "units", "order", "memory_d"):
    if k not in m:
        bad.append(f"record lacks models.small.{k}")
if m.get("params") != 5536:
    bad.append(f"small network has {m.get('params')} parameters, expected 5536 (48 units, order 32, 20 inputs, 12 classes)")
for k in ("train", "test", "ood"):
    if k not in m.get("float_accuracy", {}):
        bad.append(f"no {k} accuracy")
for k in ("test", "ood"):
    t = m.get("tinyforge", {}).get(k, {})
    if not (0 <= t.get("float", -1) <= 1 and 0 <= t.get("fixed", -1) <= 1):
        bad.append(f"no tinyforge float and fixed-point accuracy on {k}: {t}")
if open(f"{w}/a/kws_lmu_small.json").read() != open(f"{w}/b/kws_lmu_small.json").read():
    bad.append("two runs with seed 0 exported different models")
if len(json.load(open(f"{w}/a/kws_lmu_test.json"))["sequences"]) != 12:
    bad.append("the exported test vectors do not hold 12 sequences (1 per class)")
strip = lambda r: {k: v for k, v in r.items() if k != "command"}
for k in ("models",):
    for m2 in (a, b):
        m2["models"]["small"].pop("train_s", None)
        m2["models"]["small"].pop("qat_s", None)
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
# The exported model and its own test vectors run in tinyforge (sequences, 12 of them).
if ! "$tf" hls "$work/a/kws_lmu_small.json" --emulate >"$work/emu.log" 2>&1 || ! grep -q "on 12 sequences, 588 frames" "$work/emu.log" ||
   ! grep -q "^accuracy: float" "$work/emu.log"; then
  echo "FAIL: the exported model with its test vectors: $(cat "$work/emu.log")"; fail=1
fi
check2 "--epochs: got 0" --data "$work/data" --epochs 0 --out "$work/c"
check2 "no manifest.csv" --data "$work" --out "$work/c"
[ $fail -eq 0 ] && echo PASS
exit $fail
