// Shared pieces of the layer library: strategies, the wide exact accumulator, small helpers.
#pragma once

#include "tinyforge/hls/types.h"

namespace tinyforge {
namespace hls {

enum strategy_t { latency = 0, resource = 1 };

constexpr int clog2(unsigned long long n) { return n <= 1 ? 0 : 1 + clog2((n + 1) / 2); }
constexpr int cmax(int a, int b) { return a > b ? a : b; }

// An accumulator that holds a sum of N terms of type T exactly: T's fraction bits, enough integer bits for
// N terms, wrap (it never overflows). Sums are converted into the layer's accum_t once, at the end, so a
// result does not depend on summation order, strategy or reuse factor.
template <class T, unsigned N>
struct exact_sum {
  static constexpr int guard = clog2((unsigned long long)N + 1) + 1;
  typedef typename fx_type<fx<T>::width + guard + (fx<T>::is_signed ? 0 : 1), fx<T>::iwidth + guard + (fx<T>::is_signed ? 0 : 1),
                           true, TRN, WRAP>::type type;
};

// Quantizes a full-precision product into the fraction bits of ACC without any overflow handling: the
// product keeps all its integer bits (the sum is range-checked once, at the end).
template <class ACC, class P>
struct product_in_acc_units {
  // Signed, so an unsigned product needs one more integer bit.
  static constexpr int I = cmax(fx<P>::iwidth + (fx<P>::is_signed ? 0 : 1), fx<ACC>::iwidth);
  typedef typename fx_type<I + fx<ACC>::fbits, I, true, fx<ACC>::qmode, WRAP>::type type;
};

// Accumulation of the multiply-accumulate layers (dense, conv): exact (the default: products quantized to
// accum_t's fraction bits, an exact sum, one conversion into accum_t) or each_add (hls4ml's: every product and
// the bias converted into accum_t, then a conversion into accum_t after every addition, bias first and then
// the terms in input order; with a saturating accum_t the result depends on that order).
enum accumulation_t { accum_exact = 0, accum_each_add = 1 };

// The order in which hls4ml's dense resource strategy adds the terms of output J (weights transposed, reuse
// factor R): the K-th term added is input hls4ml_resource_input(J, K, N_IN, R).
//   R < n_in (R divides n_in): pass r = 0..R-1 adds inputs r, r+R, r+2R, ...;
//   R a multiple of n_in: input order;
//   R > n_in otherwise: pass r adds the weight with index r (mod R), so output J's inputs come in the order of
//   (J * n_in + i) mod R, a rotation of the input order.
// With accum_each_add and strategy resource, dense adds in this order (hls4ml's bits with a saturating accum_t).
inline unsigned hls4ml_resource_input(unsigned j, unsigned k, unsigned n_in, unsigned R) {
  if (R < n_in) {
    const unsigned per_pass = n_in / R;
    return k / per_pass + (k % per_pass) * R;
  }
  if (R % n_in == 0) return k;
  const unsigned c = R - (unsigned)(((unsigned long long)j * n_in) % R);  // inputs before the wrap
  if (c >= n_in) return k;
  return k < n_in - c ? c + k : k - (n_in - c);
}

// A MAC config's accumulation: its static member `accumulation` when it declares one, else exact.
template <class C, class = void>
struct accumulation_of {
  static const unsigned value = accum_exact;
};
template <class C>
struct accumulation_of<C, decltype((void)C::accumulation)> {
  static const unsigned value = C::accumulation;
};

// One output's accumulator under either mode: init(bias), add(x, w) per term, then result<res_T>().
template <class accum_t, class term_t, class sum_t, unsigned MODE>
struct mac_acc {
  sum_t s;
  template <class B>
  void init(const B& b) {
    s = accum_t(b);
  }
  template <class X, class Wt>
  void add(const X& x, const Wt& w) {
    term_t t = x * w;
    s += t;
  }
  template <class R>
  R result() const {
    return R(accum_t(s));
  }
};
template <class accum_t, class term_t, class sum_t>
struct mac_acc<accum_t, term_t, sum_t, accum_each_add> {
  accum_t s;
  template <class B>
  void init(const B& b) {
    s = b;
  }
  template <class X, class Wt>
  void add(const X& x, const Wt& w) {
    accum_t p = x * w;
    s = s + p;
  }
  template <class R>
  R result() const {
    return R(s);
  }
};

}  // namespace hls
}  // namespace tinyforge
