#include "cim/acim/array.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace tf::acim {

namespace {
using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat>;
}  // namespace

int64_t adc_code(double v, int lsb_log2, int bits, bool& clipped) {
  const double top = (double)((int64_t(1) << bits) - 1);
  const double q = std::ldexp(v, -lsb_log2);
  clipped = q > top + 0.5;
  if (!(q > 0)) return 0;  // also NaN
  const double r = std::nearbyint(q);
  return r > top ? (int64_t)top : (int64_t)r;
}

MappedLayer::MappedLayer(const Geometry& g, const IntLayer& layer) : g_(g), L_(layer) {
  // The model validates configurations; these guard the class itself against misuse.
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("acim::MappedLayer: " + what);
  };
  need(g_.rows >= 1 && g_.cols >= 1 && g_.rows_active >= 1 && g_.rows_active <= g_.rows, "rows, cols, rows_active");
  need(g_.cell_bits >= 1 && g_.cell_bits <= 8 && g_.dac_bits >= 1 && g_.dac_bits <= 8, "cell_bits, dac_bits in 1..8");
  need(g_.adc_bits >= 1 && g_.adc_bits <= 16 && g_.adc_share >= 1 && g_.cols % g_.adc_share == 0, "adc_bits, adc_share");
  need(L_.w_bits >= 1 && L_.w_bits <= 16 && L_.x_bits >= 1 && L_.x_bits <= 16, "w_bits, x_bits in 1..16");
  need(L_.n >= 1 && L_.m >= 1 && L_.w.size() == (size_t)L_.n * L_.m, "w holds n x m weights");
  need((L_.w_bits + g_.cell_bits - 1) / g_.cell_bits <= g_.cols, "one weight's columns fit in an array");
  const int64_t wlo = L_.w_signed ? -(int64_t(1) << (L_.w_bits - 1)) : 0;
  const int64_t whi = L_.w_signed ? (int64_t(1) << (L_.w_bits - 1)) - 1 : (int64_t(1) << L_.w_bits) - 1;
  for (int64_t w : L_.w)
    if (w < wlo || w > whi)
      need(false, "a weight of " + std::to_string(w) + " outside its precision [" + std::to_string(wlo) + ", " +
                      std::to_string(whi) + "]");
  ws_ = (L_.w_bits + g_.cell_bits - 1) / g_.cell_bits;
  xs_ = (L_.x_bits + g_.dac_bits - 1) / g_.dac_bits;
  ow_ = L_.w_signed ? int64_t(1) << (L_.w_bits - 1) : 0;
  ox_ = L_.x_signed ? int64_t(1) << (L_.x_bits - 1) : 0;
  const int C = ws_ * L_.m;
  const int64_t cmask = (int64_t(1) << g_.cell_bits) - 1;
  wsl_.assign((size_t)L_.n * C, 0.0);
  wsum_.assign(L_.m, 0);
  for (int r = 0; r < L_.n; ++r)
    for (int j = 0; j < L_.m; ++j) {
      const int64_t wu = L_.w[(size_t)r * L_.m + j] + ow_;
      wsum_[j] += wu;
      for (int k = 0; k < ws_; ++k) wsl_[(size_t)r * C + j * ws_ + k] = (double)((wu >> (k * g_.cell_bits)) & cmask);
    }
  geff_ = wsl_;
  eps_.assign(wsl_.size(), 0.0);
  gain_.assign((size_t)row_tiles() * C, 1.0);
  offset_.assign((size_t)row_tiles() * C, 0.0);
}

int MappedLayer::groups(int t) const {
  const int used = std::min(g_.rows, L_.n - t * g_.rows);
  return (used + g_.rows_active - 1) / g_.rows_active;
}

int MappedLayer::max_groups() const {
  int mx = 0;
  for (int t = 0; t < row_tiles(); ++t) mx = std::max(mx, groups(t));
  return mx;
}

int MappedLayer::max_columns_used() const { return std::min(L_.m, outputs_per_array()) * ws_; }

void MappedLayer::draw_chip(const Variation& v, uint64_t chip_seed) {
  v_ = v;
  std::mt19937_64 rng(chip_seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  for (size_t i = 0; i < eps_.size(); ++i) {
    eps_[i] = v.mismatch > 0 ? v.mismatch * nd(rng) : 0.0;
    geff_[i] = wsl_[i] * (1.0 + eps_[i]);
  }
  for (double& g : gain_) g = 1.0 + (v.gain > 0 ? v.gain * nd(rng) : 0.0);
  for (double& o : offset_) o = v.offset_lsb > 0 ? v.offset_lsb * nd(rng) : 0.0;
}

std::vector<double> MappedLayer::slices(const std::vector<std::vector<int64_t>>& x, size_t b0, size_t b1) const {
  const int n = L_.n;
  std::vector<double> s((b1 - b0) * xs_ * (size_t)n);
  const int64_t dmask = (int64_t(1) << g_.dac_bits) - 1;
  const int64_t lo = L_.x_signed ? -ox_ : 0, hi = L_.x_signed ? ox_ - 1 : (int64_t(1) << L_.x_bits) - 1;
  for (size_t b = b0; b < b1; ++b) {
    if (x[b].size() != (size_t)n)
      throw std::invalid_argument("acim::MappedLayer: an input vector of " + std::to_string(x[b].size()) +
                                  " elements, expected " + std::to_string(n));
    for (int r = 0; r < n; ++r) {
      if (x[b][r] < lo || x[b][r] > hi)
        throw std::invalid_argument("acim::MappedLayer: an input of " + std::to_string(x[b][r]) +
                                    " outside its precision [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      const int64_t xu = x[b][r] + ox_;
      for (int k = 0; k < xs_; ++k) s[(((b - b0) * xs_) + k) * n + r] = (double)((xu >> (k * g_.dac_bits)) & dmask);
    }
  }
  return s;
}

size_t MappedLayer::chunk_vectors() const {
  // Vectors per pass: the slices and one group's column values of a pass stay near 2^20 doubles (8 MB).
  const size_t per = (size_t)xs_ * (size_t)std::max(L_.n, ws_ * L_.m);
  return std::max<size_t>(1, ((size_t)1 << 20) / std::max<size_t>(1, per));
}

double MappedLayer::conversion_range(const std::vector<std::vector<int64_t>>& x, double percentile) const {
  const int n = L_.n, C = ws_ * L_.m;
  if (x.empty()) return 0;
  ConstMap W(wsl_.data(), n, C);
  // Conversion values are integers in [0, full scale]: counted per value (exact percentiles in bounded memory).
  std::map<int64_t, uint64_t> hist;
  uint64_t total = 0;
  double mx = 0;
  const size_t chunk = chunk_vectors();
  for (size_t b0 = 0; b0 < x.size(); b0 += chunk) {
    const size_t b1 = std::min(x.size(), b0 + chunk);
    const std::vector<double> s = slices(x, b0, b1);
    ConstMap S(s.data(), (Eigen::Index)((b1 - b0) * xs_), n);
    for (int t = 0; t < row_tiles(); ++t)
      for (int q = 0; q < groups(t); ++q) {
        const int r0 = t * g_.rows + q * g_.rows_active;
        const int len = std::min({g_.rows_active, (t + 1) * g_.rows - r0, n - r0});
        const RowMat I = S.middleCols(r0, len) * W.middleRows(r0, len);
        mx = std::max(mx, I.maxCoeff());
        if (percentile < 100) {
          for (Eigen::Index i = 0; i < I.size(); ++i) ++hist[(int64_t)std::llround(I.data()[i])];
          total += (uint64_t)I.size();
        }
      }
  }
  if (percentile >= 100 || total == 0) return mx;
  // The k-th smallest value (1-based k = ceil(p/100 x total)), as nth_element over all values would give.
  const uint64_t k = std::max<uint64_t>(1, std::min<uint64_t>(total, (uint64_t)std::ceil(percentile / 100.0 * (double)total)));
  uint64_t seen = 0;
  for (const auto& kv : hist) {
    seen += kv.second;
    if (seen >= k) return (double)kv.first;
  }
  return mx;
}

int MappedLayer::lsb_for_range(double range, int adc_bits) {
  const double top = (double)((int64_t(1) << adc_bits) - 1);
  int k = 0;
  while (top * std::ldexp(1.0, k) < range && k < 62) ++k;
  return k;
}

std::vector<std::vector<int64_t>> MappedLayer::run(const std::vector<std::vector<int64_t>>& x, std::mt19937_64& rng,
                                                   Activity& act) const {
  const int n = L_.n, m = L_.m, C = ws_ * m, B = (int)x.size();
  std::vector<std::vector<int64_t>> y(B, std::vector<int64_t>(m, 0));
  if (B == 0) return y;
  ConstMap W(wsl_.data(), n, C), G(geff_.data(), n, C);
  const bool mism = v_.mismatch > 0;
  const double lsb = std::ldexp(1.0, lsb_log2_), fs = (double)g_.full_scale();
  const double sigma = std::sqrt(v_.thermal * v_.thermal + v_.read_lsb * v_.read_lsb * lsb * lsb);
  std::normal_distribution<double> nd(0.0, 1.0);
  uint64_t charges = 0, clipped = 0, drives = 0, pulses = 0;
  // Vectors in passes of chunk_vectors() (bounded memory); within a pass, group by group as the array works.
  const size_t chunk = chunk_vectors();
  for (size_t b0 = 0; b0 < (size_t)B; b0 += chunk) {
    const size_t b1 = std::min((size_t)B, b0 + chunk);
    const int R = (int)(b1 - b0) * xs_;
    const std::vector<double> s = slices(x, b0, b1);
    ConstMap S(s.data(), R, n);
    for (int t = 0; t < row_tiles(); ++t)
      for (int q = 0; q < groups(t); ++q) {
        const int r0 = t * g_.rows + q * g_.rows_active;
        const int len = std::min({g_.rows_active, (t + 1) * g_.rows - r0, n - r0});
        const RowMat I = S.middleCols(r0, len) * W.middleRows(r0, len);
        RowMat A;
        if (mism) A = S.middleCols(r0, len) * G.middleRows(r0, len);
        const double* gain = &gain_[(size_t)t * C];
        const double* off = &offset_[(size_t)t * C];
        for (int i = 0; i < R; ++i) {
          const size_t b = b0 + i / xs_;
          const int sl = i % xs_;
          const double* ir = I.data() + (size_t)i * C;
          const double* ar = mism ? A.data() + (size_t)i * C : ir;
          int64_t* p = y[b].data();
          for (int c = 0; c < C; ++c) {
            const double ideal = ir[c];
            charges += (uint64_t)ideal;
            double a = ar[c] * gain[c];
            if (v_.ir_drop > 0) a *= 1.0 - v_.ir_drop * ideal / fs;
            a += off[c] * lsb;
            if (sigma > 0) a += sigma * nd(rng);
            bool clip = false;
            const int64_t code = adc_code(a, lsb_log2_, g_.adc_bits, clip);
            clipped += clip;
            const int j = c / ws_, k = c % ws_;
            p[j] += code << (lsb_log2_ + sl * g_.dac_bits + k * g_.cell_bits);
          }
        }
        act.conversions += (uint64_t)R * C;
      }
    // Row drivers: a row with a nonzero input slice drives its line in every array of its row tile.
    for (double v : s) {
      drives += v != 0;
      pulses += (uint64_t)v;
    }
    if (g_.dac_bits > 1) act.dac_conversions += (uint64_t)R * n * col_tiles();
  }
  act.unit_charges += charges;
  act.clipped += clipped;
  act.row_drives += drives * (uint64_t)col_tiles();
  act.row_pulses += pulses * (uint64_t)col_tiles();
  act.output_words += (uint64_t)B * m;
  act.vectors += B;
  // Undo the offset encoding (digital, exact): y holds the recombined codes P until here.
  for (int b = 0; b < B; ++b) {
    int64_t xsum = 0;
    for (int r = 0; r < n; ++r) xsum += x[b][r] + ox_;
    for (int j = 0; j < m; ++j) y[b][j] = y[b][j] - ow_ * xsum - ox_ * wsum_[j] + (int64_t)n * ox_ * ow_;
  }
  return y;
}

std::vector<std::vector<int64_t>> MappedLayer::exact(const std::vector<std::vector<int64_t>>& x) const {
  std::vector<std::vector<int64_t>> y(x.size(), std::vector<int64_t>(L_.m, 0));
  for (size_t b = 0; b < x.size(); ++b)
    for (int r = 0; r < L_.n; ++r) {
      const int64_t xv = x[b][r];
      if (!xv) continue;
      const int64_t* w = &L_.w[(size_t)r * L_.m];
      for (int j = 0; j < L_.m; ++j) y[b][j] += w[j] * xv;
    }
  return y;
}

}  // namespace tf::acim
