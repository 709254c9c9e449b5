// The `tinyforge` command: list, describe, sim.
// Exit codes: 0 success, 2 bad input (config, arguments, files), 1 internal error.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
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
#include "hlsflow/flow.h"
#include "sweep/engine.h"

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
    "  sweep SPEC.json      run every design point of a sweep spec; results, Pareto front (see docs/sweep.md)\n"
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
  std::cout << args[0] << ": " << m->summary() << "\n\nParameters\n"
            << tf::describe_params(ps) << "\nMetrics (stats.json)\n"
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
      os << "  " << e.key() << std::string(kw - e.key().size() + 2, ' ')
         << std::string(12 - std::min<size_t>(12, val.size()), ' ') << val;
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

// Parses ARGS of command CMD with the options OD and one positional argument into POSITIONAL.
po::variables_map parse_command(const std::string& cmd, const std::vector<std::string>& args,
                                const po::options_description& od, std::string& positional) {
  po::options_description hidden;
  hidden.add_options()("positional", po::value(&positional));
  po::positional_options_description pos;
  pos.add("positional", 1);
  po::options_description all;
  all.add(od).add(hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    bad_usage(cmd + ": " + e.what(), "run 'tinyforge " + cmd + " --help'");
  }
  return vm;
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
    od.add_options()(extra[k].name.c_str(), po::value(&extra_vals[k])->value_name(extra[k].value_name),
                     extra[k].help.c_str());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(od).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    bad_usage(std::string("sim: ") + e.what(),
              "run 'tinyforge sim " + (model_name.empty() ? std::string("MODEL") : model_name) + " --help'");
  }
  if (vm.count("help") || model_name.empty()) {
    std::ostringstream os;
    os << "usage: tinyforge sim MODEL [OPTIONS]\n\nSimulates one design point of MODEL (models: " << model_list()
       << ") and writes its run record:\nconfig.effective.json, stats.json, summary.csv, run.log and the model's "
          "outputs.\n\n"
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
    std::cout << "tinyforge sim " << model_name << "  (config: " << (config.empty() ? "declared defaults" : config)
              << ")\n\n"
              << table(stats) << "\nrun record: " << res.dir << "/  (stats.json has the full breakdown)\n";
    if (!trace.empty()) std::cout << "waveform:   " << trace << "\n";
  }
  return 0;
}

int cmd_hls(const std::vector<std::string>& args) {
  po::options_description od("options");
  std::string model_file, out, strategy, precision, vectors_file;
  int reuse = 0;
  od.add_options()("help,h", "this help")("out,o", po::value(&out)->value_name("DIR"),
                                          "output directory (required unless --emulate)")(
      "precision", po::value(&precision)->value_name("FILE"), "precision side file (JSON) for an ONNX model")(
      "test-vectors", po::value(&vectors_file)->value_name("FILE"),
      "test vectors (JSON: inputs, optional float outputs and labels); default: the model's own, or MODEL_test.json")(
      "emulate",
      "run the bit-accurate model on the test vectors: per-layer error vs float, saturation/wrap counts, accuracy")(
      "rtl", "also write DIR/rtl/: synthesizable Verilog with Verilator and Icarus bit-exact checks")(
      "verify", po::value<int>()->value_name("N"),
      "implies --rtl: verilate the RTL, stream N vectors (the model's test vectors, then seeded random ones) in order "
      "and "
      "under random back-pressure, compare every output bit with the C++ model, check latency and II; exit 1 on any "
      "difference")(
      "pipeline", po::value<int>()->value_name("K"),
      "with --rtl: also register each product, every K carry-save levels and between the two conversions in dense/conv "
      "layers at reuse factor 1 (latency for logic depth; default 0: two stages per layer)")(
      "synth", po::value<std::string>()->value_name("xc7|ice40"),
      "with --rtl: cost the RTL with yosys (LUT, FF, DSP, BRAM, carry per layer; logic depth) into DIR/report.json and "
      "report.md")("reuse", po::value(&reuse)->value_name("N"),
                   "reuse factor for every dense/conv layer (overrides the model)")(
      "strategy", po::value(&strategy)->value_name("latency|resource"),
      "implementation strategy (overrides the model)");
  po::variables_map vm = parse_command("hls", args, od, model_file);
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
  tf::hlsgen::Model m = tf::hlsflow::load_network(model_file, precision);
  vectors_file = tf::hlsflow::find_test_vectors(m, model_file, vectors_file);
  tf::Diagnostics d;
  tf::hlsflow::apply_overrides(m, strategy, reuse, d);
  d.throw_if_any();
  tf::hlsgen::TestVectors tv = tf::hlsflow::load_vectors(m, vectors_file);
  if (emulate) {
    if (tv.inputs.empty()) bad_usage("--emulate: no test vectors (give --test-vectors FILE)", "");
    std::cout << tf::hlsflow::emulation_report(m, tf::hlsflow::emulate(m, tv), vectors_file);
    if (out.empty()) return 0;
  }
  const bool rtl = vm.count("rtl") || vm.count("verify");
  int verify_n = 0;
  if (vm.count("verify")) {
    verify_n = vm["verify"].as<int>();
    if (verify_n < 1 || verify_n > 10000000)
      bad_usage("--verify: got " + std::to_string(verify_n) + "; expected 1 to 10000000 vectors", "");
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
    if (pk < 0 || pk > 64)
      bad_usage("--pipeline: got " + std::to_string(pk) + "; expected 0 (the default stages) to 64 carry-save levels",
                "");
    std::vector<std::vector<double>> vecs = tf::hlsflow::bench_inputs(m, tv, verify_n);
    auto r = tf::hlsgen::emit_rtl_project(m, out, vecs, (fs::path(tf::data_dir()) / "rtl" / "lib").string(), pk);
    std::cout << "Verilog for '" << m.name << "': " << r.dir << " (top module " << r.top << "_top, latency "
              << r.latency << " cycles, II " << r.ii << ", " << r.multipliers
              << " multipliers)\n  lint, verilate and check bit for bit: " << r.dir << "/verify.sh\n";
    if (verify_n > 0) {
      std::cout << "verifying " << verify_n << " vectors (" << std::min<size_t>(tv.inputs.size(), (size_t)verify_n)
                << " from the model's test vectors) with Verilator..." << std::endl;
      tf::hlsflow::Verification v = tf::hlsflow::verify_rtl(r);
      bool ok = v.pass(r);
      std::cout << "  in order:               " << v.in_order_line << "\n  random back-pressure:   " << v.random_line
                << "\n";
      std::cout << "verify: " << (v.bit_exact() ? "bit-exact" : "MISMATCH") << "; latency " << v.latency
                << " cycles (reported " << r.latency << "), II " << v.ii << " (reported " << r.ii
                << "): " << (ok ? "PASS" : "FAIL") << "\n";
      if (!ok) {
        std::string text = tf::read_file(v.log_file);
        std::cout << text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
        return 1;
      }
    }
    if (vm.count("synth")) {
      std::cout << "running yosys (" << vm["synth"].as<std::string>()
                << "); large designs can take minutes (leave out --synth to skip it)..." << std::endl;
      tf::json rep = tf::hlsgen::synthesize(m, r, vm["synth"].as<std::string>(), out,
                                            [](const std::string& line) { std::cout << "  " << line << std::endl; });
      std::cout << tf::read_file((fs::path(out) / "report.md").string());
    }
  }
  return 0;
}

int cmd_sweep(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "merge") {  // the shards' journals -> results, Pareto front, manifest
    if (args.size() != 2) bad_usage("sweep merge: expected one sweep directory", "usage: tinyforge sweep merge DIR");
    std::string mf = (fs::path(args[1]) / "manifest.json").string();
    if (!fs::exists(mf)) bad_usage("sweep merge: " + args[1] + " holds no sweep (no manifest.json)", "");
    std::string spec_file = tf::load_json_file(mf).value("spec_file", "");
    tf::sweep::SweepSpec spec = tf::sweep::load_spec(spec_file);
    auto model = get_model(spec.model);
    auto prepared = tf::sweep::prepare(spec, *model, tf::sweep::enumerate(spec, SIZE_MAX));
    tf::sweep::EngineOptions opt;
    opt.out_dir = args[1];
    opt.merge = true;
    auto results = tf::sweep::run_sweep(spec, tf::read_file(spec_file), *model, prepared, opt);
    std::map<std::string, size_t> counts;
    for (const auto& r : results) counts[r.status]++;
    std::cout << "merged " << args[1] << ": ok " << counts["ok"] << ", invalid " << counts["invalid"] << ", failed "
              << counts["failed"] << ", timeout " << counts["timeout"] << ", missing " << counts["missing"] << "\n\n"
              << tf::sweep::pareto_report(args[1]);
    return counts["failed"] + counts["timeout"] + counts["missing"] ? 3 : 0;
  }
  if (!args.empty() && args[0] == "report") {
    if (args.size() != 2) bad_usage("sweep report: expected one sweep directory", "usage: tinyforge sweep report DIR");
    std::cout << tf::sweep::pareto_report(args[1]);
    return 0;
  }
  po::options_description od("options");
  std::string spec_file, out;
  int jobs = 0;
  double timeout = 0;
  size_t max_points = 100000;
  od.add_options()("help,h", "this help")("out,o", po::value(&out)->value_name("DIR"),
                                          "sweep directory (default: runs/sweep-HASH of the spec)")(
      "jobs,j", po::value(&jobs)->value_name("N"), "points run at once (default: the spec's run.jobs, else 2)")(
      "timeout", po::value(&timeout)->value_name("S"),
      "seconds a point may take before it is killed (default: run.timeout_s)")(
      "dry-run", "print the number of points and a sample of them; run nothing")(
      "max-points", po::value(&max_points)->value_name("N"), "refuse specs with more points (default 100000)")(
      "resume", "continue an interrupted sweep in --out: finished points are not run again")(
      "shard", po::value<std::string>()->value_name("I/N|slurm"),
      "run only the I-th of N deterministic slices (0-based; slurm: from SLURM_ARRAY_TASK_ID and "
      "SLURM_ARRAY_TASK_COUNT); then 'tinyforge sweep merge DIR'");
  po::variables_map vm = parse_command("sweep", args, od, spec_file);
  if (vm.count("help") || spec_file.empty()) {
    std::cout
        << "usage: tinyforge sweep SPEC.json [--jobs N] [--out DIR] [--timeout S] [--dry-run] [--resume]\n"
           "       tinyforge sweep report DIR      (the Pareto front of a finished sweep)\n\n"
           "Runs every design point of a sweep spec (docs/sweep.md), each as its own process, and writes\n"
           "DIR/results.csv, results.json, pareto.csv, manifest.json and one run record per point in DIR/points/.\n"
           "Exit codes: 0 every point ran (ok or invalid), 3 some point failed or timed out, 2 bad input.\n\n"
        << od;
    return spec_file.empty() && !vm.count("help") ? 2 : 0;
  }
  tf::sweep::SweepSpec spec = tf::sweep::load_spec(spec_file);
  if (vm.count("jobs") && (jobs < 1 || jobs > 256))
    bad_usage("--jobs: got " + std::to_string(jobs) + "; expected 1 to 256", "");
  if (vm.count("timeout") && !(timeout > 0)) bad_usage("--timeout: expected a positive number of seconds", "");
  if (max_points < 1) bad_usage("--max-points: expected at least 1", "");
  auto model = get_model(spec.model);
  auto points = tf::sweep::enumerate(spec, max_points);
  auto prepared = tf::sweep::prepare(spec, *model, points);
  size_t invalid = 0;
  std::set<std::string> distinct;
  for (const auto& p : prepared) {
    if (!p.valid)
      ++invalid;
    else
      distinct.insert(p.hash);
  }
  std::cout << "sweep " << spec_file << ": model " << spec.model << ", " << points.size() << " points (" << spec.mode
            << "), " << prepared.size() << " after the constraints, " << invalid << " invalid, " << distinct.size()
            << " distinct configs to run\n";
  if (vm.count("dry-run")) {
    for (size_t k = 0; k < prepared.size() && k < 10; ++k) {
      std::cout << "  point " << prepared[k].point.index << ":";
      for (const auto& s : prepared[k].point.sets) std::cout << " " << s;
      std::cout << (prepared[k].valid ? "" : "  (invalid)") << "\n";
    }
    if (prepared.size() > 10) std::cout << "  ... " << prepared.size() - 10 << " more\n";
    return 0;
  }
  tf::sweep::EngineOptions opt;
  opt.jobs = jobs ? jobs : spec.jobs;
  opt.timeout_s = timeout > 0 ? timeout : spec.timeout_s;
  opt.resume = vm.count("resume") > 0;
  std::string text = tf::read_file(spec_file);
  opt.out_dir = out.empty() ? "runs/sweep-" + tf::hex_u64(tf::fnv1a64(text), 16).substr(0, 8) : out;
  opt.self_exe = fs::read_symlink("/proc/self/exe").string();
  if (vm.count("shard")) {
    std::string sh = vm["shard"].as<std::string>();
    if (sh == "slurm") {
      const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
      const char* n = std::getenv("SLURM_ARRAY_TASK_COUNT");
      if (!id || !n)
        bad_usage(
            "--shard slurm: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set (not in a Slurm array job)", "");
      sh = std::string(id) + "/" + n;
    }
    int i = -1, n = 0;
    char extra = 0;
    if (std::sscanf(sh.c_str(), "%d/%d%c", &i, &n, &extra) != 2 || n < 1 || n > 100000 || i < 0 || i >= n)
      bad_usage("--shard: got '" + sh + "'; expected I/N with 0 <= I < N (or slurm)", "");
    opt.shard = i;
    opt.shards = n;
    if (out.empty()) bad_usage("--shard: needs --out DIR (the directory every shard and the merge share)", "");
  }
  auto results = tf::sweep::run_sweep(spec, text, *model, prepared, opt);
  std::map<std::string, size_t> counts;
  for (const auto& r : results) counts[r.status]++;
  if (opt.shards > 1) {
    std::cout << "shard " << opt.shard << "/" << opt.shards << ": ok " << counts["ok"] << ", failed "
              << counts["failed"] << ", timeout " << counts["timeout"]
              << " (of its slice); when every shard is done: tinyforge sweep merge " << opt.out_dir << "\n";
  } else {
    std::cout << "results: " << opt.out_dir << "/results.csv  (ok " << counts["ok"] << ", invalid " << counts["invalid"]
              << ", failed " << counts["failed"] << ", timeout " << counts["timeout"] << ")\n";
    std::cout << "\n" << tf::sweep::pareto_report(opt.out_dir);
  }
  for (const auto& r : results)
    if (r.status == "failed" || r.status == "timeout")
      std::cerr << "point " << r.index << " " << r.status << ": " << r.message << "\n";
  return counts["failed"] + counts["timeout"] ? 3 : 0;
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
    if (cmd == "sweep") return cmd_sweep(args);
    std::string s = tf::closest(cmd, {"list", "describe", "sim", "hls", "sweep"});
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
