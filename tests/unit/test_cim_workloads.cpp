// Mapped workloads on the SystemC macro against direct software computation: integer MVM (signed and
// unsigned, several precisions, mixed in one run), binary NN layers (XNOR + popcount), HDC bind + Hamming.
#include <catch2/catch.hpp>

#include <random>

#include "cim/digital/fast.h"
#include "cim/digital/macro.h"
#include "cim/digital/mapper.h"

using namespace tf::cim;

TEST_CASE("cim workloads: MVM, BNN and HDC equal direct computation", "[cim][workload]") {
  const Geometry g{128, 256, 16};
  const MacroShape shape{g.rows, g.cols, g.word_bits, CellType::T10};
  PipelineParams pp;
  std::mt19937_64 rng(7);
  std::vector<std::vector<MicroOp>> progs;

  // MVM layers at several precisions and signedness (plus data-dependent zero-bit skipping).
  struct Prec {
    int w_bits, x_bits;
    bool ws, xs, skip;
    int P;
  };
  std::vector<Prec> precs = {{4, 4, true, true, false, 5},   {4, 4, false, false, false, 5},
                             {2, 8, true, false, true, 3},   {8, 2, false, true, false, 1},
                             {1, 1, false, false, false, 5}, {3, 5, true, true, true, 7},
                             {6, 6, true, true, false, 2}};
  std::vector<MvmLayer> layers;
  for (const auto& pr : precs) {
    for (int rep = 0; rep < 3; ++rep) {
      MvmLayer l;
      l.w_bits = pr.w_bits;
      l.x_bits = pr.x_bits;
      l.w_signed = pr.ws;
      l.x_signed = pr.xs;
      l.m = 1 + (int)(rng() % 16);
      // Largest n whose results still fit a 16-bit word, capped by the rows.
      int nmax = g.rows - mvm_rows_needed(0, pr.P);
      l.n = 1 + (int)(rng() % nmax);
      while (!mvm_fits_word(l, g.word_bits, nullptr)) l.n /= 2;
      random_mvm(l, rng);
      if (rep == 2) {  // extreme values: every weight and input at its most negative (or largest) value
        for (auto& r : l.w)
          for (auto& v : r) v = l.w_signed ? -(int64_t(1) << (l.w_bits - 1)) : (int64_t(1) << l.w_bits) - 1;
        for (auto& v : l.x) v = l.x_signed ? -(int64_t(1) << (l.x_bits - 1)) : (int64_t(1) << l.x_bits) - 1;
      }
      std::vector<MicroOp> ops;
      map_mvm(l, g, pr.P, pr.skip, ops);
      progs.push_back(ops);
      layers.push_back(l);
    }
  }
  // BNN layers.
  std::vector<BnnLayer> bnns;
  for (int rep = 0; rep < 4; ++rep) {
    BnnLayer b;
    b.m = 1 + (int)(rng() % 60);
    b.n = 1 + (int)(rng() % g.cols);
    random_bnn(b, rng);
    std::vector<MicroOp> ops;
    map_bnn(b, g, 5, ops);
    progs.push_back(ops);
    bnns.push_back(b);
  }
  // HDC queries.
  std::vector<HdcQuery> hdcs;
  for (int rep = 0; rep < 4; ++rep) {
    HdcQuery q;
    q.dim = 32 + (int)(rng() % (g.cols - 31));
    q.classes = 1 + (int)(rng() % 40);
    random_hdc(q, rng);
    std::vector<MicroOp> ops;
    map_hdc(q, g, 5, ops);
    progs.push_back(ops);
    hdcs.push_back(q);
  }

  auto st = run_programs(shape, pp, progs, nullptr, "", false, nullptr);
  size_t p = 0;
  for (const auto& l : layers) {
    INFO("MVM layer " << p << ": m=" << l.m << " n=" << l.n << " w" << l.w_bits << (l.w_signed ? "s" : "u") << " x"
                      << l.x_bits << (l.x_signed ? "s" : "u"));
    REQUIRE(st[p].results.size() == 1);
    auto y = decode_mvm(l, st[p].results[0].value);
    for (int i = 0; i < l.m; ++i) {
      int64_t ref = 0;
      for (int j = 0; j < l.n; ++j) ref += l.w[i][j] * l.x[j];
      REQUIRE(y[i] == ref);
    }
    ++p;
  }
  for (const auto& b : bnns) {
    REQUIRE(st[p].results.size() == (size_t)b.m);
    for (int i = 0; i < b.m; ++i) {
      int64_t dot = 0;
      for (int j = 0; j < b.n; ++j) dot += b.w[i][j] * b.x[j];
      int64_t pop = (int64_t)st[p].results[i].value.low64();
      REQUIRE(2 * pop - b.n == dot);
    }
    ++p;
  }
  for (const auto& q : hdcs) {
    REQUIRE(st[p].results.size() == (size_t)q.classes + 1);
    for (int d = 0; d < q.dim; ++d) REQUIRE(st[p].results[0].value.bit(d) == (bool)(q.key[d] ^ q.value[d]));
    for (int c = 0; c < q.classes; ++c) {
      uint64_t ham = 0;
      for (int d = 0; d < q.dim; ++d) ham += (q.key[d] ^ q.value[d]) != q.prototypes[c][d];
      REQUIRE(st[p].results[1 + c].value.low64() == ham);
    }
    ++p;
  }
}

TEST_CASE("cim workloads: auto interleave hides the pipeline in steady state", "[cim][workload]") {
  // One MVM whose input count is a multiple of the interleave: stalls only in the final reduction tree.
  const Geometry g{64, 64, 16};
  PipelineParams pp;
  int P = auto_interleave(pp);
  REQUIRE(P == 5);
  MvmLayer l;
  l.m = 4;
  l.n = 50;
  std::mt19937_64 rng(3);
  random_mvm(l, rng);
  std::vector<MicroOp> ops, ops1;
  map_mvm(l, g, P, false, ops);
  map_mvm(l, g, 1, false, ops1);  // no interleaving: every op waits for its producer
  auto st = run_programs({g.rows, g.cols, g.word_bits, CellType::T10}, pp, {ops, ops1}, nullptr, "", false, nullptr);
  // Reduction of 5 accumulators: adds at distances 1,1 (level 1), 1 (level 2)... each waits <= 4 cycles.
  CHECK(st[0].stall_cycles <= 4 * 4);
  CHECK(st[1].stall_cycles > 10 * st[0].stall_cycles);
  CHECK(decode_mvm(l, st[0].results[0].value) == decode_mvm(l, st[1].results[0].value));
}

TEST_CASE("cim workloads: the direct MVM mapping equals direct computation, with and without accumulators",
          "[cim][workload]") {
  // The same layers mapped directly into periphery accumulators, directly into array rows, and gated; every
  // result against the direct software sum, and SystemC against the fast evaluator.
  std::mt19937_64 rng(11);
  struct Prec {
    int w_bits, x_bits;
    bool ws, xs;
    int P, accs;
  };
  const std::vector<Prec> precs = {{4, 4, true, true, 5, 5},  {4, 4, false, false, 5, 0}, {2, 8, true, false, 3, 2},
                                   {8, 2, false, true, 1, 1}, {1, 1, false, false, 4, 4}, {3, 5, true, true, 7, 3},
                                   {6, 6, true, true, 2, 0},  {5, 3, false, true, 6, 8}};
  PipelineParams pp;
  // One macro with 8 accumulators runs every program (SystemC elaborates once per process); each mapping
  // uses the first pr.accs of them, or none.
  const MacroShape shape{96, 128, 16, CellType::T10, 8};
  std::vector<std::vector<MicroOp>> progs;
  std::vector<MvmLayer> layers;
  std::vector<Prec> of;
  for (const auto& pr : precs) {
    const Geometry g{shape.rows, shape.cols, shape.word_bits, pr.accs};
    for (int rep = 0; rep < 4; ++rep) {
      MvmLayer l;
      l.w_bits = pr.w_bits;
      l.x_bits = pr.x_bits;
      l.w_signed = pr.ws;
      l.x_signed = pr.xs;
      l.m = 1 + (int)(rng() % (uint64_t)(g.cols / g.word_bits));
      l.n = 1 + (int)(rng() % (uint64_t)(g.rows - mvm_direct_rows_needed(0, pr.P, g)));
      while (!mvm_fits_word(l, g.word_bits, nullptr)) l.n /= 2;
      random_mvm(l, rng);
      if (rep == 2)  // extreme values
        for (auto& r : l.w)
          for (auto& v : r) v = l.w_signed ? -(int64_t(1) << (l.w_bits - 1)) : (int64_t(1) << l.w_bits) - 1;
      if (rep >= 2)
        for (auto& v : l.x) v = l.x_signed ? -(int64_t(1) << (l.x_bits - 1)) : (int64_t(1) << l.x_bits) - 1;
      if (rep == 3)  // every input zero: nothing but the zeroed chain is read
        for (auto& v : l.x) v = 0;
      std::vector<MicroOp> ops;
      map_mvm_direct(l, g, pr.P, ops);
      // No AND copies; with accumulators, no write into the array after the weights are stored.
      for (const auto& op : ops) {
        REQUIRE(op.code != OpCode::And);
        if (pr.accs > 0 && op.code != OpCode::Write) REQUIRE((op.dst == kOut || is_acc(op.dst)));
      }
      progs.push_back(ops);
      layers.push_back(l);
      of.push_back(pr);
    }
  }
  auto st = run_programs(shape, pp, progs, nullptr, "", false, nullptr);
  auto fast = run_programs_fast(shape, pp, progs, nullptr, false, nullptr);
  for (size_t p = 0; p < layers.size(); ++p) {
    const MvmLayer& l = layers[p];
    INFO("prec w" << l.w_bits << " x" << l.x_bits << " P=" << of[p].P << " accs=" << of[p].accs << " layer " << p
                  << " m=" << l.m << " n=" << l.n);
    REQUIRE(st[p].results.size() == 1);
    auto y = decode_mvm(l, st[p].results[0].value);
    for (int i = 0; i < l.m; ++i) {
      int64_t ref = 0;
      for (int j = 0; j < l.n; ++j) ref += l.w[i][j] * l.x[j];
      REQUIRE(y[i] == ref);
    }
    REQUIRE(fast[p].cycles == st[p].cycles);
    REQUIRE(fast[p].stall_cycles == st[p].stall_cycles);
    REQUIRE(fast[p].results[0].value == st[p].results[0].value);
  }
}

TEST_CASE("cim workloads: the direct mapping issues one add per 1 bit of the input (closed form)", "[cim][workload]") {
  // Ops of the direct mapping = N weight writes + P chain writes + (popcount of all inputs) adds/subs + shifts
  // of chains already touched + (live chains - 1) reduction adds + 1 read. Checked on a hand-made layer.
  const Geometry g{32, 64, 16, 2};
  MvmLayer l;
  l.m = 4, l.n = 3, l.w_bits = 4, l.x_bits = 4, l.w_signed = true, l.x_signed = false;
  l.w.assign(4, std::vector<int64_t>{1, -2, 3});
  l.x = {0b1010, 0b0001, 0b0000};  // bits: x0 at 3 and 1, x1 at 0
  std::vector<MicroOp> ops;
  map_mvm_direct(l, g, 2, ops);
  // Writes: 3 weights + 2 chains. Bit 3: add x0 (chain 0). Bit 2: shl chain 0. Bit 1: shl chain 0, add x0
  // (chain 0). Bit 0: shl chain 0, add x1 (chain 0). Chain 1 never touched: no reduction. Then the read.
  std::vector<OpCode> want = {OpCode::Write, OpCode::Write, OpCode::Write, OpCode::Write, OpCode::Write,
                              OpCode::Add,   OpCode::Shl,   OpCode::Shl,   OpCode::Add,   OpCode::Shl,
                              OpCode::Add,   OpCode::Read};
  REQUIRE(ops.size() == want.size());
  for (size_t i = 0; i < ops.size(); ++i) CHECK(ops[i].code == want[i]);
  auto st = run_programs_fast({g.rows, g.cols, g.word_bits, CellType::T10, 2}, PipelineParams{}, {ops}, nullptr, false,
                              nullptr);
  auto y = decode_mvm(l, st[0].results[0].value);
  for (int i = 0; i < 4; ++i) CHECK(y[i] == 1 * 10 + (-2) * 1);
}

TEST_CASE("cim workloads: bit-serial vector add and multiply equal direct computation, op counts in closed form",
          "[cim][workload]") {
  // Operands stored transposed (one bit per row, one element per column), computed with fadd/carry (add) and
  // AND + tag + predicated fadd/carry (multiply); results against a + b and a * b, SystemC against the fast
  // evaluator, and the compute micro-ops against n + 1 (add) and n^2 + 3n - 2 (multiply); repeated sequences
  // (steady state) and resident operands (no writes, results checked in the array) too.
  std::mt19937_64 rng(5);
  const MacroShape shape{64, 96, 16, CellType::T10, 0, true};
  const Geometry g{shape.rows, shape.cols, shape.word_bits, 0, true};
  std::vector<VectorJob> jobs;
  std::vector<std::vector<MicroOp>> progs;
  std::vector<Preload> preloads;  // empty unless resident
  std::vector<char> resident;
  for (bool mul : {false, true})
    for (int bits : {1, 2, 3, 5, 8, 13, 16}) {
      if (vector_rows_needed(mul, bits) > g.rows) continue;
      for (int rep = 0; rep < 3; ++rep) {
        VectorJob v;
        v.mul = mul;
        v.bits = bits;
        v.elements = rep == 0 ? g.cols : 1 + (int)(rng() % (uint64_t)g.cols);
        random_vector(v, rng);
        if (rep == 2)  // all ones: the longest carry chains
          for (size_t e = 0; e < v.a.size(); ++e) v.a[e] = v.b[e] = (1ULL << bits) - 1;
        v.repeat = rep == 1 ? 3 : 1;
        std::vector<MicroOp> ops;
        map_vector(v, g, ops);
        // Compute ops: everything between writing the 2n operand rows and reading the result rows.
        const size_t n = (size_t)bits, compute = ops.size() - 2 * n - (size_t)vector_result_bits(v);
        CHECK(compute == (size_t)v.repeat * (mul ? n * n + 3 * n - 2 : n + 1));
        jobs.push_back(v);
        progs.push_back(ops);
        preloads.emplace_back();
        resident.push_back(0);
        // The same job with resident operands: only the compute ops, results left in the array.
        Preload pre;
        std::vector<MicroOp> rops;
        map_vector(v, g, rops, &pre);
        CHECK(rops.size() == compute);
        CHECK(pre.size() == 2 * n);
        jobs.push_back(v);
        progs.push_back(rops);
        preloads.push_back(pre);
        resident.push_back(1);
      }
    }
  PipelineParams pp;
  auto st = run_programs(shape, pp, progs, nullptr, "", true, nullptr, &preloads);
  pp.forwarding = true;  // the fast evaluator with forwarding too (predicated results are never forwarded)
  auto fast = run_programs_fast(shape, PipelineParams{}, progs, nullptr, true, nullptr, &preloads);
  auto fast_fwd = run_programs_fast(shape, pp, progs, nullptr, true, nullptr, &preloads);
  auto result_rows = [](const VectorJob& v, const ProgramStats& ps) {
    auto b = ps.final_array.begin() + vector_result_row(v);
    return std::vector<BitRow>(b, b + vector_result_bits(v));
  };
  for (size_t p = 0; p < jobs.size(); ++p) {
    const VectorJob& v = jobs[p];
    INFO((v.mul ? "mul " : "add ") << v.bits << " bits, " << v.elements << " elements, repeat " << v.repeat
                                   << (resident[p] ? ", resident" : ""));
    if (resident[p]) {
      REQUIRE(st[p].results.empty());
      auto got = decode_vector(v, result_rows(v, st[p]));
      REQUIRE(got == vector_reference(v));
      REQUIRE(decode_vector(v, result_rows(v, fast[p])) == got);
      REQUIRE(decode_vector(v, result_rows(v, fast_fwd[p])) == got);
      REQUIRE(fast[p].cycles == st[p].cycles);
      continue;
    }
    auto got = decode_vector(v, st[p].results);
    auto want = vector_reference(v);
    for (int e = 0; e < v.elements; ++e) REQUIRE(got[(size_t)e] == want[(size_t)e]);
    REQUIRE(fast[p].cycles == st[p].cycles);
    REQUIRE(decode_vector(v, fast[p].results) == got);
    REQUIRE(decode_vector(v, fast_fwd[p].results) == got);
    CHECK(fast_fwd[p].cycles <= fast[p].cycles);
  }
}
