// Model registry and the model contract. A model registers itself from its own folder with TF_REGISTER_MODEL;
// the CLI lists what is registered. Contract: declare() and metrics() are pure (no I/O) and declare every
// parameter and every stats.json entry; run() may be called at most once per process, because SystemC
// elaborates once, and is reached only through run_point() (core/run.h), which validates the config before
// and checks the stats against metrics() after.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/params.h"

namespace tf {

class RunContext;

// A model-specific command-line option of `tinyforge sim MODEL`, translated into --set overrides.
struct CliOption {
  std::string name;  // long option name, e.g. "program"
  std::string value_name, help;
  std::function<std::vector<std::string>(const std::string& value)> to_sets;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;  // one line for `tinyforge list`
  virtual void declare(ParamSet& params) const = 0;
  virtual void metrics(MetricSet& metrics) const = 0;
  virtual std::vector<CliOption> cli_options() const { return {}; }
  // Default config file (relative to configs/), used when --config is not given; "" = declared defaults.
  virtual std::string default_config() const { return ""; }
  // Simulates one design point; returns the stats object and writes model outputs via CTX.
  virtual json run(RunContext& ctx) = 0;
  // Optional fast path (`tinyforge sweep --engine fast`): the stats run() would return for CONFIG (already
  // validated), computed in-process without SystemC and without writing any file. Must be thread-safe (the
  // sweep calls it from several threads at once) and deterministic; every entry equal to run()'s except
  // sim_wall_s. Models without one keep has_fast() false.
  virtual bool has_fast() const { return false; }
  virtual json run_fast(const Config& config) const;
};

using ModelFactory = std::function<std::unique_ptr<Model>()>;

struct ModelEntry {
  std::string name;
  ModelFactory make;
};

// The models registered so far (by registrars in this binary and in the modules loaded). For the registrars;
// everything else uses all_models() or find_model(), which load the modules holding the remaining models.
std::vector<ModelEntry>& model_registry();
// Every model, after loading the modules (core/modules.h) that hold models not yet registered.
const std::vector<ModelEntry>& all_models();
// The model NAME, loading its module when it is not registered yet; nullptr when no module has it.
const ModelEntry* find_model(const std::string& name);

struct ModelRegistrar {
  ModelRegistrar(const std::string& name, ModelFactory f);
};

}  // namespace tf

#define TF_REGISTER_MODEL(NAME, CLASS) \
  static ::tf::ModelRegistrar tf_registrar_##CLASS(NAME, [] { return std::unique_ptr<::tf::Model>(new CLASS()); })
