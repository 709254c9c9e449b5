// Type hooks for generated projects. By default the layer library and the generated code use tinyforge's own
// fixed-point types; define TINYFORGE_USE_AP_TYPES (and put the vendor's ap_fixed.h on the include path) to
// compile the same project against the vendor HLS types instead, unchanged.
//
//   TF_FIXED(W, I, Q, O)   signed fixed point, e.g. TF_FIXED(16, 6, RND, SAT)
//   TF_UFIXED(W, I, Q, O)  unsigned
// Q: TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV; O: WRAP, SAT, SAT_ZERO, SAT_SYM.
//
// The layer templates reach a type's properties only through fx<T> (width, iwidth, fbits, is_signed,
// qmode, rep(x): the stored integer) and build types only through fx_type<W, I, S, Q, O>, both
// defined here for either family; they never use members that only one family has.
#pragma once

#include <type_traits>

#include "tinyforge/hls/modes.h"

#ifdef TINYFORGE_USE_AP_TYPES
#include <ap_fixed.h>
#define TF_FIXED(W, I, Q, O) ap_fixed<W, I, AP_##Q, AP_##O>
#define TF_UFIXED(W, I, Q, O) ap_ufixed<W, I, AP_##Q, AP_##O>
#define TF_TO_DOUBLE(x) ((x).to_double())

namespace tinyforge {
namespace hls {

constexpr QuantMode from_ap(ap_q_mode q) {
  return q == AP_TRN ? TRN : q == AP_TRN_ZERO ? TRN_ZERO : q == AP_RND ? RND : q == AP_RND_ZERO ? RND_ZERO
       : q == AP_RND_MIN_INF ? RND_MIN_INF : q == AP_RND_INF ? RND_INF : RND_CONV;
}
constexpr ap_q_mode to_ap(QuantMode q) {
  return q == TRN ? AP_TRN : q == TRN_ZERO ? AP_TRN_ZERO : q == RND ? AP_RND : q == RND_ZERO ? AP_RND_ZERO
       : q == RND_MIN_INF ? AP_RND_MIN_INF : q == RND_INF ? AP_RND_INF : AP_RND_CONV;
}
constexpr ap_o_mode to_ap(OvfMode o) { return o == WRAP ? AP_WRAP : o == SAT ? AP_SAT : o == SAT_ZERO ? AP_SAT_ZERO : AP_SAT_SYM; }

template <class T>
struct fx;
// Arithmetic results are ap_fixed_base; declared variables are ap_fixed / ap_ufixed (derived from it).
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct fx<ap_fixed_base<W, I, S, Q, O, N> > {
  static constexpr int width = W, iwidth = I, fbits = W - I;
  static constexpr bool is_signed = S;
  static constexpr QuantMode qmode = from_ap(Q);
  // The stored integer (value * 2^fbits), for W <= 64.
  static long long rep(const ap_fixed_base<W, I, S, Q, O, N>& x) {
    static_assert(W <= 64, "fx::raw: at most 64 bits");
    unsigned long long u = x.range(W - 1, 0).to_uint64();
    if (S && W < 64 && ((u >> (W - 1)) & 1)) u |= ~0ULL << W;
    return (long long)u;
  }
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fx<ap_fixed<W, I, Q, O, N> > : fx<ap_fixed_base<W, I, true, Q, O, N> > {};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct fx<ap_ufixed<W, I, Q, O, N> > : fx<ap_fixed_base<W, I, false, Q, O, N> > {};

template <int W, int I, bool S, QuantMode Q = TRN, OvfMode O = WRAP>
struct fx_type {
  typedef typename std::conditional<S, ap_fixed<W, I, to_ap(Q), to_ap(O)>, ap_ufixed<W, I, to_ap(Q), to_ap(O)> >::type type;
};
typedef long long fx_wide;  // index arithmetic (the layers keep it within 62 bits)
static const bool fx_wide_is_64 = true;

}  // namespace hls
}  // namespace tinyforge
#else
#include "tinyforge/hls/fixed.h"
#define TF_FIXED(W, I, Q, O) ::tinyforge::hls::fixed<W, I, ::tinyforge::hls::Q, ::tinyforge::hls::O>
#define TF_UFIXED(W, I, Q, O) ::tinyforge::hls::ufixed<W, I, ::tinyforge::hls::Q, ::tinyforge::hls::O>
#define TF_TO_DOUBLE(x) ((x).to_double())

namespace tinyforge {
namespace hls {

template <class T>
struct fx {
  static constexpr int width = T::width, iwidth = T::iwidth, fbits = T::fwidth;
  static constexpr bool is_signed = T::is_signed;
  static constexpr QuantMode qmode = T::qmode;
  static detail::i128 rep(const T& x) { return (detail::i128)x.raw(); }  // value * 2^fbits
};
template <int W, int I, bool S, QuantMode Q = TRN, OvfMode O = WRAP>
struct fx_type {
  typedef fixed_t<W, I, S, Q, O> type;
};
typedef detail::i128 fx_wide;
static const bool fx_wide_is_64 = false;

}  // namespace hls
}  // namespace tinyforge
#endif
