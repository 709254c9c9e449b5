// Activations. Piecewise-linear ones are exact fixed-point expressions; sigmoid, tanh and softmax use lookup
// tables whose contents and index computation are part of the bit-exact contract (the Verilog emitter builds
// the same ROMs with the same functions below).
//
// Table index (sigmoid, tanh): the input range [-table_range, table_range) is split into table_size equal
// bins; index = floor((x + table_range) * table_size / (2 * table_range)), clamped to [0, table_size - 1];
// entry k holds f at the bin's centre, -table_range + (k + 0.5) * 2 * table_range / table_size, converted to
// table_t. table_size and table_range must be powers of two, so the index is a shift of x's raw bits.
#pragma once

#include <cmath>

#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

struct activ_config {
  static const unsigned n_in = 10;
  static const unsigned table_size = 1024;
  static const int table_range_log2 = 3;  // table_range = 2^3 = 8
  typedef TF_UFIXED(18, 0, RND, SAT) table_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    res[i] = fx<data_T>::rep(data[i]) > 0 ? res_T(data[i]) : res_T(0);
  }
}

// res = x > 0 ? x : alpha * x   (CONFIG_T::alpha_t, CONFIG_T::alpha() gives alpha)
template <class data_T, class res_T, typename CONFIG_T>
void leaky_relu(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  const typename CONFIG_T::alpha_t alpha = CONFIG_T::alpha();
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    res[i] = fx<data_T>::rep(data[i]) > 0 ? res_T(data[i]) : res_T(data[i] * alpha);
  }
}

// res = clamp(slope * x + shift, 0, 1)   (Keras: slope 0.2, shift 0.5; CONFIG_T::slope_t, slope(), shift())
template <class data_T, class res_T, typename CONFIG_T>
void hard_sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  const typename CONFIG_T::slope_t slope = CONFIG_T::slope();
  const typename CONFIG_T::slope_t shift = CONFIG_T::shift();
  const typename fx_type<1, 1, false>::type one = 1.0;
  const typename fx_type<2, 2, true>::type zero = 0.0;
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    auto y = data[i] * slope + shift;  // exact
    res[i] = y < zero ? res_T(0) : (y > one ? res_T(one) : res_T(y));
  }
}

// res = clamp(x, -1, 1)
template <class data_T, class res_T, typename CONFIG_T>
void hard_tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  const typename fx_type<2, 2, true>::type one = 1.0, minus_one = -1.0;
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    res[i] = data[i] > one ? res_T(one) : (data[i] < minus_one ? res_T(minus_one) : res_T(data[i]));
  }
}

// Index of X into a table of 2^log2_size bins over [-2^range_log2, 2^range_log2).
template <class data_T>
inline unsigned table_index(const data_T& x, unsigned size, int range_log2) {
  // (x + R) * size / (2R) = (raw + R * 2^F) * 2^(log2 size - range_log2 - 1 - F)
  const int F = fx<data_T>::fbits;
  int log2_size = clog2(size);
  fx_wide r = (fx_wide)fx<data_T>::rep(x);
  int shift = log2_size - range_log2 - 1 - F;  // multiply by 2^shift
  fx_wide v;
  if (shift >= 0) {
    // |r| >= 2^34 clamps to an end of the table whatever the shift (size <= 2^16); keeps r * 2^shift in range
    // when the wide type is 64 bits.
    if (fx_wide_is_64 && (r > ((fx_wide)1 << 34) || r < -((fx_wide)1 << 34))) return r < 0 ? 0 : size - 1;
    v = r * ((fx_wide)1 << shift) + ((fx_wide)size >> 1);  // R * size / 2R = size / 2
  } else {
    int s = -shift;
    fx_wide offset = range_log2 + F >= 0 ? ((fx_wide)1 << (range_log2 + F)) : 0;  // R = 2^range_log2 in raw units
    v = (r + offset) >> s;                                                         // floor
  }
  if (v < 0) return 0;
  if (v >= (fx_wide)size) return size - 1;
  return (unsigned)v;
}

enum table_func { TABLE_SIGMOID = 0, TABLE_TANH = 1 };

inline double table_entry_value(table_func f, unsigned k, unsigned size, int range_log2) {
  double R = std::ldexp(1.0, range_log2);
  double x = -R + (k + 0.5) * 2.0 * R / size;
  return f == TABLE_SIGMOID ? 1.0 / (1.0 + std::exp(-x)) : std::tanh(x);
}

template <typename CONFIG_T, table_func F>
const typename CONFIG_T::table_t* lookup_table() {
  static typename CONFIG_T::table_t table[CONFIG_T::table_size];
  static bool ready = false;
  if (!ready) {
    for (unsigned k = 0; k < CONFIG_T::table_size; ++k)
      table[k] = typename CONFIG_T::table_t(table_entry_value(F, k, CONFIG_T::table_size, CONFIG_T::table_range_log2));
    ready = true;
  }
  return table;
}

template <class data_T, class res_T, typename CONFIG_T>
void sigmoid(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static_assert((CONFIG_T::table_size & (CONFIG_T::table_size - 1)) == 0, "sigmoid: table_size must be a power of two");
  const typename CONFIG_T::table_t* table = lookup_table<CONFIG_T, TABLE_SIGMOID>();
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    res[i] = res_T(table[table_index(data[i], CONFIG_T::table_size, CONFIG_T::table_range_log2)]);
  }
}

template <class data_T, class res_T, typename CONFIG_T>
void tanh(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  static_assert((CONFIG_T::table_size & (CONFIG_T::table_size - 1)) == 0, "tanh: table_size must be a power of two");
  const typename CONFIG_T::table_t* table = lookup_table<CONFIG_T, TABLE_TANH>();
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    res[i] = res_T(table[table_index(data[i], CONFIG_T::table_size, CONFIG_T::table_range_log2)]);
  }
}

}  // namespace hls
}  // namespace tinyforge
