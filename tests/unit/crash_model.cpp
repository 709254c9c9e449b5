// A model that misbehaves on purpose, linked only into the test binary tinyforge_crashtest: the sweep engine
// must survive a point that dies from a signal, one that hangs, and one that fails with an internal error.
#include <csignal>
#include <thread>

#include "core/context.h"
#include "core/registry.h"

namespace {

class CrashModel : public tf::Model {
 public:
  std::string name() const override { return "crashtest"; }
  std::string summary() const override { return "test model: ok, segv, hang or throw, as told"; }
  void declare(tf::ParamSet& P) const override {
    P.choice("mode", "ok", {"ok", "segv", "hang", "throw"}, "what the run does");
    P.integer("x", 1, 0, 100, "", "a value echoed as the metric y");
    P.integer("sleep_ms", 0, 0, 10000, "ms", "time the run takes (to interrupt a sweep in the middle)");
  }
  void metrics(tf::MetricSet& M) const override {
    M.label("model", "the model");
    M.lower("y", "", "the parameter x");
  }
  tf::json run(tf::RunContext& ctx) override {
    const std::string mode = ctx.config.s("mode");
    if (mode == "segv") std::raise(SIGSEGV);
    if (mode == "hang") std::this_thread::sleep_for(std::chrono::hours(1));
    if (mode == "throw") throw std::runtime_error("deliberate internal error");
    std::this_thread::sleep_for(std::chrono::milliseconds(ctx.config.i("sleep_ms")));
    return {{"model", "crashtest"}, {"y", ctx.config.i("x")}};
  }
};

TF_REGISTER_MODEL("crashtest", CrashModel);

}  // namespace
