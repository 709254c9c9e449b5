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

}  // namespace hls
}  // namespace tinyforge
