// tinyforge::hls::fixed against SystemC's sc_fixed/sc_ufixed, bit for bit: conversions from double
// (random, edge values, half-LSB ties, out of range), +, -, *, unary -, compound assignment and comparisons,
// across widths, all 7 quantization and all 4 overflow modes. Over 1M seeded cases in all.
#define SC_INCLUDE_FX
#include <systemc>

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "tinyforge/hls/fixed.h"

using namespace tinyforge::hls;
namespace sd = sc_dt;

namespace {

constexpr sd::sc_q_mode scq(QuantMode q) {
  return q == TRN           ? sd::SC_TRN
         : q == TRN_ZERO    ? sd::SC_TRN_ZERO
         : q == RND         ? sd::SC_RND
         : q == RND_ZERO    ? sd::SC_RND_ZERO
         : q == RND_MIN_INF ? sd::SC_RND_MIN_INF
         : q == RND_INF     ? sd::SC_RND_INF
                            : sd::SC_RND_CONV;
}
constexpr sd::sc_o_mode sco(OvfMode o) {
  return o == WRAP ? sd::SC_WRAP : o == SAT ? sd::SC_SAT : o == SAT_ZERO ? sd::SC_SAT_ZERO : sd::SC_SAT_SYM;
}

template <int W, int I, bool S, QuantMode Q, OvfMode O>
struct sc_of;
template <int W, int I, QuantMode Q, OvfMode O>
struct sc_of<W, I, true, Q, O> {
  typedef sd::sc_fixed<W, I, scq(Q), sco(O)> type;
};
template <int W, int I, QuantMode Q, OvfMode O>
struct sc_of<W, I, false, Q, O> {
  typedef sd::sc_ufixed<W, I, scq(Q), sco(O)> type;
};

// Low W bits of a SystemC fixed-point number.
template <class T>
uint64_t sc_bits(const T& s, int w) {
  uint64_t b = 0;
  for (int i = std::min(w, 64) - 1; i >= 0; --i) b = (b << 1) | (s[i] ? 1 : 0);
  return b;
}

// SystemC value with the exact value raw * 2^-F.
inline sd::sc_fxval sc_exact(int64_t raw, int F, bool is_unsigned) {
  sd::sc_fxval v = is_unsigned ? sd::sc_fxval((sd::uint64)raw) : sd::sc_fxval((sd::int64)raw);
  if (F > 0) v = v >> F;
  if (F < 0) v = v << (-F);
  return v;
}

template <class A>
A random_operand(std::mt19937_64& rng) {
  // Random raw bits, with edge values a tenth of the time.
  int64_t raw;
  constexpr int W = A::width;
  const uint64_t mask = W >= 64 ? ~0ULL : ((1ULL << W) - 1);
  switch (rng() % 10) {
    case 0: raw = 0; break;
    case 1: raw = A::is_signed ? (int64_t)(mask >> 1) : (int64_t)mask; break;  // max
    case 2: raw = A::is_signed ? -(int64_t)(mask >> 1) - 1 : 0; break;         // min
    case 3: raw = A::is_signed ? -(int64_t)(mask >> 1) : 1; break;             // -max / +1 LSB
    default: raw = (int64_t)(rng() & mask);
  }
  return A::from_raw(raw);
}

template <class A>
sd::sc_fxval sc_value(const A& a) {
  return sc_exact((int64_t)a.raw(), A::fwidth, !A::is_signed && A::width == 64);
}

size_t g_cases = 0;

// Conversions from double into D.
template <class D>
void check_double(std::mt19937_64& rng, int n) {
  typedef typename sc_of<D::width, D::iwidth, D::is_signed, D::qmode, D::omode>::type SC;
  const double lsb = std::ldexp(1.0, -D::fwidth);
  const double span = std::ldexp(1.0, D::iwidth);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  for (int k = 0; k < n; ++k) {
    double d;
    switch (rng() % 6) {
      case 0: d = (std::floor(u(rng) * span / lsb) + 0.5) * lsb; break;  // exact half-LSB tie
      case 1: d = u(rng) * span * 4; break;                              // often out of range
      case 2: d = u(rng) * lsb * 3; break;                               // near zero
      case 3: d = std::ldexp(u(rng), (int)(rng() % 200) - 100); break;   // any magnitude
      default: d = u(rng) * span;
    }
    D t(d);
    SC s(d);
    INFO("double " << d << " into W=" << D::width << " I=" << D::iwidth << " S=" << D::is_signed << " Q=" << D::qmode
                   << " O=" << D::omode);
    REQUIRE(t.bits() == sc_bits(s, D::width));
    ++g_cases;
  }
}

// Arithmetic on operands A and B, result quantized into D; compound assignment; comparisons.
template <class D, class A, class B>
void check_ops(std::mt19937_64& rng, int n) {
  typedef typename sc_of<D::width, D::iwidth, D::is_signed, D::qmode, D::omode>::type SC;
  for (int k = 0; k < n; ++k) {
    A a = random_operand<A>(rng);
    B b = random_operand<B>(rng);
    sd::sc_fxval sa = sc_value(a), sb = sc_value(b);
    INFO("a=" << a.to_double() << " b=" << b.to_double() << " into W=" << D::width << " I=" << D::iwidth
              << " Q=" << D::qmode << " O=" << D::omode);
    {
      D t = a + b;
      SC s = sa + sb;
      REQUIRE(t.bits() == sc_bits(s, D::width));
    }
    {
      D t = a - b;
      SC s = sa - sb;
      REQUIRE(t.bits() == sc_bits(s, D::width));
    }
    {
      D t = a * b;
      SC s = sa * sb;
      REQUIRE(t.bits() == sc_bits(s, D::width));
    }
    {
      D t = -a;
      SC s = -sa;
      REQUIRE(t.bits() == sc_bits(s, D::width));
    }
    {
      D t = a;
      SC s = sa;
      t += b;
      s += sb;
      REQUIRE(t.bits() == sc_bits(s, D::width));
      t *= b;
      s *= sb;
      REQUIRE(t.bits() == sc_bits(s, D::width));
      t -= a;
      s -= sa;
      REQUIRE(t.bits() == sc_bits(s, D::width));
    }
    REQUIRE((a < b) == (sa < sb));
    REQUIRE((a == b) == (sa == sb));
    REQUIRE((a >= b) == (sa >= sb));
    g_cases += 9;
  }
}

template <int W, int I, bool S>
void all_modes(std::mt19937_64& rng, int n_double, int n_ops) {
#define TF_MODE(Q, O)                                      \
  {                                                        \
    typedef fixed_t<W, I, S, Q, O> D;                      \
    check_double<D>(rng, n_double);                        \
    check_ops<D, fixed<16, 6>, ufixed<10, 3>>(rng, n_ops); \
    check_ops<D, fixed<9, -2>, fixed<7, 9>>(rng, n_ops);   \
  }
#define TF_Q(Q) TF_MODE(Q, WRAP) TF_MODE(Q, SAT) TF_MODE(Q, SAT_ZERO) TF_MODE(Q, SAT_SYM)
  TF_Q(TRN) TF_Q(TRN_ZERO) TF_Q(RND) TF_Q(RND_ZERO) TF_Q(RND_MIN_INF) TF_Q(RND_INF) TF_Q(RND_CONV)
#undef TF_Q
#undef TF_MODE
}

}  // namespace

TEST_CASE("fixed: result widths follow the full-precision rules", "[hls][fixed]") {
  typedef decltype(fixed<16, 6>() + ufixed<10, 3>()) P;  // F = 10, I = max(6, 3 + 1) + 1 = 7
  STATIC_REQUIRE(P::width == 17);
  STATIC_REQUIRE(P::iwidth == 7);
  STATIC_REQUIRE(P::is_signed);
  typedef decltype(ufixed<8, 4>() - ufixed<8, 2>()) M;  // F = 6, I = 5, always signed
  STATIC_REQUIRE(M::width == 11);
  STATIC_REQUIRE(M::is_signed);
  typedef decltype(fixed<64, 20>() * fixed<64, 30>()) X;
  STATIC_REQUIRE(X::width == 128);
  STATIC_REQUIRE(X::iwidth == 50);
  typedef decltype(-ufixed<8, 8>()) N;
  STATIC_REQUIRE(N::width == 9);
  STATIC_REQUIRE(N::is_signed);
  // Hand-computed cases.
  CHECK(fixed<8, 4>(1.25).raw() == 20);
  CHECK(fixed<8, 4, TRN, SAT>(100.0).to_double() == 7.9375);
  CHECK(fixed<8, 4, TRN, WRAP>(8.0).to_double() == -8.0);
  CHECK(fixed<8, 4, TRN, SAT_SYM>(-100.0).to_double() == -7.9375);
  CHECK(fixed<8, 4, RND_CONV>(0.09375).raw() == 2);   // 1.5 LSB -> 2 (even)
  CHECK(fixed<8, 4, RND_CONV>(0.03125).raw() == 0);   // 0.5 LSB -> 0 (even)
  CHECK(fixed<8, 4, TRN>(-0.03125).raw() == -1);      // floor
  CHECK(fixed<8, 4, TRN_ZERO>(-0.03125).raw() == 0);  // toward zero
  fixed<16, 6> a = 3.5, b = -1.25;
  CHECK((a * b).to_double() == -4.375);
  CHECK((a + b).to_double() == 2.25);
}

TEST_CASE("fixed: bit-exact with sc_fixed on 1M+ seeded random cases", "[hls][fixed]") {
  std::mt19937_64 rng(2024);
  g_cases = 0;
  // 56 (Q, O) combinations for each of these widths, signed and unsigned, including negative fraction
  // widths (I > W), zero fraction bits, and 64-bit words.
  all_modes<12, 4, true>(rng, 3000, 600);
  all_modes<12, 4, false>(rng, 3000, 600);
  all_modes<5, 7, true>(rng, 1500, 300);
  all_modes<24, -3, true>(rng, 1500, 300);
  all_modes<33, 33, false>(rng, 1500, 300);
  all_modes<64, 20, true>(rng, 1500, 300);
  all_modes<1, 1, false>(rng, 500, 100);
  INFO("cases: " << g_cases);
  CHECK(g_cases >= 1000000);
}
