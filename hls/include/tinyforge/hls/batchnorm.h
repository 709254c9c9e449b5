// Batch normalization folded into a per-channel scale and shift: res[i] = res_T(x[i] * scale[c] + bias[c]),
// c = i % n_filt (channels last), computed exactly and converted once.
#pragma once

#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

struct batchnorm_config {
  static const unsigned n_in = 10;
  static const unsigned n_filt = 10;  // channels; n_in = n_filt for a dense input
  typedef TF_FIXED(16, 6, TRN, WRAP) scale_t;
  typedef TF_FIXED(16, 6, TRN, WRAP) bias_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void batchnorm(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
               const typename CONFIG_T::scale_t scale[CONFIG_T::n_filt],
               const typename CONFIG_T::bias_t bias[CONFIG_T::n_filt]) {
  static_assert(CONFIG_T::n_in % CONFIG_T::n_filt == 0, "batchnorm: n_in must be a multiple of n_filt");
  for (unsigned i = 0; i < CONFIG_T::n_in; ++i) {
#pragma HLS UNROLL
    unsigned c = i % CONFIG_T::n_filt;
    res[i] = res_T(data[i] * scale[c] + bias[c]);
  }
}

}  // namespace hls
}  // namespace tinyforge
