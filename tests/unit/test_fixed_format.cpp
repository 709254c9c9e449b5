// Run-time fixed-point formats (used by the model IR and the emulator) agree bit for bit with the
// compile-time types, and their text form parses strictly.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "fixed_format.h"

using namespace tf::hlsgen;
namespace hl = tinyforge::hls;

namespace {
template <int W, int I, bool S, hl::QuantMode Q, hl::OvfMode O>
void agree(std::mt19937_64& rng) {
  FixedFormat f;
  std::string why;
  std::string text = std::string(S ? "fixed<" : "ufixed<") + std::to_string(W) + ", " + std::to_string(I) + ", " +
                     quant_name(Q) + ", " + ovf_name(O) + ">";
  REQUIRE(FixedFormat::parse(text, f, why));
  std::uniform_real_distribution<double> u(-1, 1);
  for (int k = 0; k < 5000; ++k) {
    double d = std::ldexp(u(rng), (int)(rng() % 24) - 12);
    hl::fixed_t<W, I, S, Q, O> t(d);
    REQUIRE((int64_t)f.from_double(d) == (int64_t)t.raw());
    REQUIRE(f.to_double(f.from_double(d)) == t.to_double());
    // From another format's exact value: a product with 20 fraction bits.
    hl::fixed<16, 6> a(u(rng) * 30), b(u(rng) * 30);
    hl::fixed_t<W, I, S, Q, O> p = a * b;
    REQUIRE((int64_t)f.from_exact((i128)a.raw() * b.raw(), 20) == (int64_t)p.raw());
  }
}
}  // namespace

TEST_CASE("run-time formats equal the compile-time types", "[hls][format]") {
  std::mt19937_64 rng(8);
  agree<16, 6, true, hl::TRN, hl::WRAP>(rng);
  agree<8, 3, true, hl::RND_CONV, hl::SAT_SYM>(rng);
  agree<12, 0, false, hl::RND, hl::SAT>(rng);
  agree<10, 12, true, hl::RND_INF, hl::SAT_ZERO>(rng);
  agree<40, 10, true, hl::RND_ZERO, hl::WRAP>(rng);
}

TEST_CASE("format text: canonical form and strict parsing", "[hls][format]") {
  FixedFormat f;
  std::string why;
  REQUIRE(FixedFormat::parse("fixed<16,6>", f, why));
  CHECK(f.str() == "fixed<16,6>");
  CHECK(f.cpp() == "TF_FIXED(16, 6, TRN, WRAP)");
  REQUIRE(FixedFormat::parse(" ufixed< 18 , 0 , RND , SAT > ", f, why));
  CHECK(f.str() == "ufixed<18,0,RND,SAT>");
  REQUIRE(FixedFormat::parse("fixed<8,3,TRN,SAT>", f, why));
  CHECK(f.str() == "fixed<8,3,TRN,SAT>");
  for (const char* bad : {"float", "fixed<16>", "fixed<0,0>", "fixed<65,6>", "fixed<16,6,ROUND>",
                          "fixed<16,6,RND,CLIP>", "fixed<16,6", "fixed<1x,6>", "fixed<16,6,RND,SAT,X>"}) {
    INFO(bad);
    CHECK_FALSE(FixedFormat::parse(bad, f, why));
    CHECK(!why.empty());
  }
}

TEST_CASE("fixed: edge cases (infinity, comparisons across extreme scales, 127-bit exact shifts)", "[hls][format]") {
  CHECK(hl::fixed<16, 6, hl::RND, hl::SAT>(HUGE_VAL).raw() == 32767);
  CHECK(hl::fixed<16, 6, hl::RND, hl::SAT>(-HUGE_VAL).raw() == -32768);
  hl::fixed<64, 64> big = std::ldexp(1.0, 62);
  hl::fixed<8, -60> tiny = std::ldexp(1.0, -65);
  CHECK(big > tiny);
  CHECK(tiny < big);
  CHECK(-big < tiny);
  hl::fixed<128, 2, hl::TRN, hl::SAT> w = hl::fixed<2, 2>(1.0);
  CHECK(w.to_double() == 1.0);
  hl::fixed<128, 2, hl::TRN, hl::SAT> w2 = hl::fixed<2, 2>(-1.0);
  CHECK(w2.to_double() == -1.0);
}
