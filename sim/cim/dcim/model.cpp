// `tinyforge sim dcim`: digital CIM macros that do the whole MAC in the array (cim/dcim/array.h): the
// column-MAC array with a full adder in every cell (Colonnade class) or per-output adder trees (TSMC DCIM
// class). One design point = one array, one precision and a batch of input vectors through a weight-stationary
// layer: results checked against the direct computation, activity counted from the data, priced by the
// technology table, clock from a timing model. docs/cim.md, "Digital MAC arrays".
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "cim/dcim/array.h"
#include "cim/workloads.h"
#include "core/context.h"
#include "core/registry.h"
#include "core/stats.h"

namespace tf::dcim {
namespace {

struct Params {
  int seed = 1;
  Shape shape;
  double freq_MHz = 0;
  double t_fixed_ns = 0, t_row_ns = 0, t_column_ns = 0;
  int n = 0, m = 0, w_bits = 8, x_bits = 8, vectors = 8;
  bool w_signed = false, x_signed = false;
  TechParams tech;
  // The clock period the timing model allows: register overhead, the adders of one pipeline stage (a cell's
  // adder per row in column_mac, one tree level in adder_tree), the widest carry ripple.
  double period_ns() const {
    return t_fixed_ns + shape.stage_depth() * t_row_ns + shape.carry_bits(w_bits) * t_column_ns;
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
        "macro.arch", [](P_& p, const json& v) { p.shape.arch = v.get<std::string>() == "adder_tree" ? Arch::AdderTree : Arch::ColumnMac; },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.choice("macro.arch", "column_mac", {"column_mac", "adder_tree"},
                           "column_mac: a full adder in every cell, partial sums ripple down the rows (Colonnade); "
                           "adder_tree: gated weight bits summed by a binary adder tree per output (TSMC DCIM)");
        });
    P.custom(
        "macro.rows", [](P_& p, const json& v) { p.shape.rows = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.rows", 128, 2, 1024, "rows", "rows: one input (dot-product element) each");
        });
    P.custom(
        "macro.cols", [](P_& p, const json& v) { p.shape.cols = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.cols", 128, 2, 1024, "columns",
                            "columns: w_bits + spill_bits per output (column_mac) or w_bits (adder_tree)");
        });
    P.custom(
        "macro.rows_per_stage", [](P_& p, const json& v) { p.shape.rows_per_stage = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.rows_per_stage", 8, 1, 1024, "rows",
                            "column_mac: a pipeline register row after every this many rows (8: Colonnade's 16 "
                            "registers per column of 128 rows)");
        });
    P.custom(
        "macro.spill_bits", [](P_& p, const json& v) { p.shape.spill_bits = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.spill_bits", 0, 0, 16, "bits",
                            "column_mac: cells beyond the weight bits in each slice that hold the growing partial "
                            "sum; 0 = ceil(log2 rows), enough for any data");
        });
    P.custom(
        "macro.clock_gating", [](P_& p, const json& v) { p.shape.clock_gating = v.get<bool>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.boolean("macro.clock_gating", false,
                            "pipeline registers of columns that hold no output are not clocked");
        });
    P.real("macro.freq_MHz", &P_::freq_MHz, 0, 0, 5000, "MHz",
           "clock frequency; 0 = the fastest the timing model allows (f_max_MHz)");
    P.real("timing.fixed_ns", &P_::t_fixed_ns, 0.870, 0, 1000, "ns",
           "clock period: register clock-to-q, setup and skew (default: fitted to Colonnade's simulated "
           "throughput, configs/cim/macros/colonnade_kim2021)");
    P.real("timing.row_ns", &P_::t_row_ns, 0.394, 0, 100, "ns",
           "clock period: one adder on the partial-sum path, a row (column_mac) or a tree level (adder_tree) "
           "(default: fitted, as above)");
    P.real("timing.column_ns", &P_::t_column_ns, 0.406, 0, 100, "ns",
           "clock period: one bit of carry ripple across the widest adder (default: fitted, as above)");
    P.integer("workload.n", &P_::n, 0, 0, 1024, "inputs", "dot-product length (rows used); 0 = macro.rows");
    P.integer("workload.m", &P_::m, 0, 0, 1024, "outputs", "outputs used; 0 = as many as fit");
    P.integer("workload.w_bits", &P_::w_bits, 8, 1, 16, "bits", "weight precision");
    P.integer("workload.x_bits", &P_::x_bits, 8, 1, 16, "bits", "input precision (cycles per input vector)");
    P.boolean("workload.w_signed", &P_::w_signed, false, "signed (two's complement) weights");
    P.boolean("workload.x_signed", &P_::x_signed, false, "signed (two's complement) inputs");
    P.integer("workload.vectors", &P_::vectors, 8, 1, 4096, "vectors",
              "input vectors streamed through the stationary weights");
    P.include(&P_::tech, tech_schema("65nm_dcim"));
    P.rule([](const P_& p, const Config& c, Diagnostics& d) {
      if (p.shape.arch == Arch::ColumnMac && p.shape.rows_per_stage > p.shape.rows)
        d.error(c.origin("macro.rows_per_stage"), "macro.rows_per_stage", std::to_string(p.shape.rows_per_stage),
                "at most macro.rows (" + std::to_string(p.shape.rows) + ")");
      if (p.n > p.shape.rows)
        d.error(c.origin("workload.n"), "workload.n", std::to_string(p.n),
                "at most macro.rows (" + std::to_string(p.shape.rows) + ")");
      const int fit = p.shape.outputs(p.w_bits);
      const int per = p.shape.columns_per_output(p.w_bits);
      if (fit < 1)
        d.error(c.origin("macro.cols"), "macro.cols", std::to_string(p.shape.cols),
                "at least the " + std::to_string(per) + " columns of one output");
      else if (p.m > fit)
        d.error(c.origin("workload.m"), "workload.m", std::to_string(p.m),
                "at most " + std::to_string(fit) + " (outputs of " + std::to_string(per) +
                    " columns in macro.cols = " + std::to_string(p.shape.cols) + ")");
      // column_mac: a partial sum must fit its slice: n x max|w| < 2^(slice) (unsigned) or 2^(slice-1) (signed).
      const int n = p.n > 0 ? p.n : p.shape.rows;
      const double need = std::log2((double)n) + p.w_bits;
      if (p.shape.arch == Arch::ColumnMac && p.shape.spill_bits > 0 &&
          p.shape.result_bits(p.w_bits) < std::ceil(need - 1e-9))
        d.error(c.origin("macro.spill_bits"), "macro.spill_bits", std::to_string(p.shape.spill_bits),
                "at least ceil(log2 n) = " + std::to_string((int)std::ceil(need - 1e-9) - p.w_bits) +
                    " (partial sums of " + std::to_string(n) + " products would overflow the slice)");
      // Bounded work: each (row, output, input bit, vector) is one simulated cell-row step (about 10 ns for
      // column_mac, 20 ns for adder_tree on one core): at most 5e8, a few seconds.
      const double per_vector = (double)p.shape.rows * std::max(1, p.m > 0 ? p.m : fit) * p.x_bits;
      if (per_vector * p.vectors > 5e8)
        d.error(c.origin("workload.vectors"), "workload.vectors", std::to_string(p.vectors),
                "at most " + std::to_string(std::max<int64_t>(1, (int64_t)(5e8 / per_vector))) +
                    " here (rows x outputs x x_bits x vectors at most 5e8 simulated cell-row steps)");
      // The clock the timing model gives must be one macro.freq_MHz could be set to (at most 5000 MHz).
      if (p.freq_MHz == 0 && p.period_ns() < 0.2)
        d.error(c.origin("timing.fixed_ns"), "timing.fixed_ns + stage depth x timing.row_ns + carry bits x timing.column_ns",
                format_double(p.period_ns()) + " ns",
                "a clock period of at least 0.2 ns when macro.freq_MHz = 0 (the clock is the timing model's)");
    });
    return P;
  }();
  return s;
}

// Ledger components and actions of the macro. Cell and adder actions are per output toggle; the input line
// per toggle per column it crosses; registers per flip-flop per cycle.
struct Energy {
  Ledger& L;
  std::map<std::string, int> id;
  int tag_array, tag_periphery;
  Energy(Ledger& l, const Params& p) : L(l) {
    const Shape& s = p.shape;
    const bool tree = s.arch == Arch::AdderTree;
    const double acc = (double)s.outputs(p.w_bits) * (s.result_bits(p.w_bits) + p.x_bits);  // every output's
    std::vector<ComponentSpec> parts = {{"cells", tree ? "dcim_cell" : "colmac_cell", (double)s.rows * s.cols}};
    // A tree per output: rows - 1 adders of N + k - 1 full adders at level k.
    if (tree) parts.push_back({"adders", "tree_adder", (double)s.outputs(p.w_bits) * (double)s.tree_full_adders(p.w_bits)});
    parts.push_back({"input_lines", "input_line", (double)s.rows, (double)s.cols});
    parts.push_back({"pipeline_regs", "register", (double)s.register_bits(p.w_bits, s.outputs(p.w_bits))});
    parts.push_back({"accumulators", "register", acc});
    parts.push_back({"acc_adders", "full_adder", acc});
    const std::string adder = tree ? "adders" : "cells";
    id = L.bind(parts, {"cells.product_toggle", adder + ".sum_toggle", adder + ".carry_toggle",
                        "input_lines.toggle_per_column", "pipeline_regs.write_bit", "accumulators.write_bit",
                        "acc_adders.add_bit"});
    sum_ = id[adder + ".sum_toggle"];
    carry_ = id[adder + ".carry_toggle"];
    tag_array = L.tag("array");
    tag_periphery = L.tag("periphery");
  }
  void charge(const Params& p, const Activity& a) {
    L.add(id["cells.product_toggle"], tag_array, a.product_toggles);
    L.add(sum_, tag_array, a.sum_toggles);
    L.add(carry_, tag_array, a.carry_toggles);
    L.add(id["input_lines.toggle_per_column"], tag_array, a.input_toggles);
    L.add(id["pipeline_regs.write_bit"], tag_array, a.cycles * p.shape.register_bits(p.w_bits, p.outs()));
    L.add(id["accumulators.write_bit"], tag_periphery, a.acc_bit_updates);
    L.add(id["acc_adders.add_bit"], tag_periphery, a.acc_bit_updates);
  }
  int sum_ = -1, carry_ = -1;
};

class DcimModel : public Model {
 public:
  std::string name() const override { return "dcim"; }
  std::string summary() const override {
    return "digital CIM macro with the MAC in the array: column-MAC (a full adder per cell, Colonnade) or adder "
           "tree (TSMC DCIM); bit-serial inputs, 1-16 bits";
  }
  std::string default_config() const override { return "cim/macros/colonnade_kim2021/config.json"; }
  void declare(ParamSet& P) const override { P = schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.neither("seed", "", "seed of the random data");
    M.neither("rows", "rows", "rows of the array");
    M.neither("cols", "columns", "columns of the array");
    M.label("arch", "array architecture (macro.arch)");
    M.neither("columns_per_output", "columns", "columns per output: weight bits (+ spill bits in column_mac)");
    M.neither("outputs", "", "outputs computed at once");
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
  // The same stats without writing files (`tinyforge sweep --engine fast`): the model is plain C++ already.
  bool has_fast() const override { return true; }
  json run_fast(const Config& config) const override;
};

// One design point: seeded data and its reference, the array simulated, the ledger charged, the stats.
// run() and run_fast() share it; OUTPUTS (if not null) receives the results, LOG the progress lines.
struct Point {
  json stats, outputs;
  std::vector<std::string> log;
};

Point evaluate(const Params& p, const TechTable& table, const Scaling& sc, bool want_outputs) {
  Point pt;
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
  pr.x = cim::random_mvm_batch(layer, p.vectors, rng, pr.w);
  std::vector<std::vector<int64_t>> ref;
  for (const auto& x : pr.x) {
    layer.x = x;
    ref.push_back(cim::mvm_reference(layer));
  }
  const std::string arch = s.arch == Arch::AdderTree ? "adder_tree" : "column_mac";
  pt.log.push_back(arch + " array " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + ", " +
                   std::to_string(pr.m) + " outputs of " + std::to_string(s.columns_per_output(p.w_bits)) +
                   " columns, " + std::to_string(p.vectors) + " vectors at " + std::to_string(p.x_bits) + "b x " +
                   std::to_string(p.w_bits) + "b; tech " + table.name + " at " + format_double(sc.vdd_V) + " V");
  auto t0 = std::chrono::steady_clock::now();
  Result res = run_array(s, pr);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int bad = 0;
  for (int v = 0; v < p.vectors; ++v) bad += cim::mismatches(res.y[v], ref[v]);
  if (bad) pt.log.push_back("WARNING: " + std::to_string(bad) + " results differ from the direct computation");
  if (want_outputs) {
    pt.outputs["y"] = res.y;
    pt.outputs["self_check_mismatches"] = bad;
  }

  Ledger ledger(table, sc);
  Energy e(ledger, p);
  e.charge(p, res.activity);
  // Cycles: one per input bit of each vector, then the last bit drains through the register rows (the tree's
  // result register) and the periphery accumulator.
  const uint64_t cycles = res.activity.cycles + (s.arch == Arch::ColumnMac ? (uint64_t)s.stages() : 1) + 1;
  const double f = p.f_MHz(), time_s = (double)cycles / (f * 1e6);
  EnergyReport er = ledger.report(time_s);
  const double macs = (double)pr.n * pr.m * p.vectors, ops = 2 * macs;
  json& j = pt.stats;
  j["model"] = "dcim";
  j["seed"] = p.seed;
  j["rows"] = s.rows;
  j["cols"] = s.cols;
  j["arch"] = arch;
  j["columns_per_output"] = s.columns_per_output(p.w_bits);
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
    pt.log.push_back("WARNING: macro.freq_MHz " + format_double(f) + " is above the timing model's f_max " +
                     format_double(p.f_max_MHz()) + " MHz");
  return pt;
}

json DcimModel::run(RunContext& ctx) {
  const Params p = schema().read(ctx.config);
  TechSetup tech = load_tech_setup(p.tech, ctx.config);
  Point pt = evaluate(p, tech.table, tech.scaling, true);
  for (const std::string& line : pt.log) ctx.log(line);
  ctx.out.write_json("outputs.json", pt.outputs);
  return pt.stats;
}

json DcimModel::run_fast(const Config& config) const {
  const Params p = schema().read(config);
  SharedTechSetup tech = load_tech_setup_cached(p.tech, config);
  return evaluate(p, *tech.table, tech.scaling, false).stats;
}

}  // namespace

TF_REGISTER_MODEL("dcim", DcimModel);

}  // namespace tf::dcim
