// Legendre Memory Unit cell (Voelker, Kajic and Eliasmith, NeurIPS 2019), one time step per call, the state
// held across calls (docs/hls.md, "lmu"). With x the input frame, m the memory (memory_d memories of order d,
// memory k at m[k * order .. k * order + order - 1]) and h the hidden state (the previous call's output):
//
//   u[k]  = state_t( accum_t( sum_i x[i] e_x[i][k] + sum_i h[i] e_h[i][k] + sum_i m[i] e_m[i][k] ) )
//   m'[k * order + i] = state_t( sum_j A[i][j] m[k * order + j] + B[i] u[k] )
//   a[j]  = accum_t( accum_t(b[j]) + sum_i x[i] W_x[i][j] + sum_i h[i] W_h[i][j] + sum_i m'[i] W_m[i][j] )
//   y[j]  = h'[j] = res_T( tanh table(a[j]) )          (activation lmu_tanh, the table of activation.h)
//                 = a[j] > 0 ? res_T(a[j]) : 0         (activation lmu_relu)
//
// Arithmetic (bit-exact contract, shared with tinyforge's emulator): as dense.h's exact accumulation, every
// product in u and a is exact, then quantized to accum_t's fraction bits with accum_t's quantization mode
// (no overflow handling); the sums are exact (u_sum_t, which the code generator sizes so that no sum can
// overflow it); the memory's products are exact and their sum too (mem_sum_t, sized likewise), converted once
// into state_t. The hidden state is kept in res_T, the memory in state_t. A and B (matrix_t) are the
// memory's discretized Abar (order x order, row-major) and Bbar.
//
// RESET zeroes the state before the step: pass true with the first frame of every sequence.
#pragma once

#include "tinyforge/hls/activation.h"
#include "tinyforge/hls/common.h"

namespace tinyforge {
namespace hls {

enum lmu_activation { lmu_tanh = 0, lmu_relu = 1 };

struct lmu_config {
  static const unsigned n_in = 4;
  static const unsigned units = 8;
  static const unsigned order = 4;
  static const unsigned memory_d = 1;
  static const unsigned activation = lmu_tanh;
  static const unsigned table_size = 1024;
  static const int table_range_log2 = 3;
  typedef TF_FIXED(16, 6, TRN, WRAP) weight_t;
  typedef TF_FIXED(16, 6, TRN, WRAP) bias_t;
  typedef TF_FIXED(32, 12, TRN, WRAP) accum_t;
  typedef TF_FIXED(24, 6, RND, SAT) state_t;
  typedef TF_FIXED(18, 2, RND, SAT) matrix_t;
  typedef TF_FIXED(18, 2, RND, SAT) table_t;
  typedef TF_FIXED(64, 44, TRN, WRAP) u_sum_t;
  typedef TF_FIXED(56, 12, TRN, WRAP) mem_sum_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void lmu(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::units], bool reset,
         const typename CONFIG_T::weight_t e_x[CONFIG_T::n_in * CONFIG_T::memory_d],
         const typename CONFIG_T::weight_t e_h[CONFIG_T::units * CONFIG_T::memory_d],
         const typename CONFIG_T::weight_t e_m[CONFIG_T::memory_d * CONFIG_T::order * CONFIG_T::memory_d],
         const typename CONFIG_T::weight_t W_x[CONFIG_T::n_in * CONFIG_T::units],
         const typename CONFIG_T::weight_t W_h[CONFIG_T::units * CONFIG_T::units],
         const typename CONFIG_T::weight_t W_m[CONFIG_T::memory_d * CONFIG_T::order * CONFIG_T::units],
         const typename CONFIG_T::bias_t b[CONFIG_T::units],
         const typename CONFIG_T::matrix_t A[CONFIG_T::order * CONFIG_T::order],
         const typename CONFIG_T::matrix_t B[CONFIG_T::order]) {
  typedef typename CONFIG_T::accum_t accum_t;
  typedef typename CONFIG_T::state_t state_t;
  typedef typename CONFIG_T::weight_t weight_t;
  typedef typename CONFIG_T::u_sum_t sum_t;
  typedef typename CONFIG_T::mem_sum_t mem_sum_t;
  typedef typename product_in_acc_units<accum_t, decltype(data_T() * weight_t())>::type term_x_t;
  typedef typename product_in_acc_units<accum_t, decltype(res_T() * weight_t())>::type term_h_t;
  typedef typename product_in_acc_units<accum_t, decltype(state_t() * weight_t())>::type term_m_t;
  const unsigned NI = CONFIG_T::n_in, U = CONFIG_T::units, D = CONFIG_T::order, MD = CONFIG_T::memory_d;
  const unsigned NM = MD * D;

  static state_t m[CONFIG_T::memory_d * CONFIG_T::order];
  static res_T h[CONFIG_T::units];
  if (reset) {
    for (unsigned i = 0; i < NM; ++i) m[i] = state_t(0);
    for (unsigned j = 0; j < U; ++j) h[j] = res_T(0);
  }

  // The memories' input.
  state_t u[CONFIG_T::memory_d];
  for (unsigned k = 0; k < MD; ++k) {
    sum_t s = sum_t(0);
    for (unsigned i = 0; i < NI; ++i) {
      term_x_t t = x[i] * e_x[i * MD + k];
      s += t;
    }
    for (unsigned i = 0; i < U; ++i) {
      term_h_t t = h[i] * e_h[i * MD + k];
      s += t;
    }
    for (unsigned i = 0; i < NM; ++i) {
      term_m_t t = m[i] * e_m[i * MD + k];
      s += t;
    }
    u[k] = state_t(accum_t(s));
  }

  // The memories' update.
  state_t mn[CONFIG_T::memory_d * CONFIG_T::order];
  for (unsigned k = 0; k < MD; ++k) {
    for (unsigned i = 0; i < D; ++i) {
      mem_sum_t s = B[i] * u[k];
      for (unsigned j = 0; j < D; ++j) s += A[i * D + j] * m[k * D + j];
      mn[k * D + i] = state_t(s);
    }
  }

  // The hidden state.
  const typename CONFIG_T::table_t* table = lookup_table<CONFIG_T, TABLE_TANH>();
  for (unsigned j = 0; j < U; ++j) {
    sum_t s = accum_t(b[j]);
    for (unsigned i = 0; i < NI; ++i) {
      term_x_t t = x[i] * W_x[i * U + j];
      s += t;
    }
    for (unsigned i = 0; i < U; ++i) {
      term_h_t t = h[i] * W_h[i * U + j];
      s += t;
    }
    for (unsigned i = 0; i < NM; ++i) {
      term_m_t t = mn[i] * W_m[i * U + j];
      s += t;
    }
    accum_t a = accum_t(s);
    if (CONFIG_T::activation == lmu_relu)
      y[j] = fx<accum_t>::rep(a) > 0 ? res_T(a) : res_T(0);
    else
      y[j] = res_T(table[table_index(a, CONFIG_T::table_size, CONFIG_T::table_range_log2)]);
  }
  for (unsigned i = 0; i < NM; ++i) m[i] = mn[i];
  for (unsigned j = 0; j < U; ++j) h[j] = y[j];
}

}  // namespace hls
}  // namespace tinyforge
