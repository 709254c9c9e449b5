#!/usr/bin/python3
"""Hardware-aware training of the digits MLP for the analog CIM macro (`tinyforge sim acim`, docs/acim.md).

Trains the 64-32-10 MLP of make_digits_mlp.py twice, with the same data, seed, initial weights and schedule:
  plain  in float, as any framework would;
  aware  with the macro in the forward pass: weights and activations quantized (w_bits, x_bits), every
         conversion of the bit-sliced MVM computed with the macro's static variation (a new chip instance per
         batch), per-conversion noise and its ADC (calibrated range, power-of-two LSB, rounding, clipping); the
         backward pass goes straight through (the gradient of the exact quantized product).
The macro's parameters come from the acim config itself: the script asks tinyforge for the effective config
(`tinyforge sim acim --config FILE --set ...`) and the supply, so the forward pass is the config users run.

The macro here is a second implementation of docs/acim.md, written from the documented equations in torch.
With the noise off it must give the same class for every image as tinyforge; the script records its noise-free
accuracy at several ADC resolutions (and each model's float accuracy), and a test compares tinyforge's numbers
with them.

Writes into --out (default configs/models beside this script's folder):
  digits_mlp_acim_plain.onnx, digits_mlp_acim_aware.onnx (+ NAME_test.json: the test set with float outputs)
  digits_mlp_acim_training.json   seed, command, config, schedule, torch version, accuracies
Needs Debian's python3-torch, python3-sklearn and python3-onnx (apt-get install ...); about a minute on one core.
"""
import argparse
import json
import os
import shlex
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import torch
    from make_digits_mlp import digits_split, export_onnx, float_reference, write_atomic, write_test_vectors
    from tfplot import BadInput, find_tinyforge, sim
except ImportError as e:
    sys.exit(f"train_acim_aware.py: {e}: needs Debian's python3-torch, python3-sklearn and python3-onnx "
             "(apt-get install python3-torch python3-sklearn python3-onnx); run it as it is (#!/usr/bin/python3)")

K_B = 1.380649e-23  # J/K
OUT = os.path.normpath(os.path.join(HERE, "..", "configs", "models"))
DEFAULT_CONFIG = os.path.normpath(os.path.join(HERE, "..", "configs", "cim", "acim_65nm.json"))
EVAL_ADC_BITS = [3, 4, 5, 6, 8]


def effective_config(tinyforge, config, sets):
    """The acim config with every default filled in, and the supply, as tinyforge resolves them."""
    try:
        stats, eff = sim(tinyforge, "acim", config,
                         sets + ["workload.kind=mvm", "workload.network=\"\"", "workload.vectors=1"])
    except BadInput as e:
        print(f"train_acim_aware.py: {e}", file=sys.stderr)
        sys.exit(2)
    return eff, stats["vdd_V"]


class Macro:
    """The analog macro of docs/acim.md on one dense layer, in float64 torch."""

    def __init__(self, eff, vdd):
        m, nz, a, w = eff["macro"], eff["noise"], eff["adc"], eff["workload"]
        self.rows, self.cols = m["rows"], m["cols"]
        self.rows_active = m["rows_active"] or m["rows"]
        self.cb, self.db, self.adc_bits = m["cell_bits"], m["dac_bits"], m["adc_bits"]
        self.w_bits, self.x_bits = w["w_bits"], w["x_bits"]
        self.range_mode, self.range_fraction = a["range"], a["range_fraction"]
        self.percentile, self.calib_vectors = a["calib_percentile"], a["calib_vectors"]
        self.fs = self.rows_active * ((1 << self.db) - 1) * ((1 << self.cb) - 1)
        on = nz["enable"]
        cu = m["c_unit_fF"] * 1e-15
        c = self.rows_active * ((1 << self.cb) - 1) * cu + m["c_column_fF"] * 1e-15
        self.thermal = (np.sqrt(K_B * nz["temperature_K"] * c) * ((1 << self.db) - 1) / (vdd * cu)
                        if on and nz["thermal"] else 0.0)
        self.mismatch = 0.0 if not on else (nz["cap_matching_pct"] / 100.0 / np.sqrt(m["c_unit_fF"])
                                            if m["domain"] == "charge" else nz["current_mismatch"])
        self.gain = nz["gain_sigma"] if on else 0.0
        self.offset_lsb = nz["offset_sigma_lsb"] if on else 0.0
        self.read_lsb = nz["read_sigma_lsb"] if on else 0.0
        self.ir_drop = nz["ir_drop"] if on else 0.0

    def noiseless(self):
        q = Macro.__new__(Macro)
        q.__dict__.update(self.__dict__)
        q.thermal = q.mismatch = q.gain = q.offset_lsb = q.read_lsb = q.ir_drop = 0.0
        return q

    def with_adc_bits(self, bits):
        q = Macro.__new__(Macro)
        q.__dict__.update(self.__dict__)
        q.adc_bits = bits
        return q

    def slices(self, xq, wq, x_signed):
        """Offset-encoded input slices [B, xs, n] and weight slices [n, m, ws] (integer-valued float64)."""
        ws = -(-self.w_bits // self.cb)
        xs = -(-self.x_bits // self.db)
        ow = 1 << (self.w_bits - 1)
        ox = (1 << (self.x_bits - 1)) if x_signed else 0
        wu = (wq + ow).long()
        xu = (xq + ox).long()
        wsl = torch.stack([(wu >> (k * self.cb)) & ((1 << self.cb) - 1) for k in range(ws)], dim=2).double()
        xsl = torch.stack([(xu >> (s * self.db)) & ((1 << self.db) - 1) for s in range(xs)], dim=1).double()
        return xsl, wsl, ow, ox

    def groups(self, n):
        for t in range(0, n, self.rows):
            for r0 in range(t, min(n, t + self.rows), self.rows_active):
                yield t // self.rows, r0, min(n, t + self.rows, r0 + self.rows_active)

    def conversion_range(self, xq, wq, x_signed):
        """The largest (or the percentile of the) ideal conversion values over inputs XQ."""
        xsl, wsl, _, _ = self.slices(xq, wq, x_signed)
        vals = [torch.einsum("bsr,rjk->bsjk", xsl[:, :, r0:r1], wsl[r0:r1]).flatten()
                for _, r0, r1 in self.groups(xq.shape[1])]
        v = torch.cat(vals)
        if self.percentile >= 100:
            return float(v.max())
        k = max(1, min(v.numel(), int(np.ceil(self.percentile / 100.0 * v.numel()))))
        return float(torch.sort(v).values[k - 1])

    def lsb_log2(self, rng):
        top = (1 << self.adc_bits) - 1
        k = 0
        while top * 2.0 ** k < rng and k < 62:
            k += 1
        return k

    def chip(self, n, m, gen):
        """Static variation of one chip instance: cell errors [n, m, ws], column gain and offset [tiles, m, ws]."""
        ws = -(-self.w_bits // self.cb)
        tiles = -(-n // self.rows)
        eps = self.mismatch * torch.randn(n, m, ws, generator=gen, dtype=torch.float64)
        gain = 1.0 + self.gain * torch.randn(tiles, m, ws, generator=gen, dtype=torch.float64)
        off = self.offset_lsb * torch.randn(tiles, m, ws, generator=gen, dtype=torch.float64)
        return eps, gain, off

    def mvm(self, xq, wq, x_signed, k, chip=None, gen=None):
        """Y = W X through the macro: XQ [B, n], WQ [n, m] integers; K the layer's LSB exponent."""
        B, n = xq.shape
        m = wq.shape[1]
        xsl, wsl, ow, ox = self.slices(xq, wq, x_signed)
        lsb, top = 2.0 ** k, float((1 << self.adc_bits) - 1)
        sigma = float(np.sqrt(self.thermal ** 2 + (self.read_lsb * lsb) ** 2))
        geff = wsl * (1.0 + chip[0]) if chip is not None and self.mismatch > 0 else wsl
        shift = torch.tensor([[2.0 ** (s * self.db + kk * self.cb) for kk in range(wsl.shape[2])]
                              for s in range(xsl.shape[1])], dtype=torch.float64)  # [xs, ws]
        p = torch.zeros(B, m, dtype=torch.float64)
        for t, r0, r1 in self.groups(n):
            ideal = torch.einsum("bsr,rjk->bsjk", xsl[:, :, r0:r1], wsl[r0:r1])
            a = ideal if geff is wsl else torch.einsum("bsr,rjk->bsjk", xsl[:, :, r0:r1], geff[r0:r1])
            if chip is not None:
                a = a * chip[1][t]
            if self.ir_drop > 0:  # before the offset, as docs/acim.md's equation
                a = a * (1.0 - self.ir_drop * ideal / self.fs)
            if chip is not None:
                a = a + chip[2][t] * lsb
            if sigma > 0:
                a = a + sigma * torch.randn(a.shape, generator=gen, dtype=torch.float64)
            code = torch.clamp(torch.round(a / lsb), 0.0, top)  # round half to even, as the ADC model
            p += torch.einsum("bsjk,sk->bj", code * lsb, shift)
        xsum = (xq + ox).sum(dim=1, keepdim=True)
        wsum = (wq + ow).sum(dim=0, keepdim=True)
        return p - ow * xsum - ox * wsum + n * ox * ow


def round_away(v):
    """llround: halves away from zero (tinyforge's quantizer)."""
    return torch.sign(v) * torch.floor(torch.abs(v) + 0.5)


def ste(v, q):
    return v + (q - v).detach()


class Net:
    """64-32-10 with float parameters; forward plainly or through the macro."""

    def __init__(self, seed, hidden=32):
        g = torch.Generator().manual_seed(seed)
        def init(n, m):
            b = 1.0 / np.sqrt(n)
            return (torch.rand(n, m, generator=g, dtype=torch.float64) * 2 - 1) * b
        self.params = [init(64, hidden), torch.zeros(hidden, dtype=torch.float64),
                       init(hidden, 10), torch.zeros(10, dtype=torch.float64)]
        for p in self.params:
            p.requires_grad_(True)

    @staticmethod
    def from_weights(w32):
        """A net holding the given weights (float32 arrays, as an ONNX file holds them) in float64."""
        net = Net(0)
        net.params = [torch.tensor(np.asarray(w, dtype=np.float64)) for w in w32]
        return net

    def float_forward(self, x):
        w1, b1, w2, b2 = self.params
        return torch.relu(x @ w1 + b1) @ w2 + b2

    def calibrate(self, xc, macro):
        """Per layer, as tinyforge sets them on its calibration images XC: the activation scale (from the ideal
        quantized network's values), the weight scale and the ADC's LSB exponent."""
        levels = (1 << macro.x_bits) - 1
        wl = (1 << (macro.w_bits - 1)) - 1
        out, h = [], xc
        with torch.no_grad():
            for layer in range(2):
                w, b = self.params[2 * layer], self.params[2 * layer + 1]
                mx = max(0.0, float(h.max()))
                xs = mx / levels if mx > 0 else 1.0
                wmax = float(w.abs().max())
                ws = wmax / wl if wmax > 0 else 1.0
                xq = torch.clamp(round_away(h / xs), 0, levels)
                wq = torch.clamp(round_away(w / ws), -wl, wl)
                rng = (macro.range_fraction * macro.fs if macro.range_mode == "full"
                       else macro.conversion_range(xq, wq, False))
                out.append((xs, ws, macro.lsb_log2(rng)))
                y = (xq @ wq) * xs * ws + b
                h = torch.relu(y) if layer == 0 else y
        return out

    def aware_forward(self, x, macro, gen, calib):
        """The batch X through the macro (a new chip instance) with the scales and LSBs of CALIB."""
        h = x
        levels = (1 << macro.x_bits) - 1
        wl = (1 << (macro.w_bits - 1)) - 1
        for layer in range(2):
            w, b = self.params[2 * layer], self.params[2 * layer + 1]
            xs, ws, k = calib[layer]
            xf = torch.clamp(h / xs, 0.0, float(levels))
            xq = ste(xf, round_away(xf))
            wf = w / ws
            wq = ste(wf, torch.clamp(round_away(wf), -wl, wl))
            exact = xq @ wq
            with torch.no_grad():
                xi, wi = xq.detach(), wq.detach()
                hw = macro.mvm(xi, wi, False, k, macro.chip(wi.shape[0], wi.shape[1], gen), gen)
            y = ste(exact, hw) * (xs * ws) + b
            h = torch.relu(y) if layer == 0 else y
        return h


def tinyforge_path(w32, x, macro, calib):
    """Classes of X as tinyforge computes them (docs/acim.md, "Networks"), with the macro noise-free: weights
    per layer symmetric, activation scales from the ideal quantized network on the first CALIB images, the
    ADC's LSB calibrated (or full range) per layer (Net.calibrate). W32: the float32 weights of the ONNX file.
    Returns the ideal quantized network's classes and the macro's."""
    mac = macro.noiseless()
    net = Net.from_weights(w32)
    levels = (1 << mac.x_bits) - 1
    wl = (1 << (mac.w_bits - 1)) - 1
    h_ideal, h_hw = x, x
    with torch.no_grad():
        for layer, (xs, ws, k) in enumerate(net.calibrate(x[:calib], mac)):
            w, b = net.params[2 * layer], net.params[2 * layer + 1]
            wq = torch.clamp(round_away(w / ws), -wl, wl)
            yi = (torch.clamp(round_away(h_ideal / xs), 0, levels) @ wq) * xs * ws + b
            yh = mac.mvm(torch.clamp(round_away(h_hw / xs), 0, levels), wq, False, k) * xs * ws + b
            h_ideal = torch.relu(yi) if layer == 0 else yi
            h_hw = torch.relu(yh) if layer == 0 else yh
    return h_ideal.argmax(dim=1), h_hw.argmax(dim=1)


def train(net, x, y, aware, macro, epochs, lr, args):
    opt = torch.optim.Adam(net.params, lr=lr)
    g = torch.Generator().manual_seed(args.seed)
    noise_gen = torch.Generator().manual_seed(args.seed + 1)
    n = x.shape[0]
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=g)
        total = 0.0
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            if aware:
                # Scales and LSBs set as tinyforge sets them, on calib_vectors images, drawn anew each step: the
                # images a user calibrates on are not these, and the LSB, a power of two, must not sit on an edge.
                cal = torch.randperm(n, generator=g)[:macro.calib_vectors]
                out = net.aware_forward(x[idx], macro, noise_gen, net.calibrate(x[cal], macro))
            else:
                out = net.float_forward(x[idx])
            loss = torch.nn.functional.cross_entropy(out, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        if (epoch + 1) % max(1, epochs // 5) == 0:
            print(f"  {'aware' if aware else 'plain'} epoch {epoch + 1}/{epochs}: loss {total / n:.4f}",
                  flush=True)


def main():
    ap = argparse.ArgumentParser(description="Trains the digits MLP plainly and with the analog CIM macro in the "
                                 "forward pass, and writes both for tinyforge (docs/acim.md).")
    ap.add_argument("--config", default=DEFAULT_CONFIG, help="acim config (default: configs/cim/acim_65nm.json)")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="override a parameter of the config, as tinyforge's --set (repeatable)")
    ap.add_argument("--out", default=OUT, metavar="DIR", help="output directory (default: configs/models)")
    ap.add_argument("--tinyforge", default="", metavar="PATH", help="the tinyforge binary (default: build/)")
    ap.add_argument("--seed", type=int, default=0, help="seed of initial weights, batches and noise (default 0)")
    ap.add_argument("--epochs", type=int, default=150, help="epochs of the plain training (default 150)")
    ap.add_argument("--aware-epochs", type=int, default=100,
                    help="epochs of training with the macro in the loop, from the plain network (default 100)")
    ap.add_argument("--aware-lr", type=float, default=3e-3, help="its learning rate (default 3e-3)")
    ap.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    ap.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate (default 3e-3)")
    args = ap.parse_args()
    for name, v, ok, want in (("--epochs", args.epochs, args.epochs >= 1, "an integer of at least 1"),
                              ("--aware-epochs", args.aware_epochs, args.aware_epochs >= 0, "an integer of 0 or more"),
                              ("--batch", args.batch, args.batch >= 1, "an integer of at least 1"),
                              ("--lr", args.lr, args.lr > 0, "a positive number"),
                              ("--aware-lr", args.aware_lr, args.aware_lr > 0, "a positive number"),
                              ("--seed", args.seed, args.seed >= 0, "an integer of 0 or more")):
        if not ok:
            print(f"train_acim_aware.py: {name}: got {v}; expected {want}", file=sys.stderr)
            sys.exit(2)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    tf = find_tinyforge(args.tinyforge)
    if not tf:
        sys.exit("train_acim_aware.py: no tinyforge binary (build it, or pass --tinyforge PATH)")
    eff, vdd = effective_config(tf, args.config, args.set)
    macro = Macro(eff, vdd)
    print(f"macro: {macro.rows}x{macro.cols}, rows_active {macro.rows_active}, {macro.cb}-bit cells, "
          f"{macro.db}-bit DAC, {macro.adc_bits}-bit ADC ({macro.range_mode} range), w {macro.w_bits}b x "
          f"{macro.x_bits}b; sigma: mismatch {macro.mismatch:.4g}, gain {macro.gain:.4g}, offset "
          f"{macro.offset_lsb:.4g} LSB, read {macro.read_lsb:.4g} LSB, thermal {macro.thermal:.4g} units")
    x_train, x_test, y_train, y_test = digits_split()
    xt, yt = torch.tensor(x_train), torch.tensor(y_train)
    os.makedirs(args.out, exist_ok=True)
    calib = min(len(x_test), macro.calib_vectors)
    record = {"description": "Digits MLP trained plainly and with the acim macro in the forward pass by "
                             "scripts/train_acim_aware.py; accuracies from the script's own evaluation.",
              "command": "scripts/train_acim_aware.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
              "seed": args.seed, "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
              "aware_epochs": args.aware_epochs, "aware_lr": args.aware_lr,
              "torch": torch.__version__, "config": os.path.relpath(args.config, os.path.join(HERE, "..")),
              "set": args.set, "train_images": len(x_train), "test_images": len(x_test),
              "macro": {k: getattr(macro, k) for k in ("rows", "cols", "rows_active", "cb", "db", "adc_bits",
                                                       "w_bits", "x_bits", "range_mode", "mismatch", "gain",
                                                       "offset_lsb", "read_lsb", "thermal")},
              "models": {}}
    plain = None
    for kind in ("plain", "aware"):
        net = Net(args.seed)
        if kind == "plain":
            train(net, xt, yt, False, macro, args.epochs, args.lr, args)
            plain = net
        else:  # the plain network's weights, then training with the macro in the loop
            with torch.no_grad():
                for p, q in zip(net.params, plain.params):
                    p.copy_(q)
            train(net, xt, yt, True, macro, args.aware_epochs, args.aware_lr, args)
        w32 = [p.detach().numpy().astype(np.float32) for p in net.params]
        name = f"digits_mlp_acim_{kind}"
        export_onnx(*w32, os.path.join(args.out, name + ".onnx"), "tinyforge train_acim_aware.py",
                    doc=f"{kind} training, {record['command']}, seed {args.seed}")
        p, acc = float_reference(*w32, x_test, y_test)
        write_test_vectors(os.path.join(args.out, name + "_test.json"), p, acc, x_test, y_test, name + ".onnx")
        xe = torch.tensor(x_test)
        noise_free = {}
        for bits in EVAL_ADC_BITS:
            ideal, hw = tinyforge_path(w32, xe, macro.with_adc_bits(bits), calib)
            noise_free[str(bits)] = {"accuracy": float((hw.numpy() == y_test).mean()),
                                     "accuracy_ideal": float((ideal.numpy() == y_test).mean())}
        record["models"][kind] = {"onnx": name + ".onnx", "accuracy_float": acc,
                                  "noise_free_by_adc_bits": noise_free}
        print(f"{kind}: float accuracy {acc:.4f}; noise-free macro by ADC bits: " +
              ", ".join(f"{b}: {v['accuracy']:.4f}" for b, v in noise_free.items()), flush=True)
    write_atomic(os.path.join(args.out, "digits_mlp_acim_training.json"), json.dumps(record, indent=1) + "\n")
    print("wrote " + os.path.normpath(args.out))


if __name__ == "__main__":
    main()
