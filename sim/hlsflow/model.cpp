// `tinyforge sim hls`: the HLS flow as a model. One design point = one network at one precision, reuse factor,
// strategy and pipelining: bit-accurate emulation against the float model (accuracy, error, overflow), the
// HLS C++ project, the Verilog (latency, II, multipliers), optionally a Verilator check and a yosys costing.
// Everything lands in a run record like every other model's, so a sweep can drive it.
#include <filesystem>

#include "core/context.h"
#include "core/registry.h"
#include "core/schema.h"
#include "emit_hls.h"
#include "hlsflow/flow.h"
#include "lmu/lmu_math.h"
#include "synth.h"

namespace tf::hlsflow {
namespace {
namespace fs = std::filesystem;

struct HlsParams {
  std::string file, precision_file, vectors;
  std::string weight, bias, accum, result;  // "" = the model's
  std::string strategy;                     // "model", latency, resource
  int reuse = 0;
  bool emulate = true, project = true, rtl = true;
  int pipeline = 0, verify = 0;
  std::string synth;  // none, xc7, ice40
};

bool parse_format(const std::string& text, hlsgen::FixedFormat& f, std::string& why) {
  return hlsgen::FixedFormat::parse(text, f, why);
}

const Schema<HlsParams>& schema() {
  static const Schema<HlsParams> s = [] {
    using H = HlsParams;
    Schema<H> P;
    P.file("network.file", &H::file, "", "", "the network: native JSON (docs/model-format.md) or ONNX");
    P.file("network.precision", &H::precision_file, "", "", "precision side file of an ONNX network (docs/hls.md)");
    P.file("network.test_vectors", &H::vectors, "", "",
           "test vectors (JSON: inputs, optional outputs and labels); default: the network's own, or NAME_test.json");
    const char* kinds[4][2] = {
        {"weight", "weights"}, {"bias", "biases"}, {"accum", "accumulators"}, {"result", "layer results"}};
    std::string H::*fields[4] = {&H::weight, &H::bias, &H::accum, &H::result};
    for (int k = 0; k < 4; ++k)
      P.text(std::string("precision.") + kinds[k][0], fields[k], "",
             std::string("type of the ") + kinds[k][1] +
                 " of every layer, e.g. \"fixed<16,6>\"; \"\" = the network's own");
    P.choice("hls.strategy", &H::strategy, "model", {"model", "latency", "resource"},
             "implementation strategy of every layer; model = as the network says");
    P.integer("hls.reuse", &H::reuse, 0, 0, 1000000, "",
              "reuse factor of every dense/conv layer (must divide its multiplications); 0 = as the network says");
    P.boolean("targets.emulate", &H::emulate, true,
              "bit-accurate emulation of the test vectors against the float model");
    P.boolean("targets.project", &H::project, true, "write the HLS C++ project (hls/ in the run record)");
    P.boolean("targets.rtl", &H::rtl, true, "write the Verilog (rtl/ in the run record): latency, II, multipliers");
    P.integer("rtl.pipeline", &H::pipeline, 0, 0, 64, "levels",
              "register every K carry-save levels of dense/conv adder trees (0: two stages per layer)");
    P.integer("targets.verify", &H::verify, 0, 0, 10000000, "vectors",
              "verilate the RTL and check N vectors bit for bit, with latency and II (0 = no Verilator run)");
    P.choice("targets.synth", &H::synth, "none", {"none", "xc7", "ice40"},
             "cost the RTL with yosys (LUT, FF, DSP, BRAM, depth)");
    P.rule([](const H& p, const Config& c, Diagnostics& d) {
      if (p.file.empty()) d.error(c.origin("network.file"), "network.file", "\"\"", "a network file (JSON or ONNX)");
      const char* names[4] = {"weight", "bias", "accum", "result"};
      const std::string* vals[4] = {&p.weight, &p.bias, &p.accum, &p.result};
      for (int k = 0; k < 4; ++k) {
        hlsgen::FixedFormat f;
        std::string why, path = std::string("precision.") + names[k];
        if (!vals[k]->empty() && !parse_format(*vals[k], f, why))
          d.error(c.origin(path), path, "\"" + *vals[k] + "\"",
                  "a fixed-point type such as \"fixed<16,6>\" (" + why + ")");
      }
      if ((p.verify > 0 || p.synth != "none") && !p.rtl)
        d.error(c.origin("targets.rtl"), "targets.rtl", "false", "true when targets.verify or targets.synth is set");
      if (!p.project && !p.rtl && !p.emulate)
        d.error(c.origin("targets.emulate"), "targets", "nothing to do", "at least one of emulate, project, rtl");
    });
    return P;
  }();
  return s;
}

class HlsModel : public Model {
 public:
  std::string name() const override { return "hls"; }
  std::string summary() const override {
    return "HLS flow of a neural network: bit-accurate emulation, HLS C++ project, Verilog, Verilator check, yosys "
           "cost";
  }
  std::string default_config() const override { return "hls/digits_mlp.json"; }
  std::vector<CliOption> cli_options() const override {
    return {{"network", "FILE", "the network (JSON or ONNX) instead of the config's (its precision file is dropped)",
             [](const std::string& v) {
               if (v.empty()) throw InputError("--network: got ''; expected a network file");
               return std::vector<std::string>{"network.file=" + fs::absolute(v).string(), "network.precision=\"\""};
             }}};
  }
  void declare(ParamSet& P) const override { P = schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.label("network", "name of the network");
    M.neither("layers", "", "layers of the network");
    M.neither("test_vectors", "", "test vectors emulated");
    M.higher("accuracy_fixed", "", "top-1 accuracy of the bit-accurate model on the labelled test vectors");
    M.neither("accuracy_float", "", "top-1 accuracy of the float model");
    M.higher("accuracy_delta", "", "accuracy_fixed - accuracy_float");
    M.higher("top1_agreement", "", "fraction of test vectors whose fixed-point top-1 equals the float model's");
    M.lower("max_abs_error", "", "largest |fixed - float| of the network's output over all test vectors");
    M.lower("saturated", "", "values that saturated in any layer, over all test vectors");
    M.lower("wrapped", "", "values that wrapped around in any layer, over all test vectors");
    M.breakdown("max_abs_error_by_layer", "", "largest |fixed - float| per layer");
    M.lower("latency_cycles", "cycles", "RTL: cycles from an accepted input to its output");
    M.lower("ii_cycles", "cycles", "RTL: cycles between accepted inputs");
    M.lower("multipliers", "", "RTL: multipliers in the datapath");
    M.breakdown("multipliers_by_layer", "", "RTL: multipliers per layer module");
    M.neither("verify_vectors", "", "vectors streamed through the verilated RTL");
    M.lower("verify_mismatches", "",
            "outputs of the verilated RTL that differ from the C++ model (in order + back-pressure)");
    M.higher("verify_pass", "", "1 if the RTL is bit-exact with the reported latency and II, else 0");
    M.lower("lut", "", "yosys: LUTs");
    M.lower("ff", "", "yosys: flip-flops");
    M.lower("dsp", "", "yosys: DSP blocks");
    M.lower("bram", "", "yosys: block RAMs");
    M.lower("carry", "", "yosys: carry cells");
    M.lower("logic_depth_cells", "cells", "yosys: longest register-to-register path in mapped cells");
  }
  json run(RunContext& ctx) override;
};

json HlsModel::run(RunContext& ctx) {
  const HlsParams p = schema().read(ctx.config);
  hlsgen::Model m = load_network(p.file, p.precision_file);
  for (auto& L : m.layers) {
    std::string why;
    if (!p.weight.empty()) parse_format(p.weight, L.prec.weight, why);
    if (!p.bias.empty()) parse_format(p.bias, L.prec.bias, why);
    if (!p.accum.empty()) parse_format(p.accum, L.prec.accum, why);
    if (!p.result.empty()) parse_format(p.result, L.prec.result, why);
  }
  Diagnostics d;
  apply_overrides(m, p.strategy == "model" ? "" : p.strategy, p.reuse, d,
                  ctx.config.origin("hls.reuse") + ": hls.reuse");
  d.throw_if_any();
  if (p.rtl) hlsgen::check_rtl_support(m);
  std::string vf = find_test_vectors(m, p.file, p.vectors);
  hlsgen::TestVectors tv = load_vectors(m, vf);
  ctx.log("network '" + m.name + "': " + std::to_string(m.layers.size()) +
          " layers; test vectors: " + (vf.empty() ? "none" : vf));

  json j;
  j["model"] = "hls";
  j["network"] = m.name;
  j["layers"] = m.layers.size();
  j["test_vectors"] = tv.sequences();  // (a sequential model's: sequences)
  // Every LMU's matrices, exactly as the layer uses them before quantization (lmu_matrices.json; with several
  // lmu layers, lmu_matrices_K.json for layer index K).
  size_t n_lmu = 0;
  for (const auto& L : m.layers) n_lmu += L.type == "lmu";
  for (size_t k = 0; k < m.layers.size(); ++k)
    if (const auto& L = m.layers[k]; L.type == "lmu")
      ctx.out.write_json(n_lmu == 1 ? "lmu_matrices.json" : "lmu_matrices_" + std::to_string(k) + ".json",
                         lmu::to_json(lmu::make_memory(L.order, L.theta_s, L.dt_s,
                                                       L.discretization == "euler" ? lmu::Method::Euler
                                                                                   : lmu::Method::Zoh)));
  if (p.emulate && !tv.inputs.empty()) {
    Emulation e = emulate(m, tv);
    ctx.out.write("emulation.txt", emulation_report(m, e, vf));
    if (e.labelled) {
      j["accuracy_fixed"] = e.accuracy_fixed();
      j["accuracy_float"] = e.accuracy_float();
      j["accuracy_delta"] = e.accuracy_fixed() - e.accuracy_float();
    }
    j["top1_agreement"] = e.agreement();
    j["max_abs_error"] = e.max_err.back();
    uint64_t sat = 0, wrap = 0;
    json by_layer = json::object();
    for (size_t l = 0; l < m.layers.size(); ++l) {
      sat += e.stats[l].saturated;
      wrap += e.stats[l].wrapped;
      by_layer[m.layers[l].name] = e.max_err[l];
    }
    j["saturated"] = sat;
    j["wrapped"] = wrap;
    j["max_abs_error_by_layer"] = by_layer;
  } else if (p.emulate) {
    ctx.log("no test vectors: emulation skipped (give network.test_vectors)");
  }
  const std::string dir = ctx.out.path("");
  if (p.project) hlsgen::emit_hls_project(m, dir, tv, hls_include_dir());
  if (p.rtl) {
    hlsgen::RtlProject r = hlsgen::emit_rtl_project(m, dir, bench_inputs(m, tv, p.verify),
                                                    (fs::path(data_dir()) / "rtl" / "lib").string(), p.pipeline);
    j["latency_cycles"] = r.latency;
    j["ii_cycles"] = r.ii;
    j["multipliers"] = r.multipliers;
    json muls = json::object();
    for (const auto& l : r.layers) muls[l.module] = l.multipliers;
    j["multipliers_by_layer"] = muls;
    if (p.verify > 0) {
      ctx.log("verifying " + std::to_string(p.verify) + " vectors with Verilator");
      Verification v = verify_rtl(r);
      j["verify_vectors"] = p.verify;
      j["verify_mismatches"] = v.mismatches_in_order + v.mismatches_random;
      j["verify_pass"] = v.pass(r) ? 1 : 0;
      ctx.log("verify: " + v.in_order_line + " / " + v.random_line);
    }
    if (p.synth != "none") {
      ctx.log("yosys (" + p.synth + ")");
      json rep = hlsgen::synthesize(m, r, p.synth, dir, [&](const std::string& line) { ctx.log(line); });
      for (const char* k : {"lut", "ff", "dsp", "bram", "carry"}) j[k] = rep.at("total").at(k);
      j["logic_depth_cells"] = rep.at("logic_depth_cells");
    }
  }
  return j;
}

TF_REGISTER_MODEL("hls", HlsModel);

}  // namespace
}  // namespace tf::hlsflow
