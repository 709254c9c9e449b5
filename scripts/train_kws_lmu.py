#!/usr/bin/python3
"""Trains LMU keyword-spotting networks on the synthetic keyword set (docs/kws.md), in float.

The network: per frame, the front end's 20 MFCCs x_t (normalised with the training set's mean and deviation)
drive an LMU cell (Voelker et al., NeurIPS 2019, with memory_d independent memories as in keras-lmu):
  u_t = e_x x_t + e_h h_{t-1} + e_m m_{t-1}            (memory_d values)
  m_t = Abar m_{t-1} + Bbar u_t                        (memory_d memories of order d; zoh, theta, dt 20 ms)
  h_t = tanh(W_x x_t + W_h h_{t-1} + W_m m_t + b)      (units)
and the class is argmax(W_o h_T + b_o) at the last frame T. Abar and Bbar come from scipy's cont2discrete
(lmu_ref.py) (tinyforge's own are checked against it to 1e-13, tests/lmu). This LMU is written here, not taken from
keras-lmu.

Sizes (about the parameter counts of Blouw et al.'s table): small (~6k), medium (~14k), large (~40k).

This is the float stage of the training: the hardware-aware fine-tuning with the fixed-point arithmetic of the
`lmu` layer, and the export to tinyforge's model format, come with that layer.

Writes into --out: kws_lmu_training.json (seed, command, sizes, parameter counts, MACs per frame, accuracies
on the training set, the held-out voices and the human clips, times, torch version) and kws_lmu_SIZE.pt.
Needs Debian's python3-torch and python3-scipy, and the set from scripts/make_kws_data.sh.
"""
import argparse
import csv
import json
import os
import shlex
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import torch
    from kws_features import features, read_wav
    from lmu_ref import lmu_discrete
except ImportError as e:
    sys.exit(f"train_kws_lmu.py: {e}: needs Debian's python3-torch and python3-scipy; run it as it is "
             "(#!/usr/bin/python3)")

LABELS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "unknown", "silence"]
SIZES = {"small": dict(units=48, order=32, memory_d=1), "medium": dict(units=64, order=48, memory_d=2),
         "large": dict(units=128, order=64, memory_d=2)}
DT = 0.02


def fail(msg):
    print(f"train_kws_lmu.py: {msg}", file=sys.stderr)
    sys.exit(2)


class LMU(torch.nn.Module):
    def __init__(self, n_in, units, order, memory_d, theta, n_out):
        super().__init__()
        self.units, self.order, self.md = units, order, memory_d
        Ad, Bd = lmu_discrete(order, theta, DT)
        self.register_buffer("At", torch.tensor(Ad.T, dtype=torch.float32))
        self.register_buffer("Bd", torch.tensor(Bd, dtype=torch.float32))
        lin = lambda i, o, bias=False: torch.nn.Linear(i, o, bias=bias)
        self.e_x, self.e_h, self.e_m = lin(n_in, memory_d), lin(units, memory_d), lin(memory_d * order, memory_d)
        self.W_x, self.W_h, self.W_m = lin(n_in, units, True), lin(units, units), lin(memory_d * order, units)
        self.out = lin(units, n_out, True)

    def forward(self, x):  # x: batch x frames x n_in
        n, T, _ = x.shape
        h = x.new_zeros(n, self.units)
        m = x.new_zeros(n, self.md, self.order)
        for t in range(T):
            xt = x[:, t]
            u = self.e_x(xt) + self.e_h(h) + self.e_m(m.reshape(n, -1))
            m = m @ self.At + u[:, :, None] * self.Bd
            h = torch.tanh(self.W_x(xt) + self.W_h(h) + self.W_m(m.reshape(n, -1)))
        return self.out(h)

    def params(self):
        return sum(p.numel() for p in self.parameters())

    def macs_per_frame(self, n_in):
        md, d, u = self.md, self.order, self.units
        return (n_in * md + u * md + md * d * md  # encoders
                + md * d * d + md * d             # Abar m + Bbar u (dense)
                + n_in * u + u * u + md * d * u)  # hidden


def load_set(data):
    path = os.path.join(data, "manifest.csv")
    if not os.path.exists(path):
        fail(f"--data {data}: no manifest.csv; expected the folder scripts/make_kws_data.sh writes")
    sets = {"train": ([], []), "test": ([], []), "ood": ([], [])}
    with open(path) as f:
        for r in csv.DictReader(f):
            x, rate = read_wav(os.path.join(data, r["file"]))
            if rate != 16000:
                fail(f"{r['file']}: {rate} Hz; expected 16000")
            sets[r["split"]][0].append(features(x, rate).astype(np.float32))
            sets[r["split"]][1].append(LABELS.index(r["label"]))
    return {k: (np.stack(v[0]), np.array(v[1])) for k, v in sets.items() if v[0]}


def accuracy(net, x, y):
    with torch.no_grad():
        return float((net(torch.tensor(x)).argmax(1).numpy() == y).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                                                   "tinyforge", "kws"))
    ap.add_argument("--size", default="all", choices=list(SIZES) + ["all"])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--theta", type=float, default=1.0, help="LMU window, seconds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--augment", action="store_true",
                    help="a random time shift (up to 8 frames) and feature noise (0.2 deviations) per batch")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not 1 <= a.epochs <= 10000:
        fail(f"--epochs: got {a.epochs}; expected 1 to 10000")
    if not 0 < a.theta <= 100:
        fail(f"--theta: got {a.theta}; expected 0 < theta <= 100 s")
    torch.set_num_threads(max(1, a.threads))
    t0 = time.time()
    data = load_set(a.data)
    xtr, ytr = data["train"]
    mu, sd = xtr.mean(axis=(0, 1)), xtr.std(axis=(0, 1)) + 1e-6
    norm = {k: ((v[0] - mu) / sd, v[1]) for k, v in data.items()}
    print(f"features: {len(ytr)} train, {len(data['test'][1])} test, "
          f"{len(data['ood'][1]) if 'ood' in data else 0} human clips; {xtr.shape[1]} frames x {xtr.shape[2]} "
          f"({time.time() - t0:.1f} s)", flush=True)
    record = {"command": " ".join(shlex.quote(s) for s in sys.argv), "seed": a.seed, "epochs": a.epochs,
              "weight_decay": a.weight_decay, "augment": a.augment,
              "theta_s": a.theta, "dt_s": DT, "torch": torch.__version__, "labels": LABELS,
              "feature_mean": mu.tolist(), "feature_std": sd.tolist(), "models": {}}
    os.makedirs(a.out, exist_ok=True)
    for size in (SIZES if a.size == "all" else [a.size]):
        torch.manual_seed(a.seed)
        net = LMU(xtr.shape[2], theta=a.theta, n_out=len(LABELS), **SIZES[size])
        opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=a.weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
        g = torch.Generator().manual_seed(a.seed)
        X, Y = torch.tensor(norm["train"][0]), torch.tensor(norm["train"][1])
        t1 = time.time()
        for epoch in range(a.epochs):
            perm = torch.randperm(len(Y), generator=g)
            for i in range(0, len(Y), 64):
                b = perm[i:i + 64]
                xb = X[b]
                if a.augment:
                    # a shift of up to 8 frames either way (zeros = the normalised mean enter at the edge) and
                    # feature noise of 0.2 deviations
                    s = int(torch.randint(-8, 9, (1,), generator=g))
                    xb = torch.roll(xb, s, dims=1)
                    if s > 0:
                        xb[:, :s] = 0
                    elif s < 0:
                        xb[:, s:] = 0
                    xb = xb + 0.2 * torch.randn(xb.shape, generator=g)
                loss = torch.nn.functional.cross_entropy(net(xb), Y[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
            sched.step()
            if (epoch + 1) % 10 == 0 or epoch + 1 == a.epochs:
                print(f"{size}: epoch {epoch + 1}/{a.epochs}, loss {loss.item():.3f}, test accuracy "
                      f"{accuracy(net, *norm['test']):.3f}", flush=True)
        acc = {k: accuracy(net, *v) for k, v in norm.items()}
        record["models"][size] = dict(SIZES[size], params=net.params(), macs_per_frame=net.macs_per_frame(xtr.shape[2]),
                                      float_accuracy=acc, train_s=round(time.time() - t1, 1))
        path = os.path.join(a.out, f"kws_lmu_{size}.pt")
        torch.save(net.state_dict(), f"{path}.tmp-{os.getpid()}")
        os.replace(f"{path}.tmp-{os.getpid()}", path)
        print(f"{size}: {net.params()} parameters, {net.macs_per_frame(xtr.shape[2])} MACs per frame; float "
              f"accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in acc.items()), flush=True)
    path = os.path.join(a.out, "kws_lmu_training.json")
    with open(f"{path}.tmp-{os.getpid()}", "w") as f:
        json.dump(record, f, indent=1)
    os.replace(f"{path}.tmp-{os.getpid()}", path)


if __name__ == "__main__":
    main()
