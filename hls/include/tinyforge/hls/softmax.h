// Softmax, numerically stable and table-based (bit-exact contract shared with the Verilog emitter):
//   m = max_i x_i
//   e_i = exp_table[ idx_e(m - x_i) ]        exp_table[k] = exp(-(k + 0.5) * R_e / N_e)    (d in [0, R_e))
//   s   = exp_sum_t( sum_i e_i )             (exact sum, converted once)
//   r   = inv_table[ idx_i(s) ]              inv_table[k] = 1 / ((k + 0.5) * S / N_i)       (s in [0, S))
//   y_i = res_T( e_i * r )
// idx(v) = floor(v * N / range), clamped to [0, N - 1]; N and range are powers of two (a shift of v's bits).
// argmax_only = true skips the arithmetic: y is one-hot at the first maximum (for classifiers that only
// need the class).
//
// softmax_hls4ml reproduces hls4ml's table-based softmax bit for bit (its "stable" and "latency"
// implementations; docs/hls.md, "hls4ml compatibility"):
//   index  idx_T(v) = the top log2(size) bits of v's two's complement code (a bit slice, so large values wrap)
//   stable:  m = max_i x_i, d_i = inp_norm_t(m - x_i), e_i = accum_t(exp_table[idx(d_i)]),
//            exp_table[k] = exp_table_t(expf(-value of the inp_norm_t code whose top bits are k, others 0))
//   latency: e_i = accum_t(exp_table[idx(x_i)]), exp_table[k] = exp_table_t(expf(+value of data_T code ... k))
//   s = inv_inp_t(balanced tree of accum_t additions of the e_i), each addition converted into accum_t;
//       the tree splits n terms into the largest power of two below n and the rest
//   r = inv_table[idx(s)], inv_table[k] = inv_table_t(1.0f / value of the inv_inp_t code whose top bits are k)
//   y_i = res_T(e_i * r)
// Table values are computed in single precision (expf, a float division) and then converted into the table
// type; an entry of 1/0 is +infinity converted (the type's maximum when it saturates, 0 when it wraps).
#pragma once

#include <cmath>
#include <type_traits>

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

// ---- hls4ml-compatible softmax ------------------------------------------------------------------------

struct softmax_hls4ml_config {
  static const unsigned n_in = 10;
  static const bool stable = true;  // false: hls4ml's "latency" implementation
  static const unsigned exp_table_size = 1024, inv_table_size = 1024;
  typedef TF_FIXED(18, 8, RND, SAT) exp_table_t;
  typedef TF_FIXED(18, 8, RND, SAT) inv_table_t;
  typedef TF_FIXED(18, 8, RND, SAT) accum_t;
  typedef TF_FIXED(18, 8, RND, SAT) inv_inp_t;
  typedef TF_UFIXED(15, 5, TRN, WRAP) inp_norm_t;  // stable only: max - x
};

// The top log2(SIZE) bits of V's code, as an unsigned table index.
template <class T>
inline unsigned top_bits_index(const T& v, unsigned size) {
  const int n = clog2(size);
  return (unsigned)((fx<T>::rep(v) >> (fx<T>::width - n)) & (fx_wide)((1u << n) - 1));
}

// The value of the code (of a type with IWIDTH integer bits, signed or not) whose top log2(SIZE) bits are K
// and whose other bits are zero, in single precision (exact: it has at most log2(SIZE) significant bits).
inline float top_bits_value(unsigned k, unsigned size, bool is_signed, int iwidth) {
  const int n = clog2(size);
  long long s = (long long)k;
  if (is_signed && ((k >> (n - 1)) & 1u)) s -= 1LL << n;
  return (float)std::ldexp((double)s, iwidth - n);
}
// The hls4ml tables' entries in single precision, before conversion into the table types (shared with the
// emulator and the Verilog emitter).
inline float hls4ml_exp_entry(unsigned k, unsigned size, bool is_signed, int iwidth, bool negate) {
  float x = top_bits_value(k, size, is_signed, iwidth);
  if (negate) x = -x;
  return std::exp(x);
}
inline float hls4ml_inv_entry(unsigned k, unsigned size, bool is_signed, int iwidth) {
  return 1.0f / top_bits_value(k, size, is_signed, iwidth);
}

// Balanced-tree sum, every addition converted into T: N terms split into the largest power of two below N
// and the rest.
template <class T>
inline T tree_sum_each_add(const T* x, unsigned n) {
  if (n == 1) return x[0];
  if (n == 2) return T(x[0] + x[1]);
  unsigned left = 1;
  while (left * 2 <= n - 1) left *= 2;
  return T(tree_sum_each_add(x, left) + tree_sum_each_add(x + left, n - left));
}

template <class data_T, typename CONFIG_T>
struct softmax_hls4ml_tables {
  typedef typename std::conditional<CONFIG_T::stable, typename CONFIG_T::inp_norm_t, data_T>::type index_t;
  typename CONFIG_T::exp_table_t exp_t[CONFIG_T::exp_table_size];
  typename CONFIG_T::inv_table_t inv_t[CONFIG_T::inv_table_size];
  softmax_hls4ml_tables() {
    typedef typename CONFIG_T::inv_inp_t inv_inp_t;
    for (unsigned k = 0; k < CONFIG_T::exp_table_size; ++k)
      exp_t[k] = typename CONFIG_T::exp_table_t(
          hls4ml_exp_entry(k, CONFIG_T::exp_table_size, fx<index_t>::is_signed, fx<index_t>::iwidth, CONFIG_T::stable));
    for (unsigned k = 0; k < CONFIG_T::inv_table_size; ++k)
      inv_t[k] = typename CONFIG_T::inv_table_t(
          hls4ml_inv_entry(k, CONFIG_T::inv_table_size, fx<inv_inp_t>::is_signed, fx<inv_inp_t>::iwidth));
  }
  static const softmax_hls4ml_tables& get() {
    static const softmax_hls4ml_tables t;
    return t;
  }
};

template <class data_T, class res_T, typename CONFIG_T>
void softmax_hls4ml(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static_assert((CONFIG_T::exp_table_size & (CONFIG_T::exp_table_size - 1)) == 0, "softmax_hls4ml: exp_table_size must be a power of two");
  static_assert((CONFIG_T::inv_table_size & (CONFIG_T::inv_table_size - 1)) == 0, "softmax_hls4ml: inv_table_size must be a power of two");
  typedef softmax_hls4ml_tables<data_T, CONFIG_T> tables;
  typedef typename CONFIG_T::accum_t accum_t;
  static_assert(clog2(CONFIG_T::exp_table_size) <= fx<typename tables::index_t>::width, "softmax_hls4ml: exp table larger than its index type");
  static_assert(clog2(CONFIG_T::inv_table_size) <= fx<typename CONFIG_T::inv_inp_t>::width, "softmax_hls4ml: inverse table larger than inv_inp_t");
  const tables& T = tables::get();
  const unsigned n = CONFIG_T::n_in;
  accum_t e[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = e complete
  if (CONFIG_T::stable) {
    data_T m = data[0];
    for (unsigned i = 1; i < n; ++i)
      if (data[i] > m) m = data[i];
    for (unsigned i = 0; i < n; ++i) {
#pragma HLS UNROLL
      typename CONFIG_T::inp_norm_t d = m - data[i];
      e[i] = T.exp_t[top_bits_index(d, CONFIG_T::exp_table_size)];
    }
  } else {
    for (unsigned i = 0; i < n; ++i) {
#pragma HLS UNROLL
      e[i] = T.exp_t[top_bits_index(data[i], CONFIG_T::exp_table_size)];
    }
  }
  typename CONFIG_T::inv_inp_t s = tree_sum_each_add(e, n);
  typename CONFIG_T::inv_table_t r = T.inv_t[top_bits_index(s, CONFIG_T::inv_table_size)];
  for (unsigned i = 0; i < n; ++i) {
#pragma HLS UNROLL
    res[i] = res_T(e[i] * r);
  }
}

}  // namespace hls
}  // namespace tinyforge
