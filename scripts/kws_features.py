#!/usr/bin/python3
"""The keyword front end of docs/kws.md in numpy: the same definition as tinyforge's C++ front end
(`tinyforge sim kws_frontend`, FFTW), written independently. tests/kws/check_frontend.py holds the two to 1e-6
(measured: 2e-14); scripts/train_kws_lmu.py computes its training features with it.
"""
import wave

import numpy as np
from scipy.fft import dct

DEFAULTS = dict(window_ms=40, stride_ms=20, fft_size=0, mel_bins=40, f_min=20.0, f_max=8000.0, features="mfcc",
                coefficients=20, log_floor=1e-6)


def read_wav(path):
    """16-bit PCM mono WAV as floats in [-1, 1) (PCM / 32768, as libsndfile scales), and its rate."""
    with wave.open(path) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: {w.getnchannels()} channels of {8 * w.getsampwidth()} bits; expected 16-bit mono")
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float) / 32768.0, w.getframerate()


def features(x, rate, window_ms=40, stride_ms=20, fft_size=0, mel_bins=40, f_min=20.0, f_max=8000.0,
             features="mfcc", coefficients=20, log_floor=1e-6):
    """frames x values: log-mel or MFCC of mono samples X at RATE (docs/kws.md, "The features, defined exactly")."""
    W = int(round(window_ms * rate / 1000))
    S = int(round(stride_ms * rate / 1000))
    n = fft_size or 1 << (W - 1).bit_length()
    frames = 1 + (len(x) - W) // S
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(W) / W)
    idx = np.arange(W)[None, :] + S * np.arange(frames)[:, None]
    power = np.abs(np.fft.rfft(x[idx] * win, n=n, axis=1)) ** 2
    mel = lambda f: 2595 * np.log10(1 + f / 700)
    hz = lambda m: 700 * (10 ** (m / 2595) - 1)
    edges = hz(np.linspace(mel(f_min), mel(f_max), mel_bins + 2))
    f = np.arange(n // 2 + 1) * rate / n
    lo, c, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    bank = np.maximum(0, np.minimum((f - lo) / (c - lo), (hi - f) / (hi - c)))
    logmel = np.log(power @ bank.T + log_floor)
    if features == "logmel":
        return logmel
    return dct(logmel, type=2, norm="ortho", axis=1)[:, :coefficients]
