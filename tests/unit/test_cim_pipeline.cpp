// The SystemC CIM macro against the independent references: results of every operation on thousands of
// seeded random programs (dense with back-to-back dependences), cycle counts and stall counts; and the plain
// C++ evaluator (cim/digital/fast.h) against the SystemC model on the same programs.
#include <catch2/catch.hpp>

#include <random>

#include "cim/digital/fast.h"
#include "cim/digital/macro.h"
#include "cim_reference.h"

using namespace tf::cim;

namespace {

struct Setup {
  int rows, cols, wb;
  CellType cell;
  std::array<int, 6> lat;
  bool fwd;
  int accs = 0;             // periphery accumulators
  bool bit_serial = false;  // carry and tag latches: fadd, fsub, carry, tag, predicated writes
  int dual_row = -1;        // macro.dual_row: -1 auto (10T), 0 off, 1 on
};

std::vector<MicroOp> random_program(std::mt19937_64& rng, const Setup& s, int n_ops) {
  std::vector<MicroOp> ops;
  const int n_codes = s.bit_serial ? kNumOpCodes : (int)OpCode::FAdd;
  std::uniform_int_distribution<int> row_only(0, s.rows - 1), kind(0, n_codes - 1), coin(0, 9);
  // A source or destination: an accumulator one time in four when the macro has them.
  auto row = [&](std::mt19937_64& g) {
    if (s.accs > 0 && coin(g) < 3) return acc_row((int)(g() % (uint64_t)s.accs));
    return row_only(g);
  };
  // Start by writing a few rows so that operations see data.
  int init = std::min(s.rows, 4);
  for (int i = 0; i < n_ops; ++i) {
    MicroOp m;
    m.code = i < init ? OpCode::Write : (OpCode)kind(rng);
    m.a = row(rng);
    m.b = row(rng);
    m.dst = coin(rng) < 6 ? row(rng) : kOut;
    if (m.code == OpCode::Write) {
      m.dst = i < init ? i : row(rng);  // a write may fill an accumulator too
      m.data = BitRow(s.cols, s.wb);
      for (int c = 0; c < s.cols; ++c) m.data.set_bit(c, rng() & 1);
      // Edge patterns now and then: all ones, one-hot, alternating.
      int e = coin(rng);
      if (e == 0) m.data.fill(true);
      if (e == 1) m.data.fill(false), m.data.set_bit(s.cols - 1, true);
    }
    if (m.code == OpCode::Read) m.dst = kOut;
    if (m.code == OpCode::Shl || m.code == OpCode::Shr) m.k = std::uniform_int_distribution<int>(0, s.wb)(rng);
    if (m.code == OpCode::Popcount) m.whole_row = rng() & 1;
    if (is_bit_serial(m.code)) m.cin = coin(rng) < 6 ? kCinLatch : coin(rng) & 1;
    if (m.code == OpCode::Carry && m.dst == kOut) m.dst = row(rng);
    if (m.code == OpCode::Tag) m.dst = kOut;
    if (s.bit_serial && m.dst != kOut && coin(rng) < 3) m.pred = true;
    // Back-to-back dependences: often read what the previous op wrote.
    if (i > 0 && ops.back().dst != kOut && coin(rng) < 5) m.a = ops.back().dst;
    if (num_sources(m.code) < 2) m.b = -1;
    if (num_sources(m.code) < 1) m.a = -1;
    ops.push_back(m);
  }
  return ops;
}

void check_setup(const Setup& s, int programs, int n_ops, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<MicroOp>> progs;
  for (int p = 0; p < programs; ++p) progs.push_back(random_program(rng, s, n_ops));
  MacroShape shape{s.rows, s.cols, s.wb, s.cell, s.accs, s.bit_serial, s.dual_row};
  PipelineParams pp;
  pp.latency = s.lat;
  pp.forwarding = s.fwd;
  uint64_t total_cycles = 0, fast_total_cycles = 0;
  auto stats = run_programs(shape, pp, progs, nullptr, "", true, &total_cycles);
  REQUIRE(stats.size() == progs.size());
  // The plain C++ evaluator (the sweep's fast path) reports exactly what the SystemC model reports.
  auto fast = run_programs_fast(shape, pp, progs, nullptr, true, &fast_total_cycles);
  REQUIRE(fast.size() == progs.size());
  CHECK(fast_total_cycles == total_cycles);
  uint64_t total_stalls = 0;
  for (size_t p = 0; p < progs.size(); ++p) {
    INFO("program " << p);
    const auto& ops = progs[p];
    ref::Array arr(s.rows, s.cols, s.wb, s.accs);
    std::vector<ref::Bits> outs;
    for (const auto& op : ops) {
      ref::Bits v = arr.exec(op);
      if (op.code == OpCode::Tag) continue;  // wrote the tag latch only
      if (op.dst == kOut) {
        outs.push_back(v);
      } else if (op.pred) {
        for (int c = 0; c < s.cols; ++c)
          if (arr.tag[c]) arr[op.dst][c] = v[c];
      } else {
        arr[op.dst] = v;
      }
    }
    const ProgramStats& st = stats[p];
    REQUIRE(st.results.size() == outs.size());
    for (size_t k = 0; k < outs.size(); ++k) {
      INFO("output " << k << " (op " << st.results[k].index << ", " << op_name(st.results[k].code) << ")");
      for (int c = 0; c < s.cols; ++c) REQUIRE(st.results[k].value.bit(c) == outs[k][c]);
    }
    for (int r = 0; r < s.rows; ++r)
      for (int c = 0; c < s.cols; ++c) REQUIRE(st.final_array[r].bit(c) == arr.r[r][c]);
    ref::Timing t = ref::timing(ops, s.lat, s.fwd, s.cell == CellType::T10,
                                s.dual_row < 0 ? s.cell == CellType::T10 : s.dual_row == 1);
    REQUIRE(st.cycles == t.cycles);
    REQUIRE(st.stall_cycles == t.stalls);
    REQUIRE(st.backpressure_cycles == t.backpressure);
    REQUIRE(st.ops == ops.size());
    total_stalls += st.stall_cycles;
    const ProgramStats& fs = fast[p];
    REQUIRE(fs.cycles == st.cycles);
    REQUIRE(fs.stall_cycles == st.stall_cycles);
    REQUIRE(fs.backpressure_cycles == st.backpressure_cycles);
    REQUIRE(fs.ops == st.ops);
    REQUIRE(fs.busy == st.busy);
    REQUIRE(fs.by_type == st.by_type);
    REQUIRE(fs.results.size() == st.results.size());
    for (size_t k = 0; k < st.results.size(); ++k) {
      INFO("fast path, output " << k << " (op " << st.results[k].index << ", " << op_name(st.results[k].code) << ")");
      REQUIRE(fs.results[k].index == st.results[k].index);
      REQUIRE(fs.results[k].code == st.results[k].code);
      REQUIRE(fs.results[k].value == st.results[k].value);
    }
    REQUIRE(fs.final_array == st.final_array);
  }
  REQUIRE(total_stalls > 0);  // the programs really exercise the interlock
}

}  // namespace

TEST_CASE("cim pipeline: 10T, unit stage latencies, no forwarding", "[cim][pipeline]") {
  check_setup({8, 64, 16, CellType::T10, {1, 1, 1, 1, 1, 1}, false}, 2000, 24, 101);
}

TEST_CASE("cim pipeline: 10T with forwarding, 8-bit words", "[cim][pipeline]") {
  check_setup({8, 128, 8, CellType::T10, {1, 1, 1, 1, 1, 1}, true}, 2000, 24, 202);
}

TEST_CASE("cim pipeline: 6T, uneven stage latencies, 12-bit words straddling 64-bit limbs", "[cim][pipeline]") {
  check_setup({6, 96, 12, CellType::T6, {2, 1, 3, 1, 2, 1}, false}, 1500, 24, 303);
}

TEST_CASE("cim pipeline: 8T, slow write-back, forwarding, 32- and 64-bit words", "[cim][pipeline]") {
  check_setup({8, 128, 32, CellType::T8, {1, 2, 1, 1, 1, 3}, true}, 1000, 24, 404);
}

TEST_CASE("cim pipeline: 64-bit words, odd word count", "[cim][pipeline]") {
  check_setup({5, 192, 64, CellType::T10, {1, 1, 2, 2, 1, 1}, false}, 1000, 20, 505);
}

TEST_CASE("cim pipeline: periphery accumulators as sources and destinations, 10T", "[cim][pipeline]") {
  check_setup({8, 64, 16, CellType::T10, {1, 1, 1, 1, 1, 1}, false, 3}, 1500, 24, 606);
}

TEST_CASE("cim pipeline: periphery accumulators on a 6T array (one bitline read for row + accumulator)",
          "[cim][pipeline]") {
  check_setup({6, 96, 12, CellType::T6, {2, 2, 1, 1, 2, 1}, true, 2}, 1500, 24, 707);
}

TEST_CASE("cim pipeline: bit-serial ops, carry and tag latches, predicated writes, 10T", "[cim][pipeline]") {
  check_setup({8, 128, 16, CellType::T10, {1, 1, 1, 1, 1, 1}, false, 2, true}, 1500, 32, 808);
}

TEST_CASE("cim pipeline: bit-serial ops with forwarding (predicated results wait for write-back), 6T, odd columns",
          "[cim][pipeline]") {
  check_setup({6, 100, 20, CellType::T6, {1, 2, 1, 2, 1, 1}, true, 1, true}, 1500, 32, 909);
}

TEST_CASE("cim pipeline: 8T with dual-row activation (logic and fadd in one bitline access, add in two)",
          "[cim][pipeline]") {
  check_setup({8, 128, 16, CellType::T8, {1, 1, 1, 1, 1, 1}, false, 1, true, 1}, 1500, 32, 1001);
}

TEST_CASE("cim pipeline: dependent chain stalls equal the pipeline depth (closed form)", "[cim][pipeline]") {
  // A chain of K ops, each reading the previous one's destination. With unit latencies, each dependent op
  // waits for its producer to pass bitline, sense, adder1, adder2 and write-back (5 cycles) after its own
  // 1-cycle decode: 4 stall cycles; with forwarding from adder stage 2, 3. Total cycles: 6 + (K-1) * 5 (or 4).
  const int K = 50;
  std::vector<MicroOp> chain;
  MicroOp w;
  w.code = OpCode::Write;
  w.dst = 0;
  w.data = BitRow(64, 16);
  w.data.set_word(0, 1);
  chain.push_back(w);
  for (int i = 1; i < K; ++i) {
    MicroOp a;
    a.code = OpCode::Add;
    a.a = a.b = (i - 1) % 2;
    a.dst = i % 2;
    chain.push_back(a);
  }
  // Same chain twice: once as is, once with a 3-op independent filler between dependents (no stalls).
  std::vector<MicroOp> filled;
  for (const auto& op : chain) {
    filled.push_back(op);
    for (int f = 0; f < 4; ++f) {
      MicroOp r;
      r.code = OpCode::Read;
      r.a = 7;
      filled.push_back(r);
    }
  }
  MacroShape shape{8, 64, 16, CellType::T10};
  PipelineParams pp;
  auto st = run_programs(shape, pp, {chain, filled}, nullptr, "", false, nullptr);
  CHECK(st[0].stall_cycles == (uint64_t)(K - 1) * 4);
  CHECK(st[0].cycles == 6 + (uint64_t)(K - 1) * 5);
  CHECK(st[1].stall_cycles == 0);
  CHECK(st[1].cycles == 6 + (uint64_t)filled.size() - 1);
  auto fst = run_programs_fast(shape, pp, {chain, filled}, nullptr, false, nullptr);
  CHECK(fst[0].stall_cycles == (uint64_t)(K - 1) * 4);
  CHECK(fst[0].cycles == 6 + (uint64_t)(K - 1) * 5);
  CHECK(fst[1].stall_cycles == 0);
  CHECK(fst[1].cycles == 6 + (uint64_t)filled.size() - 1);
}

TEST_CASE("cim pipeline: forwarding shortens a dependent chain by one cycle per link", "[cim][pipeline]") {
  const int K = 10;
  std::vector<MicroOp> chain;
  MicroOp w;
  w.code = OpCode::Write;
  w.dst = 0;
  w.data = BitRow(64, 16);
  w.data.set_word(0, 3);
  chain.push_back(w);
  for (int i = 1; i < K; ++i) {
    MicroOp a;
    a.code = OpCode::Shl;
    a.a = 0;
    a.k = 1;
    a.dst = 0;
    chain.push_back(a);
  }
  MicroOp r;
  r.code = OpCode::Read;
  r.a = 0;
  chain.push_back(r);
  MacroShape shape{4, 64, 16, CellType::T10};
  PipelineParams pp;
  pp.forwarding = true;
  auto st = run_programs(shape, pp, {chain}, nullptr, "", false, nullptr);
  CHECK(st[0].stall_cycles == (uint64_t)K * 3);  // K-1 shifts + the read, each 3 cycles
  CHECK(st[0].cycles == 6 + (uint64_t)K * 4);
  REQUIRE(st[0].results.size() == 1);
  CHECK(st[0].results[0].value.word(0) == ((3ULL << (K - 1)) & 0xffff));
  ProgramStats fst = run_program_fast(shape, pp, chain, nullptr);
  CHECK(fst.stall_cycles == (uint64_t)K * 3);
  CHECK(fst.cycles == 6 + (uint64_t)K * 4);
  REQUIRE(fst.results.size() == 1);
  CHECK(fst.results[0].value.word(0) == ((3ULL << (K - 1)) & 0xffff));
}
