// Dense (fully connected) layer: res[j] = res_T( accum_t( bias[j] + sum_i accum(data[i] * w[i][j]) ) ).
//
// Arithmetic (bit-exact contract, shared with the Verilog emitter): each product data[i] * w[i * n_out + j]
// is exact, then quantized to accum_t's fraction bits with accum_t's quantization mode (no overflow handling
// per product); the bias is converted to accum_t; the sum is exact; the total is converted into accum_t (its
// overflow mode applies once), then into res_T. Results therefore do not depend on the order of summation,
// the strategy or the reuse factor.
//
// With accumulation = accum_each_add (common.h) each product and the bias are converted into accum_t and the sum
// is converted into accum_t after every addition, bias first, then the inputs in hls4ml's order: 0, 1, ... with
// the latency strategy, hls4ml's resource order (hls4ml_resource_input) with the resource strategy.
//
// Strategies: latency (fully parallel: ceil(n_in*n_out / R) multipliers, a new input every R cycles) and
// resource (the same arithmetic written as a loop nest whose outer loop runs R times). The reuse factor must
// divide n_in * n_out; the code generator rejects other values and lists the nearest valid ones.
#pragma once

#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

struct dense_config {
  static const unsigned n_in = 10;
  static const unsigned n_out = 10;
  static const unsigned reuse_factor = 1;
  static const unsigned strategy = latency;
  typedef TF_FIXED(16, 6, TRN, WRAP) weight_t;
  typedef TF_FIXED(16, 6, TRN, WRAP) bias_t;
  typedef TF_FIXED(32, 12, TRN, WRAP) accum_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void dense(const data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
           const typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           const typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
  static_assert(CONFIG_T::reuse_factor >= 1 && (CONFIG_T::n_in * CONFIG_T::n_out) % CONFIG_T::reuse_factor == 0,
                "dense: reuse_factor must divide n_in * n_out");
  typedef typename CONFIG_T::accum_t accum_t;
  typedef decltype(data_T() * typename CONFIG_T::weight_t()) prod_t;
  typedef typename product_in_acc_units<accum_t, prod_t>::type term_t;
  typedef typename exact_sum<term_t, CONFIG_T::n_in + 1>::type sum_t;
  const unsigned n_in = CONFIG_T::n_in, n_out = CONFIG_T::n_out;
  if (accumulation_of<CONFIG_T>::value == accum_each_add) {
    for (unsigned j = 0; j < n_out; ++j) {
#pragma HLS UNROLL
      mac_acc<accum_t, term_t, sum_t, accum_each_add> a;
      a.init(biases[j]);
      for (unsigned k = 0; k < n_in; ++k) {
        const unsigned i = CONFIG_T::strategy == resource
                               ? hls4ml_resource_input(j, k, n_in, CONFIG_T::reuse_factor)
                               : k;
        a.add(data[i], weights[i * n_out + j]);
      }
      res[j] = a.template result<res_T>();
    }
    return;
  }
  sum_t acc[CONFIG_T::n_out];
#pragma HLS ARRAY_PARTITION variable = acc complete
  for (unsigned j = 0; j < n_out; ++j) {
#pragma HLS UNROLL
    acc[j] = accum_t(biases[j]);
  }
  if (CONFIG_T::strategy == latency) {
#pragma HLS PIPELINE II = CONFIG_T::reuse_factor
    for (unsigned i = 0; i < n_in; ++i) {
      for (unsigned j = 0; j < n_out; ++j) {
        term_t t = data[i] * weights[i * n_out + j];
        acc[j] += t;
      }
    }
  } else {
    // Resource: R passes, each doing n_in * n_out / R multiplications.
    const unsigned per_pass = (n_in * n_out) / CONFIG_T::reuse_factor;
    for (unsigned r = 0; r < CONFIG_T::reuse_factor; ++r) {
#pragma HLS PIPELINE II = 1
      for (unsigned m = 0; m < per_pass; ++m) {
#pragma HLS UNROLL
        unsigned k = r + m * CONFIG_T::reuse_factor;  // weight index i * n_out + j
        term_t t = data[k / n_out] * weights[k];
        acc[k % n_out] += t;
      }
    }
  }
  for (unsigned j = 0; j < n_out; ++j) {
#pragma HLS UNROLL
    res[j] = res_T(accum_t(acc[j]));
  }
}

}  // namespace hls
}  // namespace tinyforge
