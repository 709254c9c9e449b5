#!/usr/bin/python3
"""Synthesizes a Speech-Commands-shaped keyword set offline with espeak-ng and sox (docs/kws.md).

Twelve classes: the ten keywords (yes no up down left right on off stop go), `unknown` (other words) and
`silence` (background noise only). Each clip is one second of 16 kHz, 16-bit mono audio:
- espeak-ng speaks the word in one of its English accents with one of its voice variants, at a drawn pitch
  and speed;
- sox resamples it to 16 kHz, sets a drawn peak level and, for some clips, adds room reverb;
- this script places it at a drawn offset in the second, and adds drawn background noise (white, pink, brown
  or mains hum) at a drawn SNR.

Every draw comes from the seed and the clip's class and index, so the same seed gives the same files on any
number of workers. The split is by voice: the variants of the test set are never heard in training.

Real human speech that Debian ships, alsa-utils' channel-test recordings ("Front Left", ...), is added as an
out-of-distribution set (`ood/`), labelled by its last word (left, right, or unknown for center), when the
package is installed.

The set is written to DIR.tmp-PID and renamed to DIR when complete, so an interrupted run leaves no half set.
Exit 2 on bad arguments or a missing tool, naming it.

usage: kws_synth.py --out DIR [--per-class N] [--seed S] [--jobs J] [--force]
"""
import argparse
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from multiprocessing import Pool

import numpy as np

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
UNKNOWN_WORDS = ["bed", "bird", "cat", "dog", "happy", "house", "tree", "wow", "zero", "one", "two", "three",
                 "four", "five", "six", "seven", "eight", "nine", "learn", "follow", "forward", "backward",
                 "visual", "sheila", "marvin", "apple", "water", "green", "table", "music", "paper", "window"]
LABELS = KEYWORDS + ["unknown", "silence"]
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029",
           "en-us-nyc"]
# espeak-ng's voice variants (its voices/!v folder) that speak intelligibly; the test set's are held out.
TRAIN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "f1", "f2", "f3", "f4", "adam", "Alex", "Andy", "Annie",
                  "antonio", "aunty", "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward", "gustave",
                  "iven", "iven2", "john", "linda", "max", "michel", "norbert", "paul", "pedro", "quincy",
                  "rob", "robert", "steph", "travis", "victor", "zac"]
TEST_VARIANTS = ["m7", "f5", "grandpa", "grandma", "iven3", "steph2", "kaukovalta", "Alicia", "Andrea", "Mike"]
RATE = 16000
SAMPLES = RATE  # one second
VERSION = 1     # of the recipe below; part of the set's fingerprint


def fail(msg, code=2):
    print(f"kws_synth: {msg}", file=sys.stderr)
    sys.exit(code)


def rng_for(seed, split, label, index):
    h = hashlib.sha256(f"{seed}/{split}/{label}/{index}".encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def noise(rng, kind, n):
    w = rng.standard_normal(n)
    if kind == "white":
        x = w
    elif kind in ("pink", "brown"):
        spec = np.fft.rfft(w)
        f = np.arange(len(spec), dtype=float)
        f[0] = 1.0
        spec /= np.sqrt(f) if kind == "pink" else f
        x = np.fft.irfft(spec, n)
    else:  # mains hum: 50 or 60 Hz and harmonics, with a little white noise
        base = rng.choice([50.0, 60.0])
        t = np.arange(n) / RATE
        x = sum(rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * base * h * t + rng.uniform(0, 2 * np.pi))
                for h in range(1, 6)) + 0.05 * w
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def speak(word, voice, pitch, speed, peak_db, reverb, tmpdir):
    raw = os.path.join(tmpdir, "raw.wav")
    out = os.path.join(tmpdir, "out.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", raw, word], check=True,
                   capture_output=True)
    effects = ["gain", "-n", f"{-peak_db:.2f}"]
    if reverb > 0:
        effects += ["reverb", f"{reverb:.1f}"]
    # -D: no dither (dither is random); -V1: errors only.
    subprocess.run(["sox", "-D", "-V1", raw, "-r", str(RATE), "-c", "1", "-b", "16", out] + effects +
                   ["channels", "1"], check=True, capture_output=True)
    with wave.open(out) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float) / 32768.0
    return x


def write_wav(path, x):
    q = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(q.tobytes())


def make_clip(job):
    seed, split, label, index, outdir = job
    rng = rng_for(seed, split, label, index)
    variants = TRAIN_VARIANTS if split == "train" else TEST_VARIANTS
    row = {"split": split, "label": label, "file": f"{split}/{label}/{label}_{index:04d}.wav"}
    kind = str(rng.choice(["white", "pink", "brown", "hum"]))
    if label == "silence":
        level = 10 ** rng.uniform(-4, -1.3)  # RMS from -80 to -26 dBFS
        x = level * noise(rng, kind, SAMPLES)
        row.update(voice="", word="", pitch="", speed="", noise=kind, snr_db="", offset_s="")
    else:
        word = label if label != "unknown" else str(rng.choice(UNKNOWN_WORDS))
        voice = f"{rng.choice(ACCENTS)}+{rng.choice(variants)}"
        pitch = int(rng.integers(20, 81))
        speed = int(rng.integers(120, 221))
        peak_db = rng.uniform(1, 15)
        reverb = rng.uniform(10, 60) if rng.random() < 0.4 else 0.0
        with tempfile.TemporaryDirectory() as tmp:
            speech = speak(word, voice, pitch, speed, peak_db, reverb, tmp)
        # Trim espeak's leading and trailing silence, then place the word at a drawn offset in the second.
        loud = np.nonzero(np.abs(speech) > 10 ** (-45 / 20))[0]
        speech = speech[loud[0]:loud[-1] + 1] if len(loud) else speech
        speech = speech[:SAMPLES]
        offset = int(rng.integers(0, SAMPLES - len(speech) + 1))
        x = np.zeros(SAMPLES)
        x[offset:offset + len(speech)] = speech
        snr = rng.uniform(5, 35) if rng.random() < 0.8 else None
        if snr is not None:
            p_sig = np.mean(speech ** 2) if len(speech) else 0.0
            x += np.sqrt(p_sig / 10 ** (snr / 10)) * noise(rng, kind, SAMPLES)
        row.update(voice=voice, word=word, pitch=pitch, speed=speed, noise=kind if snr is not None else "",
                   snr_db=f"{snr:.1f}" if snr is not None else "", offset_s=f"{offset / RATE:.4f}")
    write_wav(os.path.join(outdir, row["file"]), x)
    return row


def ood_clips(outdir):
    """alsa-utils' human recordings, resampled to 16 kHz, their last second (the channel's name)."""
    src = "/usr/share/sounds/alsa"
    rows = []
    if not os.path.isdir(src):
        return rows
    for name in sorted(os.listdir(src)):
        if not name.endswith(".wav") or name == "Noise.wav":
            continue
        last = name[:-4].split("_")[-1].lower()
        label = last if last in KEYWORDS else "unknown"
        rel = f"ood/{label}/{name[:-4].lower()}.wav"
        os.makedirs(os.path.join(outdir, "ood", label), exist_ok=True)
        subprocess.run(["sox", "-D", "-V1", os.path.join(src, name), "-r", str(RATE), "-c", "1", "-b", "16",
                        os.path.join(outdir, rel), "reverse", "trim", "0", "1", "reverse"], check=True,
                       capture_output=True)
        rows.append({"split": "ood", "label": label, "file": rel, "voice": "human (alsa-utils)", "word": last,
                     "pitch": "", "speed": "", "noise": "", "snr_db": "", "offset_s": ""})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder of the set (made; DIR.tmp-PID while writing)")
    ap.add_argument("--per-class", type=int, default=300, help="clips per class, 80%% train and 20%% test")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--force", action="store_true", help="replace DIR if it holds another keyword set (only then)")
    a = ap.parse_args()
    if not 5 <= a.per_class <= 100000:
        fail(f"--per-class: got {a.per_class}; expected 5 to 100000")
    if not 1 <= a.jobs <= 256:
        fail(f"--jobs: got {a.jobs}; expected 1 to 256")
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            fail(f"{tool} not found; install Debian's {tool} package (scripts/deps.sh does)")
    out = os.path.abspath(a.out)
    tools = {t: subprocess.run([t, "--version"], capture_output=True, text=True).stdout.strip().splitlines()[0]
             for t in ("espeak-ng", "sox")}
    recipe = {"version": VERSION, "seed": a.seed, "per_class": a.per_class, "labels": LABELS, "rate": RATE,
              "train_variants": TRAIN_VARIANTS, "test_variants": TEST_VARIANTS, "accents": ACCENTS, "tools": tools}
    if os.path.exists(out):
        try:
            with open(os.path.join(out, "recipe.json")) as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = None
        if old == recipe:
            print(f"kws_synth: {out} already holds this set (seed {a.seed}, {a.per_class} per class)")
            return
        # --force replaces only a set this script made (its recipe.json and manifest.csv), never other files.
        ours = isinstance(old, dict) and "train_variants" in old and os.path.exists(os.path.join(out, "manifest.csv"))
        if not a.force or not ours:
            fail(f"--out {out}: holds " + ("another keyword set; expected a new folder (or --force to replace it)"
                                           if ours else "files that are not a keyword set; expected a new folder"))
    n_test = max(1, a.per_class // 5)
    jobs = []
    tmp = f"{out}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    for split, count in (("train", a.per_class - n_test), ("test", n_test)):
        for label in LABELS:
            os.makedirs(os.path.join(tmp, split, label))
            jobs += [(a.seed, split, label, i, tmp) for i in range(count)]
    try:
        rows = []
        with Pool(a.jobs) as pool:
            for k, row in enumerate(pool.imap(make_clip, jobs, chunksize=8)):
                rows.append(row)
                if (k + 1) % 500 == 0 or k + 1 == len(jobs):
                    print(f"kws_synth: {k + 1}/{len(jobs)} clips", flush=True)
        rows += ood_clips(tmp)
        with open(os.path.join(tmp, "manifest.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["split", "label", "file", "voice", "word", "pitch", "speed", "noise",
                                              "snr_db", "offset_s"])
            w.writeheader()
            w.writerows(rows)
        with open(os.path.join(tmp, "recipe.json"), "w") as f:
            json.dump(recipe, f, indent=1)
        with open(os.path.join(tmp, "README.txt"), "w") as f:
            f.write("Synthetic keyword clips made by tinyforge's scripts/kws_synth.py with espeak-ng and sox "
                    "(recipe.json).\nSpeech synthesis, not human speech: accuracy on it is not comparable with "
                    "Speech Commands figures. docs/kws.md.\n")
        if os.path.exists(out):  # a set of ours (checked above): moved aside, then removed once the new one is in
            aside = f"{out}.old-{os.getpid()}"
            os.rename(out, aside)
            os.rename(tmp, out)
            shutil.rmtree(aside)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    counts = {s: sum(r["split"] == s for r in rows) for s in ("train", "test", "ood")}
    print(f"kws_synth: {out}: {counts['train']} train, {counts['test']} test (voices held out), "
          f"{counts['ood']} out-of-distribution human clips")


if __name__ == "__main__":
    main()
