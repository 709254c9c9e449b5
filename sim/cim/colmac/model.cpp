// `tinyforge sim colmac`: the bit-serial column-MAC digital CIM macro (a full adder in every cell; the
// Colonnade class). One design point = one array shape, one precision and a batch of input vectors through a
// weight-stationary layer: results checked against the direct computation, activity counted from the data,
// priced by the technology table, clock from a fitted timing model. docs/cim.md, "The column-MAC macro".
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "cim/colmac/array.h"
#include "cim/workloads.h"
#include "core/context.h"
#include "core/registry.h"
#include "core/stats.h"

namespace tf::colmac {
namespace {

struct Params {
  int seed = 1;
  Shape shape;
  bool clock_gating = false;
  double freq_MHz = 0;
  double t_fixed_ns = 0, t_row_ns = 0, t_column_ns = 0;
  int n = 0, m = 0, w_bits = 8, x_bits = 8, vectors = 8;
  bool w_signed = false, x_signed = false;
  TechParams tech;
  // The clock period the timing model allows: register overhead, the full adders of one pipeline stage's
  // rows, the carry ripple across one slice.
  double period_ns() const {
    return t_fixed_ns + shape.rows_per_stage * t_row_ns + shape.slice(w_bits) * t_column_ns;
  }
  double f_max_MHz() const { return 1e3 / period_ns(); }
  double f_MHz() const { return freq_MHz > 0 ? freq_MHz : f_max_MHz(); }
  int dot_n() const { return n > 0 ? n : shape.rows; }
  int outs() const { return m > 0 ? m : shape.outputs(w_bits); }
};

const Schema<Params>& schema() {
  static const Schema<Params> s = [] {
    using P_ = Params;
    Schema<P_> P;
    P.integer("seed", &P_::seed, 1, 0, 2147483647, "", "seed of the random weights and inputs");
    P.custom(
        "macro.rows", [](P_& p, const json& v) { p.shape.rows = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.rows", 128, 2, 1024, "rows", "rows: one input (dot-product element) each");
        });
    P.custom(
        "macro.cols", [](P_& p, const json& v) { p.shape.cols = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.cols", 128, 2, 1024, "columns",
                            "columns: one slice of w_bits + spill_bits columns per output");
        });
    P.custom(
        "macro.rows_per_stage", [](P_& p, const json& v) { p.shape.rows_per_stage = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.rows_per_stage", 8, 1, 1024, "rows",
                            "a pipeline register row after every this many rows (8: Colonnade's 16 registers per "
                            "column of 128 rows)");
        });
    P.custom(
        "macro.spill_bits", [](P_& p, const json& v) { p.shape.spill_bits = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.spill_bits", 0, 0, 16, "bits",
                            "cells beyond the weight bits in each slice that hold the growing partial sum; 0 = "
                            "ceil(log2 rows), enough for any data");
        });
    P.boolean("macro.clock_gating", &P_::clock_gating, false,
              "pipeline registers of columns that hold no slice are not clocked");
    P.real("macro.freq_MHz", &P_::freq_MHz, 0, 0, 5000, "MHz",
           "clock frequency; 0 = the fastest the timing model allows (f_max_MHz)");
    P.real("timing.fixed_ns", &P_::t_fixed_ns, 0.870, 0, 1000, "ns",
           "clock period: register clock-to-q, setup and skew (default: fitted to Colonnade's simulated "
           "throughput, configs/cim/macros/colonnade_kim2021)");
    P.real("timing.row_ns", &P_::t_row_ns, 0.394, 0, 100, "ns",
           "clock period: one row's full adder on the partial-sum path (default: fitted, as above)");
    P.real("timing.column_ns", &P_::t_column_ns, 0.406, 0, 100, "ns",
           "clock period: one column of carry ripple across a slice (default: fitted, as above)");
    P.integer("workload.n", &P_::n, 0, 0, 1024, "inputs", "dot-product length (rows used); 0 = macro.rows");
    P.integer("workload.m", &P_::m, 0, 0, 1024, "outputs", "outputs (slices used); 0 = as many as fit");
    P.integer("workload.w_bits", &P_::w_bits, 8, 1, 16, "bits", "weight precision");
    P.integer("workload.x_bits", &P_::x_bits, 8, 1, 16, "bits", "input precision (cycles per input vector)");
    P.boolean("workload.w_signed", &P_::w_signed, false, "signed (two's complement) weights");
    P.boolean("workload.x_signed", &P_::x_signed, false, "signed (two's complement) inputs");
    P.integer("workload.vectors", &P_::vectors, 8, 1, 4096, "vectors",
              "input vectors streamed through the stationary weights");
    P.include(&P_::tech, tech_schema("65nm_colmac"));
    P.rule([](const P_& p, const Config& c, Diagnostics& d) {
      if (p.shape.rows_per_stage > p.shape.rows)
        d.error(c.origin("macro.rows_per_stage"), "macro.rows_per_stage", std::to_string(p.shape.rows_per_stage),
                "at most macro.rows (" + std::to_string(p.shape.rows) + ")");
      if (p.n > p.shape.rows)
        d.error(c.origin("workload.n"), "workload.n", std::to_string(p.n),
                "at most macro.rows (" + std::to_string(p.shape.rows) + ")");
      const int fit = p.shape.outputs(p.w_bits);
      if (fit < 1)
        d.error(c.origin("macro.cols"), "macro.cols", std::to_string(p.shape.cols),
                "at least one slice of w_bits + spill_bits = " + std::to_string(p.shape.slice(p.w_bits)) + " columns");
      else if (p.m > fit)
        d.error(c.origin("workload.m"), "workload.m", std::to_string(p.m),
                "at most " + std::to_string(fit) + " (slices of " + std::to_string(p.shape.slice(p.w_bits)) +
                    " columns in macro.cols = " + std::to_string(p.shape.cols) + ")");
      // A partial sum must fit its slice: n x max|w| < 2^(slice) (unsigned) or 2^(slice-1) (signed).
      const int n = p.n > 0 ? p.n : p.shape.rows;
      const double need = std::log2((double)n) + p.w_bits;
      if (p.shape.spill_bits > 0 && p.shape.slice(p.w_bits) < std::ceil(need - 1e-9))
        d.error(c.origin("macro.spill_bits"), "macro.spill_bits", std::to_string(p.shape.spill_bits),
                "at least ceil(log2 n) = " + std::to_string((int)std::ceil(need - 1e-9) - p.w_bits) +
                    " (partial sums of " + std::to_string(n) + " products would overflow the slice)");
      // Bounded work: each (row, output, input bit, vector) is one simulated cell-row step (~5 ns).
      const double steps = (double)p.shape.rows * std::max(1, p.m > 0 ? p.m : fit) * p.vectors * p.x_bits;
      if (steps > 5e8)
        d.error(c.origin("workload.vectors"), "workload.vectors", std::to_string(p.vectors),
                "fewer vectors: rows x outputs x vectors x x_bits is " + format_double(steps) +
                    ", above the 5e8 cell-row steps one point may simulate");
      if (p.period_ns() <= 0)
        d.error(c.origin("timing.fixed_ns"), "timing", "a zero clock period", "positive timing constants");
    });
    return P;
  }();
  return s;
}

// Ledger components and actions of the macro.
struct Energy {
  Ledger& L;
  std::map<std::string, int> id;
  int tag_array, tag_periphery;
  Energy(Ledger& l, const Params& p) : L(l) {
    const Shape& s = p.shape;
    const int acc_bits = s.slice(p.w_bits) + p.x_bits;
    id = L.bind({{"colmac_cell", "colmac_cell", (double)s.rows * s.cols},
                 {"input_line", "colmac_input_line", (double)s.rows, s.cols / 128.0},
                 {"stage_regs", "register", (double)s.stages() * s.cols},
                 {"accumulators", "register", (double)p.outs() * acc_bits},
                 {"acc_adders", "full_adder", (double)p.outs() * acc_bits}},
                {"colmac_cell.product_toggle", "colmac_cell.sum_toggle", "colmac_cell.carry_toggle",
                 "input_line.toggle", "stage_regs.write_bit", "accumulators.write_bit", "acc_adders.add_bit"});
    tag_array = L.tag("array");
    tag_periphery = L.tag("periphery");
  }
  void charge(const Params& p, const Activity& a) {
    const Shape& s = p.shape;
    const uint64_t clocked = p.clock_gating ? (uint64_t)p.outs() * s.slice(p.w_bits) : (uint64_t)s.cols;
    L.add(id["colmac_cell.product_toggle"], tag_array, a.product_toggles);
    L.add(id["colmac_cell.sum_toggle"], tag_array, a.sum_toggles);
    L.add(id["colmac_cell.carry_toggle"], tag_array, a.carry_toggles);
    L.add(id["input_line.toggle"], tag_array, a.input_toggles);
    L.add(id["stage_regs.write_bit"], tag_array, a.cycles * (uint64_t)s.stages() * clocked);
    L.add(id["accumulators.write_bit"], tag_periphery, a.acc_bit_updates);
    L.add(id["acc_adders.add_bit"], tag_periphery, a.acc_bit_updates);
  }
};

class ColmacModel : public Model {
 public:
  std::string name() const override { return "colmac"; }
  std::string summary() const override {
    return "bit-serial column-MAC digital CIM macro, a full adder in every cell (Colonnade class): weight-"
           "stationary MVM at 1-16 bits";
  }
  std::string default_config() const override { return "cim/macros/colonnade_kim2021/config.json"; }
  void declare(ParamSet& P) const override { P = schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.neither("seed", "", "seed of the random data");
    M.neither("rows", "rows", "rows of the array");
    M.neither("cols", "columns", "columns of the array");
    M.neither("rows_per_stage", "rows", "rows between pipeline registers");
    M.neither("slice_bits", "columns", "columns per output: weight bits + spill bits");
    M.neither("outputs", "", "outputs computed at once (slices used)");
    M.neither("n", "", "dot-product length");
    M.neither("w_bits", "bits", "weight precision");
    M.neither("x_bits", "bits", "input precision");
    M.neither("vectors", "", "input vectors");
    M.neither("freq_MHz", "MHz", "clock frequency");
    M.higher("f_max_MHz", "MHz", "fastest clock of the timing model");
    M.label("timing_met", "yes if freq_MHz <= f_max_MHz");
    M.neither("macs", "", "multiply-accumulates computed");
    M.neither("ops", "", "useful operations (2 per MAC)");
    M.higher("throughput_gops", "GOPS", "ops per second / 1e9 over latency_ns (pipeline fill included)");
    M.higher("throughput_steady_gops", "GOPS", "ops per second / 1e9 with the pipeline full (one input bit per cycle)");
    M.lower("fj_per_mac", "fJ", "energy_pJ x 1000 / macs");
    M.higher("tops_per_w", "TOPS/W", "ops per joule / 1e12");
    M.lower("area_mm2", "mm2", "area_um2 / 1e6");
    M.higher("tops_per_mm2", "TOPS/mm2", "throughput per area");
    M.lower("self_check_mismatches", "", "results that differ from the direct computation (0 for a correct run)");
    M.lower("sim_wall_s", "s", "wall-clock time of the simulation");
    M.breakdown("toggles", "", "data-dependent toggles counted, per node kind");
    declare_shared_metrics(M, "part");
  }
  json run(RunContext& ctx) override;
};

json ColmacModel::run(RunContext& ctx) {
  const Params p = schema().read(ctx.config);
  TechSetup tech = load_tech_setup(p.tech, ctx.config);
  const Scaling& sc = tech.scaling;
  const Shape& s = p.shape;
  // Seeded data and the reference, from the shared workload code (not from the array).
  Problem pr;
  pr.n = p.dot_n();
  pr.m = p.outs();
  pr.w_bits = p.w_bits;
  pr.x_bits = p.x_bits;
  pr.w_signed = p.w_signed;
  pr.x_signed = p.x_signed;
  std::mt19937_64 rng((uint64_t)p.seed);
  cim::MvmLayer layer;
  layer.m = pr.m;
  layer.n = pr.n;
  layer.w_bits = p.w_bits;
  layer.x_bits = p.x_bits;
  layer.w_signed = p.w_signed;
  layer.x_signed = p.x_signed;
  cim::random_mvm(layer, rng);
  pr.w.assign(pr.n, std::vector<int64_t>(pr.m));
  for (int r = 0; r < pr.n; ++r)
    for (int j = 0; j < pr.m; ++j) pr.w[r][j] = layer.w[j][r];
  std::vector<std::vector<int64_t>> ref;
  std::uniform_int_distribution<int64_t> dx(cim::min_of(p.x_bits, p.x_signed), cim::max_of(p.x_bits, p.x_signed));
  for (int v = 0; v < p.vectors; ++v) {
    if (v > 0)
      for (auto& x : layer.x) x = dx(rng);
    pr.x.push_back(layer.x);
    ref.push_back(cim::mvm_reference(layer));
  }
  ctx.log("column-MAC array " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + ", " +
          std::to_string(pr.m) + " outputs of " + std::to_string(s.slice(p.w_bits)) + " columns, " +
          std::to_string(p.vectors) + " vectors at " + std::to_string(p.x_bits) + "b x " + std::to_string(p.w_bits) +
          "b; tech " + tech.table.name + " at " + format_double(sc.vdd_V) + " V");
  auto t0 = std::chrono::steady_clock::now();
  Result res = run_array(s, pr);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int bad = 0;
  for (int v = 0; v < p.vectors; ++v) bad += cim::mismatches(res.y[v], ref[v]);
  if (bad) ctx.log("WARNING: " + std::to_string(bad) + " results differ from the direct computation");
  json outputs;
  outputs["y"] = res.y;
  outputs["self_check_mismatches"] = bad;
  ctx.out.write_json("outputs.json", outputs);

  Ledger ledger(tech.table, sc);
  Energy e(ledger, p);
  e.charge(p, res.activity);
  // Cycles: one per input bit of each vector, then the last bit drains through the register rows and the
  // periphery accumulator.
  const uint64_t cycles = res.activity.cycles + (uint64_t)s.stages() + 1;
  const double f = p.f_MHz(), time_s = (double)cycles / (f * 1e6);
  EnergyReport er = ledger.report(time_s);
  const double macs = (double)pr.n * pr.m * p.vectors, ops = 2 * macs;
  json j;
  j["model"] = "colmac";
  j["seed"] = p.seed;
  j["rows"] = s.rows;
  j["cols"] = s.cols;
  j["rows_per_stage"] = s.rows_per_stage;
  j["slice_bits"] = s.slice(p.w_bits);
  j["outputs"] = pr.m;
  j["n"] = pr.n;
  j["w_bits"] = p.w_bits;
  j["x_bits"] = p.x_bits;
  j["vectors"] = p.vectors;
  write_tech_stats(j, sc);
  j["freq_MHz"] = f;
  j["f_max_MHz"] = p.f_max_MHz();
  j["timing_met"] = f <= p.f_max_MHz() * (1 + 1e-12) ? "yes" : "no";
  j["macs"] = macs;
  j["ops"] = ops;
  write_latency(j, cycles, f);
  j["throughput_gops"] = ops / time_s / 1e9;
  j["throughput_steady_gops"] = ops / ((double)res.activity.cycles / (f * 1e6)) / 1e9;
  write_energy(j, er, time_s);
  j["fj_per_mac"] = er.total_pJ * 1e3 / macs;
  j["tops_per_w"] = er.total_pJ > 0 ? ops / er.total_pJ : 0.0;
  write_area(j, er);
  j["area_mm2"] = er.area_um2 * 1e-6;
  j["tops_per_mm2"] = er.area_um2 > 0 ? ops / time_s / 1e12 / (er.area_um2 * 1e-6) : 0.0;
  j["self_check_mismatches"] = bad;
  j["sim_wall_s"] = wall;
  const Activity& a = res.activity;
  j["toggles"] = {{"product", a.product_toggles}, {"sum", a.sum_toggles}, {"carry", a.carry_toggles},
                  {"input_line", a.input_toggles}};
  write_breakdowns(j, er, "part", false, sc);
  if (f > p.f_max_MHz() * (1 + 1e-12))
    ctx.log("WARNING: macro.freq_MHz " + format_double(f) + " is above the timing model's f_max " +
            format_double(p.f_max_MHz()) + " MHz");
  return j;
}

}  // namespace

TF_REGISTER_MODEL("colmac", ColmacModel);

}  // namespace tf::colmac
