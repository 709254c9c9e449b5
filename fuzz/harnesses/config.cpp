// Configs: a config file (part 1) with an optional base file (part 2, base.json beside it) and --set
// assignments (part 3, one per line), validated against every registered model's declared parameters.
// The config sits in a copy of configs/cim/, so bundled configs' relative bases resolve.
#include <sstream>

#include "core/config.h"
#include "core/registry.h"
#include "harness.h"

TF_FUZZ_HARNESS(config) {
  const auto parts = tf::fuzz::split_parts(data, size, 3);
  const auto dir = tf::fuzz::temp_dir() / "configs" / "cim";
  const std::string file = (dir / "fuzz.json").string();
  tf::fuzz::write_file(file, parts[0]);
  if (parts.size() > 1) tf::fuzz::write_file(dir / "base.json", parts[1]);
  tf::RawConfig raw = tf::load_config(file);
  tf::Diagnostics d;
  if (parts.size() > 2) {
    std::istringstream sets(parts[2]);
    std::string line;
    while (std::getline(sets, line)) tf::apply_set(raw, line, d);
  }
  d.throw_if_any();
  for (const auto& entry : tf::model_registry()) {
    tf::ParamSet ps;
    entry.make()->declare(ps);
    try {
      tf::Config c = tf::validate(ps, raw);
    } catch (const tf::InputError&) {
      // this model rejects it; the next may accept it
    }
  }
}
