#include "core/registry.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "core/modules.h"

namespace tf {

std::vector<ModelEntry>& model_registry() {
  static std::vector<ModelEntry> r;
  return r;
}

json Model::run_fast(const Config&) const {
  throw std::logic_error("model " + name() + " has no fast path (has_fast() is false)");
}

namespace {

// The modules that register models, with the models each registers. A binary that links the models in (the
// tests, the test-only command variants, tinyforge-mpi) has them all registered and loads nothing.
struct ModelModule {
  const char* module;
  std::vector<std::string> models;
};
const std::vector<ModelModule>& model_modules() {
  static const std::vector<ModelModule> m = {{"tinyforge-sc", {"cim", "neuro"}}, {"tinyforge-audio", {"kws_frontend"}}};
  return m;
}

const ModelEntry* registered(const std::string& name) {
  for (const auto& e : model_registry())
    if (e.name == name) return &e;
  return nullptr;
}

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

// Loads each module (once) that holds a model not registered yet; with ONLY, just the module holding it.
void load_model_modules(const std::string* only) {
  for (const auto& mm : model_modules()) {
    bool missing = false;
    for (const auto& n : mm.models)
      if ((!only || n == *only) && !registered(n)) missing = true;
    if (missing) load_module(mm.module);
  }
}

}  // namespace

const std::vector<ModelEntry>& all_models() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  load_model_modules(nullptr);
  return model_registry();
}

const ModelEntry* find_model(const std::string& name) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  if (const ModelEntry* e = registered(name)) return e;
  load_model_modules(&name);
  return registered(name);
}

ModelRegistrar::ModelRegistrar(const std::string& name, ModelFactory f) {
  auto& r = model_registry();
  r.push_back({name, std::move(f)});
  std::sort(r.begin(), r.end(), [](const ModelEntry& a, const ModelEntry& b) { return a.name < b.name; });
}

}  // namespace tf
