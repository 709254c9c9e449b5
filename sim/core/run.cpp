#include "core/run.h"

#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "core/context.h"
#include "core/rundir.h"

namespace tf {
namespace fs = std::filesystem;

std::string resolve_config_file(const Model& model, const std::string& config_file) {
  if (!config_file.empty() || model.default_config().empty()) return config_file;
  fs::path p = fs::path(data_dir()) / "configs" / model.default_config();
  return fs::exists(p) ? p.string() : std::string();
}

// --trace must name a writable file in an existing directory; checked before the (possibly long) run.
static void check_trace_file(const std::string& trace) {
  if (trace.empty()) return;
  fs::path tp(trace);
  if (tp.has_parent_path() && !fs::is_directory(tp.parent_path()))
    throw InputError("--trace: got '" + trace + "'; expected a file in an existing directory");
  bool existed = fs::exists(tp);
  if (!std::ofstream(trace, std::ios::app)) throw InputError("--trace: cannot write '" + trace + "'");
  if (!existed) fs::remove(tp);
}

RunResult run_point(Model& model, const RunRequest& req) {
  RunResult res;
  res.config_file = resolve_config_file(model, req.config_file);
  ParamSet ps;
  model.declare(ps);
  MetricSet ms;
  model.metrics(ms);
  Config cfg = load_and_validate(ps, res.config_file, req.sets, req.set_origins);
  check_trace_file(req.trace_file);
  std::string out = req.out_dir.empty() ? default_run_dir(model.name(), cfg.tree()) : req.out_dir;
  RunDir rd(out);
  rd.log(req.command_line.empty() ? "run_point " + model.name() : req.command_line);
  rd.log("config: " + (res.config_file.empty() ? std::string("(declared defaults)") : res.config_file));
  rd.write_json("config.effective.json", cfg.tree());
  RunContext ctx{cfg, rd, req.trace_file, req.quiet};
  res.stats = model.run(ctx);
  auto problems = check_stats(ms, res.stats);
  if (!problems.empty()) {
    std::string m = "model '" + model.name() + "' wrote stats it does not declare:";
    for (const auto& p : problems) m += "\n  " + p;
    throw std::logic_error(m);
  }
  rd.write_json("stats.json", res.stats);
  rd.write("summary.csv", summary_csv(res.stats));
  rd.commit();
  res.dir = rd.final_dir();
  return res;
}

}  // namespace tf
