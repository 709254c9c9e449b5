// Noisy analog MACs per second of the acim array (sim/cim/acim/array.h: Eigen products, per-conversion noise
// draws, ADC, shift-add) against a plain double-precision matrix-vector loop doing the same number of MACs,
// in the same run. A noisy MAC is one input slice times one weight slice of one cell in one conversion.
// usage: bench_acim_kernel [N M VECTORS]   prints "noisy_macs_per_s plain_macs_per_s"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "cim/acim/array.h"

using namespace tf::acim;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 256, m = argc > 2 ? std::atoi(argv[2]) : 64,
            vectors = argc > 3 ? std::atoi(argv[3]) : 256;
  Geometry g;
  g.rows = g.rows_active = 256;
  g.cols = 256;
  g.adc_bits = 8;
  IntLayer L;
  L.n = n;
  L.m = m;
  L.w_bits = L.x_bits = 4;
  L.w_signed = true;
  L.x_signed = false;
  std::mt19937_64 rng(1);
  L.w.resize((size_t)n * m);
  for (auto& w : L.w) w = (int64_t)(rng() % 16) - 8;
  std::vector<std::vector<int64_t>> x(vectors, std::vector<int64_t>(n));
  for (auto& v : x)
    for (auto& e : v) e = (int64_t)(rng() % 16);
  MappedLayer ml(g, L);
  Variation var;
  var.mismatch = 0.01;
  var.gain = 0.005;
  var.offset_lsb = 0.1;
  var.thermal = 0.05;
  var.read_lsb = 0.25;
  ml.draw_chip(var, 1);
  Activity act;
  auto t0 = std::chrono::steady_clock::now();
  int reps = 0;
  double t = 0;
  int64_t sink = 0;
  while (t < 1.0) {
    auto y = ml.run(x, rng, act);
    sink += y[0][0];
    ++reps;
    t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double noisy = (double)n * m * vectors * ml.input_slices() * ml.weight_slices() * reps / t;
  // Anchor: y = W x in doubles, the same MAC count per repetition.
  const long total = (long)n * m * vectors * ml.input_slices() * ml.weight_slices();
  std::vector<double> W((size_t)n * m), xv(n), yv(m);
  for (auto& w : W) w = (double)(rng() % 16);
  for (auto& e : xv) e = (double)(rng() % 16);
  t0 = std::chrono::steady_clock::now();
  long done = 0;
  t = 0;
  double dsink = 0;
  while (t < 1.0) {
    for (long k = 0; k < total; k += (long)n * m) {
      for (int j = 0; j < m; ++j) yv[j] = 0;
      for (int r = 0; r < n; ++r) {
        const double xr = xv[r];
        const double* w = &W[(size_t)r * m];
        for (int j = 0; j < m; ++j) yv[j] += w[j] * xr;
      }
      xv[k % n] = yv[k % m] * 1e-9;  // keep the loop from being hoisted
      done += (long)n * m;
    }
    dsink += yv[0];
    t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::printf("%.0f %.0f\n", noisy, (double)done / t);
  return (sink == 42 && dsink == 42.0) ? 1 : 0;
}
