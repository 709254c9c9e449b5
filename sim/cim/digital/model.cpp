// `tinyforge sim cim`: the all-digital reconfigurable SRAM CIM macro as a design point.
#include <chrono>
#include <cmath>
#include <filesystem>

#include "cim/digital/energy.h"
#include "cim/digital/fast.h"
#include "cim/digital/macro.h"
#include "cim/digital/mapper.h"
#include "cim/workloads.h"
#include "core/context.h"
#include "core/registry.h"
#include "core/stats.h"

namespace tf::cim {
namespace {

// Every parameter of the model, each path named once (schema() below).
struct CimParams {
  int64_t seed = 1;
  MacroShape macro;
  std::string cell;
  PipelineParams pp;
  TechParams tech;
  WorkloadParams workload;
  std::string program;
  int interleave = 0;  // as configured; 0 = auto
  bool skip_zero_bits = false;
  bool gated = false;  // mapper.mvm = "gated"
  bool resident = false;  // workload.resident
  bool vec_mul = false;  // workload.vector.op = "mul"
  int vec_bits = 8, vec_elements = 0, vec_repeat = 1;

  int chains() const { return interleave ? interleave : auto_interleave(pp); }
  Geometry geometry() const {
    return {macro.rows, macro.cols, macro.word_bits, macro.accumulators, macro.bit_serial};
  }
  // Rows an MVM layer of N inputs needs under the configured mapping.
  int mvm_rows(int n) const {
    return gated ? mvm_rows_needed(n, chains()) : mvm_direct_rows_needed(n, chains(), geometry());
  }
  // Most MVM inputs that fit the array.
  int mvm_max_n() const { return macro.rows - mvm_rows(0); }
  int words() const { return macro.cols / macro.word_bits; }
  // Declared MVM layer K with 0 ("as large as fits") resolved.
  MvmLayer layer(size_t k) const {
    const MvmLayerParams& p = workload.layers.at(k);
    MvmLayer l;
    l.m = p.m ? p.m : words();
    l.w_bits = p.w_bits, l.x_bits = p.x_bits, l.w_signed = p.w_signed, l.x_signed = p.x_signed;
    l.n = p.n;
    if (l.n == 0) {  // as many as the rows hold and the word can sum (the word check reports it if even 1 fails)
      l.n = std::max(1, mvm_max_n());
      if (l.w_bits <= macro.word_bits && l.x_bits <= macro.word_bits) {
        int lo = 1, hi = l.n;  // largest n in [1, hi] whose results fit: fitting is monotone in n
        while (lo < hi) {
          l.n = (lo + hi + 1) / 2;
          if (mvm_fits_word(l, macro.word_bits, nullptr)) lo = l.n; else hi = l.n - 1;
        }
        l.n = lo;
      }
    }
    return l;
  }
};

// The workload's rules against this macro's geometry.
void check_workload(const CimParams& p, const Config& c, Diagnostics& d) {
  const int64_t cols = p.macro.cols, wb = p.macro.word_bits;
  const std::string& kind = p.workload.kind;
  if (kind == "program" && p.program.empty())
    d.error(c.origin("workload.program"), "workload.program", "\"\"",
            "a program file when workload.kind is \"program\"");
  if (kind != "program" && !p.program.empty())
    d.error(c.origin("workload.program"), "workload.program", "\"" + p.program + "\"",
            "\"\" with workload.kind \"" + kind + "\" (a program runs with workload.kind = program, e.g. --program FILE)");
  if (cols % wb) return;  // shapes below depend on a valid geometry
  const int P = p.chains(), rows = p.macro.rows;
  const bool random_data = p.workload.data.empty();
  if (kind == "mvm" && random_data) {
    for (size_t k = 0; k < p.workload.layers.size(); ++k) {
      std::string path = "workload.layers[" + std::to_string(k) + "]";
      MvmLayer l = p.layer(k);
      if (l.m > p.words())
        d.error(c.origin(path + ".m"), path + ".m", std::to_string(l.m),
                "at most cols/word_bits = " + std::to_string(p.words()) + " outputs (one per word)");
      if (p.mvm_rows(l.n) > rows)
        d.error(c.origin(path + ".n"), path + ".n", std::to_string(l.n),
                (p.gated ? "at most rows - 2 - 2*interleave = "
                 : p.macro.accumulators > 0 ? "at most rows = "
                                            : "at most rows - interleave = ") +
                    std::to_string(p.mvm_max_n()) + " inputs (interleave " + std::to_string(P) + ")");
      if (l.w_bits > wb || l.x_bits > wb)
        d.error(c.origin(path), path + ".w_bits", std::to_string(l.w_bits) + "/" + std::to_string(l.x_bits),
                "weight and input precision at most macro.word_bits (" + std::to_string(wb) + ")");
      std::string why;
      if (l.n > 0 && !mvm_fits_word(l, (int)wb, &why))
        d.error(c.origin("macro.word_bits"), "macro.word_bits", std::to_string(wb),
                "a word wide enough for " + path + ": " + why);
    }
  }
  if (kind == "bnn" && random_data) {
    int64_t m = p.workload.bnn_m, n = p.workload.bnn_n;
    if (n > cols)
      d.error(c.origin("workload.bnn.n"), "workload.bnn.n", std::to_string(n),
              "at most macro.cols = " + std::to_string(cols));
    if (m > 0 && bnn_rows_needed((int)m, P) > rows)
      d.error(c.origin("workload.bnn.m"), "workload.bnn.m", std::to_string(m),
              "at most rows - 1 - interleave = " + std::to_string(rows - bnn_rows_needed(0, P)));
  }
  if (kind == "hdc" && random_data) {
    int64_t dim = p.workload.hdc_dim, cl = p.workload.hdc_classes;
    if (dim > cols)
      d.error(c.origin("workload.hdc.dim"), "workload.hdc.dim", std::to_string(dim),
              "at most macro.cols = " + std::to_string(cols));
    if (hdc_rows_needed((int)cl, P) > rows)
      d.error(c.origin("workload.hdc.classes"), "workload.hdc.classes", std::to_string(cl),
              "at most rows - 3 - interleave = " + std::to_string(rows - hdc_rows_needed(0, P)));
  }
  if (p.resident) {
    if (kind != "mvm" && kind != "vector")
      d.error(c.origin("workload.resident"), "workload.resident", "true",
              "false for workload.kind \"" + kind + "\" (resident data is for mvm and vector)");
    if (kind == "mvm" && p.gated)
      d.error(c.origin("workload.resident"), "workload.resident", "true",
              "false with mapper.mvm = \"gated\" (resident weights need the direct mapping)");
    if (kind == "mvm" && p.workload.layers.size() != 1)
      d.error(c.origin("workload.resident"), "workload.resident", "true",
              "one layer in workload.layers (each layer's resident weights would need rows of their own); got " +
                  std::to_string(p.workload.layers.size()));
  }
  if (kind == "vector") {
    if (!p.macro.bit_serial)
      d.error(c.origin("macro.bit_serial"), "macro.bit_serial", "false",
              "true for workload.kind \"vector\" (its bit-serial ops need the per-column carry and tag latches)");
    if (vector_rows_needed(p.vec_mul, p.vec_bits) > rows)
      d.error(c.origin("workload.vector.bits"), "workload.vector.bits", std::to_string(p.vec_bits),
              "at most " + std::to_string(p.vec_mul ? rows / 4 : (rows - 1) / 3) + " bits: a " +
                  (p.vec_mul ? "multiply" : "add") + " needs " + (p.vec_mul ? "4 x bits" : "3 x bits + 1") +
                  " rows and the array has " + std::to_string(rows));
    if (!p.workload.data.empty())
      d.error(c.origin("workload.data"), "workload.data", "\"" + p.workload.data + "\"",
              "no data file for workload.kind \"vector\" (its operands are seeded random)");
    if (p.vec_elements > cols)
      d.error(c.origin("workload.vector.elements"), "workload.vector.elements", std::to_string(p.vec_elements),
              "at most macro.cols = " + std::to_string(cols) + " (one element per column)");
    return;
  }
  if (rows <= 2 * P + 3 && kind != "program" && (kind != "mvm" || p.gated || p.macro.accumulators == 0))
    d.error(c.origin("mapper.interleave"), "mapper.interleave", std::to_string(P),
            "fewer chains: the array has only " + std::to_string(rows) + " rows");
}

const Schema<CimParams>& schema() {
  static const Schema<CimParams> s = [] {
    Schema<CimParams> P;
    P.integer("seed", &CimParams::seed, 1, 0, (int64_t)1 << 62, "",
              "seed of the random workload data (same seed, same bits)");
    P.custom(
        "macro.rows", [](CimParams& p, const json& v) { p.macro.rows = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.rows", 256, 4, 4096, "rows", "rows of the bit-cell array (wordlines)");
        });
    P.custom(
        "macro.cols", [](CimParams& p, const json& v) { p.macro.cols = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.cols", 256, 8, 4096, "columns",
                            "columns of the array (bitlines); a multiple of word_bits");
        });
    P.custom(
        "macro.word_bits", [](CimParams& p, const json& v) { p.macro.word_bits = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.word_bits", 16, 2, 64, "bits",
                            "bits per word: the unit of add/sub/shift/per-word popcount");
        });
    P.custom(
        "macro.cell",
        [](CimParams& p, const json& v) {
          p.cell = v.get<std::string>();
          p.macro.cell = p.cell == "6t" ? CellType::T6 : p.cell == "8t" ? CellType::T8 : CellType::T10;
        },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.choice(
              "macro.cell", "10t", {"6t", "8t", "10t"},
              "bit cell: 10t = multi-logic cell (two rows read at once, logic on the bitlines); 6t/8t read "
              "two-operand rows one after the other and do logic in the periphery");
        });
    P.custom(
        "macro.accumulators", [](CimParams& p, const json& v) { p.macro.accumulators = v.get<int>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.integer("macro.accumulators", 0, 0, 64, "registers",
                            "periphery accumulator registers (acc0 ...), each a row of cols flip-flops after the "
                            "adder: an op may read or write one without a bitline access");
        });
    P.custom(
        "macro.dual_row",
        [](CimParams& p, const json& v) {
          const std::string m = v.get<std::string>();
          p.macro.dual_row = m == "auto" ? -1 : m == "on" ? 1 : 0;
        },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.choice("macro.dual_row", "auto", {"auto", "on", "off"},
                           "two wordlines on one bitline at once, so logic and fadd/fsub on two rows take one "
                           "bitline access: auto = the 10T cell only; on = any cell (e.g. an 8T cell with dual "
                           "read-wordline activation); off = never");
        });
    P.custom(
        "macro.bit_serial", [](CimParams& p, const json& v) { p.macro.bit_serial = v.get<bool>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.boolean("macro.bit_serial", false,
                            "a carry latch and a tag latch per column: bit-serial fadd/fsub on data stored one bit "
                            "per row, carry and tag ops, and predicated writes (only columns whose tag is 1)");
        });
    P.custom(
        "macro.freq_MHz", [](CimParams& p, const json& v) { p.pp.freq_MHz = v.get<double>(); },
        [](ParamSet& ps) -> ParamSpec& { return ps.real("macro.freq_MHz", 200, 1, 5000, "MHz", "clock frequency"); });
    P.include(&CimParams::tech, tech_schema("28nm"));
    const char* lat[kStages][2] = {{"decode", "instruction decode and row-address setup"},
                                   {"bitline", "wordline activation, bitline evaluation (read / dual-row logic)"},
                                   {"sense", "sense amplifiers and periphery inversion"},
                                   {"adder1", "ripple-carry adder stage 1 (low half of each word), shifter, popcount"},
                                   {"adder2", "ripple-carry adder stage 2 (high half with carries)"},
                                   {"writeback", "write driver into the array, or the output latch"}};
    for (int k = 0; k < kStages; ++k) {
      std::string path = std::string("pipeline.") + lat[k][0] + "_cycles",
                  desc = std::string("latency of the ") + lat[k][1] + " stage";
      P.custom(
          path, [k](CimParams& p, const json& v) { p.pp.latency[k] = v.get<int>(); },
          [path, desc](ParamSet& ps) -> ParamSpec& { return ps.integer(path, 1, 1, 64, "cycles", desc); });
    }
    P.custom(
        "pipeline.clock_gating", [](CimParams& p, const json& v) { p.macro.clock_gating = v.get<bool>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.boolean("pipeline.clock_gating", true,
                            "the pipeline registers are clocked only when an op passes them; false: every cycle, "
                            "idle cycles charged at register.clock_bit");
        });
    P.custom(
        "pipeline.register_activity", [](CimParams& p, const json& v) { p.macro.register_activity = v.get<double>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.real("pipeline.register_activity", 0.5, 0, 1, "",
                         "fraction of pipeline-register bits that toggle per write: energy clock_bit + 2 x activity x "
                         "(write_bit - clock_bit); the tables' write_bit assumes 0.5");
        });
    P.custom(
        "pipeline.forwarding", [](CimParams& p, const json& v) { p.pp.forwarding = v.get<bool>(); },
        [](ParamSet& ps) -> ParamSpec& {
          return ps.boolean("pipeline.forwarding", false,
                            "forward results from adder stage 2 to a dependent op (else it waits for the write-back)");
        });
    P.include(&CimParams::workload,
              workload_schema(
                  {"mvm", "bnn", "hdc", "vector", "program"},
                  "built-in workload (mvm: integer matrix-vector multiply; bnn: binary layer, XNOR + popcount; hdc: "
                  "hypervector bind + Hamming search; vector: element-wise bit-serial add or multiply of two vectors "
                  "stored one bit per row, needs macro.bit_serial) or a micro-op program"));
    P.boolean("workload.resident", &CimParams::resident, false,
              "the data a memory holds is in the array before the run, as in a weight-stationary macro: MVM weights "
              "(one layer, direct mapping) or the vector operands are not written, and vector results stay in the "
              "array (not read out); write energy and cycles of loading them are left out");
    P.choice("workload.vector.op", &CimParams::vec_mul, "add", {{"add", false}, {"mul", true}},
             "vector workload: element-wise add (bits+1-bit results) or multiply (2 x bits-bit results)");
    P.integer("workload.vector.bits", &CimParams::vec_bits, 8, 1, 32, "bits",
              "vector workload: unsigned operand width (one bit per row)");
    P.integer("workload.vector.repeat", &CimParams::vec_repeat, 1, 1, 1000, "times",
              "vector workload: the compute sequence issued this many times back to back (each an op per "
              "element; for steady-state throughput)");
    P.integer("workload.vector.elements", &CimParams::vec_elements, 0, 0, 4096, "elements",
              "vector workload: element pairs, one per column; 0 = cols");
    P.file("workload.program", &CimParams::program, "", "",
           "micro-op program JSON (workload.kind = program; also --program FILE)");
    P.integer("mapper.interleave", &CimParams::interleave, 0, 0, 64, "chains",
              "independent chains the mapper interleaves to hide pipeline latency; 0 = enough for no stalls");
    P.choice("mapper.mvm", &CimParams::gated, "direct", {{"direct", false}, {"gated", true}},
             "MVM mapping: direct = add a weight row into a running sum only where the input bit is 1 (sums in "
             "the periphery accumulators if the macro has them); gated = copy every weight row through an AND "
             "with an all-ones or all-zeros row, then add it (every partial sum written back to the array)");
    P.boolean("mapper.skip_zero_bits", &CimParams::skip_zero_bits, false,
              "MVM, gated mapping: issue nothing for an input bit that is 0 (data-dependent timing); the direct "
              "mapping always does");
    P.rule([](const CimParams& p, const Config& c, Diagnostics& d) {
      if (p.macro.cols % p.macro.word_bits)
        d.error(c.origin("macro.cols"), "macro.cols", std::to_string(p.macro.cols),
                "a multiple of macro.word_bits (" + std::to_string(p.macro.word_bits) + ")");
      check_workload(p, c, d);
    });
    return P;
  }();
  return s;
}

// The micro-op program of the configured workload, with its data (seeded or from workload.data).
struct Workload {
  std::vector<MicroOp> ops;
  std::vector<MvmLayer> layers;
  BnnLayer bnn;
  HdcQuery hdc;
  VectorJob vec;
  Preload preload;  // workload.resident: rows holding data when the program starts
  bool resident = false;
  double useful_ops = 0;
  std::string ops_unit;
};

Workload build_workload(const CimParams& p) {
  Workload w;
  w.resident = p.resident;
  Preload* resident = p.resident ? &w.preload : nullptr;
  const Geometry g = p.geometry();
  const int P = p.chains();
  const std::string& kind = p.workload.kind;
  const std::string& data_file = p.workload.data;
  std::mt19937_64 rng((uint64_t)p.seed);
  json data = data_file.empty() || kind == "program" || kind == "vector" ? json() : load_workload_data(data_file);
  if (kind == "program") {
    Diagnostics d;
    w.ops = parse_program(load_json_file(p.program), p.program, g, d, &w.preload);
    d.throw_if_any();
    w.ops_unit = "micro-ops";  // useful ops: the micro-ops simulated
  } else if (kind == "mvm") {
    if (!data.is_null()) {
      MvmLimits lim{p.words(), p.mvm_max_n(), [&](const MvmLayer& l) {
                      std::string why;
                      return mvm_fits_word(l, g.word_bits, &why) ? std::string() : why;
                    }};
      w.layers = read_mvm_data(data, data_file, p.workload.layers, lim);
    } else {
      for (size_t k = 0; k < p.workload.layers.size(); ++k) {
        w.layers.push_back(p.layer(k));
        random_mvm(w.layers.back(), rng);
      }
    }
    for (const auto& l : w.layers) {
      if (p.gated)
        map_mvm(l, g, P, p.skip_zero_bits, w.ops);
      else
        map_mvm_direct(l, g, P, w.ops, resident);
      w.useful_ops += 2.0 * l.m * l.n;
    }
    w.ops_unit = "ops (MAC = 2 ops)";
  } else if (kind == "bnn") {
    if (!data.is_null()) {
      w.bnn = read_bnn_data(data, data_file, g.rows - bnn_rows_needed(0, P), g.cols);
    } else {
      w.bnn.m = p.workload.bnn_m ? p.workload.bnn_m : g.rows - bnn_rows_needed(0, P);
      w.bnn.n = p.workload.bnn_n ? p.workload.bnn_n : g.cols;
      random_bnn(w.bnn, rng);
    }
    map_bnn(w.bnn, g, P, w.ops);
    w.useful_ops = 2.0 * w.bnn.m * w.bnn.n;
    w.ops_unit = "binary ops (XNOR-accumulate = 2 ops)";
  } else if (kind == "vector") {
    w.vec.mul = p.vec_mul;
    w.vec.bits = p.vec_bits;
    w.vec.elements = p.vec_elements ? p.vec_elements : g.cols;
    w.vec.repeat = p.vec_repeat;
    random_vector(w.vec, rng);
    map_vector(w.vec, g, w.ops, resident);
    w.useful_ops = (double)w.vec.elements * w.vec.repeat;
    w.ops_unit = std::to_string(p.vec_bits) + "-bit " + (p.vec_mul ? "multiplies" : "adds");
  } else {  // hdc
    if (!data.is_null()) {
      w.hdc = read_hdc_data(data, data_file, g.rows - hdc_rows_needed(0, P), g.cols);
    } else {
      w.hdc.dim = p.workload.hdc_dim ? p.workload.hdc_dim : g.cols;
      w.hdc.classes = p.workload.hdc_classes;
      random_hdc(w.hdc, rng);
    }
    map_hdc(w.hdc, g, P, w.ops);
    w.useful_ops = (double)w.hdc.dim * (1 + 2.0 * w.hdc.classes);
    w.ops_unit = "bit ops (bind XOR + per class XOR and count)";
  }
  return w;
}

// The results read out, decoded per workload and checked against the software reference. Returns the number
// of mismatching results; OUT (may be null) receives the content of outputs.json.
int self_check(const std::string& kind, const Workload& w, const ProgramStats& ps, int words, json* out) {
  if (out) {
    (*out)["workload"] = kind;
    json reads = json::array();
    for (const auto& r : ps.results) {
      json o{{"index", r.index}, {"op", op_name(r.code)}, {"hex", r.value.to_hex()}};
      if (r.code == OpCode::Popcount) {
        if (w.ops[r.index].whole_row) {
          o["count"] = r.value.low64();
        } else {
          json cnt = json::array();
          for (int k = 0; k < words; ++k) cnt.push_back(r.value.word(k));
          o["counts"] = cnt;
        }
      }
      reads.push_back(o);
    }
    (*out)["results"] = reads;
  }
  int bad = 0;
  if (kind == "mvm") {
    json ys = json::array();
    for (size_t k = 0; k < w.layers.size(); ++k) {
      const MvmLayer& l = w.layers[k];
      auto y = decode_mvm(l, ps.results.at(k).value);
      bad += mismatches(y, mvm_reference(l));
      if (out)
        ys.push_back(
            json{{"m", l.m}, {"n", l.n}, {"w_bits", l.w_bits}, {"x_bits", l.x_bits}, {"y", y}, {"x", l.x}, {"w", l.w}});
    }
    if (out) (*out)["layers"] = ys;
  } else if (kind == "vector") {
    std::vector<uint64_t> r;
    if (w.resident)  // the results stayed in the array
      r = decode_vector(w.vec, std::vector<BitRow>(ps.final_array.begin() + vector_result_row(w.vec),
                                                   ps.final_array.begin() + vector_result_row(w.vec) +
                                                       vector_result_bits(w.vec)));
    else
      r = decode_vector(w.vec, ps.results);
    bad += mismatches(r, vector_reference(w.vec));
    if (out) {
      (*out)["a"] = w.vec.a;
      (*out)["b"] = w.vec.b;
      (*out)["result"] = r;
    }
  } else if (kind == "bnn") {
    std::vector<uint64_t> pc;
    std::vector<int64_t> y;
    for (int i = 0; i < w.bnn.m; ++i) {
      pc.push_back(ps.results.at(i).value.low64());
      y.push_back(2 * (int64_t)pc.back() - w.bnn.n);
    }
    bad += mismatches(y, bnn_reference(w.bnn));
    if (out) {
      (*out)["popcounts"] = pc;
      (*out)["y"] = y;
    }
  } else if (kind == "hdc") {
    std::vector<uint64_t> dist;
    int best = 0;
    for (int k = 0; k < w.hdc.classes; ++k) {
      dist.push_back(ps.results.at(1 + k).value.low64());
      if (dist.back() < dist[best]) best = k;
    }
    bad += mismatches(dist, hdc_reference(w.hdc));
    if (out) {
      (*out)["bound_query"] = ps.results.at(0).value.to_hex();
      (*out)["hamming_distances"] = dist;
      (*out)["best_class"] = best;
    }
  }
  if (out && kind != "program") (*out)["self_check_mismatches"] = bad;
  return bad;
}

// The stats object of one design point, from the program's stats and the charged ledger; run() and
// run_fast() both return it. TOTAL_CYCLES is the simulated time the leakage is charged over; BAD the
// self-check mismatches; WALL_S the evaluation's wall-clock time.
json point_stats(const CimParams& p, const Workload& w, const ProgramStats& ps, const Ledger& ledger,
                 uint64_t total_cycles, int bad, double wall_s) {
  const std::string& kind = p.workload.kind;
  const Scaling& sc = ledger.scaling();
  const double f_Hz = p.pp.freq_MHz * 1e6, time_s = (double)ps.cycles / f_Hz, ops = w.useful_ops;
  EnergyReport er = ledger.report((double)total_cycles / f_Hz);
  int bottleneck = *std::max_element(p.pp.latency.begin(), p.pp.latency.end());
  json j;
  j["model"] = "cim";
  j["workload"] = kind;
  j["seed"] = p.seed;
  j["rows"] = p.macro.rows;
  j["cols"] = p.macro.cols;
  j["word_bits"] = p.macro.word_bits;
  j["cell"] = p.cell;
  j["accumulators"] = p.macro.accumulators;
  j["bit_serial"] = p.macro.bit_serial ? "yes" : "no";
  if (kind == "mvm") j["mvm_mapping"] = p.gated ? "gated" : "direct";
  write_tech_stats(j, sc);
  j["freq_MHz"] = p.pp.freq_MHz;
  j["micro_ops"] = ps.ops;
  j["ops"] = ops;
  j["ops_unit"] = w.ops_unit;
  write_latency(j, ps.cycles, p.pp.freq_MHz);
  j["stall_cycles"] = ps.stall_cycles;
  j["backpressure_cycles"] = ps.backpressure_cycles;
  j["utilization"] = ps.cycles ? (double)ps.ops * bottleneck / (double)ps.cycles : 0.0;
  j["throughput_ops_per_s"] = time_s > 0 ? ops / time_s : 0.0;
  j["throughput_gops"] = time_s > 0 ? ops / time_s / 1e9 : 0.0;
  write_energy(j, er, time_s);
  j["energy_pJ_per_op"] = ops > 0 ? er.total_pJ / ops : 0.0;
  j["energy_pJ_per_micro_op"] = ps.ops ? er.total_pJ / (double)ps.ops : 0.0;
  j["tops_per_w"] = er.total_pJ > 0 ? ops / er.total_pJ : 0.0;  // TOPS/W = ops / J / 1e12 = ops / pJ
  write_area(j, er);
  j["area_mm2"] = er.area_um2 * 1e-6;
  j["tops_per_mm2"] = er.area_um2 > 0 && time_s > 0 ? ops / time_s / 1e12 / (er.area_um2 * 1e-6) : 0.0;
  if (kind != "program") j["self_check_mismatches"] = bad;
  j["sim_wall_s"] = wall_s;
  json ot = json::object();  // an empty program: an empty breakdown
  for (int k = 0; k < kNumOpCodes; ++k)
    if (ps.by_type[k]) ot[op_name((OpCode)k)] = ps.by_type[k];
  j["micro_ops_by_type"] = ot;
  json busy;
  for (int k = 0; k < kStages; ++k) busy[kStageNames[k]] = ps.cycles ? (double)ps.busy[k] / (double)ps.cycles : 0.0;
  j["stage_busy_fraction"] = busy;
  write_breakdowns(j, er, "op", true, sc);
  return j;
}

class CimModel : public Model {
 public:
  std::string name() const override { return "cim"; }
  std::string summary() const override {
    return "all-digital reconfigurable 10T SRAM compute-in-memory macro (bit-serial MVM, BNN, HDC, micro-op programs)";
  }
  std::string default_config() const override { return "cim/digital_28nm.json"; }

  std::vector<CliOption> cli_options() const override {
    return {
        {"program", "FILE", "run a micro-op program (JSON) instead of a built-in workload", [](const std::string& v) {
           if (v.empty()) throw InputError("--program: got ''; expected a micro-op program file (JSON)");
           // A program brings its own resident rows ("preload"), so the config's workload.resident is off.
           return std::vector<std::string>{"workload.kind=program",
                                           "workload.program=" + std::filesystem::absolute(v).string(),
                                           "workload.resident=false"};
         }}};
  }

  void declare(ParamSet& P) const override {
    P = schema().params();
    P.renamed("macro.tech", "tech.table");
    P.renamed("macro.node_scaling", "tech.node_scaling");
    P.renamed("macro.node_nm", "tech.node_nm");
    P.renamed("macro.vdd_V", "tech.vdd_V");
  }

  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.label("workload", "workload kind (workload.kind)");
    M.neither("seed", "", "seed of the random workload data");
    M.neither("rows", "rows", "rows of the array");
    M.neither("cols", "columns", "columns of the array");
    M.neither("word_bits", "bits", "bits per word");
    M.label("cell", "bit cell");
    M.neither("accumulators", "registers", "periphery accumulator registers");
    M.label("bit_serial", "per-column carry and tag latches (macro.bit_serial)");
    M.label("mvm_mapping", "MVM mapping (mapper.mvm)");
    M.neither("freq_MHz", "MHz", "clock frequency");
    M.neither("micro_ops", "", "micro-ops simulated");
    M.neither("ops", "", "useful operations of the workload (ops_unit says which)");
    M.label("ops_unit", "what one of `ops` is");
    M.lower("stall_cycles", "cycles", "cycles decode waited on data hazards");
    M.lower("backpressure_cycles", "cycles", "cycles decode waited for the bitline stage to accept");
    M.higher("utilization", "", "micro-ops x bottleneck stage cycles / latency_cycles");
    M.higher("throughput_ops_per_s", "ops/s", "useful ops per second at the clock");
    M.higher("throughput_gops", "GOPS", "useful ops per second / 1e9");
    M.lower("energy_pJ_per_op", "pJ", "energy_pJ / ops");
    M.lower("energy_pJ_per_micro_op", "pJ", "energy_pJ / micro_ops");
    M.higher("tops_per_w", "TOPS/W", "useful ops per joule / 1e12");
    M.lower("area_mm2", "mm2", "area_um2 / 1e6");
    M.higher("tops_per_mm2", "TOPS/mm2", "throughput per area");
    M.lower("self_check_mismatches", "", "results that differ from the software reference (0 for a correct run)");
    M.lower("sim_wall_s", "s", "wall-clock time of the simulation (elaboration and run)");
    M.breakdown("micro_ops_by_type", "", "micro-ops per operation");
    M.breakdown("stage_busy_fraction", "", "fraction of latency_cycles each pipeline stage was busy");
    declare_shared_metrics(M, "op");
  }

  json run(RunContext& ctx) override;
  // The same stats in plain C++ (cim/digital/fast.h): no SystemC, no files.
  bool has_fast() const override { return true; }
  json run_fast(const Config& config) const override;
};

json CimModel::run(RunContext& ctx) {
  const CimParams p = schema().read(ctx.config);
  const std::string& kind = p.workload.kind;
  TechSetup tech = load_tech_setup(p.tech, ctx.config);
  const Scaling& sc = tech.scaling;
  ctx.log("tech " + tech.table.file + " (" + tech.table.name + "), node " + format_double(sc.node_nm) + " nm, Vdd " +
          format_double(sc.vdd_V) + " V, energy factor " + format_double(sc.energy_factor));

  Workload w = build_workload(p);
  ctx.log("workload " + kind + ": " + std::to_string(w.ops.size()) + " micro-ops, interleave " +
          std::to_string(p.chains()));
  ctx.out.write("program.json", program_to_text(w.ops, &w.preload));

  // Simulate.
  Ledger ledger(tech.table, sc);
  CimEnergy energy(ledger, p.macro);
  std::vector<std::vector<MicroOp>> programs{w.ops};
  uint64_t total_cycles = 0;
  auto t0 = std::chrono::steady_clock::now();
  const std::vector<Preload> preloads{w.preload};
  const bool keep = w.resident && kind == "vector";  // results checked in the array
  auto st = run_programs(p.macro, p.pp, programs, &energy, ctx.trace_file, keep, &total_cycles, &preloads);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const ProgramStats& ps = st.at(0);
  energy.charge_idle_clock(ps.cycles, ps.ops, ps.by_type[(int)OpCode::Add] + ps.by_type[(int)OpCode::Sub]);
  ctx.log("simulated " + std::to_string(ps.ops) + " micro-ops in " + std::to_string(ps.cycles) + " cycles (" +
          format_double(wall * 1e3) + " ms wall)");
  if (kind == "program") w.useful_ops = (double)ps.ops;
  json outputs;
  int bad = self_check(kind, w, ps, p.words(), &outputs);
  ctx.out.write_json("outputs.json", outputs);
  if (bad) ctx.log("WARNING: " + std::to_string(bad) + " results differ from the direct software computation");
  return point_stats(p, w, ps, ledger, total_cycles, bad, wall);
}

// The workload of the last fast point on this thread, by the config entries it is built from (seed, array
// shape, pipeline, workload, mapper): a sweep over the technology, the cell or the clock builds it once. Data and
// program files are read when first used in that key, like the tech tables (see load_tech_setup_cached).
const Workload& cached_workload(const CimParams& p, const Config& config) {
  thread_local std::string key;
  thread_local Workload w;
  const json& t = config.tree();
  json k = {t.value("seed", json()),
            t.value("pipeline", json()),
            t.value("workload", json()),
            t.value("mapper", json()),
            t["macro"].value("rows", json()),
            t["macro"].value("cols", json()),
            t["macro"].value("word_bits", json()),
            t["macro"].value("accumulators", json()),
            t["macro"].value("bit_serial", json())};
  std::string ks = k.dump();
  if (ks != key) {
    key.clear();  // an exception below leaves no stale entry
    w = build_workload(p);
    key = std::move(ks);
  }
  return w;
}

json CimModel::run_fast(const Config& config) const {
  const CimParams p = schema().read(config);
  SharedTechSetup tech = load_tech_setup_cached(p.tech, config);
  Workload w_program;
  const Workload* wp = &cached_workload(p, config);
  Ledger ledger(*tech.table, tech.scaling);
  CimEnergy energy(ledger, p.macro);
  auto t0 = std::chrono::steady_clock::now();
  ProgramStats ps =
      run_program_fast(p.macro, p.pp, wp->ops, &energy, wp->resident && p.workload.kind == "vector", &wp->preload);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  energy.charge_idle_clock(ps.cycles, ps.ops, ps.by_type[(int)OpCode::Add] + ps.by_type[(int)OpCode::Sub]);
  if (p.workload.kind == "program") {
    w_program = *wp;
    w_program.useful_ops = (double)ps.ops;
    wp = &w_program;
  }
  const Workload& w = *wp;
  int bad = self_check(p.workload.kind, w, ps, p.words(), nullptr);
  // One program: the simulated time is its cycles.
  return point_stats(p, w, ps, ledger, ps.cycles, bad, wall);
}

TF_REGISTER_MODEL("cim", CimModel);

}  // namespace
}  // namespace tf::cim
