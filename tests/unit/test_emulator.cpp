// The run-time emulator (model IR) against the compile-time template library, bit for bit, layer by layer.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <random>

#include "emulate.h"
#include "emulate_ops.h"
#include "tinyforge/hls/activation.h"
#include "tinyforge/hls/batchnorm.h"
#include "tinyforge/hls/conv.h"
#include "tinyforge/hls/dense.h"
#include "tinyforge/hls/pooling.h"
#include "tinyforge/hls/softmax.h"

using namespace tf::hlsgen;
using tf::json;
namespace hl = tinyforge::hls;

namespace {
FixedFormat F(const char* s) {
  FixedFormat f;
  std::string why;
  REQUIRE(FixedFormat::parse(s, f, why));
  return f;
}
std::vector<double> uniform(std::mt19937_64& rng, size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}
template <class T, size_t N>
void same(const Tensor& t, const T (&a)[N]) {
  REQUIRE(t.raw.size() == N);
  for (size_t k = 0; k < N; ++k) REQUIRE((int64_t)t.raw[k] == (int64_t)a[k].raw());
}

typedef hl::fixed<12, 4> in_t;
typedef hl::fixed<10, 3, hl::RND, hl::SAT> w_t;
typedef hl::fixed<20, 8, hl::RND_CONV, hl::SAT> acc_t;
typedef hl::fixed<14, 5, hl::RND, hl::SAT> out_t;

struct dcfg : hl::dense_config {
  static const unsigned n_in = 12, n_out = 6, reuse_factor = 3;
  typedef w_t weight_t;
  typedef w_t bias_t;
  typedef acc_t accum_t;
};
struct tcfg : hl::activ_config {
  static const unsigned n_in = 6, table_size = 256;
  static const int table_range_log2 = 2;
  typedef hl::fixed<18, 2, hl::RND, hl::SAT> table_t;
};
struct lcfg {
  static const unsigned n_in = 6;
  typedef hl::ufixed<18, 0, hl::RND> alpha_t;
  static alpha_t alpha() { return alpha_t(0.1); }
  typedef hl::fixed<18, 2, hl::RND> slope_t;
  static slope_t slope() { return slope_t(0.2); }
  static slope_t shift() { return slope_t(0.5); }
};
struct scfg : hl::softmax_config {
  static const unsigned n_in = 6, exp_table_size = 1024, inv_table_size = 2048;
  static const int exp_range_log2 = 3, inv_range_log2 = 3;  // clog2(6) = 3
  typedef hl::ufixed<18, 1, hl::RND, hl::SAT> exp_table_t;
  typedef hl::ufixed<18, 8, hl::RND, hl::SAT> inv_table_t;
  typedef hl::ufixed<18, 4, hl::TRN, hl::SAT> exp_sum_t;
};
}  // namespace

TEST_CASE("emulator equals templates: dense and activations", "[hls][emulator]") {
  std::mt19937_64 rng(77);
  for (const char* act : {"relu", "leaky_relu", "hard_sigmoid", "hard_tanh", "sigmoid", "tanh", "softmax"}) {
    Model m;
    m.input_shape = {12};
    m.input = F("fixed<12,4>");
    Layer d;
    d.type = "dense";
    d.name = "fc";
    d.units = 6;
    d.in_shape = {12};
    d.out_shape = {6};
    d.prec = {F("fixed<10,3,RND,SAT>"), F("fixed<10,3,RND,SAT>"), F("fixed<20,8,RND_CONV,SAT>"),
              F("fixed<14,5,RND,SAT>"), F("fixed<18,2,RND,SAT>")};
    d.reuse_factor = 3;
    d.weights = uniform(rng, 72, -2, 2);
    d.bias = uniform(rng, 6, -1, 1);
    Layer a = d;
    a.type = act;
    a.name = act;
    a.in_shape = a.out_shape = {6};
    a.weights.clear();
    a.bias.clear();
    a.alpha = 0.1;
    a.table_size = 256;
    a.table_range_log2 = 2;
    a.prec.result = F("fixed<16,3,RND,SAT>");
    m.layers = {d, a};
    Emulator em(m);
    w_t w[72], b[6];
    for (int k = 0; k < 72; ++k) w[k] = d.weights[k];
    for (int k = 0; k < 6; ++k) b[k] = d.bias[k];
    for (int rep = 0; rep < 300; ++rep) {
      INFO(act << " rep " << rep);
      std::vector<double> x = uniform(rng, 12, -6, 6);
      in_t xi[12];
      for (int k = 0; k < 12; ++k) xi[k] = x[k];
      out_t h[6];
      hl::dense<in_t, out_t, dcfg>(xi, h, w, b);
      typedef hl::fixed<16, 3, hl::RND, hl::SAT> r_t;
      r_t y[6];
      std::string s = act;
      if (s == "relu") hl::relu<out_t, r_t, lcfg>(h, y);
      if (s == "leaky_relu") hl::leaky_relu<out_t, r_t, lcfg>(h, y);
      if (s == "hard_sigmoid") hl::hard_sigmoid<out_t, r_t, lcfg>(h, y);
      if (s == "hard_tanh") hl::hard_tanh<out_t, r_t, lcfg>(h, y);
      if (s == "sigmoid") hl::sigmoid<out_t, r_t, tcfg>(h, y);
      if (s == "tanh") hl::tanh<out_t, r_t, tcfg>(h, y);
      if (s == "softmax") hl::softmax<out_t, r_t, scfg>(h, y);
      auto outs = em.run(x);
      same(outs[0], h);
      same(outs[1], y);
    }
  }
}

namespace {
struct c2 : hl::conv2d_config {
  static const unsigned in_height = 6, in_width = 5, n_chan = 2, filt_height = 3, filt_width = 3, n_filt = 3;
  static const unsigned stride_height = 1, stride_width = 2, pad_top = 1, pad_bottom = 1, pad_left = 1, pad_right = 1;
  static const unsigned out_height = 6, out_width = 3;
  typedef w_t weight_t;
  typedef w_t bias_t;
  typedef acc_t accum_t;
};
struct p2 : hl::pool2d_config {
  static const unsigned in_height = 6, in_width = 3, n_chan = 3, pool_height = 2, pool_width = 2;
  static const unsigned stride_height = 2, stride_width = 2, pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 1;
  static const unsigned out_height = 3, out_width = 2, op = hl::POOL_AVG;
};
struct bn : hl::batchnorm_config {
  static const unsigned n_in = 18, n_filt = 3;
  typedef w_t scale_t;
  typedef w_t bias_t;
};
}  // namespace

TEST_CASE("emulator equals templates: conv2d, average pooling with padding, batchnorm", "[hls][emulator]") {
  std::mt19937_64 rng(78);
  Model m;
  m.input_shape = {6, 5, 2};
  m.input = F("fixed<12,4>");
  LayerPrecision P{F("fixed<10,3,RND,SAT>"), F("fixed<10,3,RND,SAT>"), F("fixed<20,8,RND_CONV,SAT>"),
                   F("fixed<14,5,RND,SAT>"), F("fixed<18,2,RND,SAT>")};
  Layer c;
  c.type = "conv2d";
  c.filters = 3;
  c.kernel = {3, 3};
  c.strides = {1, 2};
  c.pad_begin = {1, 1};
  c.pad_end = {1, 1};
  c.in_shape = {6, 5, 2};
  c.out_shape = {6, 3, 3};
  c.prec = P;
  c.weights = uniform(rng, 54, -1, 1);
  c.bias = uniform(rng, 3, -1, 1);
  Layer p;
  p.type = "avgpool2d";
  p.kernel = {2, 2};
  p.strides = {2, 2};
  p.pad_begin = {0, 0};
  p.pad_end = {0, 1};
  p.in_shape = {6, 3, 3};
  p.out_shape = {3, 2, 3};
  p.prec = P;
  Layer b;
  b.type = "batchnorm";
  b.in_shape = b.out_shape = {3, 2, 3};
  b.prec = P;
  b.weights = uniform(rng, 3, -2, 2);
  b.bias = uniform(rng, 3, -1, 1);
  m.layers = {c, p, b};
  Emulator em(m);
  w_t w[54], cb[3], s[3], bb[3];
  for (int k = 0; k < 54; ++k) w[k] = c.weights[k];
  for (int k = 0; k < 3; ++k) cb[k] = c.bias[k], s[k] = b.weights[k], bb[k] = b.bias[k];
  for (int rep = 0; rep < 200; ++rep) {
    std::vector<double> x = uniform(rng, 60, -7, 7);
    in_t xi[60];
    for (int k = 0; k < 60; ++k) xi[k] = x[k];
    out_t y1[54], y2[18], y3[18];
    hl::conv2d<in_t, out_t, c2>(xi, y1, w, cb);
    hl::pool2d<out_t, out_t, p2>(y1, y2);
    hl::batchnorm<out_t, out_t, bn>(y2, y3, s, bb);
    auto outs = em.run(x);
    same(outs[0], y1);
    same(outs[1], y2);
    same(outs[2], y3);
  }
}

namespace {
typedef hl::ufixed<8, 4> u_t;
struct ucfg : hl::dense_config {
  static const unsigned n_in = 4, n_out = 2, reuse_factor = 1;
  typedef u_t weight_t;
  typedef u_t bias_t;
  typedef hl::fixed<16, 8, hl::TRN, hl::SAT> accum_t;
};
struct htcfg {
  static const unsigned n_in = 2;
};
}  // namespace

TEST_CASE("emulator equals templates: unsigned x unsigned products, hard_tanh on wide types", "[hls][emulator]") {
  // 15 x 15 = 225 needs 9 integer bits as a signed term; the accumulator then saturates to 127.996.
  Model m;
  m.input_shape = {4};
  m.input = F("ufixed<8,4>");
  Layer d;
  d.type = "dense";
  d.units = 2;
  d.in_shape = {4};
  d.out_shape = {2};
  d.prec = {F("ufixed<8,4>"), F("ufixed<8,4>"), F("fixed<16,8,TRN,SAT>"), F("fixed<16,8,TRN,SAT>"), F("fixed<18,2>")};
  d.weights = {15, 1, 15, 0, 15, 0, 0, 0};  // y0 = 450 saturates, y1 = 15 fits
  d.bias = {0, 0};
  m.layers = {d};
  Emulator em(m);
  u_t x[4] = {15.0, 15.0, 0.0, 0.0}, w[8], b[2] = {0.0, 0.0};
  for (int k = 0; k < 8; ++k) w[k] = d.weights[k];
  hl::fixed<16, 8, hl::TRN, hl::SAT> y[2];
  hl::dense<u_t, hl::fixed<16, 8, hl::TRN, hl::SAT>, ucfg>(x, y, w, b);
  auto out = em.run({15, 15, 0, 0});
  same(out[0], y);
  CHECK(y[0].to_double() == Approx(128 - 1.0 / 256));
  CHECK(em.stats()[0].saturated == 1);  // counted once per value
  // hard_tanh on a 60-bit input just below -1: compared exactly.
  Model h;
  h.input_shape = {2};
  h.input = F("fixed<60,4>");
  Layer t;
  t.type = "hard_tanh";
  t.in_shape = t.out_shape = {2};
  t.prec.result = F("fixed<60,4>");
  h.layers = {t};
  typedef hl::fixed<60, 4> w60;
  w60 xi[2];
  xi[0] = w60::from_raw(-((hl::detail::i128)1 << 56) - 1);  // -1 - 2^-56
  xi[1] = w60::from_raw(((hl::detail::i128)1 << 56) + 1);
  w60 yo[2];
  hl::hard_tanh<w60, w60, htcfg>(xi, yo);
  Emulator eh(h);
  Tensor tin;
  auto o = eh.run({w60(xi[0]).to_double(), w60(xi[1]).to_double()});  // the doubles round to exactly +-1
  CHECK(yo[0].to_double() == -1.0);
  CHECK(yo[1].to_double() == 1.0);
  CHECK(o[0].at(0) == -1.0);
}

// The 64-bit accumulation path (Mac64, taken when every value fits) against the exact 128-bit one (term and
// add_each, which the tests above check against the templates and tests/hls4ml against an independent
// reference): same sums, same overflow counts, over random formats, every quantization and overflow mode and
// both accumulation modes, with data that overflows the accumulator often.
TEST_CASE("emulator: 64-bit accumulation equals the 128-bit path", "[hls][emulator]") {
  std::mt19937_64 rng(20261202);
  const QuantMode qs[] = {hl::TRN, hl::TRN_ZERO, hl::RND, hl::RND_ZERO, hl::RND_MIN_INF, hl::RND_INF, hl::RND_CONV};
  const OvfMode os[] = {hl::WRAP, hl::SAT, hl::SAT_ZERO, hl::SAT_SYM};
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int fast_cases = 0;
  for (int c = 0; c < 4000; ++c) {
    FixedFormat in, w, A;
    in.W = pick(1, 32), in.I = pick(-8, 40), in.S = pick(0, 1);
    w.W = pick(1, 32), w.I = pick(-8, 40), w.S = pick(0, 1);
    A.W = pick(2, 64), A.I = pick(-10, 70), A.S = pick(0, 1), A.Q = qs[pick(0, 6)], A.O = os[pick(0, 3)];
    const bool each = pick(0, 1);
    const int n = pick(1, 300);
    const Mac64 m(A, in, w, each, n);
    if (!m.ok) continue;
    ++fast_cases;
    auto code = [&](const FixedFormat& f) {
      i128 lo = f.S ? -((i128)1 << (f.W - 1)) : 0, hi = f.S ? ((i128)1 << (f.W - 1)) - 1 : ((i128)1 << f.W) - 1;
      return lo + (i128)(std::uniform_int_distribution<uint64_t>(0, (uint64_t)(hi - lo))(rng));
    };
    const int fp = in.F() + w.F();
    LayerStats s128, s64, sk;
    const i128 start = code(A);
    std::vector<i128> prods(n);
    for (auto& p : prods) p = code(in) * code(w);
    std::vector<int64_t> want(n), general(n), kernel(n);
    i128 acc = start;
    int64_t acc64 = (int64_t)start;
    for (int k = 0; k < n; ++k) {
      acc = each ? add_each(A, acc, prods[k], fp, s128) : acc + term(prods[k], fp, A);
      want[k] = (int64_t)acc;
      general[k] = acc64 = m.add(acc64, (int64_t)prods[k], s64);
    }
    m.with_adder([&](const auto& add) {  // the adder a kernel gets (specialised for the common modes)
      int64_t a = (int64_t)start;
      for (int k = 0; k < n; ++k) kernel[k] = a = add(a, (int64_t)prods[k], sk);
    });
    REQUIRE(general == want);
    REQUIRE(kernel == want);
    REQUIRE(s64.saturated == s128.saturated);
    REQUIRE(s64.wrapped == s128.wrapped);
    REQUIRE(sk.saturated == s128.saturated);
    REQUIRE(sk.wrapped == s128.wrapped);
  }
  REQUIRE(fast_cases > 1000);  // the random formats exercise the fast path, not only the fallback
}

// convert() (the emulator's conversion with overflow counting) against its definition: the value is what the
// format's conversion gives, and it counts as changed when that differs from the same conversion into a format
// with 40 more integer bits and no overflow handling. Random formats and values around every boundary, so that
// both its 64-bit path and the 128-bit one run.
TEST_CASE("emulator: conversion with overflow counting equals its definition", "[hls][emulator]") {
  std::mt19937_64 rng(7);
  const QuantMode qs[] = {hl::TRN, hl::TRN_ZERO, hl::RND, hl::RND_ZERO, hl::RND_MIN_INF, hl::RND_INF, hl::RND_CONV};
  const OvfMode os[] = {hl::WRAP, hl::SAT, hl::SAT_ZERO, hl::SAT_SYM};
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int c = 0; c < 200000; ++c) {
    FixedFormat f;
    f.W = pick(1, 70), f.I = pick(-10, 80), f.S = pick(0, 1), f.Q = qs[pick(0, 6)], f.O = os[pick(0, 3)];
    const int fsrc = pick(-30, 90);
    const int bits = pick(0, 100);
    i128 v = (i128)(rng() >> 1);
    if (bits < 64) v >>= (63 - bits);
    else v = (v << (bits - 63)) + (i128)rng();
    if (pick(0, 1)) v = -v;
    FixedFormat wide = f;
    wide.W = f.W + 40;
    wide.I = f.I + 40;
    wide.O = hl::WRAP;
    const i128 want = f.from_exact(v, fsrc);
    const bool want_changed = wide.from_exact(v, fsrc) != want;
    bool changed = false;
    const i128 got = convert(f, v, fsrc, changed);
    REQUIRE(got == want);
    REQUIRE(changed == want_changed);
  }
}

// A whole dense layer through the emulator (its 64-bit kernels: four outputs at a time, the optimistic pass
// with conversion after every addition and its fallback) against the same layer computed here term by term
// with the 128-bit helpers, over random shapes (odd output counts too), formats and data scaled so that some
// outputs saturate or wrap inside the sum and most do not.
TEST_CASE("emulator: dense kernels equal the term-by-term 128-bit computation", "[hls][emulator]") {
  std::mt19937_64 rng(99);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* accs[] = {"fixed<16,6,TRN,SAT>", "fixed<16,6,RND,WRAP>", "ufixed<14,5,TRN,SAT>", "fixed<20,8,RND,SAT>",
                        "fixed<12,7,TRN,WRAP>", "fixed<18,4,RND_CONV,SAT_SYM>", "fixed<24,12>"};
  const char* ins[] = {"fixed<16,6>", "ufixed<8,3>", "fixed<10,2,RND,SAT>"};
  int optimistic_hits = 0, fallbacks = 0;
  for (int c = 0; c < 300; ++c) {
    const int n_in = pick(1, 40), n_out = pick(1, 20);
    const std::string acc = accs[pick(0, 6)], in = ins[pick(0, 2)];
    const bool each = pick(0, 3) != 0;
    const double scale = std::ldexp(1.0, pick(-4, 2));
    json W = json::array();
    for (int i = 0; i < n_in; ++i) W.push_back(uniform(rng, n_out, -scale, scale));
    json layer = {{"name", "d"}, {"type", "dense"}, {"units", n_out}, {"weights", W},
                  {"bias", uniform(rng, n_out, -scale, scale)}};
    if (each) layer["accumulation"] = "hls4ml";
    json mj = {{"input", {{"shape", {n_in}}, {"precision", in}}},
               {"precision", {{"result", "fixed<16,6,RND,SAT>"}, {"accum", acc}, {"weight", "fixed<10,3>"}, {"bias", "fixed<10,3>"}}},
               {"layers", {layer}}};
    Model md = load_model(mj, "random_dense.json");
    Emulator em(md);
    const Layer& L = md.layers[0];
    const FixedFormat& A = L.prec.accum;
    LayerStats st;  // the reference's counts over the five vectors
    for (int v = 0; v < 5; ++v) {
      std::vector<double> x = uniform(rng, n_in, -16, 16);
      Tensor y = em.run(x).back();
      Tensor xin;
      xin.fmt = md.input;
      for (double d : x) xin.raw.push_back(md.input.from_double(d));
      const int fp = xin.fmt.F() + L.prec.weight.F();
      for (int j = 0; j < n_out; ++j) {
        i128 a = A.from_exact(em.biases(0)[j], L.prec.bias.F());
        LayerStats inner;
        for (int i = 0; i < n_in; ++i) {
          const i128 prod = xin.raw[i] * em.weights(0)[i * n_out + j];
          a = each ? add_each(A, a, prod, fp, inner) : a + term(prod, fp, A);
        }
        (inner.saturated + inner.wrapped ? fallbacks : optimistic_hits) += each;
        st.saturated += inner.saturated;
        st.wrapped += inner.wrapped;
        REQUIRE(y.raw[j] == acc_to_result(A, L.prec.result, a, st));
      }
    }
    REQUIRE(em.stats()[0].saturated == st.saturated);
    REQUIRE(em.stats()[0].wrapped == st.wrapped);
    REQUIRE(em.stats()[0].values == st.values);
  }
  CHECK(optimistic_hits > 100);
  CHECK(fallbacks > 20);
}
