// Sweep specs (part 1) with an optional base config (part 2, base.json beside the spec), placed in a copy of
// configs/sweeps/ so that the bundled specs' bases resolve; an accepted spec is enumerated (at most 256 points)
// and its points validated and filtered by the constraints.
#include "core/registry.h"
#include "harness.h"
#include "sweep/spec.h"

TF_FUZZ_HARNESS(sweep_spec) {
  const auto parts = tf::fuzz::split_parts(data, size, 2);
  const auto dir = tf::fuzz::temp_dir() / "configs" / "sweeps";
  const std::string file = (dir / "fuzz_spec.json").string();
  tf::fuzz::write_file(file, parts[0]);
  if (parts.size() > 1) tf::fuzz::write_file(dir / "base.json", parts[1]);
  const tf::sweep::SweepSpec spec = tf::sweep::load_spec(file);
  const auto points = tf::sweep::enumerate(spec, 256);
  const tf::ModelEntry* entry = tf::find_model(spec.model);
  if (!entry) throw std::logic_error("an accepted spec names no registered model");
  const auto model = entry->make();
  tf::sweep::prepare(spec, *model, points, 1);
}
