// Convolutions and pooling against plain double loops (exact here: every value is a short dyadic fraction,
// so the double sums are exact and the only rounding is the final conversion, done identically).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "tinyforge/hls/conv.h"
#include "tinyforge/hls/pooling.h"

using namespace tinyforge::hls;

namespace {
typedef fixed<10, 4> in_t;
typedef fixed<8, 3> w_t;
typedef fixed<16, 6, RND, SAT> out_t;

template <class T>
T rnd(std::mt19937_64& rng, double lo, double hi) {
  return T(std::uniform_real_distribution<double>(lo, hi)(rng));
}

// Keras "same": total padding max((out - 1) * stride + filt - in, 0), the extra one after.
struct c1 : conv1d_config {
  static const unsigned in_width = 11, n_chan = 3, filt_width = 4, n_filt = 2, stride = 2;
  static const unsigned out_width = 6, pad_left = 1, pad_right = 2;  // (6-1)*2 + 4 - 11 = 3
  typedef w_t weight_t;
  typedef w_t bias_t;
};
struct c2 : conv2d_config {
  static const unsigned in_height = 5, in_width = 6, n_chan = 2, filt_height = 3, filt_width = 2, n_filt = 3;
  static const unsigned stride_height = 1, stride_width = 2;
  static const unsigned pad_top = 1, pad_bottom = 1, pad_left = 0, pad_right = 0;
  static const unsigned out_height = 5, out_width = 3;
  typedef w_t weight_t;
  typedef w_t bias_t;
};
}  // namespace

TEST_CASE("conv1d with same padding and stride 2 equals direct computation", "[hls][conv]") {
  std::mt19937_64 rng(21);
  for (int rep = 0; rep < 200; ++rep) {
    in_t x[11 * 3];
    w_t w[4 * 3 * 2], b[2];
    for (auto& v : x) v = rnd<in_t>(rng, -8, 8);
    for (auto& v : w) v = rnd<w_t>(rng, -4, 4);
    for (auto& v : b) v = rnd<w_t>(rng, -4, 4);
    out_t y[6 * 2];
    conv1d<in_t, out_t, c1>(x, y, w, b);
    for (int ow = 0; ow < 6; ++ow)
      for (int f = 0; f < 2; ++f) {
        double s = b[f].to_double();
        for (int k = 0; k < 4; ++k) {
          int iw = ow * 2 + k - 1;
          if (iw < 0 || iw >= 11) continue;
          for (int c = 0; c < 3; ++c) s += x[iw * 3 + c].to_double() * w[(k * 3 + c) * 2 + f].to_double();
        }
        REQUIRE(y[ow * 2 + f] == out_t(s));
      }
  }
}

TEST_CASE("conv2d with padding and unequal strides equals direct computation", "[hls][conv]") {
  std::mt19937_64 rng(22);
  for (int rep = 0; rep < 100; ++rep) {
    in_t x[5 * 6 * 2];
    w_t w[3 * 2 * 2 * 3], b[3];
    for (auto& v : x) v = rnd<in_t>(rng, -8, 8);
    for (auto& v : w) v = rnd<w_t>(rng, -4, 4);
    for (auto& v : b) v = rnd<w_t>(rng, -4, 4);
    out_t y[5 * 3 * 3];
    conv2d<in_t, out_t, c2>(x, y, w, b);
    for (int oh = 0; oh < 5; ++oh)
      for (int ow = 0; ow < 3; ++ow)
        for (int f = 0; f < 3; ++f) {
          double s = b[f].to_double();
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 2; ++kw) {
              int ih = oh + kh - 1, iw = ow * 2 + kw;
              if (ih < 0 || ih >= 5 || iw < 0 || iw >= 6) continue;
              for (int c = 0; c < 2; ++c)
                s += x[(ih * 6 + iw) * 2 + c].to_double() * w[((kh * 2 + kw) * 2 + c) * 3 + f].to_double();
            }
          REQUIRE(y[(oh * 3 + ow) * 3 + f] == out_t(s));
        }
  }
}

namespace {
template <unsigned OP>
struct p1 : pool1d_config {
  static const unsigned in_width = 9, n_chan = 2, pool_width = 3, stride = 2, pad_left = 1, pad_right = 1,
                        out_width = 5;
  static const unsigned op = OP;
};
template <unsigned OP>
struct p2 : pool2d_config {
  static const unsigned in_height = 4, in_width = 6, n_chan = 3, pool_height = 2, pool_width = 2;
  static const unsigned stride_height = 2, stride_width = 2, out_height = 2, out_width = 3;
  static const unsigned op = OP;
};
}  // namespace

TEST_CASE("max and average pooling, 1D with padding and 2D", "[hls][pool]") {
  std::mt19937_64 rng(23);
  for (int rep = 0; rep < 300; ++rep) {
    in_t x[9 * 2];
    for (auto& v : x) v = rnd<in_t>(rng, -8, 8);
    out_t mx[5 * 2], av[5 * 2];
    pool1d<in_t, out_t, p1<POOL_MAX>>(x, mx);
    pool1d<in_t, out_t, p1<POOL_AVG>>(x, av);
    for (int ow = 0; ow < 5; ++ow)
      for (int c = 0; c < 2; ++c) {
        double m = -1e9, s = 0;
        int n = 0;
        for (int k = 0; k < 3; ++k) {
          int iw = ow * 2 + k - 1;
          if (iw < 0 || iw >= 9) continue;
          m = std::max(m, x[iw * 2 + c].to_double());
          s += x[iw * 2 + c].to_double();
          ++n;
        }
        REQUIRE(mx[ow * 2 + c] == out_t(m));
        // 1/3 is not exact: the error is |sum| times the reciprocal's rounding plus the output rounding.
        REQUIRE(std::fabs(av[ow * 2 + c].to_double() - s / n) <=
                std::fabs(s) * std::ldexp(1.0, -19) + std::ldexp(1.0, -11));
        if (n == 2) REQUIRE(av[ow * 2 + c] == out_t(s / 2));  // padded edge: the count is 2, exact
      }
  }
  for (int rep = 0; rep < 300; ++rep) {
    in_t x[4 * 6 * 3];
    for (auto& v : x) v = rnd<in_t>(rng, -8, 8);
    out_t mx[2 * 3 * 3], av[2 * 3 * 3];
    pool2d<in_t, out_t, p2<POOL_MAX>>(x, mx);
    pool2d<in_t, out_t, p2<POOL_AVG>>(x, av);
    for (int oh = 0; oh < 2; ++oh)
      for (int ow = 0; ow < 3; ++ow)
        for (int c = 0; c < 3; ++c) {
          double m = -1e9, s = 0;
          for (int kh = 0; kh < 2; ++kh)
            for (int kw = 0; kw < 2; ++kw) {
              double v = x[((oh * 2 + kh) * 6 + ow * 2 + kw) * 3 + c].to_double();
              m = std::max(m, v);
              s += v;
            }
          REQUIRE(mx[(oh * 3 + ow) * 3 + c] == out_t(m));
          REQUIRE(av[(oh * 3 + ow) * 3 + c] == out_t(s / 4));  // 1/4 is exact
        }
  }
}
