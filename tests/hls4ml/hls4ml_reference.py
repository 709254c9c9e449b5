#!/usr/bin/python3
"""Independent reference of tinyforge's hls4ml compatibility modes, in exact rational arithmetic.

Written from hls4ml's documented behaviour (its softmax "stable" and "latency" implementations and its dense
accumulation), not from tinyforge's C++: values are Fractions, fixed-point conversion follows the
arbitrary-precision types' documented quantization and overflow modes, and the only floating point is where
hls4ml itself computes in single precision (the table entries: the C library's expf and a float division).

Covered layer types: dense (accumulation "exact" or "hls4ml"), relu, softmax (implementation "hls4ml_stable"
or "hls4ml_latency"; "tinyforge" is not modelled). The model is tinyforge's native JSON.
"""
import ctypes
import ctypes.util
import math
import re
from fractions import Fraction

import numpy as np

_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
_libm.expf.restype = ctypes.c_float
_libm.expf.argtypes = [ctypes.c_float]

QUANT = ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV")
OVF = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")


class Fmt:
    """fixed<W,I,Q,O> / ufixed<W,I,Q,O>: codes are integers, value = code * 2^-(W-I)."""

    def __init__(self, text):
        m = re.fullmatch(r"(u?)fixed<(-?\d+),(-?\d+)(?:,(\w+))?(?:,(\w+))?>", text.replace(" ", ""))
        if not m:
            raise ValueError("not a fixed-point type: " + text)
        self.S = m.group(1) == ""
        self.W, self.I = int(m.group(2)), int(m.group(3))
        self.Q = m.group(4) or "TRN"
        self.O = m.group(5) or "WRAP"
        assert self.Q in QUANT and self.O in OVF, text
        self.F = self.W - self.I
        self.lsb = Fraction(1, 2**self.F) if self.F >= 0 else Fraction(2 ** (-self.F))
        self.hi = 2 ** (self.W - 1) - 1 if self.S else 2**self.W - 1
        self.lo = -(2 ** (self.W - 1)) if self.S else 0
        self.text = text

    def value(self, code):
        return code * self.lsb

    def _round(self, v):
        q = math.floor(v)
        r = v - q
        half = Fraction(1, 2)
        up = {
            "TRN": False,
            "TRN_ZERO": v < 0 and r != 0,
            "RND": r >= half,
            "RND_ZERO": r > half or (r == half and v < 0),
            "RND_MIN_INF": r > half,
            "RND_INF": r > half or (r == half and v > 0),
            "RND_CONV": r > half or (r == half and q % 2 == 1),
        }[self.Q]
        return q + (1 if up else 0)

    def _fit(self, q):
        if self.lo <= q <= self.hi:
            return -self.hi if (self.O == "SAT_SYM" and self.S and q == self.lo) else q
        if self.O == "SAT":
            return self.lo if q < self.lo else self.hi
        if self.O == "SAT_ZERO":
            return 0
        if self.O == "SAT_SYM":
            return (-self.hi if self.S else 0) if q < self.lo else self.hi
        bits = q % (2**self.W)
        return bits - 2**self.W if self.S and bits >= 2 ** (self.W - 1) else bits

    def code(self, x):
        """The code of the exact value X (a Fraction, int, or float incl. +-inf) in this type."""
        if isinstance(x, float):
            if math.isinf(x):
                # Beyond every range: saturating modes saturate; wrapping keeps the (zero) low bits.
                if self.O == "SAT":
                    return self.hi if x > 0 else self.lo
                if self.O == "SAT_SYM":
                    return self.hi if x > 0 else (-self.hi if self.S else 0)
                return 0
            x = Fraction(x)
        return self._fit(self._round(Fraction(x) / self.lsb))

    def top_index(self, code, n):
        """The top N bits of CODE's W-bit two's complement pattern, as an unsigned index."""
        return (code % (2**self.W)) >> (self.W - n)

    def top_value(self, k, n):
        """The value of the code whose top N bits are K and whose other bits are zero."""
        bits = k << (self.W - n)
        if self.S and bits >= 2 ** (self.W - 1):
            bits -= 2**self.W
        return self.value(bits)


def f32(x):
    """X (exactly representable in single precision) as a numpy float32, checked."""
    v = np.float32(float(x))
    assert Fraction(float(v)) == Fraction(x), x
    return v


def exp_table(index_fmt, size, negate, table_fmt):
    n = (size - 1).bit_length()
    out = []
    for k in range(size):
        x = f32(index_fmt.top_value(k, n))
        if negate:
            x = -x
        out.append(table_fmt.code(float(_libm.expf(float(x)))))
    return out


def inv_table(index_fmt, size, table_fmt):
    n = (size - 1).bit_length()
    out = []
    for k in range(size):
        x = f32(index_fmt.top_value(k, n))
        with np.errstate(divide="ignore"):
            r = np.float32(1.0) / x
        out.append(table_fmt.code(float(r)))
    return out


def tree_add(vals, acc):
    """hls4ml's balanced reduction: N terms split into the largest power of two below N and the rest, every
    addition converted into ACC."""
    n = len(vals)
    if n == 1:
        return vals[0]
    if n == 2:
        return acc.code(acc.value(vals[0]) + acc.value(vals[1]))
    left = 1
    while left * 2 < n:
        left *= 2
    return acc.code(acc.value(tree_add(vals[:left], acc)) + acc.value(tree_add(vals[left:], acc)))


class Softmax:
    def __init__(self, impl, opts, in_fmt, res_fmt):
        self.stable = impl == "hls4ml_stable"
        d = "fixed<18,8,RND,SAT>"
        self.exp_t = Fmt(opts.get("exp_table_t", d))
        self.inv_t = Fmt(opts.get("inv_table_t", d))
        self.acc = Fmt(opts.get("accum_t", d))
        self.inv_inp = Fmt(opts.get("inv_inp_t", d))
        self.res = res_fmt
        self.in_fmt = in_fmt
        size = opts.get("table_size", 1024)
        # hls4ml caps the table at 2^min(input width, inverse-table width) ...
        size = min(size, 2 ** min(in_fmt.W, self.inv_t.W))
        self.exp_size = self.inv_size = size
        if self.stable:
            if "inp_norm_t" in opts:
                self.norm = Fmt(opts["inp_norm_t"])
            else:
                # ... and derives the normalized input type from the input: one bit less when signed.
                s = 1 if in_fmt.S else 0
                self.norm = Fmt("ufixed<%d,%d>" % (in_fmt.W - s, in_fmt.I - s))
                if in_fmt.S:
                    self.exp_size = min(self.inv_size, 2 ** (in_fmt.W - 1))
        index_fmt = self.norm if self.stable else in_fmt
        self.index_fmt = index_fmt
        self.ne = (self.exp_size - 1).bit_length()
        self.ni = (self.inv_size - 1).bit_length()
        self.exp_tab = exp_table(index_fmt, self.exp_size, self.stable, self.exp_t)
        self.inv_tab = inv_table(self.inv_inp, self.inv_size, self.inv_t)

    def __call__(self, x):
        fin = self.in_fmt
        if self.stable:
            m = max(x)
            idx = [self.norm.top_index(self.norm.code(fin.value(m) - fin.value(c)), self.ne) for c in x]
        else:
            idx = [fin.top_index(c, self.ne) for c in x]
        e = [self.acc.code(self.exp_t.value(self.exp_tab[k])) for k in idx]
        s = self.inv_inp.code(self.acc.value(tree_add(e, self.acc)))
        r = self.inv_tab[self.inv_inp.top_index(s, self.ni)]
        return [self.res.code(self.acc.value(ei) * self.inv_t.value(r)) for ei in e]


def resource_order(n_in, n_out, R):
    """For each output, the inputs in the order hls4ml's dense resource strategy adds them (weights transposed,
    index o * n_in + i), found by walking its loops as written (nnet_dense_resource.h: rf_leq_nin, rf_gt_nin_rem0,
    rf_gt_nin), not from a formula."""
    order = [[] for _ in range(n_out)]
    block = -(-n_in * n_out // R)
    if R <= n_in:
        mult_limit = -(-n_in * n_out // R)
        multscale = mult_limit // n_out
        assert mult_limit % n_out == 0 or R >= n_in
        for ir in range(R):
            w_index, in_index, out_index, step = ir, ir, 0, 0
            for _ in range(block):
                assert w_index == out_index * n_in + in_index
                order[out_index].append(in_index)
                w_index += R
                in_index += R
                if in_index >= n_in:
                    in_index = ir
                if step + 1 >= multscale:
                    step, out_index = 0, out_index + 1
                else:
                    step += 1
    elif R % n_in == 0:
        outscale = R // n_in
        outidx = [ir // n_in for ir in range(R)]
        in_index = 0
        for ir in range(R):
            w_index, out_index = ir, outidx[ir]
            for _ in range(block):
                order[out_index].append(in_index)
                w_index += R
                if w_index >= n_in * n_out:
                    break
                out_index += outscale
            in_index = (in_index + 1) % n_in
    else:
        for ir in range(R):
            for im in range(block):
                w_index = ir + R * im
                if w_index < n_in * n_out:
                    order[w_index // n_in].append(w_index % n_in)
    assert all(sorted(o) == list(range(n_in)) for o in order), "every input once per output"
    return order


class Dense:
    def __init__(self, layer, prec, in_fmt, mode, strategy="latency", reuse=1):
        self.wf, self.bf, self.acc, self.res = (Fmt(prec[k]) for k in ("weight", "bias", "accum", "result"))
        self.in_fmt = in_fmt
        self.mode = mode
        rows = layer["weights"]
        self.n_out = layer["units"]
        self.w = [[self.wf.code(Fraction(v)) for v in row] for row in rows]
        self.b = [self.bf.code(Fraction(v)) for v in layer.get("bias", [0.0] * self.n_out)]
        n_in = len(rows)
        self.order = (resource_order(n_in, self.n_out, reuse) if strategy == "resource" and reuse > 1
                      else [list(range(n_in))] * self.n_out)

    def __call__(self, x):
        A, out = self.acc, []
        for j in range(self.n_out):
            acc = A.code(self.bf.value(self.b[j]))
            if self.mode == "hls4ml":
                for i in self.order[j]:
                    p = A.code(self.in_fmt.value(x[i]) * self.wf.value(self.w[i][j]))
                    acc = A.code(A.value(acc) + A.value(p))
            else:
                # exact: products rounded to accum's fraction bits (no overflow handling), exact sum, one conversion
                total = A.value(acc)
                for i, c in enumerate(x):
                    p = self.in_fmt.value(c) * self.wf.value(self.w[i][j]) / A.lsb
                    q = Fmt("fixed<200,%d,%s>" % (200 - A.F, A.Q))._round(p)
                    total += q * A.lsb
                acc = A.code(total)
            out.append(self.res.code(A.value(acc)))
        return out


class Conv1D:
    """conv1d, channels last: input [width][channels], weights [kernel][channels][filters]; accumulation "hls4ml"
    only: bias, then the window in kernel order (tap, channel), padding positions skipped (their products are
    zero and leave a sum already in the accumulator type unchanged)."""

    def __init__(self, layer, prec, in_fmt, in_shape, mode):
        assert mode == "hls4ml", "the reference models conv with hls4ml's accumulation only"
        self.wf, self.bf, self.acc, self.res = (Fmt(prec[k]) for k in ("weight", "bias", "accum", "result"))
        self.in_fmt = in_fmt
        self.IW, self.C = in_shape
        self.K, self.F = layer["kernel"], layer["filters"]
        self.S = layer.get("strides", 1)
        pad = layer.get("padding", "valid")
        if pad == "same":
            self.OW = -(-self.IW // self.S)
            total = max((self.OW - 1) * self.S + self.K - self.IW, 0)
            self.PL = total // 2
        else:
            self.OW = (self.IW - self.K) // self.S + 1
            self.PL = 0
        flat = list(np.array(layer["weights"], dtype=float).reshape(-1))
        self.w = [self.wf.code(Fraction(v)) for v in flat]  # index (k * C + c) * F + f
        self.b = [self.bf.code(Fraction(v)) for v in layer.get("bias", [0.0] * self.F)]
        self.out_shape = [self.OW, self.F]

    def __call__(self, x):
        A, out = self.acc, []
        for ow in range(self.OW):
            for f in range(self.F):
                acc = A.code(self.bf.value(self.b[f]))
                for k in range(self.K):
                    iw = ow * self.S + k - self.PL
                    if iw < 0 or iw >= self.IW:
                        continue
                    for c in range(self.C):
                        p = A.code(self.in_fmt.value(x[iw * self.C + c]) * self.wf.value(self.w[(k * self.C + c) * self.F + f]))
                        acc = A.code(A.value(acc) + A.value(p))
                out.append(self.res.code(A.value(acc)))
        return out


class Relu:
    def __init__(self, in_fmt, res_fmt):
        self.in_fmt, self.res = in_fmt, res_fmt

    def __call__(self, x):
        return [self.res.code(self.in_fmt.value(c)) if c > 0 else 0 for c in x]


class Model:
    """A tinyforge native JSON model of dense / relu / softmax layers."""

    def __init__(self, m):
        prec = {"weight": "fixed<16,6>", "bias": "fixed<16,6>", "accum": "fixed<32,12>", "result": "fixed<16,6>"}
        prec.update(m.get("precision", {}))
        self.in_fmt = Fmt(m["input"].get("precision", prec["result"]))
        acc_mode = m.get("accumulation", "exact")
        sm_def = m.get("softmax", {})
        self.layers = []
        cur = self.in_fmt
        shape = list(m["input"]["shape"])
        for L in m["layers"]:
            p = dict(prec)
            p.update(L.get("precision", {}))
            res = Fmt(p["result"])
            t = L["type"]
            if t == "dense":
                self.layers.append(Dense(L, p, cur, L.get("accumulation", acc_mode),
                                         L.get("strategy", m.get("strategy", "latency")),
                                         L.get("reuse_factor", m.get("reuse_factor", 1))))
                shape = [L["units"]]
            elif t == "conv1d":
                layer = Conv1D(L, p, cur, shape, L.get("accumulation", acc_mode))
                self.layers.append(layer)
                shape = layer.out_shape
            elif t == "flatten":
                self.layers.append(lambda x: x)
                shape = [int(np.prod(shape))]
                res = cur
            elif t == "relu":
                self.layers.append(Relu(cur, res))
            elif t == "softmax":
                impl = L.get("implementation", sm_def.get("implementation", "tinyforge"))
                opts = dict(sm_def.get("hls4ml", {}))
                opts.update(L.get("hls4ml", {}))
                assert impl != "tinyforge", "the reference models the hls4ml implementations only"
                self.layers.append(Softmax(impl, opts, cur, res))
            else:
                raise ValueError("layer type not modelled: " + t)
            cur = res
            act = L.get("activation", "linear")
            if act == "relu":
                self.layers.append(Relu(cur, res))
            elif act == "softmax":
                impl = sm_def.get("implementation", "tinyforge")
                assert impl != "tinyforge", "the reference models the hls4ml implementations only"
                self.layers.append(Softmax(impl, dict(sm_def.get("hls4ml", {})), cur, res))
            elif act != "linear":
                raise ValueError("activation not modelled: " + act)
        self.out_fmt = cur

    def run(self, inputs):
        """INPUTS: floats; returns the output values (Fractions)."""
        x = [self.in_fmt.code(Fraction(v)) for v in inputs]
        for layer in self.layers:
            x = layer(x)
        return [self.out_fmt.value(c) for c in x]
