// Convolutions, channels last, with the same exact-accumulation contract as dense (products quantized to
// accum_t's fraction bits, exact sum plus bias, one conversion into accum_t, then into res_T).
//   conv1d: in [in_width][n_chan], weights [filt_width][n_chan][n_filt], out [out_width][n_filt]
//   conv2d: in [in_height][in_width][n_chan], weights [filt_height][filt_width][n_chan][n_filt],
//           out [out_height][out_width][n_filt]
// With accumulation = accum_each_add (common.h) every product and the bias are converted into accum_t and the
// sum after every addition, bias first, then the window in kernel order (kh, kw, channel), as hls4ml's dense.
// Positions outside the input (padding) contribute zero. "valid" and "same" padding are resolved by the code
// generator into pad_* counts (same: total = max((out - 1) * stride + filt - in, 0), the odd one on the
// right/bottom, as Keras does).
#pragma once

#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

struct conv1d_config {
  static const unsigned in_width = 10, n_chan = 1, filt_width = 3, n_filt = 1, stride = 1;
  static const unsigned pad_left = 0, pad_right = 0, out_width = 8;
  static const unsigned reuse_factor = 1;
  static const unsigned strategy = latency;
  typedef TF_FIXED(16, 6, TRN, WRAP) weight_t;
  typedef TF_FIXED(16, 6, TRN, WRAP) bias_t;
  typedef TF_FIXED(32, 12, TRN, WRAP) accum_t;
};

template <class data_T, class res_T, typename C>
void conv1d(const data_T data[C::in_width * C::n_chan], res_T res[C::out_width * C::n_filt],
            const typename C::weight_t weights[C::filt_width * C::n_chan * C::n_filt],
            const typename C::bias_t biases[C::n_filt]) {
  static_assert(C::out_width == (C::in_width + C::pad_left + C::pad_right - C::filt_width) / C::stride + 1,
                "conv1d: out_width does not match in_width, padding, filt_width and stride");
  typedef typename C::accum_t accum_t;
  typedef decltype(data_T() * typename C::weight_t()) prod_t;
  typedef typename product_in_acc_units<accum_t, prod_t>::type term_t;
  typedef typename exact_sum<term_t, C::filt_width * C::n_chan + 1>::type sum_t;
  typedef mac_acc<accum_t, term_t, sum_t, accumulation_of<C>::value> acc_t;
  for (unsigned ow = 0; ow < C::out_width; ++ow) {
#pragma HLS PIPELINE II = C::reuse_factor
    for (unsigned f = 0; f < C::n_filt; ++f) {
      acc_t acc;
      acc.init(biases[f]);
      for (unsigned k = 0; k < C::filt_width; ++k) {
        int iw = (int)(ow * C::stride + k) - (int)C::pad_left;
        if (iw < 0 || iw >= (int)C::in_width) continue;
        for (unsigned c = 0; c < C::n_chan; ++c) {
          acc.add(data[iw * C::n_chan + c], weights[(k * C::n_chan + c) * C::n_filt + f]);
        }
      }
      res[ow * C::n_filt + f] = acc.template result<res_T>();
    }
  }
}

struct conv2d_config {
  static const unsigned in_height = 8, in_width = 8, n_chan = 1, filt_height = 3, filt_width = 3, n_filt = 1;
  static const unsigned stride_height = 1, stride_width = 1;
  static const unsigned pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  static const unsigned out_height = 6, out_width = 6;
  static const unsigned reuse_factor = 1;
  static const unsigned strategy = latency;
  typedef TF_FIXED(16, 6, TRN, WRAP) weight_t;
  typedef TF_FIXED(16, 6, TRN, WRAP) bias_t;
  typedef TF_FIXED(32, 12, TRN, WRAP) accum_t;
};

template <class data_T, class res_T, typename C>
void conv2d(const data_T data[C::in_height * C::in_width * C::n_chan], res_T res[C::out_height * C::out_width * C::n_filt],
            const typename C::weight_t weights[C::filt_height * C::filt_width * C::n_chan * C::n_filt],
            const typename C::bias_t biases[C::n_filt]) {
  static_assert(C::out_height == (C::in_height + C::pad_top + C::pad_bottom - C::filt_height) / C::stride_height + 1,
                "conv2d: out_height does not match");
  static_assert(C::out_width == (C::in_width + C::pad_left + C::pad_right - C::filt_width) / C::stride_width + 1,
                "conv2d: out_width does not match");
  typedef typename C::accum_t accum_t;
  typedef decltype(data_T() * typename C::weight_t()) prod_t;
  typedef typename product_in_acc_units<accum_t, prod_t>::type term_t;
  typedef typename exact_sum<term_t, C::filt_height * C::filt_width * C::n_chan + 1>::type sum_t;
  typedef mac_acc<accum_t, term_t, sum_t, accumulation_of<C>::value> acc_t;
  for (unsigned oh = 0; oh < C::out_height; ++oh)
    for (unsigned ow = 0; ow < C::out_width; ++ow) {
#pragma HLS PIPELINE II = C::reuse_factor
      for (unsigned f = 0; f < C::n_filt; ++f) {
        acc_t acc;
        acc.init(biases[f]);
        for (unsigned kh = 0; kh < C::filt_height; ++kh) {
          int ih = (int)(oh * C::stride_height + kh) - (int)C::pad_top;
          if (ih < 0 || ih >= (int)C::in_height) continue;
          for (unsigned kw = 0; kw < C::filt_width; ++kw) {
            int iw = (int)(ow * C::stride_width + kw) - (int)C::pad_left;
            if (iw < 0 || iw >= (int)C::in_width) continue;
            for (unsigned c = 0; c < C::n_chan; ++c) {
              acc.add(data[(ih * C::in_width + iw) * C::n_chan + c],
                      weights[((kh * C::filt_width + kw) * C::n_chan + c) * C::n_filt + f]);
            }
          }
        }
        res[(oh * C::out_width + ow) * C::n_filt + f] = acc.template result<res_T>();
      }
    }
}

}  // namespace hls
}  // namespace tinyforge
