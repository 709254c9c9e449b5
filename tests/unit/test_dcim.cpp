// The digital MAC arrays (sim/cim/dcim): results against a direct computation written here, and the toggle
// counts of small cases worked out by hand.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <random>

#include "cim/dcim/array.h"

using namespace tf::dcim;

namespace {
int64_t lo(int bits, bool sgn) { return sgn ? -(int64_t(1) << (bits - 1)) : 0; }
int64_t hi(int bits, bool sgn) { return sgn ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1; }
}  // namespace

TEST_CASE("dcim arrays: every result equals the direct dot product, both architectures, signed and unsigned, 1 to 16 bits, extremes",
          "[dcim]") {
  std::mt19937_64 rng(7);
  for (int rep = 0; rep < 120; ++rep) {
    Shape s;
    s.arch = rep % 2 ? Arch::AdderTree : Arch::ColumnMac;
    s.rows = 1 + (int)(rng() % 40);
    s.rows_per_stage = 1 + (int)(rng() % s.rows);
    Problem p;
    p.w_bits = 1 + (int)(rng() % 16);
    p.x_bits = 1 + (int)(rng() % 16);
    p.w_signed = rng() & 1;
    p.x_signed = rng() & 1;
    s.cols = s.columns_per_output(p.w_bits) * (1 + (int)(rng() % 3));
    p.n = 1 + (int)(rng() % s.rows);
    p.m = s.outputs(p.w_bits);
    const int mode = rep % 3;  // random, all at the maximum, all at the minimum
    auto pick = [&](int bits, bool sgn) {
      if (mode == 1) return hi(bits, sgn);
      if (mode == 2) return sgn ? lo(bits, sgn) : hi(bits, sgn);
      return lo(bits, sgn) + (int64_t)(rng() % (uint64_t)(hi(bits, sgn) - lo(bits, sgn) + 1));
    };
    p.w.assign(p.n, std::vector<int64_t>(p.m));
    for (auto& r : p.w)
      for (auto& v : r) v = pick(p.w_bits, p.w_signed);
    for (int v = 0; v < 3; ++v) {
      std::vector<int64_t> x(p.n);
      for (auto& e : x) e = pick(p.x_bits, p.x_signed);
      p.x.push_back(x);
    }
    Result r = run_array(s, p);
    REQUIRE(r.y.size() == p.x.size());
    for (size_t v = 0; v < p.x.size(); ++v)
      for (int j = 0; j < p.m; ++j) {
        int64_t ref = 0;
        for (int i = 0; i < p.n; ++i) ref += p.w[i][j] * p.x[v][i];
        INFO("arch " << (int)s.arch << " rows " << s.rows << " w_bits " << p.w_bits << " x_bits " << p.x_bits << " signed " << p.w_signed
                     << p.x_signed << " mode " << mode);
        REQUIRE(r.y[v][j] == ref);
      }
    REQUIRE(r.activity.cycles == p.x.size() * (size_t)p.x_bits);
  }
}

TEST_CASE("dcim column_mac: toggles of a 2-row, 2-column array worked out by hand", "[dcim]") {
  // One output, 1-bit weights [1, 1], spill 1 bit: a 2-bit slice. Vector 1: inputs [1, 1]; vector 2: [0, 1].
  // Cycle 1: row 0 adds 01 to 00 (sum 01, no carry); row 1 adds 01 to 01 (sum 10, carry out of bit 0).
  //   product toggles 2, sum 2 (01 and 10 from 00), carry 1, input lines 2; result 2.
  // Cycle 2: row 0's product 01 -> 00 (1), sum 01 -> 00 (1); row 1: 00 + 01 = 01 after 10 (2 sum toggles), its
  //   carry 01 -> 00 (1), product unchanged; input line of row 0 falls (1); result 1.
  Shape s;
  s.rows = 2;
  s.cols = 2;
  s.rows_per_stage = 1;
  Problem p;
  p.n = 2;
  p.m = 1;
  p.w_bits = 1;
  p.x_bits = 1;
  p.w = {{1}, {1}};
  p.x = {{1, 1}, {0, 1}};
  REQUIRE(s.spill() == 1);
  Result r = run_array(s, p);
  CHECK(r.y[0][0] == 2);
  CHECK(r.y[1][0] == 1);
  CHECK(r.activity.cycles == 2);
  CHECK(r.activity.product_toggles == 3);
  CHECK(r.activity.sum_toggles == 5);
  CHECK(r.activity.carry_toggles == 2);
  CHECK(r.activity.input_toggles == 3);
  CHECK(r.activity.acc_bit_updates == 2 * 1 * (2 + 1));  // cycles x outputs x (slice + x_bits)
}

TEST_CASE("dcim column_mac: slices, spill bits and register rows of Colonnade's geometry", "[dcim]") {
  Shape s;  // 128 x 128, a register row every 8 rows
  CHECK(s.spill() == 7);
  CHECK(s.stages() == 16);
  CHECK(s.outputs(1) == 16);  // 2048 one-bit MACs per cycle
  CHECK(s.outputs(8) == 8);
  CHECK(s.outputs(16) == 5);
  Shape t;  // Chih's tree: 256 rows of 4-bit products, 255 adders of 4 ... 11 full adders
  t.arch = Arch::AdderTree;
  t.rows = 256;
  CHECK(t.tree_full_adders(4) == 128 * 4 + 64 * 5 + 32 * 6 + 16 * 7 + 8 * 8 + 4 * 9 + 2 * 10 + 1 * 11);
  CHECK(t.result_bits(4) == 12);
  s.rows = 100;
  CHECK(s.spill() == 7);
  s.rows_per_stage = 30;
  CHECK(s.stages() == 4);
}

TEST_CASE("dcim adder_tree: toggles of a 3-row tree worked out by hand", "[dcim]") {
  // One output, 2-bit unsigned weights [3, 1, 2]; rows 3. Level 1 adds rows 0 and 1 (2-bit operands, 2 full
  // adders, 3-bit result whose top bit is the carry out); row 2 passes; level 2 adds that to row 2 (3-bit
  // operands, 3 full adders, 4-bit result). Vector [1, 1, 1] (1-bit inputs), then [1, 0, 1].
  // Cycle 1: products 11, 01, 10 (4 toggles). Level 1: 11 + 01 = 100: full-adder sums 00 (0 toggles), carries
  //   11 (2). Level 2: 100 + 010 = 0110: sums 110 (2), carries 000. Result 6. Input lines: 3 toggles.
  // Cycle 2: row 1's product 01 -> 00 (1). Level 1: 11 + 00 = 011: sums 11 (2), carries 00 (2). Level 2:
  //   011 + 010 = 0101: sums 110 -> 101 (2), carries 000 -> 010 (1). Result 5. Input lines: 1.
  Shape s;
  s.arch = Arch::AdderTree;
  s.rows = 3;
  s.cols = 2;
  Problem p;
  p.n = 3;
  p.m = 1;
  p.w_bits = 2;
  p.x_bits = 1;
  p.w = {{3}, {1}, {2}};
  p.x = {{1, 1, 1}, {1, 0, 1}};
  REQUIRE(s.result_bits(2) == 4);
  Result r = run_array(s, p);
  CHECK(r.y[0][0] == 6);
  CHECK(r.y[1][0] == 5);
  CHECK(r.activity.product_toggles == 5);
  CHECK(r.activity.sum_toggles == 6);
  CHECK(r.activity.carry_toggles == 5);
  CHECK(r.activity.input_toggles == 4);
  CHECK(s.tree_full_adders(2) == 2 + 3);
  CHECK(r.activity.acc_bit_updates == 2 * (4 + 1));
  CHECK(s.register_bits(2, 1) == 4);  // one output's 4-bit result register
}
