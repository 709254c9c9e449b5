// tinyforge's fixed-point types against the vendor's ap_fixed / ap_ufixed, bit for bit: conversions from a
// wide fixed-point value and from double into 7 shapes x 7 quantization x 4 overflow modes, and full-precision
// products and sums converted into a narrow type. Built only when the vendor headers are given
// (cmake -DTINYFORGE_AP_TYPES_DIR=DIR, DIR holding ap_fixed.h); they are not shipped with tinyforge.
#include <ap_fixed.h>

#include <cstdio>
#include <random>

#include "tinyforge/hls/fixed.h"

using namespace tinyforge::hls;

namespace {
std::mt19937_64 rng(11);
long checks = 0, bad = 0;

template <class A, class T>
void expect_same(const A& a, const T& t, const char* what) {
  unsigned long long ab = a.range(T::width - 1, 0).to_uint64(), tb = t.bits();
  ++checks;
  if (ab != tb && bad++ < 10)
    std::printf("%s: W%d I%d S%d Q%d O%d: tinyforge %llx, vendor %llx\n", what, T::width, T::iwidth, (int)T::is_signed,
                (int)T::qmode, (int)T::omode, tb, ab);
}

template <int W, int I, bool S, QuantMode Q, OvfMode O, ap_q_mode AQ, ap_o_mode AO>
void one() {
  typedef typename std::conditional<S, ap_fixed<W, I, AQ, AO>, ap_ufixed<W, I, AQ, AO> >::type A;
  typedef fixed_t<W, I, S, Q, O> T;
  for (int k = 0; k < 3000; ++k) {
    long long raw = (long long)(rng() >> 24) - (1LL << 39);  // a random fixed<40, 20>
    if (k % 8 == 0) raw = (long long)(rng() % 64) - 32;      // small values: ties and signs
    fixed<40, 20> s = fixed<40, 20>::from_raw(raw);
    ap_fixed<40, 20> as;
    as.range(39, 0) = (unsigned long long)raw & ((1ULL << 40) - 1);
    expect_same(A(as), T(s), "from fixed<40,20>");
    double d = std::ldexp((double)raw, -23);
    expect_same(A(d), T(d), "from double");
    // A product and a sum at full precision, then converted.
    fixed<16, 6> x = fixed<16, 6>::from_raw((long long)(rng() % 65536) - 32768),
                 y = fixed<16, 6>::from_raw((long long)(rng() % 65536) - 32768);
    ap_fixed<16, 6> ax, ay;
    ax.range(15, 0) = (unsigned long long)x.bits();
    ay.range(15, 0) = (unsigned long long)y.bits();
    expect_same(A(ax * ay), T(x * y), "product");
    expect_same(A(ax + ay * as), T(x + y * s), "sum of products");
  }
}
template <int W, int I, bool S, QuantMode Q, ap_q_mode AQ>
void modes_o() {
  one<W, I, S, Q, WRAP, AQ, AP_WRAP>();
  one<W, I, S, Q, SAT, AQ, AP_SAT>();
  one<W, I, S, Q, SAT_ZERO, AQ, AP_SAT_ZERO>();
  one<W, I, S, Q, SAT_SYM, AQ, AP_SAT_SYM>();
}
template <int W, int I, bool S>
void shape() {
  modes_o<W, I, S, TRN, AP_TRN>();
  modes_o<W, I, S, TRN_ZERO, AP_TRN_ZERO>();
  modes_o<W, I, S, RND, AP_RND>();
  modes_o<W, I, S, RND_ZERO, AP_RND_ZERO>();
  modes_o<W, I, S, RND_MIN_INF, AP_RND_MIN_INF>();
  modes_o<W, I, S, RND_INF, AP_RND_INF>();
  modes_o<W, I, S, RND_CONV, AP_RND_CONV>();
}
}  // namespace

int main() {
  shape<8, 3, true>();
  shape<8, 3, false>();
  shape<12, 12, true>();
  shape<16, 6, true>();
  shape<10, -2, true>();
  shape<6, 9, false>();
  shape<18, 0, false>();
  std::printf("%ld checks against the vendor types, %ld differ\n", checks, bad);
  return bad ? 1 : 0;
}
