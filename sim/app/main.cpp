// The `tinyforge` command: list, describe, sim.
// Exit codes: 0 success, 2 bad input (config, arguments, files), 1 internal error.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <systemc>

#include "core/config.h"
#include "core/context.h"
#include "core/registry.h"
#include "core/run.h"
#include "emit_hls.h"
#include "emit_rtl.h"
#include "synth.h"
#include "emulate.h"
#include "float_eval.h"
#include "model.h"
#include "onnx_import.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using tf::json;

namespace {

const char* kUsage =
    "usage: tinyforge COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  list                 registered models, one line each\n"
    "  describe MODEL       every parameter of MODEL (JSON path, type, default, unit, range, description)\n"
    "                       and every metric it reports (name, unit, which way is better)\n"
    "  sim MODEL [OPTIONS]  simulate one design point of MODEL and write its run record\n"
    "  hls MODEL.json --out DIR\n"
    "                       generate the HLS C++ project of a neural network (see docs/hls.md)\n"
    "\n"
    "Run 'tinyforge COMMAND --help' for the options of a command.\n"
    "Exit codes: 0 success, 2 bad input (config, arguments, files), 1 internal error.\n";

std::string model_list() {
  std::string s;
  for (const auto& e : tf::model_registry()) s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

[[noreturn]] void bad_usage(const std::string& msg, const std::string& hint) {
  throw tf::InputError(msg + (hint.empty() ? "" : "\n" + hint));
}

std::unique_ptr<tf::Model> get_model(const std::string& name) {
  const tf::ModelEntry* e = tf::find_model(name);
  if (!e) {
    std::vector<std::string> names;
    for (const auto& m : tf::model_registry()) names.push_back(m.name);
    std::string s = tf::closest(name, names);
    bad_usage("unknown model '" + name + "'" + (s.empty() ? "" : "; did you mean '" + s + "'?"),
              "registered models: " + model_list());
  }
  return e->make();
}

int cmd_list(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "usage: tinyforge list\n\nLists the registered models with a one-line description.\n";
    return 0;
  }
  if (!args.empty()) bad_usage("list: unexpected argument '" + args[0] + "'", "usage: tinyforge list");
  for (const auto& e : tf::model_registry()) std::cout << e.name << "  " << e.make()->summary() << "\n";
  return 0;
}

int cmd_describe(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: tinyforge describe MODEL\n\nPrints every parameter of MODEL (models: " << model_list()
              << "):\nits JSON path, type, default, unit, allowed range or values, and description.\n";
    return args.empty() ? 2 : 0;
  }
  if (args.size() > 1) bad_usage("describe: unexpected argument '" + args[1] + "'", "usage: tinyforge describe MODEL");
  auto m = get_model(args[0]);
  tf::ParamSet ps;
  m->declare(ps);
  tf::MetricSet ms;
  m->metrics(ms);
  std::cout << args[0] << ": " << m->summary() << "\n\nParameters\n" << tf::describe_params(ps) << "\nMetrics (stats.json)\n"
            << tf::describe_metrics(ms);
  std::cout << "\nSet parameters in a JSON config (--config FILE; \"base\": \"other.json\" inherits) or with\n"
               "--set PATH=VALUE. Default config: configs/"
            << (m->default_config().empty() ? std::string("(declared defaults)") : m->default_config()) << "\n";
  return 0;
}

std::string fmt_num(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    char buf[64];
    if (d != 0 && (std::fabs(d) >= 1e7 || std::fabs(d) < 1e-3))
      std::snprintf(buf, sizeof buf, "%.4g", d);
    else
      std::snprintf(buf, sizeof buf, "%.4f", d);
    std::string s = buf;
    if (s.find('.') != std::string::npos && s.find('e') == std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string table(const json& stats) {
  std::ostringstream os;
  size_t w = 0;
  for (auto it = stats.begin(); it != stats.end(); ++it)
    if (!it.value().is_structured()) w = std::max(w, it.key().size());
  for (auto it = stats.begin(); it != stats.end(); ++it)
    if (!it.value().is_structured())
      os << "  " << it.key() << std::string(w - it.key().size() + 2, ' ') << fmt_num(it.value()) << "\n";
  for (auto it = stats.begin(); it != stats.end(); ++it) {
    const json& o = it.value();
    if (!o.is_object() || o.empty() || o.size() > 16 || it.key() == "action_counts" || it.key() == "scaling") continue;
    bool numeric = true;
    double sum = 0;
    size_t kw = 0;
    for (auto e = o.begin(); e != o.end(); ++e) {
      numeric = numeric && e.value().is_number();
      if (e.value().is_number()) sum += e.value().get<double>();
      kw = std::max(kw, e.key().size());
    }
    if (!numeric) continue;
    bool shares = it.key().find("_pJ") != std::string::npos || it.key().find("_um2") != std::string::npos;
    os << "\n" << it.key() << (shares ? "  (share of total)" : "") << "\n";
    for (auto e = o.begin(); e != o.end(); ++e) {
      std::string val = fmt_num(e.value());
      os << "  " << e.key() << std::string(kw - e.key().size() + 2, ' ') << std::string(12 - std::min<size_t>(12, val.size()), ' ')
         << val;
      if (shares && sum > 0) {
        double f = e.value().get<double>() / sum;
        char pct[16];
        std::snprintf(pct, sizeof pct, "%6.1f%%  ", 100 * f);
        os << "  " << pct << std::string((size_t)std::lround(f * 40), '#');
      }
      os << "\n";
    }
  }
  return os.str();
}

int cmd_sim(const std::vector<std::string>& args) {
  std::string model_name;
  std::vector<std::string> rest = args;
  if (!rest.empty() && rest[0][0] != '-') {
    model_name = rest[0];
    rest.erase(rest.begin());
  }
  std::unique_ptr<tf::Model> model;
  std::vector<tf::CliOption> extra;
  if (!model_name.empty()) {
    model = get_model(model_name);
    extra = model->cli_options();
  }
  po::options_description od("options");
  std::string config, out, trace;
  std::vector<std::string> sets;
  int64_t seed = -1;
  od.add_options()("help,h", "this help")("config,c", po::value(&config)->value_name("FILE"),
                                          "model config JSON (default: the model's bundled default config)")(
      "set,s", po::value(&sets)->composing()->value_name("PATH=VALUE"),
      "override one parameter, e.g. --set macro.rows=128 (repeatable; VALUE is JSON or a bare string)")(
      "out,o", po::value(&out)->value_name("DIR"), "run directory (default: runs/MODEL-HASH of the effective config)")(
      "json", "print only the stats JSON on stdout")("trace", po::value(&trace)->value_name("FILE.vcd"),
                                                     "write a VCD waveform (pipeline occupancy, op ids, stalls)")(
      "seed", po::value(&seed)->value_name("N"), "random seed (sets the 'seed' parameter)");
  std::vector<std::string> extra_vals(extra.size());
  for (size_t k = 0; k < extra.size(); ++k)
    od.add_options()(extra[k].name.c_str(), po::value(&extra_vals[k])->value_name(extra[k].value_name), extra[k].help.c_str());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(od).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    bad_usage(std::string("sim: ") + e.what(), "run 'tinyforge sim " + (model_name.empty() ? std::string("MODEL") : model_name) + " --help'");
  }
  if (vm.count("help") || model_name.empty()) {
    std::ostringstream os;
    os << "usage: tinyforge sim MODEL [OPTIONS]\n\nSimulates one design point of MODEL (models: " << model_list()
       << ") and writes its run record:\nconfig.effective.json, stats.json, summary.csv, run.log and the model's outputs.\n\n"
       << od << "\nSee 'tinyforge describe MODEL' for the parameters.\n";
    std::cout << os.str();
    return model_name.empty() && !vm.count("help") ? 2 : 0;
  }
  bool as_json = vm.count("json") > 0;
  std::vector<std::string> all_sets;
  for (size_t k = 0; k < extra.size(); ++k)
    if (vm.count(extra[k].name))
      for (auto& s : extra[k].to_sets(extra_vals[k])) all_sets.push_back(s);
  all_sets.insert(all_sets.end(), sets.begin(), sets.end());
  if (vm.count("seed")) {
    if (seed < 0) bad_usage("--seed: got " + std::to_string(seed) + "; expected a non-negative integer", "");
    all_sets.push_back("seed=" + std::to_string(seed));
  }
  tf::RunRequest req;
  req.config_file = config;
  req.sets = all_sets;
  req.out_dir = out;
  req.trace_file = trace;
  req.quiet = as_json;
  req.command_line = "tinyforge sim " + model_name;
  for (const auto& a : rest) req.command_line += " " + a;
  tf::RunResult res = tf::run_point(*model, req);
  const json& stats = res.stats;
  config = res.config_file;
  if (as_json) {
    std::cout << stats.dump(2) << "\n";
  } else {
    std::cout << "tinyforge sim " << model_name << "  (config: " << (config.empty() ? "declared defaults" : config) << ")\n\n"
              << table(stats) << "\nrun record: " << res.dir << "/  (stats.json has the full breakdown)\n";
    if (!trace.empty()) std::cout << "waveform:   " << trace << "\n";
  }
  return 0;
}

// `--emulate`: per-layer error of the bit-accurate model against the float model, overflow counts, accuracy.
std::string emulate_report(const tf::hlsgen::Model& m, const tf::hlsgen::TestVectors& tv, const std::string& vf) {
  tf::hlsgen::Emulator em(m);
  size_t nl = m.layers.size();
  std::vector<double> max_err(nl, 0);
  size_t correct_fixed = 0, correct_float = 0, agree = 0;
  for (size_t k = 0; k < tv.inputs.size(); ++k) {
    auto fx = em.run(tv.inputs[k]);
    auto fl = tf::hlsgen::float_eval(m, tv.inputs[k]);
    for (size_t l = 0; l < nl; ++l)
      for (size_t i = 0; i < fl[l].size(); ++i) max_err[l] = std::max(max_err[l], std::fabs(fx[l].at(i) - fl[l][i]));
    auto argmax_fx = [&] {
      size_t a = 0;
      for (size_t i = 1; i < fx.back().raw.size(); ++i)
        if (fx.back().raw[i] > fx.back().raw[a]) a = i;
      return a;
    }();
    size_t argmax_fl = std::max_element(fl.back().begin(), fl.back().end()) - fl.back().begin();
    agree += argmax_fx == argmax_fl;
    if (!tv.labels.empty()) {
      correct_fixed += (int)argmax_fx == tv.labels[k];
      correct_float += (int)argmax_fl == tv.labels[k];
    }
  }
  std::ostringstream os;
  char buf[256];
  os << "emulation of '" << m.name << "' on " << tv.inputs.size() << " test vectors (" << vf << ")\n\n";
  std::snprintf(buf, sizeof buf, "%-24s %-12s %-26s %12s %10s %8s\n", "layer", "type", "result type", "max |err|", "saturated", "wrapped");
  os << buf;
  for (size_t l = 0; l < nl; ++l) {
    const auto& L = m.layers[l];
    const auto& st = em.stats()[l];
    std::snprintf(buf, sizeof buf, "%-24s %-12s %-26s %12.3g %10llu %8llu\n", L.name.substr(0, 24).c_str(), L.type.c_str(),
                  L.prec.result.str().c_str(), max_err[l], (unsigned long long)st.saturated, (unsigned long long)st.wrapped);
    os << buf;
  }
  os << "\n(max |err|: largest difference from the float model's output of that layer over all vectors;\n"
        " saturated / wrapped: values that overflowed a type in that layer, summed over all vectors)\n\n";
  std::snprintf(buf, sizeof buf, "top-1 agreement with the float model: %.2f%%\n", 100.0 * agree / tv.inputs.size());
  os << buf;
  if (!tv.labels.empty()) {
    std::snprintf(buf, sizeof buf, "accuracy: float %.2f%%, fixed point %.2f%% (difference %+.2f points)\n",
                  100.0 * correct_float / tv.inputs.size(), 100.0 * correct_fixed / tv.inputs.size(),
                  100.0 * ((double)correct_fixed - (double)correct_float) / tv.inputs.size());
    os << buf;
  }
  return os.str();
}

int cmd_hls(const std::vector<std::string>& args) {
  po::options_description od("options");
  std::string model_file, out, strategy, precision, vectors_file;
  int reuse = 0;
  od.add_options()("help,h", "this help")("out,o", po::value(&out)->value_name("DIR"), "output directory (required unless --emulate)")(
      "precision", po::value(&precision)->value_name("FILE"), "precision side file (JSON) for an ONNX model")(
      "test-vectors", po::value(&vectors_file)->value_name("FILE"),
      "test vectors (JSON: inputs, optional float outputs and labels); default: the model's own, or MODEL_test.json")(
      "emulate", "run the bit-accurate model on the test vectors: per-layer error vs float, saturation/wrap counts, accuracy")(
      "rtl", "also write DIR/rtl/: synthesizable Verilog with Verilator and Icarus bit-exact checks")(
      "verify", po::value<int>()->value_name("N"),
      "implies --rtl: verilate the RTL, stream N vectors (the model's test vectors, then seeded random ones) in order and "
      "under random back-pressure, compare every output bit with the C++ model, check latency and II; exit 1 on any difference")(
      "pipeline", po::value<int>()->value_name("K"),
      "with --rtl: also register each product, every K carry-save levels and between the two conversions in dense/conv "
      "layers at reuse factor 1 (latency for logic depth; default 0: two stages per layer)")(
      "synth", po::value<std::string>()->value_name("xc7|ice40"),
      "with --rtl: cost the RTL with yosys (LUT, FF, DSP, BRAM, carry per layer; logic depth) into DIR/report.json and report.md")(
      "reuse", po::value(&reuse)->value_name("N"), "reuse factor for every dense/conv layer (overrides the model)")(
      "strategy", po::value(&strategy)->value_name("latency|resource"), "implementation strategy (overrides the model)");
  po::options_description hidden;
  hidden.add_options()("model", po::value(&model_file));
  po::positional_options_description pos;
  pos.add("model", 1);
  po::options_description all;
  all.add(od).add(hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    bad_usage(std::string("hls: ") + e.what(), "run 'tinyforge hls --help'");
  }
  if (vm.count("help") || model_file.empty()) {
    std::cout << "usage: tinyforge hls MODEL.json|MODEL.onnx [--out DIR] [--precision FILE] [--reuse N]\n"
                 "                     [--strategy latency|resource] [--test-vectors FILE] [--emulate]\n"
                 "                     [--rtl [--pipeline K] [--verify N] [--synth xc7|ice40]]\n\n"
                 "Writes DIR/hls/: the HLS C++ project of the model (firmware/, a test bench, tb_data/ with bit-exact\n"
                 "expected outputs, build.sh for g++, build_prj.tcl for a vendor HLS tool).\n\n"
              << od;
    return model_file.empty() && !vm.count("help") ? 2 : 0;
  }
  bool emulate = vm.count("emulate") > 0;
  if (out.empty() && !emulate) bad_usage("hls: --out DIR is required (or --emulate)", "");
  bool is_onnx = fs::path(model_file).extension() == ".onnx";
  if (!precision.empty() && !is_onnx) bad_usage("--precision: applies to ONNX models; a JSON model carries its precision", "");
  tf::hlsgen::Model m = is_onnx ? tf::hlsgen::import_onnx(model_file, precision) : tf::hlsgen::load_model_json(model_file);
  if (vectors_file.empty()) vectors_file = m.test_vectors;
  if (vectors_file.empty()) {
    fs::path guess = fs::path(model_file).parent_path() / (fs::path(model_file).stem().string() + "_test.json");
    if (fs::exists(guess)) vectors_file = guess.string();
  }
  tf::Diagnostics d;
  for (size_t k = 0; k < m.layers.size(); ++k) {
    auto& L = m.layers[k];
    if (!strategy.empty()) {
      if (strategy != "latency" && strategy != "resource")
        bad_usage("--strategy: got '" + strategy + "'; expected latency or resource", "");
      L.strategy = strategy;
    }
    if (reuse > 0 && L.mults() > 0) {
      if (L.mults() % reuse)
        d.raw("--reuse: got " + std::to_string(reuse) + "; layer '" + L.name + "' has " + std::to_string(L.mults()) +
              " multiplications; nearest valid: " + tf::hlsgen::nearest_reuse_factors(L.mults(), reuse));
      else
        L.reuse_factor = reuse;
    }
  }
  d.throw_if_any();
  int n_in = 1;
  for (int s : m.input_shape) n_in *= s;
  tf::hlsgen::TestVectors tv;
  if (!vectors_file.empty()) tv = tf::hlsgen::load_test_vectors(vectors_file, n_in, m.layers.back().out_size());
  if (emulate) {
    if (tv.inputs.empty()) bad_usage("--emulate: no test vectors (give --test-vectors FILE)", "");
    std::cout << emulate_report(m, tv, vectors_file);
    if (out.empty()) return 0;
  }
  const bool rtl = vm.count("rtl") || vm.count("verify");
  int verify_n = 0;
  if (vm.count("verify")) {
    verify_n = vm["verify"].as<int>();
    if (verify_n < 1 || verify_n > 10000000) bad_usage("--verify: got " + std::to_string(verify_n) + "; expected 1 to 10000000 vectors", "");
  }
  if (rtl) tf::hlsgen::check_rtl_support(m);  // before anything is written
  if (vm.count("synth")) {
    std::string t = vm["synth"].as<std::string>();
    if (!rtl) bad_usage("--synth: needs --rtl", "");
    if (t != "xc7" && t != "ice40") bad_usage("--synth: got '" + t + "'; expected xc7 or ice40", "");
  }
  fs::create_directories(out);
  auto p = tf::hlsgen::emit_hls_project(m, out, tv.inputs, (fs::path(tf::data_dir()) / "hls" / "include").string());
  std::cout << "HLS project for '" << m.name << "' (" << m.layers.size() << " layers): " << p.dir << "\n"
            << "  top function: " << p.top << "\n  build and check with g++: " << p.dir << "/build.sh\n";
  if (rtl) {
    int pk = vm.count("pipeline") ? vm["pipeline"].as<int>() : 0;
    if (pk < 0 || pk > 64) bad_usage("--pipeline: got " + std::to_string(pk) + "; expected 0 (the default stages) to 64 carry-save levels", "");
    std::vector<std::vector<double>> vecs = tv.inputs;
    if (verify_n > 0) {  // exactly N: the model's vectors first, then seeded random ones
      if ((int)vecs.size() > verify_n) vecs.resize(verify_n);
      if ((int)vecs.size() < verify_n) {
        auto extra = tf::hlsgen::random_test_inputs(m, verify_n - (int)vecs.size());
        vecs.insert(vecs.end(), extra.begin(), extra.end());
      }
    }
    auto r = tf::hlsgen::emit_rtl_project(m, out, vecs, (fs::path(tf::data_dir()) / "rtl" / "lib").string(), pk);
    std::cout << "Verilog for '" << m.name << "': " << r.dir << " (top module " << r.top << "_top, latency " << r.latency
              << " cycles, II " << r.ii << ", " << r.multipliers << " multipliers)\n  lint, verilate and check bit for bit: " << r.dir << "/verify.sh\n";
    if (verify_n > 0) {
      std::cout << "verifying " << verify_n << " vectors (" << std::min<size_t>(tv.inputs.size(), (size_t)verify_n)
                << " from the model's test vectors) with Verilator..." << std::endl;
      if (std::system("command -v verilator > /dev/null 2>&1") != 0)
        throw std::runtime_error("--verify: verilator is not installed (scripts/deps.sh installs it)");
      std::string log = (fs::path(r.dir) / "verify.log").string();
      int rc = std::system(("sh '" + r.dir + "/verify.sh' > '" + log + "' 2>&1").c_str());
      std::string text = tf::read_file(log);
      std::vector<std::string> runs;
      std::istringstream ls(text);
      for (std::string line; std::getline(ls, line);)
        if (line.find(" mismatching outputs, latency ") != std::string::npos) runs.push_back(line);
      if (runs.size() != 2) {
        std::cerr << text.substr(text.size() > 4000 ? text.size() - 4000 : 0);
        throw std::runtime_error("--verify: the Verilator run did not complete (exit " + std::to_string(rc) + "); log: " + log);
      }
      long mism_in_order = -1, mism_random = -1, lat = -1;
      double ii = -1;
      std::sscanf(runs[0].c_str(), "%*d vectors, %ld mismatching outputs, latency %ld cycles, II %lf", &mism_in_order, &lat, &ii);
      std::sscanf(runs[1].c_str(), "%*d vectors, %ld mismatching outputs", &mism_random);
      bool ok = rc == 0 && mism_in_order == 0 && mism_random == 0 && lat == r.latency && std::abs(ii - r.ii) < 1e-9;
      std::cout << "  in order:               " << runs[0] << "\n  random back-pressure:   " << runs[1] << "\n";
      std::cout << "verify: " << (mism_in_order == 0 && mism_random == 0 ? "bit-exact" : "MISMATCH") << "; latency " << lat << " cycles (reported "
                << r.latency << "), II " << ii << " (reported " << r.ii << "): " << (ok ? "PASS" : "FAIL") << "\n";
      if (!ok) {
        std::cout << text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
        return 1;
      }
    }
    if (vm.count("synth")) {
      std::cout << "running yosys (" << vm["synth"].as<std::string>() << "); large designs can take minutes (leave out --synth to skip it)..." << std::endl;
      tf::json rep = tf::hlsgen::synthesize(m, r, vm["synth"].as<std::string>(), out,
                                            [](const std::string& line) { std::cout << "  " << line << std::endl; });
      std::cout << tf::read_file((fs::path(out) / "report.md").string());
    }
  }
  return 0;
}

void report_to_stderr(const sc_core::sc_report& rep, const sc_core::sc_actions& actions) {
  if (actions & sc_core::SC_DISPLAY) std::cerr << sc_core::sc_report_compose_message(rep) << "\n";
  if (actions & (sc_core::SC_THROW | sc_core::SC_ABORT)) throw std::runtime_error(rep.get_msg());
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_handler(report_to_stderr);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      std::cerr << kUsage;
      return 2;
    }
    std::string cmd = args[0];
    args.erase(args.begin());
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "tinyforge " << TINYFORGE_VERSION << "\n";
      return 0;
    }
    if (cmd == "list") return cmd_list(args);
    if (cmd == "describe") return cmd_describe(args);
    if (cmd == "sim") return cmd_sim(args);
    if (cmd == "hls") return cmd_hls(args);
    std::string s = tf::closest(cmd, {"list", "describe", "sim", "hls"});
    bad_usage("unknown command '" + cmd + "'" + (s.empty() ? "" : "; did you mean '" + s + "'?"), kUsage);
  } catch (const tf::InputError& e) {
    for (const auto& m : e.messages()) std::cerr << "error: " << m << "\n";
    if (e.messages().size() > 1) std::cerr << e.messages().size() << " problems found; nothing was simulated.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
}

// SystemC prints its banner when the kernel starts; keep it off stdout (--json must be pure JSON).
namespace {
struct NoBanner {
  NoBanner() { setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0); }
} no_banner;
}  // namespace
