// `tinyforge sim cim`: the all-digital reconfigurable SRAM CIM macro as a design point.
#include <cmath>
#include <filesystem>

#include "cim/energy.h"
#include "cim/macro.h"
#include "cim/mapper.h"
#include "core/context.h"
#include "core/registry.h"

namespace tf::cim {
namespace {

struct Shape {
  MacroShape macro;
  PipelineParams pp;
  int interleave;
};

Shape shape_of(const Config& c) {
  Shape s;
  s.macro.rows = (int)c.i("macro.rows");
  s.macro.cols = (int)c.i("macro.cols");
  s.macro.word_bits = (int)c.i("macro.word_bits");
  std::string cell = c.s("macro.cell");
  s.macro.cell = cell == "6t" ? CellType::T6 : cell == "8t" ? CellType::T8 : CellType::T10;
  const char* lat[kStages] = {"decode", "bitline", "sense", "adder1", "adder2", "writeback"};
  for (int k = 0; k < kStages; ++k) s.pp.latency[k] = (int)c.i(std::string("pipeline.") + lat[k] + "_cycles");
  s.pp.forwarding = c.b("pipeline.forwarding");
  s.pp.freq_MHz = c.f("macro.freq_MHz");
  s.interleave = (int)c.i("mapper.interleave");
  if (s.interleave == 0) s.interleave = auto_interleave(s.pp);
  return s;
}

// MVM layer shapes with 0 ("as large as fits") resolved.
MvmLayer layer_of(const Config& c, size_t k, const Shape& s) {
  std::string p = "workload.layers[" + std::to_string(k) + "]";
  MvmLayer l;
  l.m = (int)c.i(p + ".m");
  l.n = (int)c.i(p + ".n");
  l.w_bits = (int)c.i(p + ".w_bits");
  l.x_bits = (int)c.i(p + ".x_bits");
  l.w_signed = c.b(p + ".w_signed");
  l.x_signed = c.b(p + ".x_signed");
  if (l.m == 0) l.m = s.macro.cols / s.macro.word_bits;
  if (l.n == 0) l.n = std::max(1, s.macro.rows - mvm_rows_needed(0, s.interleave));
  return l;
}

class CimModel : public Model {
 public:
  std::string name() const override { return "cim"; }
  std::string summary() const override {
    return "all-digital reconfigurable 10T SRAM compute-in-memory macro (bit-serial MVM, BNN, HDC, micro-op programs)";
  }
  std::string default_config() const override { return "cim/digital_28nm.json"; }

  std::vector<CliOption> cli_options() const override {
    return {{"program", "FILE", "run a micro-op program (JSON) instead of a built-in workload",
             [](const std::string& v) {
               if (v.empty()) throw InputError("--program: got ''; expected a micro-op program file (JSON)");
               return std::vector<std::string>{"workload.kind=program",
                                                "workload.program=" + std::filesystem::absolute(v).string()};
             }}};
  }

  void declare(ParamSet& P) const override {
    P.integer("seed", 1, 0, (int64_t)1 << 62, "", "seed of the random workload data (same seed, same bits)");
    P.integer("macro.rows", 256, 4, 4096, "rows", "rows of the bit-cell array (wordlines)");
    P.integer("macro.cols", 256, 8, 4096, "columns", "columns of the array (bitlines); a multiple of word_bits");
    P.integer("macro.word_bits", 16, 2, 64, "bits", "bits per word: the unit of add/sub/shift/per-word popcount");
    P.choice("macro.cell", "10t", {"6t", "8t", "10t"},
             "bit cell: 10t = multi-logic cell (two rows read at once, logic on the bitlines); 6t/8t read two-operand "
             "rows one after the other and do logic in the periphery");
    P.real("macro.freq_MHz", 200, 1, 5000, "MHz", "clock frequency");
    P.file("macro.tech", "28nm", "tech", "technology table: a built-in name (65nm, 28nm, 22nm) or a JSON file");
    P.file("macro.node_scaling", "tech/node_scaling.json", "", "node-scaling table used when node_nm differs from the table's");
    P.real("macro.node_nm", 0, 0, 180, "nm", "technology node to scale to; 0 = the table's own node");
    P.real("macro.vdd_V", 0, 0, 2.0, "V", "supply voltage; 0 = the table's nominal Vdd");
    const char* lat[kStages][2] = {{"decode", "instruction decode and row-address setup"},
                                   {"bitline", "wordline activation, bitline evaluation (read / dual-row logic)"},
                                   {"sense", "sense amplifiers and periphery inversion"},
                                   {"adder1", "ripple-carry adder stage 1 (low half of each word), shifter, popcount"},
                                   {"adder2", "ripple-carry adder stage 2 (high half with carries)"},
                                   {"writeback", "write driver into the array, or the output latch"}};
    for (auto& l : lat)
      P.integer(std::string("pipeline.") + l[0] + "_cycles", 1, 1, 64, "cycles", std::string("latency of the ") + l[1] + " stage");
    P.boolean("pipeline.forwarding", false,
              "forward results from adder stage 2 to a dependent op (else it waits for the write-back)");
    P.choice("workload.kind", "mvm", {"mvm", "bnn", "hdc", "program"},
             "built-in workload (mvm: integer matrix-vector multiply; bnn: binary layer, XNOR + popcount; hdc: "
             "hypervector bind + Hamming search) or a micro-op program");
    P.file("workload.program", "", "", "micro-op program JSON (workload.kind = program; also --program FILE)");
    P.file("workload.data", "", "", "workload data JSON instead of seeded random data (see docs/cim.md)");
    ParamSet layer;
    layer.integer("m", 0, 0, 4096, "outputs", "output rows of W (one per word of a row); 0 = cols / word_bits");
    layer.integer("n", 0, 0, 4096, "inputs", "inputs (one weight row each); 0 = as many as the array holds");
    layer.integer("w_bits", 4, 1, 32, "bits", "weight precision");
    layer.integer("x_bits", 4, 1, 32, "bits", "input precision (inputs are applied one bit per step)");
    layer.boolean("w_signed", true, "weights are two's complement");
    layer.boolean("x_signed", true, "inputs are two's complement (the sign bit is subtracted)");
    P.objects("workload.layers", json::array({json::object()}), layer, 1, 64,
              "MVM layers run one after another, each with its own precision (mixed precision)");
    P.integer("workload.bnn.m", 0, 0, 4096, "neurons", "BNN outputs (one weight row each); 0 = as many as fit");
    P.integer("workload.bnn.n", 0, 0, 4096, "inputs", "BNN inputs (bits per row); 0 = cols");
    P.integer("workload.hdc.dim", 0, 0, 4096, "bits", "hypervector dimension; 0 = cols");
    P.integer("workload.hdc.classes", 16, 1, 4096, "classes", "prototype hypervectors searched");
    P.integer("mapper.interleave", 0, 0, 64, "chains",
              "independent chains the mapper interleaves to hide pipeline latency; 0 = enough for no stalls");
    P.boolean("mapper.skip_zero_bits", false, "MVM: issue nothing for an input bit that is 0 (data-dependent timing)");

    P.rule([](const Config& c, Diagnostics& d) {
      int64_t cols = c.i("macro.cols"), wb = c.i("macro.word_bits");
      if (cols % wb)
        d.error(c.origin("macro.cols"), "macro.cols", std::to_string(cols),
                "a multiple of macro.word_bits (" + std::to_string(wb) + ")");
      double v = c.f("macro.vdd_V");
      if (v != 0 && v < 0.3)
        d.error(c.origin("macro.vdd_V"), "macro.vdd_V", format_double(v), "0 (nominal) or a voltage in [0.3, 2] V");
      double n = c.f("macro.node_nm");
      if (n != 0 && n < 7)
        d.error(c.origin("macro.node_nm"), "macro.node_nm", format_double(n), "0 (the table's node) or a node in [7, 180] nm");
      std::string kind = c.s("workload.kind");
      if (kind == "program" && c.s("workload.program").empty())
        d.error(c.origin("workload.program"), "workload.program", "\"\"", "a program file when workload.kind is \"program\"");
      if (cols % wb) return;  // shapes below depend on a valid geometry
      Shape s = shape_of(c);
      int words = (int)(cols / wb);
      if (kind == "mvm" && c.s("workload.data").empty()) {
        for (size_t k = 0; k < c.at("workload.layers").size(); ++k) {
          std::string p = "workload.layers[" + std::to_string(k) + "]";
          MvmLayer l = layer_of(c, k, s);
          if (l.m > words)
            d.error(c.origin(p + ".m"), p + ".m", std::to_string(l.m),
                    "at most cols/word_bits = " + std::to_string(words) + " outputs (one per word)");
          if (mvm_rows_needed(l.n, s.interleave) > s.macro.rows)
            d.error(c.origin(p + ".n"), p + ".n", std::to_string(l.n),
                    "at most rows - 2 - 2*interleave = " + std::to_string(s.macro.rows - mvm_rows_needed(0, s.interleave)) +
                        " inputs (interleave " + std::to_string(s.interleave) + ")");
          if (l.w_bits > wb || l.x_bits > wb)
            d.error(c.origin(p), p + ".w_bits", std::to_string(l.w_bits) + "/" + std::to_string(l.x_bits),
                    "weight and input precision at most macro.word_bits (" + std::to_string(wb) + ")");
          std::string why;
          if (l.n > 0 && !mvm_fits_word(l, (int)wb, &why))
            d.error(c.origin("macro.word_bits"), "macro.word_bits", std::to_string(wb),
                    "a word wide enough for " + p + ": " + why);
        }
      }
      if (kind == "bnn" && c.s("workload.data").empty()) {
        int64_t m = c.i("workload.bnn.m"), nn = c.i("workload.bnn.n");
        if (nn > cols) d.error(c.origin("workload.bnn.n"), "workload.bnn.n", std::to_string(nn), "at most macro.cols = " + std::to_string(cols));
        if (m > 0 && bnn_rows_needed((int)m, s.interleave) > s.macro.rows)
          d.error(c.origin("workload.bnn.m"), "workload.bnn.m", std::to_string(m),
                  "at most rows - 1 - interleave = " + std::to_string(s.macro.rows - bnn_rows_needed(0, s.interleave)));
      }
      if (kind == "hdc" && c.s("workload.data").empty()) {
        int64_t dim = c.i("workload.hdc.dim"), cl = c.i("workload.hdc.classes");
        if (dim > cols) d.error(c.origin("workload.hdc.dim"), "workload.hdc.dim", std::to_string(dim), "at most macro.cols = " + std::to_string(cols));
        if (hdc_rows_needed((int)cl, s.interleave) > s.macro.rows)
          d.error(c.origin("workload.hdc.classes"), "workload.hdc.classes", std::to_string(cl),
                  "at most rows - 3 - interleave = " + std::to_string(s.macro.rows - hdc_rows_needed(0, s.interleave)));
      }
      if (s.macro.rows <= 2 * s.interleave + 3 && kind != "program")
        d.error(c.origin("mapper.interleave"), "mapper.interleave", std::to_string(s.interleave),
                "fewer chains: the array has only " + std::to_string(s.macro.rows) + " rows");
    });
  }

  json run(RunContext& ctx) override;
};

// ---- workload data from a JSON file -------------------------------------------------------------------
struct DataReader {
  std::string file;
  Diagnostics d;
  bool zero_forbidden = false;  // BNN: values are +1 or -1
  std::vector<int64_t> ints(const json& j, const std::string& p, int64_t lo, int64_t hi, size_t expect) {
    std::vector<int64_t> v;
    if (!j.is_array() || (expect && j.size() != expect)) {
      d.error(file, p, show(j), "a list of " + (expect ? std::to_string(expect) + " " : std::string()) + "integers");
      return v;
    }
    for (size_t k = 0; k < j.size(); ++k) {
      bool ok = j[k].is_number_integer() &&
                !(j[k].is_number_unsigned() && j[k].get<uint64_t>() > (uint64_t)INT64_MAX) &&
                j[k].get<int64_t>() >= lo && j[k].get<int64_t>() <= hi && !(zero_forbidden && j[k].get<int64_t>() == 0);
      if (!ok) {
        d.error(file, p + "[" + std::to_string(k) + "]", show(j[k]),
                zero_forbidden ? std::string("+1 or -1")
                               : "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        v.push_back(0);
      } else {
        v.push_back(j[k].get<int64_t>());
      }
    }
    return v;
  }
  const json& need(const json& obj, const std::string& p, const char* key) {
    static const json null_value;
    if (!obj.is_object() || !obj.contains(key)) {
      d.error(file, p.empty() ? key : p + "." + key, "nothing (missing)", "a value");
      return null_value;
    }
    return obj[key];
  }
};

}  // namespace

json CimModel::run(RunContext& ctx) {
  const Config& c = ctx.config;
  Shape s = shape_of(c);
  Geometry g{s.macro.rows, s.macro.cols, s.macro.word_bits};
  const int words = g.cols / g.word_bits;
  std::string kind = c.s("workload.kind");
  std::mt19937_64 rng((uint64_t)c.i("seed"));

  // Technology.
  TechTable tech = load_tech(c.s("macro.tech"));
  NodeScalingTable nst = load_node_scaling(c.s("macro.node_scaling"));
  Scaling sc;
  try {
    sc = compute_scaling(tech, c.f("macro.node_nm"), c.f("macro.vdd_V"), nst);
  } catch (const InputError& e) {
    throw InputError(c.origin("macro.node_nm") + ": macro.node_nm: got " + format_double(c.f("macro.node_nm")) +
                     "; expected a node covered by the scaling table (" + e.what() + ")");
  }
  ctx.log("tech " + tech.file + " (" + tech.name + "), node " + format_double(sc.node_nm) + " nm, Vdd " +
          format_double(sc.vdd_V) + " V, energy factor " + format_double(sc.energy_factor));

  // Workload -> program.
  std::vector<MicroOp> ops;
  std::vector<MvmLayer> layers;
  BnnLayer bnn;
  HdcQuery hdc;
  double useful_ops = 0;
  std::string ops_unit;
  json data;
  std::string data_file = c.s("workload.data");
  if (!data_file.empty() && kind != "program") {
    data = load_json_file(data_file);
    if (!data.is_object())
      throw InputError(data_file + ": (top level): got " + show(data) + "; expected a JSON object (see docs/cim.md, workload data)");
  }
  DataReader R{data_file, {}};
  if (kind == "program") {
    std::string pf = c.s("workload.program");
    Diagnostics d;
    ops = parse_program(load_json_file(pf), pf, g, d);
    d.throw_if_any();
    useful_ops = 0;  // set below: micro-ops
    ops_unit = "micro-ops";
  } else if (kind == "mvm") {
    size_t nl = data.is_null() ? c.at("workload.layers").size() : 0;
    if (!data.is_null()) {
      const json& L = R.need(data, "", "layers");
      if (!L.is_array() || L.empty())
        R.d.error(data_file, "layers", show(L), "a non-empty list of {\"w\": [[...]], \"x\": [...]} (one per workload.layers entry)");
      else if (L.size() != c.at("workload.layers").size())
        R.d.error(data_file, "layers", std::to_string(L.size()) + " layers",
                  std::to_string(c.at("workload.layers").size()) + " layers (as many as workload.layers)");
      else
        nl = L.size();
    }
    for (size_t k = 0; k < nl; ++k) {
      MvmLayer l = layer_of(c, k, s);
      if (!data.is_null()) {
        std::string p = "layers[" + std::to_string(k) + "]";
        const json& lj = data["layers"][k];
        const json& W = R.need(lj, p, "w");
        int64_t wl = l.w_signed ? -(int64_t(1) << (l.w_bits - 1)) : 0, wh = l.w_signed ? (int64_t(1) << (l.w_bits - 1)) - 1 : (int64_t(1) << l.w_bits) - 1;
        int64_t xl = l.x_signed ? -(int64_t(1) << (l.x_bits - 1)) : 0, xh = l.x_signed ? (int64_t(1) << (l.x_bits - 1)) - 1 : (int64_t(1) << l.x_bits) - 1;
        if (!W.is_array() || W.empty() || W.size() > (size_t)words) {
          R.d.error(data_file, p + ".w", show(W), "a matrix with 1.." + std::to_string(words) + " rows (outputs)");
          continue;
        }
        l.m = (int)W.size();
        l.n = W[0].is_array() ? (int)W[0].size() : 0;
        l.w.clear();
        for (size_t i = 0; i < W.size(); ++i) l.w.push_back(R.ints(W[i], p + ".w[" + std::to_string(i) + "]", wl, wh, l.n));
        l.x = R.ints(R.need(lj, p, "x"), p + ".x", xl, xh, l.n);
        if (l.n < 1 || mvm_rows_needed(l.n, s.interleave) > g.rows)
          R.d.error(data_file, p + ".w[0]", std::to_string(l.n) + " inputs",
                    "1.." + std::to_string(g.rows - mvm_rows_needed(0, s.interleave)) + " inputs for this array");
        std::string why;
        if (!mvm_fits_word(l, g.word_bits, &why)) R.d.error(data_file, p, "this layer", "results that fit a word: " + why);
      } else {
        random_mvm(l, rng);
      }
      layers.push_back(l);
    }
    R.d.throw_if_any();
    for (const auto& l : layers) {
      map_mvm(l, g, s.interleave, c.b("mapper.skip_zero_bits"), ops);
      useful_ops += 2.0 * l.m * l.n;
    }
    ops_unit = "ops (MAC = 2 ops)";
  } else if (kind == "bnn") {
    if (!data.is_null()) {
      const json& W = R.need(data, "", "w");
      bnn.m = W.is_array() ? (int)W.size() : 0;
      bnn.n = bnn.m && W[0].is_array() ? (int)W[0].size() : 0;
      if (bnn.m < 1 || bnn.n < 1 || bnn.n > g.cols || bnn_rows_needed(bnn.m, s.interleave) > g.rows)
        R.d.error(data_file, "w", show(W), "a +1/-1 matrix of at most " + std::to_string(g.rows - bnn_rows_needed(0, s.interleave)) +
                                               " rows and " + std::to_string(g.cols) + " columns");
      else {
        R.zero_forbidden = true;
        for (int i = 0; i < bnn.m; ++i) {
          auto v = R.ints(W[i], "w[" + std::to_string(i) + "]", -1, 1, bnn.n);
          bnn.w.emplace_back(v.begin(), v.end());
        }
        auto x = R.ints(R.need(data, "", "x"), "x", -1, 1, bnn.n);
        bnn.x.assign(x.begin(), x.end());
      }
      R.d.throw_if_any();
    } else {
      bnn.m = (int)c.i("workload.bnn.m");
      bnn.n = (int)c.i("workload.bnn.n");
      if (bnn.m == 0) bnn.m = g.rows - bnn_rows_needed(0, s.interleave);
      if (bnn.n == 0) bnn.n = g.cols;
      random_bnn(bnn, rng);
    }
    map_bnn(bnn, g, s.interleave, ops);
    useful_ops = 2.0 * bnn.m * bnn.n;
    ops_unit = "binary ops (XNOR-accumulate = 2 ops)";
  } else {  // hdc
    if (!data.is_null()) {
      const json& P = R.need(data, "", "prototypes");
      hdc.classes = P.is_array() ? (int)P.size() : 0;
      hdc.dim = hdc.classes && P[0].is_array() ? (int)P[0].size() : 0;
      if (hdc.classes < 1 || hdc.dim < 1 || hdc.dim > g.cols || hdc_rows_needed(hdc.classes, s.interleave) > g.rows)
        R.d.error(data_file, "prototypes", show(P), "a 0/1 matrix of at most " + std::to_string(g.rows - hdc_rows_needed(0, s.interleave)) +
                                                        " rows and " + std::to_string(g.cols) + " columns");
      else {
        auto bits = [&](const json& j, const std::string& p) {
          auto v = R.ints(j, p, 0, 1, hdc.dim);
          return std::vector<uint8_t>(v.begin(), v.end());
        };
        for (int k = 0; k < hdc.classes; ++k) hdc.prototypes.push_back(bits(P[k], "prototypes[" + std::to_string(k) + "]"));
        hdc.key = bits(R.need(data, "", "key"), "key");
        hdc.value = bits(R.need(data, "", "value"), "value");
      }
      R.d.throw_if_any();
    } else {
      hdc.dim = (int)c.i("workload.hdc.dim");
      if (hdc.dim == 0) hdc.dim = g.cols;
      hdc.classes = (int)c.i("workload.hdc.classes");
      random_hdc(hdc, rng);
    }
    map_hdc(hdc, g, s.interleave, ops);
    useful_ops = (double)hdc.dim * (1 + 2.0 * hdc.classes);
    ops_unit = "bit ops (bind XOR + per class XOR and count)";
  }
  ctx.log("workload " + kind + ": " + std::to_string(ops.size()) + " micro-ops, interleave " + std::to_string(s.interleave));
  ctx.out.write("program.json", program_to_text(ops));

  // Simulate.
  Ledger ledger(tech, sc);
  CimEnergy energy(ledger, s.macro);
  std::vector<std::vector<MicroOp>> programs{ops};
  uint64_t total_cycles = 0;
  auto t0 = std::chrono::steady_clock::now();
  auto st = run_programs(s.macro, s.pp, programs, &energy, ctx.trace_file, false, &total_cycles);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const ProgramStats& ps = st.at(0);
  ctx.log("simulated " + std::to_string(ps.ops) + " micro-ops in " + std::to_string(ps.cycles) + " cycles (" +
          format_double(wall * 1e3) + " ms wall)");
  if (kind == "program") useful_ops = (double)ps.ops;

  // Outputs.
  json out;
  out["workload"] = kind;
  json reads = json::array();
  for (const auto& r : ps.results) {
    json o{{"index", r.index}, {"op", op_name(r.code)}, {"hex", r.value.to_hex()}};
    if (r.code == OpCode::Popcount) {
      const MicroOp& m = ops[r.index];
      if (m.whole_row)
        o["count"] = r.value.low64();
      else {
        json w = json::array();
        for (int k = 0; k < words; ++k) w.push_back(r.value.word(k));
        o["counts"] = w;
      }
    }
    reads.push_back(o);
  }
  out["results"] = reads;
  int mismatches = 0;
  if (kind == "mvm") {
    json ys = json::array();
    for (size_t k = 0; k < layers.size(); ++k) {
      auto y = decode_mvm(layers[k], ps.results.at(k).value);
      // Self-check against a direct software product (also shown to the user).
      for (int i = 0; i < layers[k].m; ++i) {
        int64_t ref = 0;
        for (int j = 0; j < layers[k].n; ++j) ref += layers[k].w[i][j] * layers[k].x[j];
        if (ref != y[i]) ++mismatches;
      }
      ys.push_back(json{{"m", layers[k].m}, {"n", layers[k].n}, {"w_bits", layers[k].w_bits}, {"x_bits", layers[k].x_bits},
                        {"y", y}, {"x", layers[k].x}, {"w", layers[k].w}});
    }
    out["layers"] = ys;
  } else if (kind == "bnn") {
    json y = json::array(), pc = json::array();
    for (int i = 0; i < bnn.m; ++i) {
      uint64_t p = ps.results.at(i).value.low64();
      pc.push_back(p);
      int64_t yy = 2 * (int64_t)p - bnn.n;
      y.push_back(yy);
      int64_t ref = 0;
      for (int j = 0; j < bnn.n; ++j) ref += bnn.w[i][j] * bnn.x[j];
      if (ref != yy) ++mismatches;
    }
    out["popcounts"] = pc;
    out["y"] = y;
  } else if (kind == "hdc") {
    out["bound_query"] = ps.results.at(0).value.to_hex();
    json dist = json::array();
    int best = 0;
    uint64_t bestd = UINT64_MAX;
    for (int k = 0; k < hdc.classes; ++k) {
      uint64_t dd = ps.results.at(1 + k).value.low64();
      dist.push_back(dd);
      if (dd < bestd) bestd = dd, best = k;
      uint64_t ref = 0;
      for (int b = 0; b < hdc.dim; ++b) ref += (hdc.key[b] ^ hdc.value[b]) != hdc.prototypes[k][b];
      if (ref != dd) ++mismatches;
    }
    out["hamming_distances"] = dist;
    out["best_class"] = best;
  }
  if (kind != "program") out["self_check_mismatches"] = mismatches;
  ctx.out.write_json("outputs.json", out);
  if (mismatches) ctx.log("WARNING: " + std::to_string(mismatches) + " results differ from the direct software computation");

  // Stats.
  double f_Hz = s.pp.freq_MHz * 1e6;
  double time_s = (double)ps.cycles / f_Hz;
  EnergyReport er = ledger.report((double)total_cycles / f_Hz);
  int bottleneck = *std::max_element(s.pp.latency.begin(), s.pp.latency.end());
  json j;
  j["model"] = "cim";
  j["workload"] = kind;
  j["seed"] = c.i("seed");
  j["rows"] = g.rows;
  j["cols"] = g.cols;
  j["word_bits"] = g.word_bits;
  j["cell"] = c.s("macro.cell");
  j["node_nm"] = sc.node_nm;
  j["vdd_V"] = sc.vdd_V;
  j["freq_MHz"] = s.pp.freq_MHz;
  j["micro_ops"] = ps.ops;
  j["ops"] = useful_ops;
  j["ops_unit"] = ops_unit;
  j["latency_cycles"] = ps.cycles;
  j["latency_ns"] = time_s * 1e9;
  j["stall_cycles"] = ps.stall_cycles;
  j["backpressure_cycles"] = ps.backpressure_cycles;
  j["utilization"] = ps.cycles ? (double)ps.ops * bottleneck / (double)ps.cycles : 0.0;
  j["throughput_ops_per_s"] = time_s > 0 ? useful_ops / time_s : 0.0;
  j["throughput_gops"] = time_s > 0 ? useful_ops / time_s / 1e9 : 0.0;
  j["energy_pJ"] = er.total_pJ;
  j["energy_dynamic_pJ"] = er.dynamic_pJ;
  j["energy_leakage_pJ"] = er.leakage_pJ;
  j["energy_pJ_per_op"] = useful_ops > 0 ? er.total_pJ / useful_ops : 0.0;
  j["energy_pJ_per_micro_op"] = ps.ops ? er.total_pJ / (double)ps.ops : 0.0;
  j["power_mW"] = time_s > 0 ? er.total_pJ * 1e-12 / time_s * 1e3 : 0.0;
  // TOPS/W = ops / J / 1e12 = ops / (pJ) .
  j["tops_per_w"] = er.total_pJ > 0 ? useful_ops / er.total_pJ : 0.0;
  j["area_um2"] = er.area_um2;
  j["area_mm2"] = er.area_um2 * 1e-6;
  j["tops_per_mm2"] = er.area_um2 > 0 && time_s > 0 ? useful_ops / time_s / 1e12 / (er.area_um2 * 1e-6) : 0.0;
  if (kind != "program") j["self_check_mismatches"] = mismatches;
  j["sim_wall_s"] = wall;
  json ot;
  for (int k = 0; k < kNumOpCodes; ++k)
    if (ps.by_type[k]) ot[op_name((OpCode)k)] = ps.by_type[k];
  j["micro_ops_by_type"] = ot;
  json busy;
  for (int k = 0; k < kStages; ++k) busy[kStageNames[k]] = ps.cycles ? (double)ps.busy[k] / (double)ps.cycles : 0.0;
  j["stage_busy_fraction"] = busy;
  auto obj = [](const std::vector<std::pair<std::string, double>>& v) {
    json o = json::object();
    for (const auto& kv : v) o[kv.first] = kv.second;
    return o;
  };
  j["energy_by_component_pJ"] = obj(er.by_component);
  j["energy_by_action_pJ"] = obj(er.by_action);
  json byop = json::object();
  for (const auto& kv : er.by_tag)
    if (kv.second > 0) byop[kv.first] = kv.second;
  j["energy_by_op_pJ"] = byop;
  j["area_by_component_um2"] = obj(er.area_by_component);
  json counts = json::object();
  for (const auto& kv : er.counts) counts[kv.first] = kv.second;
  j["action_counts"] = counts;
  j["scaling"] = sc.to_json();
  return j;
}

TF_REGISTER_MODEL("cim", CimModel);

}  // namespace tf::cim
