// The analog CIM array (sim/cim/acim): exactness of the ideal path against a direct product written here,
// the ADC's closed-form error bound and its clipping counted independently, and the statistics of the noise
// and of the static variation over 10^5 draws (fixed seeds, so the test is deterministic).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <random>

#include "cim/acim/array.h"

using namespace tf::acim;

namespace {
int64_t lo(int bits, bool sgn) { return sgn ? -(int64_t(1) << (bits - 1)) : 0; }
int64_t hi(int bits, bool sgn) { return sgn ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1; }
int64_t pick(std::mt19937_64& rng, int bits, bool sgn) {
  return lo(bits, sgn) + (int64_t)(rng() % (uint64_t)(hi(bits, sgn) - lo(bits, sgn) + 1));
}
std::vector<std::vector<int64_t>> direct(const IntLayer& L, const std::vector<std::vector<int64_t>>& x) {
  std::vector<std::vector<int64_t>> y(x.size(), std::vector<int64_t>(L.m, 0));
  for (size_t b = 0; b < x.size(); ++b)
    for (int j = 0; j < L.m; ++j)
      for (int r = 0; r < L.n; ++r) y[b][j] += L.w[(size_t)r * L.m + j] * x[b][r];
  return y;
}
struct Case {
  Geometry g;
  IntLayer L;
  std::vector<std::vector<int64_t>> x;
};
Case random_case(std::mt19937_64& rng) {
  Case c;
  c.g.rows = 2 + (int)(rng() % 40);
  c.g.rows_active = 1 + (int)(rng() % c.g.rows);
  c.g.cell_bits = 1 + (int)(rng() % 4);
  c.g.dac_bits = 1 + (int)(rng() % 4);
  c.L.w_bits = 1 + (int)(rng() % 8);
  c.L.x_bits = 1 + (int)(rng() % 8);
  c.L.w_signed = (rng() & 1) && c.L.w_bits > 1;
  c.L.x_signed = (rng() & 1) && c.L.x_bits > 1;
  const int ws = (c.L.w_bits + c.g.cell_bits - 1) / c.g.cell_bits;
  c.g.cols = ws * (1 + (int)(rng() % 4));
  c.L.n = 1 + (int)(rng() % (2 * c.g.rows + 1));  // up to two row tiles and a bit
  c.L.m = 1 + (int)(rng() % (3 * (c.g.cols / ws)));
  c.L.w.resize((size_t)c.L.n * c.L.m);
  const int mode = (int)(rng() % 4);  // random, all maximum, all minimum, random
  for (auto& v : c.L.w)
    v = mode == 1 ? hi(c.L.w_bits, c.L.w_signed) : mode == 2 ? lo(c.L.w_bits, c.L.w_signed) : pick(rng, c.L.w_bits, c.L.w_signed);
  const int vectors = 1 + (int)(rng() % 4);
  for (int b = 0; b < vectors; ++b) {
    std::vector<int64_t> x(c.L.n);
    for (auto& v : x)
      v = mode == 1 ? hi(c.L.x_bits, c.L.x_signed) : mode == 2 ? lo(c.L.x_bits, c.L.x_signed) : pick(rng, c.L.x_bits, c.L.x_signed);
    c.x.push_back(x);
  }
  return c;
}
// Sample mean and (population) standard deviation.
struct Moments {
  double n, mean, sd;
};
Moments moments(const std::vector<double>& v) {
  double s = 0, ss = 0;
  for (double e : v) {
    s += e;
    ss += e * e;
  }
  const double n = (double)v.size(), mean = s / n;
  return {n, mean, std::sqrt(ss / n - mean * mean)};
}
std::vector<double> column(const std::vector<std::vector<int64_t>>& y, int j) {
  std::vector<double> v;
  for (const auto& r : y) v.push_back((double)r[j]);
  return v;
}
// The ideal conversion values of the mapping, computed here from the documented encoding (array.h).
std::vector<double> conversion_values(const Case& c) {
  const int ws = (c.L.w_bits + c.g.cell_bits - 1) / c.g.cell_bits, xs = (c.L.x_bits + c.g.dac_bits - 1) / c.g.dac_bits;
  const int64_t ow = c.L.w_signed ? int64_t(1) << (c.L.w_bits - 1) : 0, ox = c.L.x_signed ? int64_t(1) << (c.L.x_bits - 1) : 0;
  std::vector<double> out;
  for (const auto& x : c.x)
    for (int s = 0; s < xs; ++s)
      for (int t = 0; t * c.g.rows < c.L.n; ++t)
        for (int r0 = t * c.g.rows; r0 < std::min(c.L.n, (t + 1) * c.g.rows); r0 += c.g.rows_active)
          for (int j = 0; j < c.L.m; ++j)
            for (int k = 0; k < ws; ++k) {
              int64_t a = 0;
              for (int r = r0; r < std::min({c.L.n, (t + 1) * c.g.rows, r0 + c.g.rows_active}); ++r) {
                const int64_t xsl = ((x[r] + ox) >> (s * c.g.dac_bits)) & ((1 << c.g.dac_bits) - 1);
                const int64_t wsl = ((c.L.w[(size_t)r * c.L.m + j] + ow) >> (k * c.g.cell_bits)) & ((1 << c.g.cell_bits) - 1);
                a += xsl * wsl;
              }
              out.push_back((double)a);
            }
  return out;
}
}  // namespace

TEST_CASE("acim: noise-free with enough ADC bits is the exact integer MVM (signed and unsigned, 1-8 bits, multi-bit "
          "cells and DACs, partial row groups, tiling over rows and columns)",
          "[acim]") {
  std::mt19937_64 rng(11);
  int tiled = 0, grouped = 0;
  for (int rep = 0; rep < 3000; ++rep) {
    Case c = random_case(rng);
    int bits = 1;
    while ((1 << bits) - 1 < c.g.full_scale()) ++bits;
    c.g.adc_bits = bits;
    MappedLayer ml(c.g, c.L);
    REQUIRE(MappedLayer::lsb_for_range(c.g.full_scale(), bits) == 0);
    ml.set_lsb_log2(0);
    std::mt19937_64 nrng(1);
    Activity act;
    const auto y = ml.run(c.x, nrng, act);
    REQUIRE(y == direct(c.L, c.x));
    REQUIRE(ml.exact(c.x) == y);
    REQUIRE(act.clipped == 0);
    REQUIRE(act.conversions == conversion_values(c).size());
    tiled += ml.arrays() > 1;
    grouped += ml.max_groups() > 1;
  }
  CHECK(tiled > 500);
  CHECK(grouped > 500);
}

TEST_CASE("acim: an ADC conversion is within half an LSB unless clipped, and clips exactly above its range", "[acim]") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-50, 5000);
  for (int rep = 0; rep < 100000; ++rep) {
    const int bits = 1 + (int)(rng() % 10), k = (int)(rng() % 5);
    const double v = u(rng), lsb = std::ldexp(1.0, k), top = (double)((1 << bits) - 1);
    bool clipped = false;
    const int64_t code = adc_code(v, k, bits, clipped);
    REQUIRE(code >= 0);
    REQUIRE(code <= (int64_t)top);
    REQUIRE(clipped == (v / lsb > top + 0.5));
    if (!clipped && v >= -lsb / 2) REQUIRE(std::fabs(code * lsb - v) <= lsb / 2);
    if (clipped) REQUIRE(code == (int64_t)top);
  }
}

TEST_CASE("acim: with a coarse ADC every result is within the closed-form bound, and clipped conversions are "
          "counted exactly",
          "[acim]") {
  std::mt19937_64 rng(5);
  int clipped_cases = 0;
  for (int rep = 0; rep < 600; ++rep) {
    Case c = random_case(rng);
    c.g.adc_bits = 1 + (int)(rng() % 6);
    MappedLayer ml(c.g, c.L);
    const int k = (int)(rng() % 4);
    ml.set_lsb_log2(k);
    std::mt19937_64 nrng(1);
    Activity act;
    const auto y = ml.run(c.x, nrng, act);
    // Clipping, counted from the conversion values computed here.
    const double top = (double)((1 << c.g.adc_bits) - 1) * std::ldexp(1.0, k);
    const std::vector<double> vals = conversion_values(c);
    uint64_t clips = 0;
    for (double v : vals) clips += v > top + std::ldexp(0.5, k);
    REQUIRE(act.clipped == clips);
    clipped_cases += clips > 0;
    if (clips) continue;
    // Unclipped: each conversion is off by at most LSB/2, weighted by its slice shifts, over every row group.
    const int ws = ml.weight_slices(), xs = ml.input_slices();
    double shifts = 0;
    for (int s = 0; s < xs; ++s)
      for (int q = 0; q < ws; ++q) shifts += std::ldexp(1.0, s * c.g.dac_bits + q * c.g.cell_bits);
    int groups = 0;
    for (int t = 0; t < ml.row_tiles(); ++t) groups += ml.groups(t);
    const double bound = groups * std::ldexp(0.5, k) * shifts;
    const auto ref = direct(c.L, c.x);
    for (size_t b = 0; b < y.size(); ++b)
      for (int j = 0; j < c.L.m; ++j) REQUIRE(std::fabs((double)(y[b][j] - ref[b][j])) <= bound);
  }
  CHECK(clipped_cases > 50);
}

TEST_CASE("acim: per-conversion noise has the configured sigma over 10^5 draws", "[acim]") {
  Geometry g;
  g.rows = g.rows_active = 64;
  g.cols = 1;
  g.adc_bits = 8;
  IntLayer L;
  L.n = 64;
  L.m = 1;
  L.w_bits = L.x_bits = 1;
  L.w_signed = L.x_signed = false;
  L.w.assign(64, 1);
  const std::vector<std::vector<int64_t>> x(100000, std::vector<int64_t>(64, 1));  // every conversion is 64
  for (double sigma : {3.0, 7.0}) {
    MappedLayer ml(g, L);
    Variation v;
    v.thermal = sigma;
    ml.draw_chip(v, 1);
    std::mt19937_64 rng(9);
    Activity act;
    const auto y = ml.run(x, rng, act);
    const auto [n, mean, sd] = moments(column(y, 0));
    // Rounding to the LSB adds 1/12 to the variance (Sheppard); 5 standard errors of tolerance.
    const double expect_sd = std::sqrt(sigma * sigma + 1.0 / 12.0);
    CHECK(std::fabs(mean - 64) < 5 * sigma / std::sqrt(n));
    CHECK(std::fabs(sd - expect_sd) < 5 * expect_sd / std::sqrt(2 * n));
  }
  // The ADC's input-referred noise is in LSB: at LSB = 4 unit steps, sigma 2 LSB is 8 unit steps.
  MappedLayer ml(g, L);
  Variation v;
  v.read_lsb = 2;
  ml.draw_chip(v, 1);
  ml.set_lsb_log2(2);
  std::mt19937_64 rng(10);
  Activity act;
  const auto y = ml.run(x, rng, act);
  const auto [n, mean, sd] = moments(column(y, 0));
  const double expect_sd = 4 * std::sqrt(4.0 + 1.0 / 12.0);
  CHECK(std::fabs(mean - 64) < 5 * expect_sd / std::sqrt(n));
  CHECK(std::fabs(sd - expect_sd) < 5 * expect_sd / std::sqrt(2 * n));
}

TEST_CASE("acim: static variation has the configured sigma, is fixed within a chip instance and differs across "
          "instances",
          "[acim]") {
  Geometry g;
  g.rows = g.rows_active = 200;
  g.cols = 500;
  g.adc_bits = 10;
  IntLayer L;
  L.n = 200;
  L.m = 500;
  L.w_bits = L.x_bits = 1;
  L.w_signed = L.x_signed = false;
  L.w.assign((size_t)L.n * L.m, 1);
  MappedLayer ml(g, L);
  Variation v;
  v.mismatch = 0.02;
  ml.draw_chip(v, 42);
  const std::vector<double> e1 = ml.cell_errors();
  REQUIRE(e1.size() == 100000);
  const auto [n, mean, sd] = moments(e1);
  CHECK(std::fabs(mean) < 5 * 0.02 / std::sqrt(n));
  CHECK(std::fabs(sd - 0.02) < 5 * 0.02 / std::sqrt(2 * n));
  ml.draw_chip(v, 42);
  CHECK(ml.cell_errors() == e1);  // same chip seed, same chip
  ml.draw_chip(v, 43);
  CHECK(ml.cell_errors() != e1);

  // Gain and offset per column: 500 columns of value 200 x (1 + gain) + offset; without per-conversion noise
  // the same chip gives the same results on every run.
  Variation go;
  go.gain = 0.02;  // 4 unit steps at 200
  go.offset_lsb = 3;
  ml.draw_chip(go, 7);
  const std::vector<std::vector<int64_t>> x(2, std::vector<int64_t>(200, 1));
  std::mt19937_64 rng(1);
  Activity act;
  const auto y = ml.run(x, rng, act);
  CHECK(y[0] == y[1]);
  const std::vector<double> row0(y[0].begin(), y[0].end());
  const auto [n2, mean2, sd2] = moments(row0);
  (void)n2;
  const double expect = std::sqrt(4.0 * 4.0 + 3.0 * 3.0 + 1.0 / 12.0);  // 5.0
  CHECK(std::fabs(mean2 - 200) < 5 * expect / std::sqrt(500.0));
  CHECK(std::fabs(sd2 - expect) < 5 * expect / std::sqrt(1000.0));
  ml.draw_chip(go, 8);
  std::mt19937_64 rng2(1);
  CHECK(ml.run(x, rng2, act)[0] != y[0]);
}

TEST_CASE("acim: a calibrated range covers the largest conversion, and the LSB is the smallest power of two that "
          "does",
          "[acim]") {
  CHECK(MappedLayer::lsb_for_range(255, 8) == 0);
  CHECK(MappedLayer::lsb_for_range(256, 8) == 1);
  CHECK(MappedLayer::lsb_for_range(510, 8) == 1);
  CHECK(MappedLayer::lsb_for_range(511, 8) == 2);
  CHECK(MappedLayer::lsb_for_range(0, 4) == 0);
  std::mt19937_64 rng(2);
  for (int rep = 0; rep < 200; ++rep) {
    Case c = random_case(rng);
    MappedLayer ml(c.g, c.L);
    const std::vector<double> vals = conversion_values(c);
    CHECK(ml.conversion_range(c.x, 100) == *std::max_element(vals.begin(), vals.end()));
  }
}

TEST_CASE("acim: a percentile range is that order statistic of the conversion values", "[acim]") {
  std::mt19937_64 rng(5);
  for (int rep = 0; rep < 200; ++rep) {
    Case c = random_case(rng);
    MappedLayer ml(c.g, c.L);
    std::vector<double> vals = conversion_values(c);
    std::sort(vals.begin(), vals.end());
    for (double pct : {1.0, 50.0, 90.0, 99.9}) {
      const size_t k = (size_t)std::max(1.0, std::ceil(pct / 100.0 * (double)vals.size()));  // 1-based
      CHECK(ml.conversion_range(c.x, pct) == vals[k - 1]);
    }
  }
}

TEST_CASE("acim: many vectors go through in several passes with the same exact results and counts", "[acim]") {
  Geometry g;  // 64 x 64, bit-serial inputs, one bit per cell
  IntLayer L;
  L.n = 100;  // two row tiles
  L.m = 8;
  L.w_bits = 8;
  L.x_bits = 8;
  L.x_signed = true;
  std::mt19937_64 rng(9);
  L.w.resize((size_t)L.n * L.m);
  for (auto& v : L.w) v = pick(rng, 8, true);
  std::vector<std::vector<int64_t>> x(5000, std::vector<int64_t>(L.n));
  for (auto& r : x)
    for (auto& v : r) v = pick(rng, 8, true);
  g.adc_bits = 7;  // 64 rows of 1-bit products: full scale 64 needs 7 bits
  MappedLayer ml(g, L);
  ml.set_lsb_log2(0);
  std::mt19937_64 nrng(1);
  Activity all, parts;
  const auto y = ml.run(x, nrng, all);
  CHECK(y == direct(L, x));
  // The same vectors in two calls: every count adds up.
  const std::vector<std::vector<int64_t>> x1(x.begin(), x.begin() + 1234), x2(x.begin() + 1234, x.end());
  ml.run(x1, nrng, parts);
  ml.run(x2, nrng, parts);
  CHECK(all.conversions == parts.conversions);
  CHECK(all.conversions == (uint64_t)5000 * 8 * (8 * 8) * 2);  // vectors x input slices x columns (m x weight slices) x row tiles
  CHECK(all.unit_charges == parts.unit_charges);
  CHECK(all.row_drives == parts.row_drives);
  CHECK(all.output_words == parts.output_words);
}

TEST_CASE("acim: a layer or input outside its declared precision is refused, not computed", "[acim]") {
  Geometry g;
  IntLayer L;
  L.n = 4;
  L.m = 2;
  L.w_bits = 4;
  L.x_bits = 4;
  L.w = {0, 1, 2, 3, 4, 5, 6, 8};  // 8 is outside signed 4-bit
  CHECK_THROWS_AS(MappedLayer(g, L), std::invalid_argument);
  L.w.back() = 7;
  L.w.pop_back();
  CHECK_THROWS_AS(MappedLayer(g, L), std::invalid_argument);  // 7 weights for 4 x 2
  L.w.push_back(7);
  MappedLayer ml(g, L);
  std::mt19937_64 rng(1);
  Activity act;
  CHECK_THROWS_AS(ml.run({{0, 1, 2, 16}}, rng, act), std::invalid_argument);  // unsigned 4-bit input of 16
  CHECK_THROWS_AS(ml.run({{0, 1, 2}}, rng, act), std::invalid_argument);      // 3 inputs for 4 rows
  CHECK(ml.run({{0, 1, 2, 15}}, rng, act).size() == 1);
}
