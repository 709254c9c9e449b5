#!/usr/bin/python3
"""The keyword front end (`tinyforge sim kws_frontend`) against an independent numpy implementation.

The reference (scripts/kws_features.py, which training uses too) reads the WAV with Python's wave module,
frames it, applies a periodic Hann window, takes numpy's real FFT, builds the HTK mel bank itself and takes
scipy's orthonormal DCT-II (docs/kws.md has the definition). It must agree with tinyforge to 1e-6 of the largest feature magnitude of each clip, on real clips:
the bundled espeak-ng clip, clips spoken here by espeak-ng through sox (two voices, noise added), and a human
recording Debian ships (alsa-utils' Front_Left.wav, resampled here by sox), at three front-end settings.
It also checks that a 48 kHz file, a stereo file, a file that is not audio and a clip shorter than a window
exit 2 with a message naming the file and what was expected.

usage: check_frontend.py --tinyforge PATH --root SOURCE_DIR
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from kws_features import features as reference, read_wav  # noqa: E402


def run(tf, wav, sets, out):
    args = [tf, "sim", "kws_frontend", "--audio", wav, "--out", out, "--json"]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True)


def features_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return np.array([[float(v) for v in r[2:]] for r in rows[1:]])


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tinyforge", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = {"bundled yes (espeak-ng)": os.path.join(a.root, "configs/audio/yes_en-us.wav")}
        for word, voice, noise in (("stop", "en-gb+f3", "whitenoise"), ("left", "en-us+m7", "pinknoise")):
            raw, clean, p = (os.path.join(tmp, f"{word}_{s}.wav") for s in ("raw", "clean", "16k"))
            sh("espeak-ng", "-v", voice, "-w", raw, word)
            sh("sox", "-D", "-V1", raw, "-r", "16000", "-c", "1", "-b", "16", clean, "pad", "0.1", "0", "trim", "0", "1",
               "pad", "0", "1", "trim", "0", "1")
            # noise at -40 dBFS, seeded (-R) so the clip is the same each run
            sh("sox", "-D", "-V1", "-R", clean, p, "synth", noise, "mix", "vol", "0.01")
            clips[f"{word} ({voice}, {noise})"] = p
        human = "/usr/share/sounds/alsa/Front_Left.wav"
        if not os.path.exists(human):
            sys.exit(f"FAIL: {human} is missing (alsa-utils is a test dependency, scripts/deps.sh installs it)")
        h16 = os.path.join(tmp, "front_left_16k.wav")
        sh("sox", "-D", "-V1", human, "-r", "16000", "-c", "1", "-b", "16", h16)
        clips["human 'Front Left' (alsa-utils)"] = h16

        settings = [
            ("default MFCC", [], {}),
            ("log-mel 25/10 ms, 64 bins, 7.6 kHz, FFT 1024",
             ["frontend.features=logmel", "frontend.window_ms=25", "frontend.stride_ms=10", "frontend.mel_bins=64",
              "frontend.f_max_hz=7600", "frontend.fft_size=1024"],
             dict(features="logmel", window_ms=25, stride_ms=10, mel_bins=64, f_max=7600, fft_size=1024)),
            ("13 MFCC, 30 ms, 0 Hz up",
             ["frontend.coefficients=13", "frontend.window_ms=30", "frontend.f_min_hz=0", "frontend.log_floor=1e-10"],
             dict(coefficients=13, window_ms=30, f_min=0.0, log_floor=1e-10)),
        ]
        worst = 0.0
        n = 0
        for cname, path in clips.items():
            x, rate = read_wav(path)
            for sname, sets, kw in settings:
                n += 1
                out = os.path.join(tmp, f"r{n}")
                p = run(a.tinyforge, path, sets, out)
                if p.returncode != 0:
                    fails.append(f"{cname}, {sname}: exit {p.returncode}: {p.stderr.strip()}")
                    continue
                got = features_csv(os.path.join(out, "features.csv"))
                ref = reference(x, rate, **kw)
                if got.shape != ref.shape:
                    fails.append(f"{cname}, {sname}: shape {got.shape}, reference {ref.shape}")
                    continue
                e = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
                worst = max(worst, e)
                print(f"{cname:34s} {sname:45s} {ref.shape[0]} x {ref.shape[1]}: relative difference {e:.2e}")
                if e > 1e-6:
                    fails.append(f"{cname}, {sname}: relative difference {e:.3g} (limit 1e-6)")
        print(f"largest relative difference over {n} runs: {worst:.2e} (limit 1e-6)")

        # Audio the front end must refuse, with exit 2 and a message naming the file.
        stereo = os.path.join(tmp, "stereo.wav")
        sh("sox", "-D", "-V1", clips["bundled yes (espeak-ng)"], "-c", "2", stereo)
        short = os.path.join(tmp, "short.wav")
        sh("sox", "-D", "-V1", clips["bundled yes (espeak-ng)"], short, "trim", "0", "0.01")
        text = os.path.join(tmp, "notes.wav")
        with open(text, "w") as f:
            f.write("this is not audio\n")
        for path, expect in ((human, "sample rate 48000 Hz; expected 16000 Hz"), (stereo, "2 channels; expected mono"),
                             (text, "not an audio file"), (short, "expected at least one window")):
            p = run(a.tinyforge, path, [], os.path.join(tmp, "bad"))
            ok = p.returncode == 2 and expect in p.stderr and path in p.stderr and not os.path.exists(
                os.path.join(tmp, "bad"))
            print(f"refused {os.path.basename(path)}: exit {p.returncode}: {p.stderr.strip()}")
            if not ok:
                fails.append(f"{path}: exit {p.returncode}, stderr {p.stderr.strip()!r}; expected exit 2 with "
                             f"'{expect}' and the path, and no run directory")
    if fails:
        print("\n".join("FAIL: " + f for f in fails))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
