// A 4-3-2 multilayer perceptron (dense, relu, dense) built from tinyforge's HLS layer templates, the way a
// generated project (tinyforge hls MODEL --out DIR) is written: TF_FIXED types, one config struct per layer.
// The weights and inputs are multiples of 1/8, so every product and sum is exact in fixed<16,6> and the output
// is known in closed form; it is also checked against the same network evaluated in double precision.
#include <cstdio>

#include "tinyforge/hls/activation.h"
#include "tinyforge/hls/dense.h"

namespace hls = tinyforge::hls;

typedef TF_FIXED(16, 6, RND, SAT) data_t;  // 6 integer bits (sign included), 10 fraction bits
typedef TF_FIXED(16, 6, TRN, WRAP) weight_t;
typedef TF_FIXED(32, 12, TRN, WRAP) accum_t;

struct layer1_config : hls::dense_config {
  static const unsigned n_in = 4, n_out = 3, reuse_factor = 1, strategy = hls::latency;
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
  typedef ::accum_t accum_t;
};
struct relu1_config : hls::activ_config {
  static const unsigned n_in = 3;
};
struct layer2_config : hls::dense_config {
  static const unsigned n_in = 3, n_out = 2, reuse_factor = 2, strategy = hls::resource;  // 3 multipliers, 2 passes
  typedef ::weight_t weight_t;
  typedef ::weight_t bias_t;
  typedef ::accum_t accum_t;
};

// Weights are stored input-major: w[i * n_out + j] connects input i to output j.
const double kW1[4 * 3] = {0.5, -1.0, 0.25, 1.0, 0.5, -0.75, -2.0, 0.25, 1.5, 0.125, -0.5, 1.0};
const double kB1[3] = {0.75, 0.0, -0.5};
const double kW2[3 * 2] = {1.5, -0.25, 3.0, 1.0, -0.5, 0.75};
const double kB2[2] = {0.125, -1.0};
const double kX[4] = {1.0, -0.5, 0.25, 2.0};
// By hand: layer 1 gives (0.5, -2.1875, 2.5), relu (0.5, 0, 2.5), layer 2 (-0.375, 0.75).
const double kExpected[2] = {-0.375, 0.75};

void tiny_mlp(const data_t x[4], data_t y[2]) {
  static weight_t w1[4 * 3], b1[3], w2[3 * 2], b2[2];
  for (int k = 0; k < 12; ++k) w1[k] = kW1[k];
  for (int k = 0; k < 3; ++k) b1[k] = kB1[k];
  for (int k = 0; k < 6; ++k) w2[k] = kW2[k];
  for (int k = 0; k < 2; ++k) b2[k] = kB2[k];
  data_t h[3], a[3];
  hls::dense<data_t, data_t, layer1_config>(x, h, w1, b1);
  hls::relu<data_t, data_t, relu1_config>(h, a);
  hls::dense<data_t, data_t, layer2_config>(a, y, w2, b2);
}

int main() {
  data_t x[4], y[2];
  for (int i = 0; i < 4; ++i) x[i] = kX[i];
  tiny_mlp(x, y);

  // The same network in double precision.
  double h[3], ref[2];
  for (int j = 0; j < 3; ++j) {
    h[j] = kB1[j];
    for (int i = 0; i < 4; ++i) h[j] += kX[i] * kW1[i * 3 + j];
    h[j] = h[j] > 0 ? h[j] : 0;
  }
  for (int j = 0; j < 2; ++j) {
    ref[j] = kB2[j];
    for (int i = 0; i < 3; ++i) ref[j] += h[i] * kW2[i * 2 + j];
  }

  int bad = 0;
  for (int j = 0; j < 2; ++j) {
    double got = TF_TO_DOUBLE(y[j]);
    bool ok = got == kExpected[j] && got == ref[j];
    bad += !ok;
    std::printf("y[%d] = %g  (expected %g, double-precision reference %g)%s\n", j, got, kExpected[j], ref[j],
                ok ? "" : "  MISMATCH");
  }
  std::printf("tiny_mlp: %s\n", bad ? "FAIL" : "PASS");
  return bad ? 1 : 0;
}
