"""The LMU in numpy and scipy, for the training script and the tests (an independent reference for
tinyforge's C++: nothing here calls it).

lmu_ab(d, theta): the continuous A/theta and B/theta from the paper's definition (Voelker, Kajic and
  Eliasmith, NeurIPS 2019, eq. 2), entry by entry.
lmu_discrete(d, theta, dt, method): Abar (d x d) and Bbar (d) by scipy.signal.cont2discrete ("zoh" or "euler").
lmu_cell(x, p, ...): the cell of docs/kws.md over one sequence of frames x (T x n_in) in double precision:
  u_t = e_x x_t + e_h h_{t-1} + e_m m_{t-1};  m_t = Abar m_{t-1} + Bbar u_t;
  h_t = f(W_x x_t + W_h h_{t-1} + W_m m_t + b),
  with memory_d memories (memory k at m[k * d .. k * d + d - 1]) and weights [rows][cols] as in tinyforge's
  `lmu` layer. Returns h_t for every t (T x units).
"""
import numpy as np
from scipy.signal import cont2discrete


def lmu_ab(d, theta):
    A = np.zeros((d, d))
    B = np.zeros((d, 1))
    for i in range(d):
        for j in range(d):
            A[i, j] = (2 * i + 1) * (-1.0 if i < j else (-1.0) ** (i - j + 1))
        B[i, 0] = (2 * i + 1) * (-1.0) ** i
    return A / theta, B / theta


def lmu_discrete(d, theta, dt, method="zoh"):
    A, B = lmu_ab(d, theta)
    Ad, Bd, _, _, _ = cont2discrete((A, B, np.zeros((1, d)), np.zeros((1, 1))), dt, method=method)
    return Ad, Bd[:, 0]


def lmu_cell(x, p, order, memory_d, theta, dt, activation="tanh", method="zoh"):
    Ad, Bd = lmu_discrete(order, theta, dt, method)
    units = len(p["bias"]) if "bias" in p else np.asarray(p["W_x"]).shape[1]
    n_in = np.asarray(x).shape[1]
    nm = memory_d * order
    g = lambda k, r, c: np.asarray(p[k], dtype=float).reshape(r, c) if k in p else np.zeros((r, c))
    ex, eh, em = g("e_x", n_in, memory_d), g("e_h", units, memory_d), g("e_m", nm, memory_d)
    Wx, Wh, Wm = g("W_x", n_in, units), g("W_h", units, units), g("W_m", nm, units)
    b = np.asarray(p.get("bias", np.zeros(units)), dtype=float)
    m = np.zeros((memory_d, order))
    h = np.zeros(units)
    out = []
    for xt in np.asarray(x, dtype=float):
        u = xt @ ex + h @ eh + m.reshape(-1) @ em
        m = m @ Ad.T + u[:, None] * Bd[None, :]
        a = xt @ Wx + h @ Wh + m.reshape(-1) @ Wm + b
        h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
        out.append(h)
    return np.array(out)
