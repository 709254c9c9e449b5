// Bit-exact fixed-point types for the HLS layer library (header-only, C++14, no heap, no virtual calls).
//
//   fixed<W, I, Q, O>   signed:   W bits in all, I of them integer bits (sign included), F = W - I fraction bits
//   ufixed<W, I, Q, O>  unsigned
//
// Semantics follow the arbitrary-precision fixed-point types HLS users know (and SystemC's sc_fixed, which
// the tests compare against bit for bit): arithmetic (+, -, *, unary -) returns a full-precision result whose
// widths grow so that nothing is lost; quantization (Q) and overflow handling (O) happen only on conversion
// into a type: construction from double/integers/other fixed types, assignment, compound assignment.
//   +, -:  F = max(F1, F2), I = max(I1 + (S2 && !S1), I2 + (S1 && !S2)) + 1; + is signed if either is,
//          - is always signed
//   *:     W = W1 + W2, I = I1 + I2, signed if either is
//   -a:    W + 1, I + 1, signed
// Operands up to 64 bits; results up to 128 bits are held exactly in __int128 (so an unsigned x unsigned
// product is limited to 127 bits: W1 + W2 <= 127).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "tinyforge/hls/modes.h"

namespace tinyforge {
namespace hls {

namespace detail {

#if defined(__GNUC__)
#define TINYFORGE_INLINE inline __attribute__((always_inline))
#else
#define TINYFORGE_INLINE inline
#endif

#if defined(__GNUC__)
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
#endif

constexpr int imax(int a, int b) { return a > b ? a : b; }

inline int bitlen(u128 m) {
  int n = 0;
  while (m) {
    ++n;
    m >>= 1;
  }
  return n;
}

// Rounding of v / 2^s given floor q, remainder r in [0, 2^s) and half = 2^(s-1): the one place where the
// quantization modes are defined (used with 64-bit and 128-bit integers).
template <class SI, class UI>
TINYFORGE_INLINE SI round_up(SI v, SI q, UI r, UI half, QuantMode Q) {
  bool up = false;
  switch (Q) {
    case TRN: up = false; break;
    case TRN_ZERO: up = v < 0 && r != 0; break;
    case RND: up = r >= half; break;
    case RND_ZERO: up = r > half || (r == half && v < 0); break;
    case RND_MIN_INF: up = r > half; break;
    case RND_INF: up = r > half || (r == half && v > 0); break;
    case RND_CONV: up = r > half || (r == half && (q & 1)); break;
  }
  return q + (up ? 1 : 0);
}

// v / 2^s (s >= 1), rounded as Q prescribes. The runtime-parameter forms below are the single
// implementation; the templates pass constants, which the compiler folds.
TINYFORGE_INLINE i128 quantize_rt(i128 v, int s, QuantMode Q) {
  if (s >= 128) {
    // |v| < 2^127 <= half an LSB of the target: only the sign matters.
    if (v == 0) return 0;
    if (Q == TRN) return v < 0 ? -1 : 0;
    return 0;  // every other mode rounds a sub-half-LSB magnitude to zero
  }
  i128 q = v >> s;  // floor (arithmetic shift)
  u128 mask = (s == 127) ? ~(u128)0 >> 1 : (((u128)1 << s) - 1);
  u128 r = (u128)v & mask;  // v - q * 2^s, in [0, 2^s)
  u128 half = (u128)1 << (s - 1);
  return round_up<i128, u128>(v, q, r, half, Q);
}

// 64-bit fast path of quantize_rt for |v| < 2^62 and 1 <= s <= 62 (same results).
TINYFORGE_INLINE int64_t quantize64(int64_t v, int s, QuantMode Q) {
  int64_t q = v >> s;
  uint64_t r = (uint64_t)v & ((1ULL << s) - 1);
  return round_up<int64_t, uint64_t>(v, q, r, 1ULL << (s - 1), Q);
}

// 64-bit fast path of overflow_rt for W <= 62 and |q| < 2^62 (same results).
TINYFORGE_INLINE int64_t overflow64(int64_t q, int W, bool S, OvfMode O) {
  const int64_t hi = S ? (int64_t)((1ULL << (W - 1)) - 1) : (int64_t)((1ULL << W) - 1);
  const int64_t lo = S ? -hi - 1 : 0;
  if (q >= lo && q <= hi) return (O == SAT_SYM && S && q == lo) ? -hi : q;
  switch (O) {
    case SAT: return q < lo ? lo : hi;
    case SAT_ZERO: return 0;
    case SAT_SYM: return q < lo ? (S ? -hi : 0) : hi;
    case WRAP:
    default: {
      uint64_t bits = (uint64_t)q & ((1ULL << W) - 1);
      if (S && ((bits >> (W - 1)) & 1)) bits |= ~((1ULL << W) - 1);
      return (int64_t)bits;
    }
  }
}

// Fits the integer Q (or, if BIG, an integer beyond any 128-bit range with sign NEG whose low 128 bits are
// LOW) into a W-bit two's complement (S) or unsigned word, as O prescribes.
TINYFORGE_INLINE i128 overflow_rt(i128 q, bool big, bool neg, u128 low, int W, bool S, OvfMode O) {
  const i128 hi = S ? (i128)(((u128)1 << (W - 1)) - 1) : (W >= 127 ? (i128)(~(u128)0 >> 1) : (i128)(((u128)1 << W) - 1));
  const i128 lo = S ? -hi - 1 : 0;
  // Symmetric saturation also maps the most negative code to -max (as sc_fixed's SC_SAT_SYM does).
  if (!big && q >= lo && q <= hi) return (O == SAT_SYM && S && q == lo) ? -hi : q;
  switch (O) {
    case SAT: return (big ? neg : q < lo) ? lo : hi;
    case SAT_ZERO: return 0;
    case SAT_SYM: {
      bool under = big ? neg : q < lo;
      if (!under) return hi;
      return S ? -hi : 0;
    }
    case WRAP:
    default: {
      u128 bits = big ? low : (u128)q;
      if (W < 128) bits &= (((u128)1 << W) - 1);
      if (S && W < 128 && ((bits >> (W - 1)) & 1)) bits |= ~(((u128)1 << W) - 1);
      return (i128)bits;
    }
  }
}

// The exact value V * 2^-FSRC into a W-bit type with F fraction bits.
TINYFORGE_INLINE i128 convert_rt(i128 v, int fsrc, int W, int F, bool S, QuantMode Q, OvfMode O) {
  const i128 lim = (i128)1 << 61;
  if (W <= 62 && v < lim && v > -lim) {  // everything fits 64-bit arithmetic
    int s = fsrc - F;
    if (s >= 1 && s <= 62) return overflow64(quantize64((int64_t)v, s, Q), W, S, O);
    if (s == 0) return overflow64((int64_t)v, W, S, O);
    if (s < 0 && -s <= 62) {
      int64_t x = (int64_t)v;
      int k = -s;
      if (k <= 60 && (x == 0 || (x > 0 ? x : -x) < ((int64_t)1 << (61 - k)))) return overflow64(x * ((int64_t)1 << k), W, S, O);
    }
  }
  if (fsrc > F) return overflow_rt(quantize_rt(v, fsrc - F, Q), false, false, 0, W, S, O);
  int k = F - fsrc;
  if (v == 0 || k == 0) return overflow_rt(v, false, false, 0, W, S, O);
  u128 mag = v < 0 ? (u128)(-(v + 1)) + 1 : (u128)v;
  if (bitlen(mag) + k <= 127 && k < 127) return overflow_rt(v * ((i128)1 << k), false, false, 0, W, S, O);
  u128 low = k >= 128 ? 0 : ((u128)v << k);
  return overflow_rt(0, true, v < 0, low, W, S, O);
}

// An exact double as (mantissa, fraction bits): d = m * 2^-f.
inline void split_double(double d, i128& m, int& f) {
  if (d != d || d == 0) {
    m = 0;
    f = 0;
    return;
  }
  if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {  // infinity: beyond every range
    m = d > 0 ? 1 : -1;
    f = -2000;
    return;
  }
  int e = 0;
  double fr = std::frexp(d, &e);  // d = fr * 2^e, 0.5 <= |fr| < 1
  m = (i128)(int64_t)std::ldexp(fr, 53);
  f = 53 - e;
}

template <QuantMode Q>
inline i128 quantize(i128 v, int s) {
  return quantize_rt(v, s, Q);
}
template <int W, bool S, OvfMode O>
inline i128 overflow(i128 q, bool big, bool neg, u128 low) {
  static_assert(W >= 1 && W <= 128, "fixed-point width must be 1..128");
  return overflow_rt(q, big, neg, low, W, S, O);
}
template <int W, int F, bool S, QuantMode Q, OvfMode O>
inline i128 convert(i128 v, int fsrc) {
  return convert_rt(v, fsrc, W, F, S, Q, O);
}

}  // namespace detail

template <int W, int I, bool S, QuantMode Q = TRN, OvfMode O = WRAP>
class fixed_t;

// Result types of arithmetic between two fixed-point types (full precision).
template <int W1, int I1, bool S1, int W2, int I2, bool S2>
struct fixed_result {
  static constexpr int F1 = W1 - I1, F2 = W2 - I2, F = detail::imax(F1, F2);
  static constexpr int plus_i = detail::imax(I1 + (S2 && !S1 ? 1 : 0), I2 + (S1 && !S2 ? 1 : 0)) + 1;
  typedef fixed_t<plus_i + F, plus_i, S1 || S2> plus;
  typedef fixed_t<plus_i + F, plus_i, true> minus;
  typedef fixed_t<W1 + W2, I1 + I2, S1 || S2> mult;
};

template <int W, int I, bool S, QuantMode Q, OvfMode O>
class fixed_t {
  static_assert(W >= 1 && W <= 128, "fixed-point width must be 1..128");

 public:
  static constexpr int width = W;
  static constexpr int iwidth = I;
  static constexpr int fwidth = W - I;
  static constexpr bool is_signed = S;
  static constexpr QuantMode qmode = Q;
  static constexpr OvfMode omode = O;
  // 64-bit storage where it fits, else 128-bit (full-precision intermediates).
  typedef typename std::conditional<(W < 64 || (W == 64 && S)), int64_t, detail::i128>::type raw_type;

  fixed_t() : v_(0) {}
  fixed_t(double d) : v_(from_double(d)) {}
  fixed_t(float d) : v_(from_double(d)) {}
  fixed_t(int x) : v_((raw_type)detail::convert<W, W - I, S, Q, O>(x, 0)) {}
  fixed_t(long x) : v_((raw_type)detail::convert<W, W - I, S, Q, O>(x, 0)) {}
  fixed_t(long long x) : v_((raw_type)detail::convert<W, W - I, S, Q, O>(x, 0)) {}
  fixed_t(unsigned x) : v_((raw_type)detail::convert<W, W - I, S, Q, O>(x, 0)) {}
  template <int W2, int I2, bool S2, QuantMode Q2, OvfMode O2>
  fixed_t(const fixed_t<W2, I2, S2, Q2, O2>& o) : v_((raw_type)detail::convert<W, W - I, S, Q, O>(o.raw(), W2 - I2)) {}

  // The stored integer: value = raw * 2^-(W-I).
  raw_type raw() const { return v_; }
  // Builds from a raw integer, keeping its low W bits (two's complement wrap).
  static fixed_t from_raw(detail::i128 r) {
    fixed_t f;
    if (W < 64) {  // keep the low W bits: a shift pair in 64-bit arithmetic
      const int sh = W < 64 ? 64 - W : 0;
      uint64_t u = (uint64_t)r << sh;
      f.v_ = (raw_type)(S ? (int64_t)u >> sh : (int64_t)(u >> sh));
    } else {
      f.v_ = (raw_type)detail::overflow<W, S, WRAP>(r, false, false, 0);
    }
    return f;
  }
  uint64_t bits() const { return (uint64_t)(W >= 64 ? (detail::u128)v_ : ((detail::u128)v_ & (((detail::u128)1 << W) - 1))); }

  double to_double() const { return std::ldexp((double)v_, -(W - I)); }
  explicit operator double() const { return to_double(); }
  int to_int() const {  // truncation toward zero of the integer part, like the vendor types' to_int()
    detail::i128 v = v_;
    if (W - I <= 0) return (int)(v * ((detail::i128)1 << (I - W)));
    detail::i128 q = v >> (W - I);
    if (v < 0 && (v & (((detail::i128)1 << (W - I)) - 1))) q += 1;
    return (int)q;
  }

  template <int W2, int I2, bool S2, QuantMode Q2, OvfMode O2>
  fixed_t& operator=(const fixed_t<W2, I2, S2, Q2, O2>& o) {
    v_ = (raw_type)detail::convert<W, W - I, S, Q, O>(o.raw(), W2 - I2);
    return *this;
  }
  fixed_t& operator=(double d) {
    v_ = from_double(d);
    return *this;
  }
  template <class T>
  fixed_t& operator+=(const T& o) {
    return *this = *this + o;
  }
  template <class T>
  fixed_t& operator-=(const T& o) {
    return *this = *this - o;
  }
  template <class T>
  fixed_t& operator*=(const T& o) {
    return *this = *this * o;
  }

  fixed_t<W + 1, I + 1, true> operator-() const {
    return fixed_t<W + 1, I + 1, true>::from_raw(-(detail::i128)v_);
  }
  const fixed_t& operator+() const { return *this; }

 private:
  static raw_type from_double(double d) {
    detail::i128 m;
    int f;
    detail::split_double(d, m, f);  // NaN converts to 0
    return (raw_type)detail::convert<W, W - I, S, Q, O>(m, f);
  }
  raw_type v_;
};

template <int W, int I, QuantMode Q = TRN, OvfMode O = WRAP>
using fixed = fixed_t<W, I, true, Q, O>;
template <int W, int I, QuantMode Q = TRN, OvfMode O = WRAP>
using ufixed = fixed_t<W, I, false, Q, O>;

// ---- arithmetic (full precision) ------------------------------------------------------------------
template <int W1, int I1, bool S1, QuantMode Q1, OvfMode O1, int W2, int I2, bool S2, QuantMode Q2, OvfMode O2>
inline typename fixed_result<W1, I1, S1, W2, I2, S2>::plus operator+(const fixed_t<W1, I1, S1, Q1, O1>& a,
                                                                     const fixed_t<W2, I2, S2, Q2, O2>& b) {
  typedef fixed_result<W1, I1, S1, W2, I2, S2> R;
  if (R::plus::width <= 62)
    return R::plus::from_raw((int64_t)a.raw() * ((int64_t)1 << (R::F - R::F1)) + (int64_t)b.raw() * ((int64_t)1 << (R::F - R::F2)));
  detail::i128 x = (detail::i128)a.raw() * ((detail::i128)1 << (R::F - R::F1));
  detail::i128 y = (detail::i128)b.raw() * ((detail::i128)1 << (R::F - R::F2));
  return R::plus::from_raw(x + y);
}

template <int W1, int I1, bool S1, QuantMode Q1, OvfMode O1, int W2, int I2, bool S2, QuantMode Q2, OvfMode O2>
inline typename fixed_result<W1, I1, S1, W2, I2, S2>::minus operator-(const fixed_t<W1, I1, S1, Q1, O1>& a,
                                                                      const fixed_t<W2, I2, S2, Q2, O2>& b) {
  typedef fixed_result<W1, I1, S1, W2, I2, S2> R;
  if (R::minus::width <= 62)
    return R::minus::from_raw((int64_t)a.raw() * ((int64_t)1 << (R::F - R::F1)) - (int64_t)b.raw() * ((int64_t)1 << (R::F - R::F2)));
  detail::i128 x = (detail::i128)a.raw() * ((detail::i128)1 << (R::F - R::F1));
  detail::i128 y = (detail::i128)b.raw() * ((detail::i128)1 << (R::F - R::F2));
  return R::minus::from_raw(x - y);
}

template <int W1, int I1, bool S1, QuantMode Q1, OvfMode O1, int W2, int I2, bool S2, QuantMode Q2, OvfMode O2>
inline typename fixed_result<W1, I1, S1, W2, I2, S2>::mult operator*(const fixed_t<W1, I1, S1, Q1, O1>& a,
                                                                     const fixed_t<W2, I2, S2, Q2, O2>& b) {
  typedef fixed_result<W1, I1, S1, W2, I2, S2> R;
  static_assert(W1 + W2 <= 128 && (S1 || S2 || W1 + W2 <= 127), "product wider than 128 bits");
  // Both raws fit in 64 bits (operands are at most 64 bits wide), so the product is exact in 128 bits.
  if (W1 + W2 <= 62) return R::mult::from_raw((int64_t)a.raw() * (int64_t)b.raw());
  return R::mult::from_raw((detail::i128)a.raw() * (detail::i128)b.raw());
}

// ---- comparisons ------------------------------------------------------------------------------------
namespace detail {
template <int W1, int I1, bool S1, QuantMode Q1, OvfMode O1, int W2, int I2, bool S2, QuantMode Q2, OvfMode O2>
inline int compare(const fixed_t<W1, I1, S1, Q1, O1>& a, const fixed_t<W2, I2, S2, Q2, O2>& b) {
  constexpr int F1 = W1 - I1, F2 = W2 - I2, F = imax(F1, F2);
  i128 ra = (i128)a.raw(), rb = (i128)b.raw();
  // Only the operand with fewer fraction bits is shifted; if that would leave 127 bits, its magnitude is
  // beyond anything the other (at most 64-bit) operand can hold, so its sign decides.
  auto mag = [](i128 v) { return v < 0 ? (u128)(-(v + 1)) + 1 : (u128)v; };
  if (F - F1 > 0 && ra != 0 && bitlen(mag(ra)) + (F - F1) > 126) return ra < 0 ? -1 : 1;
  if (F - F2 > 0 && rb != 0 && bitlen(mag(rb)) + (F - F2) > 126) return rb < 0 ? 1 : -1;
  i128 x = ra * ((i128)1 << (F - F1));
  i128 y = rb * ((i128)1 << (F - F2));
  return x < y ? -1 : (x > y ? 1 : 0);
}
}  // namespace detail

#define TINYFORGE_FIXED_CMP(OP)                                                                                \
  template <int W1, int I1, bool S1, QuantMode Q1, OvfMode O1, int W2, int I2, bool S2, QuantMode Q2, OvfMode O2> \
  inline bool operator OP(const fixed_t<W1, I1, S1, Q1, O1>& a, const fixed_t<W2, I2, S2, Q2, O2>& b) {       \
    return detail::compare(a, b) OP 0;                                                                       \
  }
TINYFORGE_FIXED_CMP(==)
TINYFORGE_FIXED_CMP(!=)
TINYFORGE_FIXED_CMP(<)
TINYFORGE_FIXED_CMP(<=)
TINYFORGE_FIXED_CMP(>)
TINYFORGE_FIXED_CMP(>=)
#undef TINYFORGE_FIXED_CMP

}  // namespace hls
}  // namespace tinyforge
