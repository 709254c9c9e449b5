#!/bin/bash
# `tinyforge hls --emulate` on its fast paths, against the paths the other tests check bit for bit:
#  - --outputs equals the generated HLS project's expected outputs (tb_expected_outputs.dat, which the
#    project's own C++ test bench and the Verilator runs check), value for value;
#  - text test vectors (.dat, .csv) give the same report as the same vectors in JSON;
#  - --threads 2 (and 0) give the same report and the same outputs as one thread;
#  - --no-float gives the same saturation/wrap counts, without the float columns;
#  - a failing run leaves an existing --outputs file as it was.
# usage: hls_emulate.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
# The jet model in hls4ml's configuration (saturating accumulators converted after every addition) on 600
# seeded vectors, one in ten over the full input range (saturation inside the sums), as JSON and as text.
/usr/bin/python3 - "$src/configs/models/jet_tagging_mlp.json" <<'PY'
import json, random, sys
m = json.load(open(sys.argv[1]))
m["precision"]["accum"] = "fixed<16,6,TRN,SAT>"
m["accumulation"] = "hls4ml"
m["softmax"] = {"implementation": "hls4ml_stable"}
m["test_vectors"] = "v.json"
json.dump(m, open("jet.json", "w"))
rng = random.Random(5)
vecs = [[rng.randint(-(32768 if k % 10 == 0 else 8192), 8191) / 1024.0 for _ in range(16)] for k in range(600)]
json.dump({"inputs": vecs}, open("v.json", "w"))
open("v.dat", "w").write("".join(" ".join(repr(x) for x in v) + "\n" for v in vecs))
open("v.csv", "w").write("".join(",".join(repr(x) for x in v) + "\n" for v in vecs))
PY
"$bin" hls jet.json --out proj --emulate > proj.log
"$bin" hls jet.json --emulate --outputs out1.txt > r1.log
/usr/bin/python3 - proj/hls/tb_data/tb_expected_outputs.dat out1.txt <<'PY' || fail "--outputs differs from the project's expected outputs"
import sys
a = [[float(t) for t in l.split()] for l in open(sys.argv[1]) if l.strip()]
b = [[float(t) for t in l.split()] for l in open(sys.argv[2]) if l.strip()]
assert len(a) == len(b) == 600, (len(a), len(b))
assert a == b, "first difference at vector %d" % next(k for k in range(len(a)) if a[k] != b[k])
PY
grep -q "saturated" r1.log || fail "no report"
awk '$2 == "dense" && $5 > 0 {found=1} END {exit !found}' r1.log || { cat r1.log; fail "the vectors saturate no dense accumulator (the check would be weak)"; }
for f in v.dat v.csv; do
  "$bin" hls jet.json --emulate --test-vectors $f > r_$f.log
  diff <(sed "1d;/^outputs:/d" r1.log) <(sed 1d r_$f.log) || fail "report from $f differs from the JSON vectors'"
done
for t in 2 0; do
  "$bin" hls jet.json --emulate --threads $t --outputs out_t$t.txt > r_t$t.log
  diff r1.log <(sed "s/out_t$t.txt/out1.txt/" r_t$t.log) || fail "--threads $t changes the report"
  cmp out1.txt out_t$t.txt || fail "--threads $t changes the outputs"
done
"$bin" hls jet.json --emulate --no-float > nf.log
grep -q "max |err|" nf.log && fail "--no-float still reports float errors"
grep -q "top-1 agreement" nf.log && fail "--no-float still reports agreement"
diff <(awk '$2 ~ /^(dense|relu|softmax)$/ {print $1, $(NF-1), $NF}' r1.log) \
     <(awk '$2 ~ /^(dense|relu|softmax)$/ {print $1, $(NF-1), $NF}' nf.log) || fail "--no-float changes the counts"
echo "keep me" > kept.txt
printf '1 2 3\n' > bad.dat
if "$bin" hls jet.json --emulate --test-vectors bad.dat --outputs kept.txt > /dev/null 2>&1; then fail "bad vectors accepted"; fi
[ "$(cat kept.txt)" = "keep me" ] || fail "a failed run changed the --outputs file"
[ -z "$(ls kept.txt.* 2>/dev/null)" ] || fail "a temporary file was left behind"
echo "PASS"
