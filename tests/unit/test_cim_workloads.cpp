// Mapped workloads on the SystemC macro against direct software computation: integer MVM (signed and
// unsigned, several precisions, mixed in one run), binary NN layers (XNOR + popcount), HDC bind + Hamming.
#include <catch2/catch.hpp>

#include <random>

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
