// lmu (template lmu.h): a Legendre Memory Unit cell, one frame per call with its memory and hidden state kept
// from call to call. A family of its own: the only layer with a state, so a model holding one runs over
// sequences (utterances) whose first frame resets the state. Its memory's Abar and Bbar come from the exact
// discretization of sim/lmu/lmu_math.h; its arithmetic contract is in lmu.h.
#include <cmath>
#include <stdexcept>

#include "emit_hls.h"
#include "emulate_ops.h"
#include "layer_kind.h"
#include "lmu/lmu_math.h"
#include "model_reader.h"
#include "tinyforge/hls/activation.h"
#include "tinyforge/hls/common.h"

namespace tf::hlsgen {

namespace hl = tinyforge::hls;

namespace {

// The weight matrices in Layer::weights, in this order: name, rows, columns.
struct LmuShape {
  int n_in, units, order, md;
  int nm() const { return md * order; }
  struct Part {
    const char* name;
    int rows, cols;
    bool required;
  };
  std::vector<Part> parts() const {
    return {{"e_x", n_in, md, true},      {"e_h", units, md, false}, {"e_m", nm(), md, false},
            {"W_x", n_in, units, true},   {"W_h", units, units, false}, {"W_m", nm(), units, true}};
  }
  // Offset of part K in Layer::weights.
  size_t offset(int k) const {
    size_t o = 0;
    auto p = parts();
    for (int i = 0; i < k; ++i) o += (size_t)p[i].rows * p[i].cols;
    return o;
  }
};
LmuShape shape_of(const Layer& L) { return {L.in_size(), L.units, L.order, L.memory_d}; }
enum { EX, EH, EM, WX, WH, WM };

constexpr int kMaxLmuOrder = 256;        // the largest memory order of an lmu layer
constexpr long long kMaxLmuWeights = 1 << 22;  // weights of one lmu layer
constexpr int kMaxSumBits = 120;         // exact sums must fit the emulator's 128-bit integers

// The exact sums' formats (lmu.h: u_sum_t, mem_sum_t), from the input (X), result (R), state (S) formats and
// the layer's precisions.
int term_iwidth(const FixedFormat& a, const FixedFormat& w, const FixedFormat& acc) {
  return std::max(a.I + w.I + 1, acc.I);  // product_in_acc_units (+1 for an unsigned operand)
}
FixedFormat u_sum_format(const Layer& L, const FixedFormat& X) {
  const LayerPrecision& P = L.prec;
  const LmuShape s = shape_of(L);
  int I = std::max({term_iwidth(X, P.weight, P.accum), term_iwidth(P.result, P.weight, P.accum),
                    term_iwidth(P.state, P.weight, P.accum), P.bias.I + 1, P.accum.I});
  I += hl::clog2((unsigned long long)(s.n_in + s.units + s.nm() + 2)) + 1;
  return FixedFormat{I + P.accum.F(), I, true, P.accum.Q, hl::WRAP};
}
FixedFormat mem_sum_format(const Layer& L) {
  const LayerPrecision& P = L.prec;
  int I = P.matrix.I + P.state.I + 1 + hl::clog2((unsigned long long)L.order + 2) + 1;
  return FixedFormat{I + P.matrix.F() + P.state.F(), I, true, hl::TRN, hl::WRAP};
}

// A product (FP fraction bits) in the accumulator's fraction bits, as the template's term types.
template <class T>
inline T term_of(T p, int s, QuantMode Q) {
  if (s > 0) {
    if constexpr (std::is_same<T, int64_t>::value)
      return hl::detail::quantize64(p, s, Q);
    else
      return hl::detail::quantize_rt(p, s, Q);
  }
  return s == 0 ? p : p * ((T)1 << -s);
}

// ACC[j] += term(IN[i] * W[i * COLS + j]) for i < N, j < COLS: the products in the accumulator's fraction
// bits (S = product fraction bits minus the accumulator's, Q its quantization), with the mode chosen outside
// the loops so that the common ones (a left shift, rounding half up, truncation) are plain integer loops the
// compiler vectorises.
template <class T, class O>
void mac_rows(const O* in, int n, const O* w, int cols, T* acc, int s, QuantMode Q) {
  if (s <= 0) {
    const int ls = -s;
    for (int i = 0; i < n; ++i) {
      const T x = in[i];
      const O* wr = w + (size_t)i * cols;
      for (int j = 0; j < cols; ++j) acc[j] += (x * (T)wr[j]) * ((T)1 << ls);
    }
  } else if (Q == hl::RND || Q == hl::TRN) {
    const T half = Q == hl::RND ? (T)1 << (s - 1) : 0;
    for (int i = 0; i < n; ++i) {
      const T x = in[i];
      const O* wr = w + (size_t)i * cols;
      for (int j = 0; j < cols; ++j) acc[j] += (x * (T)wr[j] + half) >> s;
    }
  } else {
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < cols; ++j) acc[j] += term_of<T>((T)in[i] * (T)w[(size_t)i * cols + j], s, Q);
  }
}

class LmuKind : public LayerKind {
 public:
  std::set<std::string> json_keys() const override {
    return {"units", "order", "memory_d", "theta_s", "dt_s", "discretization", "activation", "table_size",
            "table_range_log2", "e_x", "e_h", "e_m", "W_x", "W_h", "W_m", "bias"};
  }
  bool own_activation() const override { return true; }

  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    const size_t errors_before = R.d.size();
    if (L.in_shape.size() != 1) R.err(p + ".type", lj["type"], "a 1-D input (one frame of features) for lmu");
    auto need = [&](const char* k, const std::string& what) {
      if (!lj.contains(k)) R.err(p + "." + k, json(), what);
      return lj.contains(k);
    };
    L.units = need("units", "the number of hidden units") ? R.integer(lj["units"], p + ".units", 1, 4096) : 1;
    L.order = need("order", "the memory's order d (1 to " + std::to_string(kMaxLmuOrder) + ")")
                  ? R.integer(lj["order"], p + ".order", 1, kMaxLmuOrder)
                  : 1;
    L.memory_d = lj.contains("memory_d") ? R.integer(lj["memory_d"], p + ".memory_d", 1, 64) : 1;
    auto seconds = [&](const char* k, double& v) {
      if (!lj.contains(k)) return;
      const json& x = lj[k];
      if (!x.is_number() || !(x.get<double>() > 0) || x.get<double>() > 1e4)
        R.err(p + "." + k, x, "a time in seconds, > 0 and at most 10000");
      else
        v = x.get<double>();
    };
    seconds("theta_s", L.theta_s);
    seconds("dt_s", L.dt_s);
    if (lj.contains("discretization")) {
      if (lj["discretization"] != "zoh" && lj["discretization"] != "euler")
        R.err(p + ".discretization", lj["discretization"], "\"zoh\" or \"euler\"");
      else
        L.discretization = lj["discretization"].get<std::string>();
    }
    if (lj.contains("activation")) {
      if (lj["activation"] != "tanh" && lj["activation"] != "relu")
        R.err(p + ".activation", lj["activation"], "the hidden state's activation: \"tanh\" or \"relu\"");
      else
        L.hidden_activation = lj["activation"].get<std::string>();
    }
    if (lj.contains("table_size")) {
      L.table_size = R.integer(lj["table_size"], p + ".table_size", 2, 1 << 16);
      if (L.table_size & (L.table_size - 1)) R.err(p + ".table_size", lj["table_size"], "a power of two");
    }
    if (lj.contains("table_range_log2"))
      L.table_range_log2 = R.integer(lj["table_range_log2"], p + ".table_range_log2", -4, 8);
    L.out_shape = {L.units};
    if (R.d.size() != errors_before) return true;  // sizes unknown: the weights cannot be checked

    const LmuShape s = shape_of(L);
    long long total = 0;
    for (const auto& part : s.parts()) total += (long long)part.rows * part.cols;
    if (total > kMaxLmuWeights) {
      R.err(p + ".units", lj["units"],
            "at most " + std::to_string(kMaxLmuWeights) + " weights in one lmu layer (these sizes give " +
                std::to_string(total) + ")");
      return true;
    }
    L.weights.clear();
    for (const auto& part : s.parts()) {
      std::vector<double> w;
      if (lj.contains(part.name))
        w = R.tensor(lj[part.name], p + "." + part.name, {part.rows, part.cols});
      else if (part.required)
        R.err(p + "." + part.name, json(),
              "weights [" + std::to_string(part.rows) + "][" + std::to_string(part.cols) + "]");
      w.resize((size_t)part.rows * part.cols, 0.0);  // (an optional matrix is zero)
      L.weights.insert(L.weights.end(), w.begin(), w.end());
    }
    L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {L.units}) : std::vector<double>(L.units, 0.0);

    // The memory.
    try {
      lmu::Memory mem = lmu::make_memory(L.order, L.theta_s, L.dt_s,
                                         L.discretization == "euler" ? lmu::Method::Euler : lmu::Method::Zoh);
      L.lmu_ab.clear();
      for (int i = 0; i < L.order; ++i)
        for (int j = 0; j < L.order; ++j) L.lmu_ab.push_back(mem.Abar(i, j));
      for (int i = 0; i < L.order; ++i) L.lmu_ab.push_back(mem.Bbar(i, 0));
    } catch (const std::exception& e) {
      R.err(p + ".theta_s", lj.value("theta_s", json(L.theta_s)), std::string("a valid memory: ") + e.what());
      return true;
    }
    const FixedFormat& M = L.prec.matrix;
    double big = 0;
    for (double v : L.lmu_ab) big = std::max(big, std::fabs(v));
    const double lim = std::ldexp(1.0, M.I - (M.S ? 1 : 0));
    if (big >= lim || (!M.S && std::any_of(L.lmu_ab.begin(), L.lmu_ab.end(), [](double v) { return v < 0; })))
      R.err(p + ".precision.matrix", json(M.str()),
            "a signed type that holds the memory's Abar and Bbar (largest magnitude " + format_double(big) +
                " for order " + std::to_string(L.order) + ", theta " + format_double(L.theta_s) + " s)");
    for (const FixedFormat* f : {&L.prec.weight, &L.prec.bias, &L.prec.accum, &L.prec.result, &L.prec.state, &L.prec.matrix})
      if (f->W > 48)
        R.err(p + ".precision", json(f->str()), "types of at most 48 bits in an lmu layer");
    if (L.hidden_activation == "tanh" && (L.prec.accum.F() < -96 || L.prec.accum.F() > 96))
      R.err(p + ".precision.accum", json(L.prec.accum.str()), "-96 to 96 fractional bits (it indexes the tanh table)");
    return true;
  }

  long long mults(const Layer& L) const override {
    const LmuShape s = shape_of(L);
    long long n = 0;
    for (const auto& part : s.parts()) n += (long long)part.rows * part.cols;
    return n + (long long)s.md * s.order * (s.order + 1);
  }

  // --- float ---
  void eval_float(const Layer& L, const std::vector<double>& in, std::vector<double>& out) const override {
    std::vector<double> state;
    eval_float_step(L, in, out, state);
  }

  void eval_float_step(const Layer& L, const std::vector<double>& x, std::vector<double>& y,
                       std::vector<double>& state) const override {
    const LmuShape s = shape_of(L);
    const int NI = s.n_in, U = s.units, D = s.order, MD = s.md, NM = s.nm();
    if (state.empty()) state.assign((size_t)NM + U, 0.0);
    const double* m = state.data();
    const double* h = state.data() + NM;
    const double* w = L.weights.data();
    const double *ex = w + s.offset(EX), *eh = w + s.offset(EH), *em = w + s.offset(EM), *Wx = w + s.offset(WX),
                 *Wh = w + s.offset(WH), *Wm = w + s.offset(WM);
    const double *A = L.lmu_ab.data(), *B = A + (size_t)D * D;
    std::vector<double> u(MD, 0.0), mn(NM), a(L.bias);
    for (int i = 0; i < NI; ++i)
      for (int k = 0; k < MD; ++k) u[k] += x[i] * ex[i * MD + k];
    for (int i = 0; i < U; ++i)
      for (int k = 0; k < MD; ++k) u[k] += h[i] * eh[i * MD + k];
    for (int i = 0; i < NM; ++i)
      for (int k = 0; k < MD; ++k) u[k] += m[i] * em[i * MD + k];
    for (int k = 0; k < MD; ++k)
      for (int i = 0; i < D; ++i) {
        double v = B[i] * u[k];
        for (int j = 0; j < D; ++j) v += A[i * D + j] * m[k * D + j];
        mn[k * D + i] = v;
      }
    for (int i = 0; i < NI; ++i)
      for (int j = 0; j < U; ++j) a[j] += x[i] * Wx[i * U + j];
    for (int i = 0; i < U; ++i)
      for (int j = 0; j < U; ++j) a[j] += h[i] * Wh[i * U + j];
    for (int i = 0; i < NM; ++i)
      for (int j = 0; j < U; ++j) a[j] += mn[i] * Wm[i * U + j];
    y.resize(U);
    for (int j = 0; j < U; ++j)
      y[j] = L.hidden_activation == "relu" ? std::max(a[j], 0.0) : std::tanh(a[j]);
    std::copy(mn.begin(), mn.end(), state.begin());
    std::copy(y.begin(), y.end(), state.begin() + NM);
  }

  // --- bit-accurate ---
  // The state V: the memory (state codes) then the hidden state (result codes). Constants K: Abar, Bbar
  // (matrix codes), the biases in the accumulator, the tanh table (table codes); K64 the same with the
  // weights when the 64-bit path applies (fast64).
  void emulate(const EmuLayer& e, Tensor& out) const override {
    const Layer& L = e.L;
    const LmuShape s = shape_of(L);
    LayerState& st = e.state;
    if (!st.ready) prepare(e);
    if (st.v.empty()) st.v.assign((size_t)s.nm() + s.units, 0);
    if (!st.k32.empty())
      step<int64_t, int32_t>(e, st.k32, out);
    else if (!st.k64.empty())
      step<int64_t, int64_t>(e, st.k64, out);
    else
      step<i128, i128>(e, st.k, out);
  }

  std::string hls_header() const override { return "lmu.h"; }
  bool hls_header_always() const override { return false; }

  void emit_hls(HlsLayer& h) const override {
    const Layer& L = h.L;
    const LmuShape s = shape_of(L);
    h.config << "struct " << h.cfg << " {\n  static const unsigned n_in = " << s.n_in << ";\n"
             << "  static const unsigned units = " << s.units << ";\n  static const unsigned order = " << s.order
             << ";\n  static const unsigned memory_d = " << s.md << ";\n"
             << "  static const unsigned activation = tinyforge::hls::lmu_" << L.hidden_activation << ";\n"
             << "  static const unsigned table_size = " << L.table_size << ";\n"
             << "  static const int table_range_log2 = " << L.table_range_log2 << ";\n"
             << "  typedef " << L.prec.weight.cpp() << " weight_t;\n  typedef " << L.prec.bias.cpp() << " bias_t;\n"
             << "  typedef " << L.prec.accum.cpp() << " accum_t;\n  typedef " << L.prec.state.cpp() << " state_t;\n"
             << "  typedef " << L.prec.matrix.cpp() << " matrix_t;\n  typedef " << L.prec.table.cpp()
             << " table_t;\n"
             << "  typedef " << u_sum_format(L, *h.in_fmt).cpp() << " u_sum_t;\n  typedef "
             << mem_sum_format(L).cpp() << " mem_sum_t;\n};\n";
    auto parts = s.parts();
    std::string args;
    for (int k = 0; k < (int)parts.size(); ++k) {
      size_t n = (size_t)parts[k].rows * parts[k].cols;
      std::vector<double> v(L.weights.begin() + s.offset(k), L.weights.begin() + s.offset(k) + n);
      h.weights(parts[k].name, v, L.prec.weight, h.cfg + "::weight_t");
      args += ", " + h.id + "_" + parts[k].name;
    }
    h.weights("b", L.bias, L.prec.bias, h.cfg + "::bias_t");
    const size_t DD = (size_t)L.order * L.order;
    h.weights("A", std::vector<double>(L.lmu_ab.begin(), L.lmu_ab.begin() + DD), L.prec.matrix, h.cfg + "::matrix_t");
    h.weights("B", std::vector<double>(L.lmu_ab.begin() + DD, L.lmu_ab.end()), L.prec.matrix, h.cfg + "::matrix_t");
    h.call << "  tinyforge::hls::lmu<" << h.prev_t << ", " << h.res_t << ", " << h.cfg << ">(" << h.prev_v << ", "
           << h.id << "_out, reset" << args << ", " << h.id << "_b, " << h.id << "_A, " << h.id << "_B);\n";
  }

  bool has_rtl() const override { return false; }
  void emit_rtl(RtlLayer&) const override {}

 private:
  // The 64-bit path applies when every product and every exact sum fits in 62 bits.
  static bool fits64(const Layer& L, const FixedFormat& X) {
    const LayerPrecision& P = L.prec;
    for (const FixedFormat* a : {&X, &P.result, &P.state}) {
      if (a->W + P.weight.W > 62) return false;
      const int s = a->F() + P.weight.F() - P.accum.F();
      if (s > 62 || a->W + P.weight.W + std::max(0, -s) > 62) return false;
    }
    return u_sum_format(L, X).W <= 62 && mem_sum_format(L).W <= 62 && P.matrix.W + P.state.W <= 62;
  }

  void prepare(const EmuLayer& e) const {
    const Layer& L = e.L;
    LayerState& st = e.state;
    const LayerPrecision& P = L.prec;
    st.k.clear();
    for (double v : L.lmu_ab) st.k.push_back(P.matrix.from_double(v));
    for (i128 b : e.b) st.k.push_back(P.accum.from_exact(b, P.bias.F()));
    if (L.hidden_activation == "tanh")
      for (int k = 0; k < L.table_size; ++k)
        st.k.push_back(P.table.from_double(
            hl::table_entry_value(hl::TABLE_TANH, (unsigned)k, (unsigned)L.table_size, L.table_range_log2)));
    // The operands (weights, then Abar and Bbar) for the 64-bit path, in 32-bit integers when every operand
    // fits in 31 bits (their products are then vectorised even without 64-bit multiplies).
    st.k64.clear();
    st.k32.clear();
    const size_t n_ab = L.lmu_ab.size();
    if (fits64(L, e.in.fmt)) {
      bool narrow = true;
      for (const FixedFormat* f : {&e.in.fmt, &P.weight, &P.result, &P.state, &P.matrix}) narrow &= f->W <= 31;
      if (narrow) {
        for (i128 v : e.w) st.k32.push_back((int32_t)v);
        for (size_t i = 0; i < n_ab; ++i) st.k32.push_back((int32_t)st.k[i]);
      } else {
        for (i128 v : e.w) st.k64.push_back((int64_t)v);
        for (size_t i = 0; i < n_ab; ++i) st.k64.push_back((int64_t)st.k[i]);
      }
    }
    if (u_sum_format(L, e.in.fmt).W > kMaxSumBits || mem_sum_format(L).W > kMaxSumBits)
      throw InputError("layer '" + L.name + "' (lmu): its exact sums need " +
                       std::to_string(std::max(u_sum_format(L, e.in.fmt).W, mem_sum_format(L).W)) +
                       " bits; at most " + std::to_string(kMaxSumBits) + ": narrow its precisions");
    st.ready = true;
  }

  // One frame in accumulators of type T, with operands (inputs, states, weights, Abar, Bbar) of type O. KW:
  // the weights, then Abar and Bbar (in the 128-bit path: Abar, Bbar, ... with the weights in e.w). The biases
  // in the accumulator and the tanh table come from the constants (LayerState::k).
  template <class T, class O>
  void step(const EmuLayer& e, const std::vector<O>& kw, Tensor& out) const {
    const Layer& L = e.L;
    const LayerPrecision& P = L.prec;
    const LmuShape s = shape_of(L);
    const int NI = s.n_in, U = s.units, D = s.order, MD = s.md, NM = s.nm();
    const bool wide = std::is_same<O, i128>::value;
    const size_t nw = L.weights.size();
    const O* w = wide ? reinterpret_cast<const O*>(e.w.data()) : kw.data();
    const O* A = kw.data() + (wide ? 0 : nw);
    const O* B = A + (size_t)D * D;
    const i128* bacc = e.state.k.data() + L.lmu_ab.size();
    const i128* table = bacc + U;
    const O *ex = w + s.offset(EX), *eh = w + s.offset(EH), *em = w + s.offset(EM), *Wx = w + s.offset(WX),
            *Wh = w + s.offset(WH), *Wm = w + s.offset(WM);
    const FixedFormat &X = e.in.fmt, &A_ = P.accum, &S = P.state, &R = P.result, &M = P.matrix, &Wf = P.weight;
    const int sx = X.F() + Wf.F() - A_.F(), sh = R.F() + Wf.F() - A_.F(), sm = S.F() + Wf.F() - A_.F();
    const QuantMode Q = A_.Q;
    thread_local std::vector<O> x, m, h, mn, u;
    thread_local std::vector<T> acc;
    x.resize(NI);
    m.resize(NM);
    h.resize(U);
    mn.resize(NM);
    for (int i = 0; i < NI; ++i) x[i] = (O)e.in.raw[i];
    for (int i = 0; i < NM; ++i) m[i] = (O)e.state.v[i];
    for (int i = 0; i < U; ++i) h[i] = (O)e.state.v[NM + i];
    LayerStats& stats = e.stats;

    // The memories' input.
    acc.assign(MD, 0);
    mac_rows<T, O>(x.data(), NI, ex, MD, acc.data(), sx, Q);
    mac_rows<T, O>(h.data(), U, eh, MD, acc.data(), sh, Q);
    mac_rows<T, O>(m.data(), NM, em, MD, acc.data(), sm, Q);
    u.resize(MD);
    for (int q = 0; q < MD; ++q) {  // (as acc_to_result; the state type's overflows are state overflows)
      bool c1, c2;
      const i128 a = convert(A_, (i128)acc[q], A_.F(), c1);
      u[q] = (O)convert(S, a, A_.F(), c2);
      if (c1 || c2) ++((c1 ? A_.O : S.O) == hl::WRAP ? stats.wrapped : stats.saturated);
      stats.state_overflow += c2;
      ++stats.values;
    }

    // The memories' update.
    const int fm = M.F() + S.F();
    for (int q = 0; q < MD; ++q)
      for (int i = 0; i < D; ++i) {
        T v = (T)B[i] * (T)u[q];
        const O* Ai = A + (size_t)i * D;
        const O* mq = m.data() + (size_t)q * D;
        for (int j = 0; j < D; ++j) v += (T)Ai[j] * (T)mq[j];
        bool changed;
        const i128 r = convert(S, (i128)v, fm, changed);
        if (changed) {
          ++(S.O == hl::WRAP ? stats.wrapped : stats.saturated);
          ++stats.state_overflow;
        }
        ++stats.values;
        mn[q * D + i] = (O)r;
      }

    // The hidden state.
    acc.resize(U);
    for (int j = 0; j < U; ++j) acc[j] = (T)bacc[j];
    mac_rows<T, O>(x.data(), NI, Wx, U, acc.data(), sx, Q);
    mac_rows<T, O>(h.data(), U, Wh, U, acc.data(), sh, Q);
    mac_rows<T, O>(mn.data(), NM, Wm, U, acc.data(), sm, Q);
    out.raw.resize(U);
    const bool relu = L.hidden_activation == "relu";
    for (int j = 0; j < U; ++j) {
      if (relu) {
        // (as acc_to_result, with the negative values 0)
        bool c1, c2;
        const i128 a = convert(A_, (i128)acc[j], A_.F(), c1);
        const i128 r = convert(R, a > 0 ? a : 0, A_.F(), c2);
        if (c1 || c2) ++((c1 ? A_.O : R.O) == hl::WRAP ? stats.wrapped : stats.saturated);
        ++stats.values;
        out.raw[j] = r;
      } else {
        bool c1;
        const i128 a = convert(A_, (i128)acc[j], A_.F(), c1);
        if (c1) ++(A_.O == hl::WRAP ? stats.wrapped : stats.saturated);
        const unsigned idx = signed_table_index(a, A_.F(), (unsigned)L.table_size, L.table_range_log2);
        out.raw[j] = to_fmt(R, (i128)table[idx], P.table.F(), stats);
      }
    }
    for (int i = 0; i < NM; ++i) e.state.v[i] = (i128)mn[i];
    for (int j = 0; j < U; ++j) e.state.v[NM + j] = out.raw[j];
  }
};

}  // namespace

TF_REGISTER_LAYER("lmu", 70, LmuKind)

}  // namespace tf::hlsgen
