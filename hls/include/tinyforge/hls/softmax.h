// Softmax, numerically stable and table-based (bit-exact contract shared with the Verilog emitter):
//   m = max_i x_i
//   e_i = exp_table[ idx_e(m - x_i) ]        exp_table[k] = exp(-(k + 0.5) * R_e / N_e)    (d in [0, R_e))
//   s   = exp_sum_t( sum_i e_i )             (exact sum, converted once)
//   r   = inv_table[ idx_i(s) ]              inv_table[k] = 1 / ((k + 0.5) * S / N_i)       (s in [0, S))
//   y_i = res_T( e_i * r )
// idx(v) = floor(v * N / range), clamped to [0, N - 1]; N and range are powers of two (a shift of v's bits).
// argmax_only = true skips the arithmetic: y is one-hot at the first maximum (for classifiers that only
// need the class).
#pragma once

#include <cmath>

#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

struct softmax_config {
  static const unsigned n_in = 10;
  static const unsigned exp_table_size = 1024;
  static const int exp_range_log2 = 3;  // differences up to 8
  static const unsigned inv_table_size = 2048;
  static const int inv_range_log2 = 4;  // sums up to 16 (n_in <= 16); raise it for wider layers
  static const bool argmax_only = false;
  typedef TF_UFIXED(18, 1, RND, SAT) exp_table_t;
  typedef TF_UFIXED(18, 8, RND, SAT) inv_table_t;
  typedef TF_UFIXED(18, 5, TRN, SAT) exp_sum_t;
};

// floor(v * size / 2^range_log2) clamped to [0, size - 1], for v >= 0.
template <class T>
inline unsigned unsigned_table_index(const T& v, unsigned size, int range_log2) {
  int shift = clog2(size) - range_log2 - fx<T>::fbits;
  fx_wide r = (fx_wide)fx<T>::rep(v);
  if (r < 0) return 0;
  if (shift >= 0 && fx_wide_is_64 && r > ((fx_wide)1 << 34)) return size - 1;  // as in table_index
  fx_wide idx = shift >= 0 ? r * ((fx_wide)1 << shift) : (r >> (-shift));
  if (idx >= (fx_wide)size) return size - 1;
  return (unsigned)idx;
}

inline double softmax_exp_entry(unsigned k, unsigned size, int range_log2) {
  return std::exp(-(k + 0.5) * std::ldexp(1.0, range_log2) / size);
}
inline double softmax_inv_entry(unsigned k, unsigned size, int range_log2) {
  return 1.0 / ((k + 0.5) * std::ldexp(1.0, range_log2) / size);
}

template <typename CONFIG_T>
struct softmax_tables {
  typename CONFIG_T::exp_table_t exp_t[CONFIG_T::exp_table_size];
  typename CONFIG_T::inv_table_t inv_t[CONFIG_T::inv_table_size];
  softmax_tables() {
    for (unsigned k = 0; k < CONFIG_T::exp_table_size; ++k)
      exp_t[k] = softmax_exp_entry(k, CONFIG_T::exp_table_size, CONFIG_T::exp_range_log2);
    for (unsigned k = 0; k < CONFIG_T::inv_table_size; ++k)
      inv_t[k] = softmax_inv_entry(k, CONFIG_T::inv_table_size, CONFIG_T::inv_range_log2);
  }
  static const softmax_tables& get() {
    static const softmax_tables t;
    return t;
  }
};

template <class data_T, class res_T, typename CONFIG_T>
void softmax(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static_assert((CONFIG_T::exp_table_size & (CONFIG_T::exp_table_size - 1)) == 0, "softmax: exp_table_size must be a power of two");
  static_assert((CONFIG_T::inv_table_size & (CONFIG_T::inv_table_size - 1)) == 0, "softmax: inv_table_size must be a power of two");
  const unsigned n = CONFIG_T::n_in;
  unsigned arg = 0;
  for (unsigned i = 1; i < n; ++i)
    if (data[i] > data[arg]) arg = i;
  if (CONFIG_T::argmax_only) {
    for (unsigned i = 0; i < n; ++i) res[i] = res_T(i == arg ? 1 : 0);
    return;
  }
  const softmax_tables<CONFIG_T>& T = softmax_tables<CONFIG_T>::get();
  typedef typename CONFIG_T::exp_table_t exp_t;
  typename exact_sum<exp_t, CONFIG_T::n_in>::type sum = 0.0;
  exp_t e[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = e complete
  for (unsigned i = 0; i < n; ++i) {
#pragma HLS UNROLL
    auto d = data[arg] - data[i];  // >= 0, exact
    e[i] = T.exp_t[unsigned_table_index(d, CONFIG_T::exp_table_size, CONFIG_T::exp_range_log2)];
    sum += e[i];
  }
  typename CONFIG_T::exp_sum_t s = sum;
  typename CONFIG_T::inv_table_t r = T.inv_t[unsigned_table_index(s, CONFIG_T::inv_table_size, CONFIG_T::inv_range_log2)];
  for (unsigned i = 0; i < n; ++i) {
#pragma HLS UNROLL
    res[i] = res_T(e[i] * r);
  }
}

}  // namespace hls
}  // namespace tinyforge
