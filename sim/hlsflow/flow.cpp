#include "hlsflow/flow.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <thread>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "emulate.h"
#include "float_eval.h"
#include "hls4ml_config.h"
#include "onnx_import.h"

namespace tf::hlsflow {
namespace fs = std::filesystem;
using namespace tf::hlsgen;

Model load_network(const std::string& file, const std::string& precision_file, const std::string& hls4ml_config) {
  bool is_onnx = fs::path(file).extension() == ".onnx";
  if (!precision_file.empty() && !is_onnx)
    throw InputError("--precision: applies to ONNX models; a JSON model carries its precision");
  if (hls4ml_config.empty()) return is_onnx ? import_onnx(file, precision_file) : load_model_json(file);
  std::vector<std::string> notes;
  Model m;
  if (is_onnx) {
    m = import_onnx(file, precision_file, hls4ml_config, &notes);
  } else {
    json j = load_json_file(file);
    if (!j.is_object()) throw InputError(file + ": (top level): got " + show(j) + "; expected a model object");
    apply_hls4ml_config(hls4ml_config, j, notes);
    m = load_model(j, file);
  }
  for (const std::string& n : notes) std::cerr << "note: " << n << "\n";
  return m;
}

void apply_overrides(Model& m, const std::string& strategy, int reuse, Diagnostics& d, const std::string& reuse_name) {
  if (!strategy.empty() && strategy != "latency" && strategy != "resource")
    throw InputError("--strategy: got '" + strategy + "'; expected latency or resource");
  for (auto& L : m.layers) {
    if (!strategy.empty()) L.strategy = strategy;
    if (reuse > 0 && L.mults() > 0) {
      if (L.mults() % reuse)
        d.raw(reuse_name + ": got " + std::to_string(reuse) + "; layer '" + L.name + "' has " +
              std::to_string(L.mults()) +
              " multiplications; nearest valid: " + nearest_reuse_factors(L.mults(), reuse));
      else
        L.reuse_factor = reuse;
    }
    if ((reuse > 0 || !strategy.empty()) && !hls4ml_resource_problem(L).empty())
      d.raw(reuse_name + ": got " + std::to_string(L.reuse_factor) + " for layer '" + L.name + "'; expected " +
            hls4ml_resource_problem(L));
  }
}

std::string find_test_vectors(const Model& m, const std::string& model_file, const std::string& given) {
  if (!given.empty()) return given;
  if (!m.test_vectors.empty()) return m.test_vectors;
  fs::path guess = fs::path(model_file).parent_path() / (fs::path(model_file).stem().string() + "_test.json");
  return fs::exists(guess) ? guess.string() : std::string();
}

TestVectors load_vectors(const Model& m, const std::string& file) {
  if (file.empty()) return {};
  int n_in = 1;
  for (int s : m.input_shape) n_in *= s;
  return load_test_vectors(file, n_in, m.layers.back().out_size(), m.sequential());
}

namespace {

// One thread's share of the vectors [begin, end): counts, errors, statistics and output text, merged in vector
// order afterwards (so the results do not depend on the number of threads).
struct EmuPart {
  size_t agree = 0, correct_fixed = 0, correct_float = 0;
  std::vector<double> max_err;
  std::vector<LayerStats> stats;
  std::string text;
};

void append_value(std::string& s, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

void emulate_range(const Model& m, const TestVectors& tv, const EmulateOptions& o, size_t begin, size_t end,
                   EmuPart& part) {
  Emulator em(m);
  const size_t nl = m.layers.size();
  part.max_err.assign(nl, 0);
  const bool labelled = !tv.labels.empty();
  std::vector<std::vector<double>> fl, fstate;
  // Vector K is sequence K: frames seq_begin(K) .. seq_end(K) - 1, classified at its last frame (a model
  // without state: one frame each).
  for (size_t k = begin; k < end; ++k) {
    em.reset();
    for (auto& s : fstate) s.clear();
    const size_t f0 = tv.seq_begin(k), f1 = tv.seq_end(k);
    for (size_t f = f0; f < f1; ++f) {
      const std::vector<Tensor>& fx = em.run_into(tv.inputs[f].data(), tv.inputs[f].size());
      const bool last = f + 1 == f1;
      const Tensor& y = fx.back();
      size_t argmax_fx = 0;
      if (last) {
        for (size_t i = 1; i < y.raw.size(); ++i)
          if (y.raw[i] > y.raw[argmax_fx]) argmax_fx = i;
        if (labelled) part.correct_fixed += (int)argmax_fx == tv.labels[k];
        if (o.outputs) {
          for (size_t i = 0; i < y.raw.size(); ++i) {
            if (i) part.text += ' ';
            append_value(part.text, y.at(i));
          }
          part.text += '\n';
        }
      }
      if (!o.float_model) continue;
      float_eval_into(m, tv.inputs[f], fl, &fstate);
      for (size_t l = 0; l < nl; ++l)
        for (size_t i = 0; i < fl[l].size(); ++i)
          part.max_err[l] = std::max(part.max_err[l], std::fabs(fx[l].at(i) - fl[l][i]));
      if (!last) continue;
      size_t argmax_fl = std::max_element(fl.back().begin(), fl.back().end()) - fl.back().begin();
      part.agree += argmax_fx == argmax_fl;
      if (labelled) part.correct_float += (int)argmax_fl == tv.labels[k];
    }
  }
  part.stats = em.stats();
}

}  // namespace

Emulation emulate(const Model& m, const TestVectors& tv, const EmulateOptions& o) {
  const size_t nl = m.layers.size(), n = tv.sequences();
  int threads = o.threads > 0 ? o.threads : (int)std::max(1u, std::thread::hardware_concurrency());
  // At least 256 vectors per thread: below that, starting threads costs more than it saves.
  threads = (int)std::max<size_t>(1, std::min<size_t>((size_t)threads, n / 256));
  std::vector<EmuPart> parts(threads);
  std::vector<std::exception_ptr> errors(threads);
  auto run = [&](int t) {
    try {
      emulate_range(m, tv, o, n * t / threads, n * (t + 1) / threads, parts[t]);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  run_parallel((size_t)threads, [&](size_t t) { run((int)t); });
  for (auto& err : errors)
    if (err) std::rethrow_exception(err);
  Emulation e;
  e.vectors = n;
  e.frames = tv.inputs.size();
  e.labelled = !tv.labels.empty();
  e.float_model = o.float_model;
  e.threads = threads;
  e.max_err.assign(nl, 0);
  e.stats.assign(nl, LayerStats{});
  for (EmuPart& p : parts) {
    e.agree += p.agree;
    e.correct_fixed += p.correct_fixed;
    e.correct_float += p.correct_float;
    for (size_t l = 0; l < nl; ++l) {
      e.max_err[l] = std::max(e.max_err[l], p.max_err[l]);
      e.stats[l].saturated += p.stats[l].saturated;
      e.stats[l].wrapped += p.stats[l].wrapped;
      e.stats[l].values += p.stats[l].values;
      e.stats[l].state_overflow += p.stats[l].state_overflow;
    }
    if (e.outputs.empty())
      e.outputs.swap(p.text);
    else
      e.outputs += p.text;
  }
  return e;
}

std::string emulation_report(const Model& m, const Emulation& e, const std::string& vf) {
  std::ostringstream os;
  char buf[256];
  if (m.sequential())
    os << "emulation of '" << m.name << "' on " << e.vectors << " sequences, " << e.frames << " frames (" << vf
       << "); state reset at each sequence's start, classified at its last frame\n\n";
  else
    os << "emulation of '" << m.name << "' on " << e.vectors << " test vectors (" << vf << ")\n\n";
  std::snprintf(buf, sizeof buf, "%-24s %-12s %-26s %12s %10s %8s\n", "layer", "type", "result type",
                e.float_model ? "max |err|" : "", "saturated", "wrapped");
  os << buf;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const auto& L = m.layers[l];
    const auto& st = e.stats[l];
    char err[32] = "";
    if (e.float_model) std::snprintf(err, sizeof err, "%12.3g", e.max_err[l]);
    std::snprintf(buf, sizeof buf, "%-24s %-12s %-26s %12s %10llu %8llu\n", L.name.substr(0, 24).c_str(),
                  L.type.c_str(), L.prec.result.str().c_str(), err, (unsigned long long)st.saturated,
                  (unsigned long long)st.wrapped);
    os << buf;
  }
  if (e.float_model)
    os << "\n(max |err|: largest difference from the float model's output of that layer over all vectors;\n"
          " saturated / wrapped: values that overflowed a type in that layer, summed over all vectors)\n\n";
  else
    os << "\n(saturated / wrapped: values that overflowed a type in that layer, summed over all vectors;\n"
          " the float model was not run: --no-float)\n\n";
  for (size_t l = 0; l < m.layers.size(); ++l)
    if (e.stats[l].state_overflow)
      os << "warning: layer '" << m.layers[l].name << "' (" << m.layers[l].type << "): " << e.stats[l].state_overflow
         << " memory values overflowed its state type " << m.layers[l].prec.state.str()
         << " (saturated or wrapped): the type is too narrow for this memory; widen precision.state\n\n";
  if (e.float_model) {
    std::snprintf(buf, sizeof buf, "top-1 agreement with the float model: %.2f%%\n", 100.0 * e.agree / e.vectors);
    os << buf;
  }
  if (e.labelled && !e.float_model) {
    std::snprintf(buf, sizeof buf, "accuracy: fixed point %.2f%%\n", 100.0 * e.correct_fixed / e.vectors);
    os << buf;
  } else if (e.labelled) {
    std::snprintf(buf, sizeof buf, "accuracy: float %.2f%%, fixed point %.2f%% (difference %+.2f points)\n",
                  100.0 * e.correct_float / e.vectors, 100.0 * e.correct_fixed / e.vectors,
                  100.0 * ((double)e.correct_fixed - (double)e.correct_float) / e.vectors);
    os << buf;
  }
  return os.str();
}

std::vector<std::vector<double>> bench_inputs(const Model& m, const TestVectors& tv, int verify_n) {
  std::vector<std::vector<double>> vecs = tv.inputs;
  if (verify_n > 0) {  // exactly N: the model's vectors first, then seeded random ones
    if ((int)vecs.size() > verify_n) vecs.resize(verify_n);
    if ((int)vecs.size() < verify_n) {
      auto extra = random_test_inputs(m, verify_n - (int)vecs.size());
      vecs.insert(vecs.end(), extra.begin(), extra.end());
    }
  }
  return vecs;
}

bool Verification::pass(const RtlProject& r) const {
  return exit_code == 0 && bit_exact() && latency == r.latency && std::abs(ii - r.ii) < 1e-9;
}

Verification verify_rtl(const RtlProject& r) {
  if (std::system("command -v verilator > /dev/null 2>&1") != 0)
    throw std::runtime_error("--verify: verilator is not installed (scripts/deps.sh installs it)");
  Verification v;
  v.log_file = (fs::path(r.dir) / "verify.log").string();
  v.exit_code = std::system(("sh '" + r.dir + "/verify.sh' > '" + v.log_file + "' 2>&1").c_str());
  std::string text = read_file(v.log_file);
  std::vector<std::string> runs;
  std::istringstream ls(text);
  for (std::string line; std::getline(ls, line);)
    if (line.find(" mismatching outputs, latency ") != std::string::npos) runs.push_back(line);
  if (runs.size() != 2)
    throw std::runtime_error("--verify: the Verilator run did not complete (exit " + std::to_string(v.exit_code) +
                             "); log: " + v.log_file + "\n" + text.substr(text.size() > 4000 ? text.size() - 4000 : 0));
  v.in_order_line = runs[0];
  v.random_line = runs[1];
  std::sscanf(runs[0].c_str(), "%*d vectors, %ld mismatching outputs, latency %ld cycles, II %lf",
              &v.mismatches_in_order, &v.latency, &v.ii);
  std::sscanf(runs[1].c_str(), "%*d vectors, %ld mismatching outputs", &v.mismatches_random);
  return v;
}

}  // namespace tf::hlsflow
