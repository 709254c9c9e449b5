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
import re
import shlex
import subprocess
import sys
import tempfile
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
        self.quant = False  # the hardware-aware stage: the fixed-point types of FORMATS in the forward pass

    def forward(self, x):  # x: batch x frames x n_in (normalised features)
        n, T, _ = x.shape
        F = FORMATS
        if not self.quant:
            q = {k: (lambda v: v) for k in F}
            wq = lambda layer: layer.weight
            At, Bd = self.At, self.Bd
        else:
            q = {k: (lambda v, f=f: fake_quant(v, *f)) for k, f in F.items()}
            wq = lambda layer: fake_quant(layer.weight, *F["weight"])
            At, Bd = fake_quant(self.At, *F["matrix"]), fake_quant(self.Bd, *F["matrix"])
        lin = lambda layer, v: v @ wq(layer).T + (0 if layer.bias is None else q["bias"](layer.bias))
        x = q["norm"](x)
        h = x.new_zeros(n, self.units)
        m = x.new_zeros(n, self.md, self.order)
        for t in range(T):
            xt = x[:, t]
            u = q["state"](lin(self.e_x, xt) + lin(self.e_h, h) + lin(self.e_m, m.reshape(n, -1)))
            m = q["state"](m @ At + u[:, :, None] * Bd)
            h = q["hidden"](torch.tanh(lin(self.W_x, xt) + lin(self.W_h, h) + lin(self.W_m, m.reshape(n, -1))))
        return lin(self.out, h)

    def params(self):
        return sum(p.numel() for p in self.parameters())

    def macs_per_frame(self, n_in):
        md, d, u = self.md, self.order, self.units
        return (n_in * md + u * md + md * d * md  # encoders
                + md * d * d + md * d             # Abar m + Bbar u (dense)
                + n_in * u + u * u + md * d * u)  # hidden


# The fixed-point types of the exported models (tinyforge's model format; docs/kws.md), as (width, integer
# bits): the normalised input and the hidden state 12 and 8 bits, weights 8 bits, the memory 16 bits.
FORMATS = {"norm": (12, 4), "weight": (8, 2), "bias": (16, 6), "state": (16, 5), "matrix": (16, 1), "hidden": (8, 1)}
PRECISION = {"weight": "fixed<8,2,RND,SAT>", "bias": "fixed<16,6,RND,SAT>", "accum": "fixed<24,8,RND,SAT>",
             "result": "fixed<12,4,RND,SAT>", "state": "fixed<16,5,RND,SAT>", "matrix": "fixed<16,1,RND,SAT>",
             "table": "fixed<10,1,RND,SAT>"}
INPUT_PRECISION = "fixed<16,9,RND,SAT>"  # the raw MFCCs (|c0| up to about 150)
NORM_PRECISION = {"weight": "fixed<16,2,RND,SAT>", "bias": "fixed<16,4,RND,SAT>", "result": "fixed<12,4,RND,SAT>"}
HIDDEN_PRECISION = {"result": "fixed<8,1,RND,SAT>"}
OUT_PRECISION = {"result": "fixed<16,7,RND,SAT>"}  # the class scores: room enough that none saturates
TANH_TABLE = {"table_size": 1024, "table_range_log2": 2}


def fake_quant(v, width, ibits):
    """V rounded (half up) to a signed fixed<WIDTH, IBITS> and saturated; the gradient passes straight through."""
    step = 2.0 ** (ibits - width)
    lo, hi = -(2.0 ** (ibits - 1)), 2.0 ** (ibits - 1) - step
    qv = torch.clamp(torch.floor(v / step + 0.5) * step, lo, hi)
    return v + (qv - v).detach()


def qfmt(v, fmt):
    """V (numpy) as the signed type "fixed<W,I,RND,SAT>" FMT holds it (rounded half up, saturated): the values
    tinyforge's emulator uses, written as short exact decimals."""
    w, i = (int(t) for t in re.match(r"fixed<(\d+),(-?\d+)", fmt).groups())
    step = 2.0 ** (i - w)
    return np.clip(np.floor(np.asarray(v, dtype=float) / step + 0.5) * step, -(2.0 ** (i - 1)),
                   2.0 ** (i - 1) - step)


def export(net, size, mu, sd, theta, vectors_file):
    """The network in tinyforge's model format: batchnorm (the feature normalisation), lmu, dense. Weights and
    biases are written as their types hold them."""
    wq = lambda v: qfmt(v, PRECISION["weight"]).tolist()
    rows = lambda layer: wq(layer.weight.detach().double().numpy().T)  # [in][out]
    bq = lambda layer: qfmt(layer.bias.detach().double().numpy(), PRECISION["bias"]).tolist()
    cell = {"name": "lmu", "type": "lmu", "units": net.units, "order": net.order, "memory_d": net.md,
            "theta_s": theta, "dt_s": DT, "discretization": "zoh", "activation": "tanh", **TANH_TABLE,
            "e_x": rows(net.e_x), "e_h": rows(net.e_h), "e_m": rows(net.e_m), "W_x": rows(net.W_x),
            "W_h": rows(net.W_h), "W_m": rows(net.W_m), "bias": bq(net.W_x),
            "precision": HIDDEN_PRECISION}
    return {"name": f"kws_lmu_{size}",
            "description": f"LMU keyword spotter ({size}) trained by scripts/train_kws_lmu.py on the synthetic "
                           "keyword set (docs/kws.md); classes: " + ", ".join(LABELS),
            "input": {"shape": [len(mu)], "precision": INPUT_PRECISION}, "precision": PRECISION,
            "test_vectors": vectors_file,
            "layers": [{"name": "norm", "type": "batchnorm", "scale": qfmt(1.0 / sd, NORM_PRECISION["weight"]).tolist(),
                        "bias": qfmt(-mu / sd, NORM_PRECISION["bias"]).tolist(), "precision": NORM_PRECISION},
                       cell,
                       {"name": "out", "type": "dense", "units": len(LABELS), "weights": rows(net.out),
                        "bias": bq(net.out), "precision": OUT_PRECISION}]}


def write_sequences(path, x, y):
    """Sequences X with labels Y as tinyforge's JSON test vectors ({"sequences", "labels"}); the features as
    the model's input type holds them (short exact decimals)."""
    seqs = [[[float(v) for v in frame] for frame in qfmt(seq, INPUT_PRECISION)] for seq in x]
    with open(f"{path}.tmp-{os.getpid()}", "w") as f:
        json.dump({"description": "held-out voices of the synthetic keyword set (docs/kws.md); classes: " +
                                  ", ".join(LABELS), "sequences": seqs, "labels": [int(v) for v in y]},
                  f, separators=(",", ":"))
    os.replace(f"{path}.tmp-{os.getpid()}", path)


def tinyforge_accuracy(tf, model_path, x, y, tmp):
    """Float and bit-accurate accuracy of the exported model on X, Y by tinyforge's emulator."""
    vec = os.path.join(tmp, "vectors.json")
    with open(vec, "w") as f:
        json.dump({"sequences": np.asarray(x, dtype=float).tolist(), "labels": [int(v) for v in y]}, f)
    r = subprocess.run([tf, "hls", model_path, "--emulate", "--test-vectors", vec, "--threads", "0"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"tinyforge hls --emulate: exit {r.returncode}: {r.stderr.strip()}")
    m = re.search(r"accuracy: float ([0-9.]+)%, fixed point ([0-9.]+)%", r.stdout)
    if not m:
        fail(f"tinyforge hls --emulate: no accuracy line in:\n{r.stdout}")
    warn = [l for l in r.stdout.splitlines() if l.startswith("warning:")]
    return float(m.group(1)) / 100, float(m.group(2)) / 100, warn


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
    ap.add_argument("--qat-epochs", type=int, default=20,
                    help="epochs of hardware-aware fine-tuning with the fixed-point types (0: none)")
    ap.add_argument("--vectors-per-class", type=int, default=2,
                    help="held-out utterances per class in the exported model's test vectors")
    ap.add_argument("--tinyforge", help="the tinyforge binary: report the exported model's float and bit-accurate "
                                        "accuracy on the held-out voices and the human clips")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not 1 <= a.epochs <= 10000:
        fail(f"--epochs: got {a.epochs}; expected 1 to 10000")
    if not 0 <= a.qat_epochs <= 10000:
        fail(f"--qat-epochs: got {a.qat_epochs}; expected 0 to 10000")
    if not 1 <= a.vectors_per_class <= 60:
        fail(f"--vectors-per-class: got {a.vectors_per_class}; expected 1 to 60")
    if a.tinyforge and not os.access(a.tinyforge, os.X_OK):
        fail(f"--tinyforge {a.tinyforge}: not an executable")
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
              "formats": {"fake_quant": FORMATS, "precision": PRECISION, "input": INPUT_PRECISION},
              "weight_decay": a.weight_decay, "augment": a.augment,
              "theta_s": a.theta, "dt_s": DT, "torch": torch.__version__, "labels": LABELS,
              "feature_mean": mu.tolist(), "feature_std": sd.tolist(), "models": {}}
    os.makedirs(a.out, exist_ok=True)
    X, Y = torch.tensor(norm["train"][0]), torch.tensor(norm["train"][1])

    def train(net, epochs, lr, g, label):
        opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=a.weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
        for epoch in range(epochs):
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
            if (epoch + 1) % 10 == 0 or epoch + 1 == epochs:
                print(f"{label}: epoch {epoch + 1}/{epochs}, loss {loss.item():.3f}, test accuracy "
                      f"{accuracy(net, *norm['test']):.3f}", flush=True)

    for size in (SIZES if a.size == "all" else [a.size]):
        torch.manual_seed(a.seed)
        net = LMU(xtr.shape[2], theta=a.theta, n_out=len(LABELS), **SIZES[size])
        g = torch.Generator().manual_seed(a.seed)
        t1 = time.time()
        train(net, a.epochs, 3e-3, g, size)
        acc = {k: accuracy(net, *v) for k, v in norm.items()}
        rec = dict(SIZES[size], params=net.params(), macs_per_frame=net.macs_per_frame(xtr.shape[2]),
                   float_accuracy=acc, train_s=round(time.time() - t1, 1))
        print(f"{size}: {net.params()} parameters, {net.macs_per_frame(xtr.shape[2])} MACs per frame; float "
              f"accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in acc.items()), flush=True)
        if a.qat_epochs:
            # Hardware-aware fine-tuning: the fixed-point types in the forward pass (straight-through gradients).
            t2 = time.time()
            net.quant = True
            train(net, a.qat_epochs, 1e-3, g, f"{size}, fixed-point types")
            rec["qat_epochs"] = a.qat_epochs
            rec["qat_accuracy"] = {k: accuracy(net, *v) for k, v in norm.items()}
            rec["qat_s"] = round(time.time() - t2, 1)
            print(f"{size}: after hardware-aware fine-tuning, accuracy in torch with the types: " +
                  ", ".join(f"{k} {v:.3f}" for k, v in rec["qat_accuracy"].items()), flush=True)
        path = os.path.join(a.out, f"kws_lmu_{size}.pt")
        torch.save(net.state_dict(), f"{path}.tmp-{os.getpid()}")
        os.replace(f"{path}.tmp-{os.getpid()}", path)
        # The model in tinyforge's format, with a few held-out utterances (per class) as its test vectors.
        vec_name = "kws_lmu_test.json"  # (the same utterances for every size)
        model = export(net, size, mu, sd, a.theta, vec_name)
        mpath = os.path.join(a.out, f"kws_lmu_{size}.json")
        with open(f"{mpath}.tmp-{os.getpid()}", "w") as f:
            json.dump(model, f, indent=None, separators=(",", ":"))
        os.replace(f"{mpath}.tmp-{os.getpid()}", mpath)
        xt, yt = data["test"]
        pick = np.concatenate([np.flatnonzero(yt == c)[:a.vectors_per_class] for c in range(len(LABELS))])
        write_sequences(os.path.join(a.out, vec_name), xt[pick], yt[pick])
        rec["test_vectors"] = {"file": vec_name, "indices": pick.tolist(), "labels": yt[pick].tolist()}
        if a.tinyforge:
            with tempfile.TemporaryDirectory() as tmp:
                for split in ("test", "ood"):
                    if split not in data:
                        continue
                    fl, fx, warn = tinyforge_accuracy(a.tinyforge, mpath, *data[split], tmp)
                    rec.setdefault("tinyforge", {})[split] = {"float": fl, "fixed": fx, "warnings": warn}
                    print(f"{size}: tinyforge on {split}: float {fl:.3f}, fixed point {fx:.3f}" +
                          "".join("\n  " + w for w in warn), flush=True)
        record["models"][size] = rec
    path = os.path.join(a.out, "kws_lmu_training.json")
    with open(f"{path}.tmp-{os.getpid()}", "w") as f:
        json.dump(record, f, indent=1)
    os.replace(f"{path}.tmp-{os.getpid()}", path)


if __name__ == "__main__":
    main()
