// Emulation throughput of the generated jet-tagging-shaped MLP (16-64-32-32-5, fixed<16,6>), compiled from
// the generated project, against its anchor: the same network in plain double precision, same weights, same
// inputs, same compiler flags, measured in the same run. Built by tests/bench/bench_hls.sh inside the
// generated project directory.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "firmware/jet_tagging_mlp.h"
#include "firmware/weights/fc1_b.h"
#include "firmware/weights/fc1_w.h"
#include "firmware/weights/fc2_b.h"
#include "firmware/weights/fc2_w.h"
#include "firmware/weights/fc3_b.h"
#include "firmware/weights/fc3_w.h"
#include "firmware/weights/fc4_b.h"
#include "firmware/weights/fc4_w.h"

template <class T, int N>
std::vector<double> to_d(const T (&a)[N]) {
  std::vector<double> v(N);
  for (int k = 0; k < N; ++k) v[k] = a[k].to_double();
  return v;
}

static void dense_d(const double* x, double* y, const std::vector<double>& w, const std::vector<double>& b, int n_in,
                    int n_out, bool relu) {
  for (int j = 0; j < n_out; ++j) {
    double s = b[j];
    for (int i = 0; i < n_in; ++i) s += x[i] * w[i * n_out + j];
    y[j] = relu && s < 0 ? 0 : s;
  }
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 200000;
  std::ifstream fin("tb_data/tb_input_features.dat");
  std::vector<std::vector<double>> xs;
  std::string line;
  while (std::getline(fin, line)) {
    std::istringstream is(line);
    std::vector<double> v(16);
    for (auto& d : v) is >> d;
    xs.push_back(v);
  }
  std::vector<input_t[16]> xi(xs.size());
  for (size_t k = 0; k < xs.size(); ++k)
    for (int i = 0; i < 16; ++i) xi[k][i] = xs[k][i];
  // Fixed point, bit-accurate (the generated project).
  double check = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (long k = 0; k < n; ++k) {
    result_t y[5];
    jet_tagging_mlp(xi[k % xi.size()], y);
    check += y[k % 5].to_double();
  }
  double t_fixed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Double-precision anchor.
  auto w1 = to_d(fc1_w), b1 = to_d(fc1_b), w2 = to_d(fc2_w), b2 = to_d(fc2_b), w3 = to_d(fc3_w), b3 = to_d(fc3_b),
       w4 = to_d(fc4_w), b4 = to_d(fc4_b);
  double check_d = 0;
  t0 = std::chrono::steady_clock::now();
  for (long k = 0; k < n; ++k) {
    const double* x = xs[k % xs.size()].data();
    double h1[64], h2[32], h3[32], o[5];
    dense_d(x, h1, w1, b1, 16, 64, true);
    dense_d(h1, h2, w2, b2, 64, 32, true);
    dense_d(h2, h3, w3, b3, 32, 32, true);
    dense_d(h3, o, w4, b4, 32, 5, false);
    double m = o[0], z = 0;
    for (double v : o) m = v > m ? v : m;
    for (double& v : o) z += (v = std::exp(v - m));
    check_d += o[k % 5] / z;
  }
  double t_float = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld %.6f %.6f %.3f %.3f\n", n, t_fixed, t_float, check, check_d);
  return 0;
}
