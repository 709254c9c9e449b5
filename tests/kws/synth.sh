#!/bin/bash
# scripts/make_kws_data.sh on a tiny set: the same seed gives the same files with 1 and 2 workers; every clip
# is 1 s of 16 kHz 16-bit mono; no test voice is heard in training; the human out-of-distribution clips are
# there; a second run does nothing; another set in the folder is refused with exit 2 and left alone; --force
# never replaces a folder that is not a keyword set.
# usage: synth.sh SOURCE_DIR
set -euo pipefail
root=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
"$root/scripts/make_kws_data.sh" "$work/a" --per-class 5 --seed 3 --jobs 1 >/dev/null
"$root/scripts/make_kws_data.sh" "$work/b" --per-class 5 --seed 3 --jobs 2 >/dev/null
(cd "$work/a" && find . -type f | sort | xargs md5sum) >"$work/a.md5"
(cd "$work/b" && find . -type f | sort | xargs md5sum) >"$work/b.md5"
if ! diff -q "$work/a.md5" "$work/b.md5" >/dev/null; then echo "FAIL: 1 and 2 workers differ"; fail=1; fi
/usr/bin/python3 - "$work/a" <<'PY' || fail=1
import csv, os, sys, wave
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "manifest.csv"))))
bad = []
labels = {r["label"] for r in rows if r["split"] == "train"}
if len(labels) != 12:
    bad.append(f"{len(labels)} labels in train, expected 12")
for r in rows:
    with wave.open(os.path.join(d, r["file"])) as w:
        if r["split"] != "ood" and (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) != (16000, 1, 2, 16000):
            bad.append(f"{r['file']}: {w.getframerate()} Hz, {w.getnchannels()} ch, {w.getnframes()} frames")
voice = lambda r: r["voice"].split("+")[1]
train = {voice(r) for r in rows if r["split"] == "train" and r["voice"]}
test = {voice(r) for r in rows if r["split"] == "test" and r["voice"]}
if train & test:
    bad.append(f"voices in both splits: {sorted(train & test)}")
ood = [r for r in rows if r["split"] == "ood"]
if len(ood) != 8:
    bad.append(f"{len(ood)} human clips, expected 8 (alsa-utils)")
print(f"{len(rows)} clips; train voices {len(train)}, test voices {len(test)}, human clips {len(ood)}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
out=$("$root/scripts/make_kws_data.sh" "$work/a" --per-class 5 --seed 3)
case "$out" in *"already holds this set"*) ;; *) echo "FAIL: a second run did not recognise its set: $out"; fail=1 ;; esac
set +e
"$root/scripts/make_kws_data.sh" "$work/a" --per-class 6 --seed 3 2>"$work/err" >/dev/null
rc=$?
set -e
if [ $rc -ne 2 ] || ! grep -q "holds another keyword set" "$work/err"; then echo "FAIL: another set: exit $rc: $(cat "$work/err")"; fail=1; fi
# --force replaces a keyword set, never a folder of other files.
mkdir -p "$work/mine" && echo "keep me" >"$work/mine/notes.txt"
set +e
"$root/scripts/make_kws_data.sh" "$work/mine" --per-class 5 --force 2>"$work/err" >/dev/null
rc=$?
set -e
if [ $rc -ne 2 ] || ! grep -q "not a keyword set" "$work/err" || [ ! -f "$work/mine/notes.txt" ]; then
  echo "FAIL: --force on a folder of other files: exit $rc: $(cat "$work/err")"; fail=1
fi
(cd "$work/a" && find . -type f | sort | xargs md5sum) >"$work/a2.md5"
if ! diff -q "$work/a.md5" "$work/a2.md5" >/dev/null; then echo "FAIL: the refused run changed the set"; fail=1; fi
if ls -d "$work"/a.tmp-* >/dev/null 2>&1; then echo "FAIL: a temporary folder was left"; fail=1; fi
[ $fail -eq 0 ] && echo PASS
exit $fail
