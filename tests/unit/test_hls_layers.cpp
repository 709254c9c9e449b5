// HLS layers against double-precision references (within the error their precision implies) and against
// hand-computed integer oracles (bit-exact, including saturation and wrap). Compiled as C++14, the standard
// the generated projects use.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "tinyforge/hls/activation.h"
#include "tinyforge/hls/batchnorm.h"
#include "tinyforge/hls/dense.h"
#include "tinyforge/hls/softmax.h"

using namespace tinyforge::hls;

namespace {

template <unsigned NI, unsigned NO, unsigned R, unsigned STRAT, class ACC>
struct dcfg : dense_config {
  static const unsigned n_in = NI, n_out = NO, reuse_factor = R, strategy = STRAT;
  typedef fixed<16, 6> weight_t;
  typedef fixed<16, 6> bias_t;
  typedef ACC accum_t;
};

template <class T>
T rnd(std::mt19937_64& rng, double lo, double hi) {
  return T(std::uniform_real_distribution<double>(lo, hi)(rng));
}

// floor(a / 2^s) and round-half-up(a / 2^s) on plain integers.
int64_t floor_shift(int64_t a, int s) { return a >= 0 ? a >> s : -((-a + (1LL << s) - 1) >> s); }

}  // namespace

TEST_CASE("dense: bit-exact against an integer oracle, independent of strategy and reuse factor", "[hls][dense]") {
  const unsigned NI = 12, NO = 5;
  typedef fixed<32, 12> acc_t;
  typedef fixed<16, 6, RND, SAT> res_t;
  std::mt19937_64 rng(11);
  for (int rep = 0; rep < 300; ++rep) {
    fixed<16, 6> x[NI], w[NI * NO], b[NO];
    double scale = rep % 3 == 0 ? 8.0 : 1.0;  // a third of the cases saturate
    for (auto& v : x) v = rnd<fixed<16, 6>>(rng, -scale, scale);
    for (auto& v : w) v = rnd<fixed<16, 6>>(rng, -scale, scale);
    for (auto& v : b) v = rnd<fixed<16, 6>>(rng, -1, 1);
    res_t y1[NO], y2[NO], y3[NO];
    dense<fixed<16, 6>, res_t, dcfg<NI, NO, 1, latency, acc_t>>(x, y1, w, b);
    dense<fixed<16, 6>, res_t, dcfg<NI, NO, 4, resource, acc_t>>(x, y2, w, b);
    dense<fixed<16, 6>, res_t, dcfg<NI, NO, 60, latency, acc_t>>(x, y3, w, b);
    for (unsigned j = 0; j < NO; ++j) {
      // Oracle: products have 20 fraction bits, like acc_t, so the sum is exact in int64; acc_t holds
      // [-2^11, 2^11) (no overflow here); res_t rounds half up to 10 fraction bits and saturates to 16 bits.
      int64_t s = (int64_t)b[j].raw() * 1024;
      for (unsigned i = 0; i < NI; ++i) s += (int64_t)x[i].raw() * w[i * NO + j].raw();
      int64_t r = floor_shift(s + (1 << 9), 10);
      r = std::max<int64_t>(-32768, std::min<int64_t>(32767, r));
      REQUIRE(y1[j].raw() == r);
      REQUIRE(y2[j].raw() == y1[j].raw());
      REQUIRE(y3[j].raw() == y1[j].raw());
      double ref = b[j].to_double();
      for (unsigned i = 0; i < NI; ++i) ref += x[i].to_double() * w[i * NO + j].to_double();
      if (std::fabs(ref) < 31.9) REQUIRE(std::fabs(y1[j].to_double() - ref) <= std::ldexp(1.0, -11));
    }
  }
}

TEST_CASE("dense: narrow accumulator wraps the total once (hand-computed)", "[hls][dense]") {
  // 3 inputs of 4.0 times weights 4.0 = 48 into fixed<12,6> (range [-32, 32)): 48 wraps to -16.
  fixed<16, 6> x[3] = {4.0, 4.0, 4.0}, w[3] = {4.0, 4.0, 4.0}, b[1] = {0.0};
  fixed<16, 6> y[1];
  dense<fixed<16, 6>, fixed<16, 6>, dcfg<3, 1, 1, latency, fixed<12, 6>>>(x, y, w, b);
  CHECK(y[0].to_double() == -16.0);
  // Saturating accumulator: clamps to 32 - 2^-6 (6 fraction bits).
  dense<fixed<16, 6>, fixed<16, 6>, dcfg<3, 1, 1, latency, fixed<12, 6, TRN, SAT>>>(x, y, w, b);
  CHECK(y[0].to_double() == 31.984375);
  // The partial sums 16, 32 would overflow a sequential saturating accumulator differently; the total is
  // what counts: 16 + 16 - 16 = 16 fits.
  fixed<16, 6> w2[3] = {4.0, 4.0, -4.0};
  dense<fixed<16, 6>, fixed<16, 6>, dcfg<3, 1, 1, latency, fixed<12, 6, TRN, SAT>>>(x, y, w2, b);
  CHECK(y[0].to_double() == 16.0);
}

struct a8 {
  static const unsigned n_in = 8;
  typedef ufixed<8, 0, RND> alpha_t;
  static alpha_t alpha() { return alpha_t(0.25); }
  typedef fixed<8, 2> slope_t;
  static slope_t slope() { return slope_t(0.203125); }  // 0.2 in 6 fraction bits
  static slope_t shift() { return slope_t(0.5); }
};

TEST_CASE("relu, leaky relu, hard sigmoid, hard tanh: exact", "[hls][activation]") {
  std::mt19937_64 rng(5);
  for (int rep = 0; rep < 500; ++rep) {
    fixed<12, 5> x[8];
    for (auto& v : x) v = rnd<fixed<12, 5>>(rng, -20, 20);
    fixed<10, 4, TRN, SAT> r[8], l[8], ht[8];
    ufixed<10, 1, TRN, SAT> hs[8];
    relu<fixed<12, 5>, fixed<10, 4, TRN, SAT>, a8>(x, r);
    leaky_relu<fixed<12, 5>, fixed<10, 4, TRN, SAT>, a8>(x, l);
    hard_sigmoid<fixed<12, 5>, ufixed<10, 1, TRN, SAT>, a8>(x, hs);
    hard_tanh<fixed<12, 5>, fixed<10, 4, TRN, SAT>, a8>(x, ht);
    for (int i = 0; i < 8; ++i) {
      double v = x[i].to_double();  // all values below are exact in double
      REQUIRE(r[i] == fixed<10, 4, TRN, SAT>(v > 0 ? v : 0.0));
      REQUIRE(l[i] == fixed<10, 4, TRN, SAT>(v > 0 ? v : 0.25 * v));
      double h = std::min(1.0, std::max(0.0, 0.203125 * v + 0.5));
      REQUIRE(hs[i] == ufixed<10, 1, TRN, SAT>(h));
      REQUIRE(ht[i] == fixed<10, 4, TRN, SAT>(std::min(1.0, std::max(-1.0, v))));
    }
  }
  // Saturation: relu of 20 into fixed<10,4> (max 7.96875).
  fixed<12, 5> big[8] = {15.5, -15.5, 0, 0, 0, 0, 0, 0};
  fixed<10, 4, TRN, SAT> r[8];
  relu<fixed<12, 5>, fixed<10, 4, TRN, SAT>, a8>(big, r);
  CHECK(r[0].to_double() == 7.984375);  // max of fixed<10,4>: 8 - 2^-6
  CHECK(r[1].to_double() == 0.0);
}

struct act_cfg : activ_config {
  static const unsigned n_in = 8;
};
struct tanh_cfg : activ_config {
  static const unsigned n_in = 8;
  typedef fixed<18, 2, RND, SAT> table_t;  // tanh is signed
};

TEST_CASE("sigmoid and tanh tables: index arithmetic and accuracy", "[hls][activation]") {
  // Hand-computed indices: 1024 bins over [-8, 8), 64 bins per unit.
  CHECK(table_index(fixed<16, 6>(-8.0), 1024, 3) == 0u);
  CHECK(table_index(fixed<16, 6>(0.0), 1024, 3) == 512u);
  CHECK(table_index(fixed<16, 6>(0.015625), 1024, 3) == 513u);
  CHECK(table_index(fixed<16, 6>(-0.0009765625), 1024, 3) == 511u);
  CHECK(table_index(fixed<16, 6>(7.999), 1024, 3) == 1023u);
  CHECK(table_index(fixed<16, 6>(30.0), 1024, 3) == 1023u);
  CHECK(table_index(fixed<16, 6>(-30.0), 1024, 3) == 0u);
  CHECK(table_index(fixed<8, 6>(1.0), 1024, 3) == 576u);  // coarse input: index by left shift
  std::mt19937_64 rng(9);
  for (int rep = 0; rep < 500; ++rep) {
    fixed<16, 6> x[8];
    for (auto& v : x) v = rnd<fixed<16, 6>>(rng, -12, 12);
    fixed<16, 2, RND> s[8], t[8];
    sigmoid<fixed<16, 6>, fixed<16, 2, RND>, act_cfg>(x, s);
    tanh<fixed<16, 6>, fixed<16, 2, RND>, tanh_cfg>(x, t);
    for (int i = 0; i < 8; ++i) {
      double v = x[i].to_double();
      // Error: half a bin times the largest slope, table and output rounding, plus the clamp beyond +-8.
      double bin = 16.0 / 1024;
      REQUIRE(std::fabs(s[i].to_double() - 1 / (1 + std::exp(-v))) <= 0.25 * bin / 2 + 1e-5 + 4e-4);
      REQUIRE(std::fabs(t[i].to_double() - std::tanh(v)) <= 1.0 * bin / 2 + 1e-5 + 1e-4);
    }
  }
}

struct sm_cfg : softmax_config {
  static const unsigned n_in = 10;
};
struct sm_argmax : softmax_config {
  static const unsigned n_in = 10;
  static const bool argmax_only = true;
};

TEST_CASE("softmax: close to double softmax, stable for large inputs, argmax mode", "[hls][softmax]") {
  std::mt19937_64 rng(3);
  for (int rep = 0; rep < 2000; ++rep) {
    fixed<16, 6> x[10];
    double shift = rep % 4 == 0 ? 25.0 : 0.0;  // large inputs: exp would overflow without subtracting the max
    for (auto& v : x) v = rnd<fixed<16, 6>>(rng, -4 + shift, 4 + shift);
    ufixed<16, 0, RND, SAT> y[10];
    softmax<fixed<16, 6>, ufixed<16, 0, RND, SAT>, sm_cfg>(x, y);
    double m = -1e9, z = 0;
    for (auto& v : x) m = std::max(m, v.to_double());
    for (auto& v : x) z += std::exp(v.to_double() - m);
    double sum = 0, ymax = 0;
    unsigned best_ref = 0;
    for (int i = 0; i < 10; ++i) {
      double ref = std::exp(x[i].to_double() - m) / z;
      double err = std::fabs(y[i].to_double() - ref);
      // exp table: relative error <= R/(2N) = 0.4%; inverse table: <= 1/(2 * 128 * s) <= 0.4%; rounding.
      REQUIRE(err <= 0.009 * ref + 1e-4);
      sum += y[i].to_double();
      ymax = std::max(ymax, y[i].to_double());
      if (x[i] > x[best_ref]) best_ref = i;
    }
    REQUIRE(std::fabs(sum - 1.0) < 0.02);
    REQUIRE(y[best_ref].to_double() == ymax);  // the true class has the largest output (ties possible)
    ufixed<16, 0, RND, SAT> a[10];
    softmax<fixed<16, 6>, ufixed<16, 0, RND, SAT>, sm_argmax>(x, a);
    for (unsigned i = 0; i < 10; ++i) REQUIRE(a[i].raw() == (i == best_ref ? 65535 : 0));  // 1.0 saturates to max
  }
}

struct bn_cfg : batchnorm_config {
  static const unsigned n_in = 12, n_filt = 3;
};

TEST_CASE("batchnorm: per-channel scale and shift, exact", "[hls][batchnorm]") {
  std::mt19937_64 rng(4);
  fixed<16, 6> sc[3] = {0.5, -1.25, 3.0}, bi[3] = {1.0, 0.125, -2.5};
  for (int rep = 0; rep < 300; ++rep) {
    fixed<12, 4> x[12];
    for (auto& v : x) v = rnd<fixed<12, 4>>(rng, -8, 8);
    fixed<14, 6, RND, SAT> y[12];
    batchnorm<fixed<12, 4>, fixed<14, 6, RND, SAT>, bn_cfg>(x, y, sc, bi);
    for (int i = 0; i < 12; ++i)
      REQUIRE(y[i] == fixed<14, 6, RND, SAT>(x[i].to_double() * sc[i % 3].to_double() + bi[i % 3].to_double()));
  }
}
