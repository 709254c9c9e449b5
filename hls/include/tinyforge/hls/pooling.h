// Max and average pooling, 1D and 2D, channels last. Padded positions are ignored: max takes the largest
// valid element; average divides the exact sum of the valid elements by their count, as
// res_T(sum * recip_t(1 / count)) (a constant multiplication, which the Verilog emitter reproduces).
#pragma once

#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

enum pool_op { POOL_MAX = 0, POOL_AVG = 1 };

struct pool1d_config {
  static const unsigned in_width = 8, n_chan = 1, pool_width = 2, stride = 2, pad_left = 0, pad_right = 0, out_width = 4;
  static const unsigned op = POOL_MAX;
  typedef TF_UFIXED(18, 0, RND, WRAP) recip_t;  // average: holds 1 / count
};

template <class T, unsigned N>
struct pool_accumulator {
  typedef typename exact_sum<T, N>::type type;
};

template <class data_T, class res_T, typename C>
void pool1d(const data_T data[C::in_width * C::n_chan], res_T res[C::out_width * C::n_chan]) {
  static_assert(C::out_width == (C::in_width + C::pad_left + C::pad_right - C::pool_width) / C::stride + 1,
                "pool1d: out_width does not match");
  for (unsigned ow = 0; ow < C::out_width; ++ow)
    for (unsigned c = 0; c < C::n_chan; ++c) {
#pragma HLS UNROLL
      typename pool_accumulator<data_T, C::pool_width>::type sum = 0.0;
      data_T best = 0.0;
      unsigned count = 0;
      for (unsigned k = 0; k < C::pool_width; ++k) {
        int iw = (int)(ow * C::stride + k) - (int)C::pad_left;
        if (iw < 0 || iw >= (int)C::in_width) continue;
        const data_T& v = data[iw * C::n_chan + c];
        if (count == 0 || v > best) best = v;
        sum += v;
        ++count;
      }
      if (C::op == POOL_MAX)
        res[ow * C::n_chan + c] = res_T(best);
      else
        res[ow * C::n_chan + c] = res_T(sum * typename C::recip_t(1.0 / (count ? count : 1)));
    }
}

struct pool2d_config {
  static const unsigned in_height = 8, in_width = 8, n_chan = 1, pool_height = 2, pool_width = 2;
  static const unsigned stride_height = 2, stride_width = 2;
  static const unsigned pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0, out_height = 4, out_width = 4;
  static const unsigned op = POOL_MAX;
  typedef TF_UFIXED(18, 0, RND, WRAP) recip_t;
};

template <class data_T, class res_T, typename C>
void pool2d(const data_T data[C::in_height * C::in_width * C::n_chan], res_T res[C::out_height * C::out_width * C::n_chan]) {
  static_assert(C::out_height == (C::in_height + C::pad_top + C::pad_bottom - C::pool_height) / C::stride_height + 1,
                "pool2d: out_height does not match");
  static_assert(C::out_width == (C::in_width + C::pad_left + C::pad_right - C::pool_width) / C::stride_width + 1,
                "pool2d: out_width does not match");
  for (unsigned oh = 0; oh < C::out_height; ++oh)
    for (unsigned ow = 0; ow < C::out_width; ++ow)
      for (unsigned c = 0; c < C::n_chan; ++c) {
#pragma HLS UNROLL
        typename pool_accumulator<data_T, C::pool_height * C::pool_width>::type sum = 0.0;
        data_T best = 0.0;
        unsigned count = 0;
        for (unsigned kh = 0; kh < C::pool_height; ++kh) {
          int ih = (int)(oh * C::stride_height + kh) - (int)C::pad_top;
          if (ih < 0 || ih >= (int)C::in_height) continue;
          for (unsigned kw = 0; kw < C::pool_width; ++kw) {
            int iw = (int)(ow * C::stride_width + kw) - (int)C::pad_left;
            if (iw < 0 || iw >= (int)C::in_width) continue;
            const data_T& v = data[(ih * C::in_width + iw) * C::n_chan + c];
            if (count == 0 || v > best) best = v;
            sum += v;
            ++count;
          }
        }
        unsigned o = (oh * C::out_width + ow) * C::n_chan + c;
        if (C::op == POOL_MAX)
          res[o] = res_T(best);
        else
          res[o] = res_T(sum * typename C::recip_t(1.0 / (count ? count : 1)));
      }
}

// Flatten and reshape are no-ops on the flat, channels-last arrays the layers use; this copies with a
// type conversion (used when a reshape also changes precision).
template <class data_T, class res_T, unsigned N>
void flatten(const data_T data[N], res_T res[N]) {
  for (unsigned i = 0; i < N; ++i) {
#pragma HLS UNROLL
    res[i] = res_T(data[i]);
  }
}

}  // namespace hls
}  // namespace tinyforge
