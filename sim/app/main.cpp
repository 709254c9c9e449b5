// The `tinyforge` command: list, describe, sim.
// Exit codes: 0 success, 2 bad input (config, arguments, files), 1 internal error.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include "core/config.h"
#include "core/context.h"
#include "core/modules.h"
#include "core/registry.h"
#include "core/run.h"
#include "core/util.h"
#include "emit_hls.h"
#include "emit_rtl.h"
#include "synth.h"
#include "emulate.h"
#include "float_eval.h"
#include "model.h"
#include "onnx_import.h"
#include "hlsflow/flow.h"
#include "sweep/build_info.h"
#include "sweep/engine.h"
#include "sweep/mpi.h"
#include "sweep/slurm.h"

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
    "Run 'tinyforge COMMAND --help' for the options of a command; 'tinyforge --version' for the version, the\n"
    "data directory in use and the Verilator and yosys found on PATH.\n"
    "Exit codes: 0 success, 2 bad input (config, arguments, files), 1 internal error.\n";

std::string model_list() {
  std::string s;
  for (const auto& e : tf::all_models()) s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

[[noreturn]] void bad_usage(const std::string& msg, const std::string& hint) {
  throw tf::InputError(msg + (hint.empty() ? "" : "\n" + hint));
}

// A file the user named for an output (OPT FILE): checked before any work (its folder exists, it is not a
// folder), then written to a fresh temporary beside it and renamed over it, so a failed run leaves whatever
// was there before.
void check_output_file(const std::string& opt, const std::string& file) {
  std::error_code ec;
  fs::path p(file), dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (file.empty() || fs::is_directory(p, ec)) bad_usage(opt + ": '" + file + "' is a folder; expected a file name", "");
  // Renaming over a device or a symlink would replace it (as root, /dev/null itself): only regular files.
  if (fs::exists(fs::symlink_status(p, ec)) && !fs::is_regular_file(fs::symlink_status(p, ec)))
    bad_usage(opt + ": '" + file + "' exists and is not a regular file; expected a file name", "");
  if (!fs::is_directory(dir, ec)) bad_usage(opt + ": no folder '" + dir.string() + "' to write '" + file + "' into", "");
}
void write_output_file(const std::string& opt, const std::string& file, const std::string& text) {
  std::string tmpl = file + ".XXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd < 0) bad_usage(opt + ": cannot write beside '" + file + "': " + std::strerror(errno), "");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t k = ::write(fd, text.data() + done, text.size() - done);
    if (k <= 0) {
      ::close(fd);
      ::unlink(tmpl.c_str());
      bad_usage(opt + ": write error on '" + file + "': " + std::strerror(errno), "");
    }
    done += (size_t)k;
  }
  ::close(fd);
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(tmpl.c_str(), 0666 & ~mask);  // as an ordinary new file (mkstemp creates it 0600)
  std::error_code ec;
  fs::rename(tmpl, file, ec);
  if (ec) {
    ::unlink(tmpl.c_str());
    bad_usage(opt + ": cannot write '" + file + "': " + ec.message(), "");
  }
}

std::unique_ptr<tf::Model> get_model(const std::string& name) {
  const tf::ModelEntry* e = tf::find_model(name);
  if (!e) {
    std::vector<std::string> names;
    for (const auto& m : tf::all_models()) names.push_back(m.name);
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
  for (const auto& e : tf::all_models()) std::cout << e.name << "  " << e.make()->summary() << "\n";
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
  po::options_description od("options", 110, 50);
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
    po::positional_options_description none;  // a word after MODEL that is no option is an error
    po::store(po::command_line_parser(rest).options(od).positional(none).run(), vm);
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
  std::vector<std::string> all_sets, origins;
  for (size_t k = 0; k < extra.size(); ++k)
    if (vm.count(extra[k].name))
      for (auto& s : extra[k].to_sets(extra_vals[k])) {
        all_sets.push_back(s);
        origins.push_back("--" + extra[k].name);  // messages name the option the user gave
      }
  all_sets.insert(all_sets.end(), sets.begin(), sets.end());
  origins.resize(all_sets.size(), "--set");
  if (vm.count("seed")) {
    if (seed < 0) bad_usage("--seed: got " + std::to_string(seed) + "; expected a non-negative integer", "");
    all_sets.push_back("seed=" + std::to_string(seed));
    origins.push_back("--seed");
  }
  tf::RunRequest req;
  req.config_file = config;
  req.sets = all_sets;
  req.set_origins = origins;
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
  po::options_description od("options", 110, 50);
  std::string model_file, out, strategy, precision, vectors_file, hls4ml_config, outputs_file;
  int reuse = 0, threads = 1;
  od.add_options()("help,h", "this help")("out,o", po::value(&out)->value_name("DIR"),
                                          "output directory (required unless --emulate)")(
      "precision", po::value(&precision)->value_name("FILE"), "precision side file (JSON) for an ONNX model")(
      "hls4ml-config", po::value(&hls4ml_config)->value_name("FILE"),
      "an hls4ml configuration (YAML: HLSConfig or Model/LayerName) mapped onto the model, with the hls4ml "
      "compatibility modes on")(
      "test-vectors", po::value(&vectors_file)->value_name("FILE"),
      "test vectors (JSON: inputs, optional float outputs and labels); default: the model's own, or MODEL_test.json")(
      "emulate",
      "run the bit-accurate model on the test vectors: per-layer error vs float, saturation/wrap counts, accuracy")(
      "no-float", "with --emulate: skip the float model (no per-layer error or agreement; faster)")(
      "outputs", po::value(&outputs_file)->value_name("FILE"),
      "with --emulate: write the bit-accurate outputs, one line per vector, space-separated")(
      "threads", po::value(&threads)->value_name("N"),
      "with --emulate: threads over the vectors (default 1; 0: one per core); the results do not depend on it")(
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
    std::cout << "usage: tinyforge hls MODEL.json|MODEL.onnx [--out DIR] [--precision FILE] [--hls4ml-config FILE]\n"
                 "                     [--reuse N]\n"
                 "                     [--strategy latency|resource] [--test-vectors FILE]\n"
                 "                     [--emulate [--no-float] [--outputs FILE] [--threads N]]\n"
                 "                     [--rtl [--pipeline K] [--verify N] [--synth xc7|ice40]]\n\n"
                 "Writes DIR/hls/: the HLS C++ project of the model (firmware/, a test bench, tb_data/ with bit-exact\n"
                 "expected outputs, build.sh for g++, build_prj.tcl for a vendor HLS tool).\n"
                 "Test vectors: JSON ({\"inputs\": [[...]], \"labels\": [...]}), or text (.dat, .csv, .txt: one\n"
                 "input vector per line, hls4ml's tb_input_features.dat as is).\n\n"
              << od;
    return model_file.empty() && !vm.count("help") ? 2 : 0;
  }
  bool emulate = vm.count("emulate") > 0;
  if (out.empty() && !emulate) bad_usage("hls: --out DIR is required (or --emulate)", "");
  tf::hlsgen::Model m = tf::hlsflow::load_network(model_file, precision, hls4ml_config);
  vectors_file = tf::hlsflow::find_test_vectors(m, model_file, vectors_file);
  tf::Diagnostics d;
  if (vm.count("reuse") && (reuse < 1 || reuse > 1000000))
    bad_usage("--reuse: got " + std::to_string(reuse) + "; expected a reuse factor from 1 to 1000000", "");
  tf::hlsflow::apply_overrides(m, strategy, reuse, d);
  d.throw_if_any();
  if (!emulate)
    for (const char* o : {"no-float", "outputs", "threads"})
      if (vm.count(o)) bad_usage(std::string("--") + o + ": needs --emulate", "");
  if (threads < 0 || threads > 1024)
    bad_usage("--threads: got " + std::to_string(threads) + "; expected 0 (one per core) to 1024", "");
  if (vm.count("outputs")) check_output_file("--outputs", outputs_file);
  tf::hlsgen::TestVectors tv = tf::hlsflow::load_vectors(m, vectors_file);
  if (emulate) {
    if (tv.inputs.empty()) bad_usage("--emulate: no test vectors (give --test-vectors FILE)", "");
    tf::hlsflow::EmulateOptions eo;
    eo.float_model = !vm.count("no-float");
    eo.threads = threads;
    eo.outputs = vm.count("outputs") > 0;
    tf::hlsflow::Emulation e = tf::hlsflow::emulate(m, tv, eo);
    if (eo.outputs) write_output_file("--outputs", outputs_file, e.outputs);
    std::cout << tf::hlsflow::emulation_report(m, e, vectors_file);
    if (eo.outputs) std::cout << "outputs: " << outputs_file << " (" << e.vectors << " lines)\n";
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
    tf::hlsgen::check_report_targets(out);
  }
  int pk = vm.count("pipeline") ? vm["pipeline"].as<int>() : 0;
  if (pk < 0 || pk > 64)
    bad_usage("--pipeline: got " + std::to_string(pk) + "; expected 0 (the default stages) to 64 carry-save levels",
              "");
  // Everything below writes. A failure removes the output folder if this run created it (nothing half-written).
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    bad_usage("--out: " + out + " exists and is not a directory", "");
  std::vector<fs::path> created;
  for (fs::path q = fs::path(out); !q.empty() && !fs::exists(q, ec); q = q.parent_path()) created.push_back(q);
  fs::create_directories(out, ec);
  if (ec) bad_usage("--out: cannot create " + out + ": " + ec.message(), "");
  struct RemoveOnFailure {
    std::vector<fs::path>& dirs;
    bool keep = false;
    ~RemoveOnFailure() {
      std::error_code e;
      if (!keep && !dirs.empty()) fs::remove_all(dirs.front(), e);  // the output folder itself...
      if (!keep)
        for (const auto& d : dirs) fs::remove(d, e);  // ...and its new parents, if empty
    }
  } cleanup{created};
  const std::string hls_include = tf::hls_include_dir(), rtl_lib = (fs::path(tf::data_dir()) / "rtl" / "lib").string();
  auto p = tf::hlsgen::emit_hls_project(m, out, tv, hls_include);
  std::cout << "HLS project for '" << m.name << "' (" << m.layers.size() << " layers): " << p.dir << "\n"
            << "  top function: " << p.top << "\n  build and check with g++: " << p.dir << "/build.sh\n";
  if (rtl) {
    std::vector<std::vector<double>> vecs = tf::hlsflow::bench_inputs(m, tv, verify_n);
    auto r = tf::hlsgen::emit_rtl_project(m, out, vecs, rtl_lib, pk);
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
        cleanup.keep = true;  // the failed verification's files are what the user needs to look at
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
  cleanup.keep = true;
  return 0;
}

int g_argc = 0;
char** g_argv = nullptr;

// scripts/plot_sweep.py DIR (python3-matplotlib); a missing script or Python is reported, not fatal.
void plot_sweep(const std::string& dir) {
  const tf::DataLocation& data = tf::data_location();
  if (data.dir.empty()) {
    std::cerr << "--plot: " << data.problem << "; no plots\n";
    return;
  }
  std::string script = (fs::path(data.dir) / "scripts" / "plot_sweep.py").string();
  if (!fs::exists(script)) {
    std::cerr << "--plot: " << script << " is missing; no plots\n";
    return;
  }
  std::string cmd = "'" + script + "' '" + dir + "' --tinyforge '" + fs::read_symlink("/proc/self/exe").string() +
                    "'";  // its #!/usr/bin/python3: Debian's, with matplotlib
  std::cout << "\nplots:\n" << std::flush;
  if (std::system(cmd.c_str()) != 0) std::cerr << "--plot: " << cmd << " failed; the results are complete\n";
}

int cmd_sweep(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "merge") {  // the shards' journals -> results, Pareto front, manifest
    if (args.size() != 2) bad_usage("sweep merge: expected one sweep directory", "usage: tinyforge sweep merge DIR");
    std::string mf = (fs::path(args[1]) / "manifest.json").string();
    if (!fs::exists(mf)) bad_usage("sweep merge: " + args[1] + " holds no sweep (no manifest.json)", "");
    std::string spec_file = tf::load_json_file(mf).value("spec_file", "");
    tf::sweep::SweepSpec spec = tf::sweep::load_spec(spec_file);
    auto model = get_model(spec.model);
    auto prepared = tf::sweep::prepare(spec, *model, tf::sweep::enumerate(spec, SIZE_MAX), spec.jobs);
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
  po::options_description od("options", 110, 50);
  std::string spec_file, out, engine = "process", partition, slurm_time;
  int jobs = 0, array = 0;
  double timeout = 0;
  size_t max_points = 100000;
  od.add_options()("help,h", "this help")("out,o", po::value(&out)->value_name("DIR"),
                                          "sweep directory (default: runs/sweep-HASH of the spec)")(
      "jobs,j", po::value(&jobs)->value_name("N"), "points run at once (default: the spec's run.jobs, else 2)")(
      "timeout", po::value(&timeout)->value_name("S"),
      "seconds a point may take before it is killed (default: run.timeout_s)")(
      "engine", po::value(&engine)->value_name("process|fast"),
      "process (default, the reference): one child process and run record per point; fast: the model's "
      "in-process fast path in --jobs threads, stats in the journal (models that have one: see docs/sweep.md)")(
      "dry-run", "print the number of points, a sample of them and the estimated time (from one point run now)")(
      "max-points", po::value(&max_points)->value_name("N"), "refuse specs with more points (default 100000)")(
      "resume", "continue an interrupted sweep in --out: finished points are not run again")(
      "plot", "also draw the plots (scripts/plot_sweep.py, python3-matplotlib) into DIR/plots/")(
      "shard", po::value<std::string>()->value_name("I/N|slurm"),
      "run only the I-th of N deterministic slices (0-based; slurm: from SLURM_ARRAY_TASK_ID and "
      "SLURM_ARRAY_TASK_COUNT); then 'tinyforge sweep merge DIR'")(
      "slurm", "submit the sweep to Slurm: a job array of --array tasks (each a shard) and a merge job after it")(
      "array", po::value(&array)->value_name("N"), "--slurm: tasks in the array (default: min(configs, 32))")(
      "partition", po::value(&partition)->value_name("P"), "--slurm: the partition (default: the cluster's)")(
      "time", po::value(&slurm_time)->value_name("T"), "--slurm: time limit per task, e.g. 1:00:00")(
      "no-submit", "--slurm: only write DIR/slurm/array.sbatch and merge.sbatch")(
      "mpi", "under mpirun: rank 0 hands the points out to the other ranks (docs/sweep.md)");
  po::variables_map vm = parse_command("sweep", args, od, spec_file);
  if (vm.count("help") || spec_file.empty()) {
    std::cout
        << "usage: tinyforge sweep SPEC.json [--jobs N] [--out DIR] [--timeout S] [--engine process|fast]\n"
           "                       [--dry-run] [--resume] [--plot] [--shard I/N]\n"
           "       tinyforge sweep SPEC.json --slurm [--array N] [--partition P] [--time T] [--no-submit]\n"
           "       mpirun -n K tinyforge sweep SPEC.json --mpi\n"
           "       tinyforge sweep report DIR      (the Pareto front of a finished sweep)\n"
           "       tinyforge sweep merge DIR       (the outputs from every shard's journal)\n\n"
           "Runs every design point of a sweep spec (docs/sweep.md), each as its own process, and writes\n"
           "DIR/results.csv, results.json, pareto.csv, manifest.json and one run record per point in DIR/points/.\n"
           "Exit codes: 0 every point ran (ok or invalid), 3 some point failed or timed out, 2 bad input,\n"
           "130 interrupted (--resume continues).\n\n"
        << od;
    return spec_file.empty() && !vm.count("help") ? 2 : 0;
  }
  tf::sweep::MpiSweep* mpi = tf::sweep::mpi_sweep();
  if (vm.count("mpi") && !mpi) {  // become tinyforge-mpi (MPI is loaded only by the command that needs it)
    std::string exe = fs::read_symlink("/proc/self/exe").string() + "-mpi";
    if (!fs::exists(exe))
      bad_usage("--mpi: " + exe +
                    " is missing (tinyforge was built without MPI: install Debian's libopenmpi-dev "
                    "and rebuild)",
                "");
    std::vector<char*> argv;
    argv.push_back(exe.data());
    for (int k = 1; k < g_argc; ++k) argv.push_back(g_argv[k]);
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    throw std::runtime_error("--mpi: cannot start " + exe);
  }
  if (!vm.count("mpi")) mpi = nullptr;
  tf::sweep::SweepSpec spec = tf::sweep::load_spec(spec_file);
  if (vm.count("jobs") && (jobs < 1 || jobs > 256))
    bad_usage("--jobs: got " + std::to_string(jobs) + "; expected 1 to 256", "");
  if (vm.count("timeout") && !(timeout > 0)) bad_usage("--timeout: expected a positive number of seconds", "");
  if (max_points < 1) bad_usage("--max-points: expected at least 1", "");
  if (engine != "process" && engine != "fast")
    bad_usage("--engine: got '" + engine + "'; expected process or fast", "");
  int modes = (int)vm.count("slurm") + (int)vm.count("mpi") + (int)vm.count("shard");
  if (modes > 1) bad_usage("--slurm, --mpi and --shard exclude each other", "");
  if (mpi && engine == "fast") bad_usage("--mpi runs points as child processes; --engine fast runs on one node", "");
  for (const char* o : {"array", "partition", "time", "no-submit"})
    if (vm.count(o) && !vm.count("slurm")) bad_usage(std::string("--") + o + ": only with --slurm", "");
  if (vm.count("array") && (array < 1 || array > 100000))
    bad_usage("--array: got " + std::to_string(array) + "; expected 1 to 100000 tasks", "");
  auto model = get_model(spec.model);
  if (engine == "fast" && !model->has_fast())
    bad_usage("--engine fast: model " + spec.model + " has no fast path; use --engine process", "");
  auto points = tf::sweep::enumerate(spec, max_points);
  auto prepared = tf::sweep::prepare(spec, *model, points, jobs ? jobs : spec.jobs);
  if (prepared.empty())
    throw tf::InputError(spec_file + ": where: got constraints that keep none of the " + std::to_string(points.size()) +
                         " points; expected at least one point to run");
  size_t invalid = 0;
  std::set<std::string> distinct;
  for (const auto& p : prepared) {
    if (!p.valid)
      ++invalid;
    else
      distinct.insert(p.hash);
  }
  const bool say = !mpi || mpi->rank() == 0;
  if (say)
    std::cout << "sweep " << spec_file << ": model " << spec.model << ", " << points.size() << " points (" << spec.mode
              << "), " << prepared.size() << " after the constraints, " << invalid << " invalid, " << distinct.size()
              << " distinct configs to run\n";
  tf::sweep::EngineOptions opt;
  opt.jobs = jobs ? jobs : spec.jobs;
  opt.timeout_s = timeout > 0 ? timeout : spec.timeout_s;
  opt.resume = vm.count("resume") > 0;
  opt.engine = engine;
  std::string text = tf::read_file(spec_file);
  opt.out_dir = out.empty() ? "runs/sweep-" + tf::hex_u64(tf::fnv1a64(text), 16).substr(0, 8) : out;
  // The points run as `tinyforge sim`: this binary, or its sibling when this is tinyforge-mpi.
  opt.self_exe = fs::read_symlink("/proc/self/exe").string();
  if (tf::sweep::mpi_sweep() && opt.self_exe.size() > 4 &&
      opt.self_exe.compare(opt.self_exe.size() - 4, 4, "-mpi") == 0)
    opt.self_exe.resize(opt.self_exe.size() - 4);
  const std::string base = tf::resolve_config_file(*model, spec.base);
  if (vm.count("dry-run")) {
    if (!say) return 0;
    for (size_t k = 0; k < prepared.size() && k < 10; ++k) {
      std::cout << "  point " << prepared[k].point.index << ":";
      for (const auto& s : prepared[k].point.sets) std::cout << " " << s;
      std::cout << (prepared[k].valid ? "" : "  (invalid)") << "\n";
    }
    if (prepared.size() > 10) std::cout << "  ... " << prepared.size() - 10 << " more\n";
    // The estimate: one point run now (in a scratch directory) times the configs, over the parallel jobs.
    const tf::sweep::Prepared* first = nullptr;
    for (const auto& p : prepared)
      if (p.valid) {
        first = &p;
        break;
      }
    if (first && say) {
      double t = 0;
      std::string status;
      if (engine == "fast") {
        auto t0 = std::chrono::steady_clock::now();
        try {
          model->run_fast(first->config);
          status = "ok";
        } catch (const std::exception& e) {
          status = "failed";
        }
        t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      } else {
        tf::sweep::EngineOptions o = opt;
        char tmpl[] = "/tmp/tinyforge-dry-run-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("--dry-run: cannot make a scratch directory in /tmp");
        o.out_dir = tmpl;
        fs::create_directories(fs::path(tmpl) / "points");
        fs::create_directories(fs::path(tmpl) / "logs");
        auto ev = tf::sweep::evaluate_in_child(o, spec.model, base, *first);
        fs::remove_all(tmpl);
        t = ev.wall_s, status = ev.status;
      }
      int par = mpi ? std::max(1, mpi->size() - 1) : opt.jobs;
      double est = t * (double)distinct.size() / par;
      std::cout << "estimated time: " << tf::format_double(est, 2) << " s (" << distinct.size() << " configs x "
                << tf::format_double(t, 2) << " s for point " << first->point.index << " (" << status << "), over "
                << par << " parallel " << (mpi ? "ranks" : "jobs") << ")\n";
    }
    return 0;
  }
  if (vm.count("slurm")) {
    if (out.empty()) bad_usage("--slurm: needs --out DIR on a file system every node shares", "");
    if (opt.resume) bad_usage("--slurm: submit again without --resume: each task continues its own journal", "");
    tf::sweep::EngineOptions o = opt;
    o.shards = 2;  // a sharded open: an existing sweep of the same spec is continued, not refused
    tf::sweep::open_sweep_dir(spec, text, prepared.size(), o);
    tf::sweep::SlurmOptions so;
    so.array = array;
    so.cpus = opt.jobs;
    so.timeout_s = opt.timeout_s;
    so.partition = partition;
    so.time = slurm_time;
    so.engine = engine;
    so.submit = !vm.count("no-submit");
    auto sj = tf::sweep::submit_slurm(spec_file, opt.out_dir, opt.self_exe, distinct.size(), so);
    std::cout << "wrote " << sj.array_script << " (" << sj.tasks << " tasks)\n      " << sj.merge_script << "\n";
    if (so.submit)
      std::cout << "submitted array job " << sj.array_id << " and merge job " << sj.merge_id
                << " (after it); watch with: squeue -j " << sj.array_id << "," << sj.merge_id
                << "\nthe results: " << opt.out_dir << "/results.csv; the table: tinyforge sweep report " << opt.out_dir
                << "\n";
    else
      std::cout << "submit with: jid=$(sbatch --parsable " << sj.array_script
                << ") && sbatch --dependency=afterok:$jid " << sj.merge_script << "\n";
    return 0;
  }
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
  if (mpi && mpi->rank() > 0) {
    mpi->serve(opt, spec.model, base, prepared);
    return 0;
  }
  std::vector<tf::sweep::Result> results;
  try {
    results = tf::sweep::run_sweep(spec, text, *model, prepared, opt,
                                   mpi ? mpi->coordinator(prepared) : tf::sweep::Executor());
  } catch (const tf::sweep::Interrupted& e) {
    std::cerr << "tinyforge sweep: " << e.what() << "\n";
    return 130;
  }
  std::map<std::string, size_t> counts;
  for (const auto& r : results) counts[r.status]++;
  if (opt.shards > 1) {
    std::cout << "shard " << opt.shard << "/" << opt.shards << ": ok " << counts["ok"] << ", failed "
              << counts["failed"] << ", timeout " << counts["timeout"]
              << " (of its slice); when every shard is done: tinyforge sweep merge " << opt.out_dir << "\n";
  } else {
    std::cout << "results: " << opt.out_dir << "/results.csv  (ok " << counts["ok"] << ", invalid " << counts["invalid"]
              << ", failed " << counts["failed"] << ", timeout " << counts["timeout"] << ")\n";
    std::cout << "\n" << tf::sweep::pareto_report(opt.out_dir, 40);
    if (vm.count("plot")) plot_sweep(opt.out_dir);
  }
  for (const auto& r : results)
    if (r.status == "failed" || r.status == "timeout")
      std::cerr << "point " << r.index << " " << r.status << ": " << r.message << "\n";
  return counts["failed"] + counts["timeout"] ? 3 : 0;
}

// The first line of `TOOL ARG` (its version), with the path it ran from, or "not found" when TOOL is not on PATH.
std::string tool_version(const std::string& tool, const std::string& arg) {
  const char* path = std::getenv("PATH");
  std::string exe;
  std::stringstream dirs(path ? path : "");
  for (std::string d; exe.empty() && std::getline(dirs, d, ':');) {
    fs::path p = fs::path(d.empty() ? "." : d) / tool;
    if (access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p)) exe = p.string();
  }
  if (exe.empty()) return "not found on PATH";
  std::string line;
  if (FILE* f = popen(("'" + exe + "' " + arg + " 2>&1").c_str(), "r")) {
    char buf[512];
    if (fgets(buf, sizeof buf, f)) line = buf;
    while (fgets(buf, sizeof buf, f)) {
    }
    int rc = pclose(f);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (rc != 0 || line.empty()) line = "(" + tool + " " + arg + " failed)";
  }
  return line + " (" + exe + ")";
}

// Where module NAME is loaded from (core/modules.h), or why it cannot be.
std::string module_line(const std::string& name) {
  std::string problem, path = tf::module_path(name, problem);
  return path.empty() ? problem : path;
}

int cmd_version() {
  const tf::json build = tf::sweep::build_info();
  const tf::DataLocation& data = tf::data_location();
  std::cout << "tinyforge " << TINYFORGE_VERSION << "\n"
            << "git revision:   " << build["git_revision"].get<std::string>() << "\n"
            << "data directory: ";
  if (data.dir.empty())
    std::cout << "not found: " << data.problem << "\n";
  else
    std::cout << data.dir << "  (" << data.found_by << ")\n";
  std::cout << "HLS headers:    " << (data.hls_include.empty() ? "not found" : data.hls_include) << "\n"
            << "SystemC:        " << build["systemc"].get<std::string>() << " (built against; loaded with the SystemC models, tinyforge-sc.so)\n"
            << "modules:        " << module_line("tinyforge-sc") << "\n"
            << "                " << module_line("tinyforge-onnx") << "\n"
            << "Verilator:      " << tool_version("verilator", "--version") << "\n"
            << "yosys:          " << tool_version("yosys", "-V") << "\n";
  return 0;
}

}  // namespace

int tinyforge_main(int argc, char* argv[]) {
  g_argc = argc;
  g_argv = argv;
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
    if (cmd == "--version") return cmd_version();
    if (cmd == "list") return cmd_list(args);
    if (cmd == "describe") return cmd_describe(args);
    if (cmd == "sim") return cmd_sim(args);
    if (cmd == "hls") return cmd_hls(args);
    if (cmd == "sweep") return cmd_sweep(args);
    std::string s = tf::closest(cmd, {"list", "describe", "sim", "hls", "sweep"});
    bad_usage("unknown command '" + cmd + "'" + (s.empty() ? "" : "; did you mean '" + s + "'?"), kUsage);
  } catch (const tf::InputError& e) {
    if (tf::sweep::mpi_sweep() && tf::sweep::mpi_sweep()->rank() > 0) return 2;  // rank 0 says it
    const size_t shown = std::min<size_t>(e.messages().size(), 50);  // a file with 100k bad entries: not 100k lines
    for (size_t k = 0; k < shown; ++k) std::cerr << "error: " << e.messages()[k] << "\n";
    if (e.messages().size() > shown) std::cerr << "... and " << e.messages().size() - shown << " more\n";
    if (e.messages().size() > 1) std::cerr << e.messages().size() << " problems found; nothing was simulated.\n";
    return 2;
  } catch (const fs::filesystem_error& e) {
    // A path the user gave that the file system refuses (too long, a file where a folder should be, no access).
    std::cerr << "error: " << (e.path1().empty() ? std::string() : e.path1().string() + ": ") << e.code().message()
              << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
}

// tinyforge's own main: SystemC is loaded only with the models that need it (core/modules.h, sim/app/sc_glue.cpp).
int main(int argc, char* argv[]) {
#ifdef TINYFORGE_WITH_MPI
  return tf::sweep::run_with_mpi(argc, argv, tinyforge_main);
#else
  return tinyforge_main(argc, argv);
#endif
}
