#include "core/registry.h"

#include <algorithm>
#include <stdexcept>

namespace tf {

std::vector<ModelEntry>& model_registry() {
  static std::vector<ModelEntry> r;
  return r;
}

json Model::run_fast(const Config&) const {
  throw std::logic_error("model " + name() + " has no fast path (has_fast() is false)");
}

const ModelEntry* find_model(const std::string& name) {
  for (const auto& e : model_registry())
    if (e.name == name) return &e;
  return nullptr;
}

ModelRegistrar::ModelRegistrar(const std::string& name, ModelFactory f) {
  auto& r = model_registry();
  r.push_back({name, std::move(f)});
  std::sort(r.begin(), r.end(), [](const ModelEntry& a, const ModelEntry& b) { return a.name < b.name; });
}

}  // namespace tf
