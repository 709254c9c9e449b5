// Speed of the cim model's fast path (run_fast: plain C++, in-process), the engine of `tinyforge sweep
// --engine fast`, with its anchor measured in the same run: the SystemC path as a sweep runs it, one
// `tinyforge sim cim --json` child process per design point.
//
// usage: bench_cim_fast TINYFORGE [CONFIG] [--set PATH=VALUE ...] [--no-anchor]
// Prints a markdown table for docs/BENCHMARKS.md. (libsystemc provides main() and calls sc_main().)
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/registry.h"
#include "core/run.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// One child process, stdout and stderr to /dev/null; returns its exit status.
static int run_child(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

extern "C" int sc_main(int argc, char* argv[]);

int sc_main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_cim_fast TINYFORGE [CONFIG] [--set PATH=VALUE ...] [--no-anchor]\n");
    return 2;
  }
  const std::string tinyforge = argv[1];
  std::string config;
  std::vector<std::string> sets;
  bool anchor = true;  // --no-anchor: the fast path only (for profiling)
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-anchor")
      anchor = false;
    else if (a == "--set" && i + 1 < argc)
      sets.push_back(argv[++i]);
    else
      config = a;
  }
  const tf::ModelEntry* entry = tf::find_model("cim");
  auto model = entry->make();
  config = tf::resolve_config_file(*model, config);
  tf::ParamSet params;
  model->declare(params);
  const tf::Config cfg = tf::load_and_validate(params, config, sets);
  const tf::json first = model->run_fast(cfg);
  const uint64_t micro_ops = first["micro_ops"].get<uint64_t>();

  // 1. Fast path, one thread: mean over repeated evaluations of the same point (after one warm-up); the best of
  // several batches, since another job on the machine only ever makes a batch slower.
  const int kFast = 2000, kBatches = 5;
  double per_fast = 1e9, total_fast = 0;
  for (int b = 0; b < kBatches; ++b) {
    auto t0 = Clock::now();
    for (int i = 0; i < kFast / kBatches; ++i) model->run_fast(cfg);
    const double s = seconds_since(t0);
    total_fast += s;
    per_fast = std::min(per_fast, s / (kFast / kBatches));
  }
  const double mean_fast = total_fast / kFast;

  // 2. Fast path, two threads (the sweep's --jobs 2): points per second.
  std::atomic<int> next{0};
  auto worker = [&] {
    while (next++ < 2 * kFast) model->run_fast(cfg);
  };
  auto t0 = Clock::now();
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  const double rate2 = 2.0 * kFast / seconds_since(t0);

  if (!anchor) {
    std::printf(
        "fast path: %.1f us per point (best batch; mean %.1f us; %llu micro-ops), one thread; %.0f points/s, two "
        "threads\n",
        per_fast * 1e6, mean_fast * 1e6, (unsigned long long)micro_ops, rate2);
    return 0;
  }
  // Anchor: the SystemC path, one child process per point (whole process: start, config, simulate, record).
  const int kChild = 40;
  char tmpl[] = "/tmp/tf_bench_cim_fast_XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  t0 = Clock::now();
  for (int i = 0; i < kChild; ++i) {
    std::vector<std::string> args = {tinyforge, "sim",   "cim",
                                     "--json",  "--out", std::string(tmpl) + "/p" + std::to_string(i)};
    if (!config.empty()) args.insert(args.end(), {"--config", config});
    for (const auto& s : sets) args.insert(args.end(), {"--set", s});
    if (run_child(args) != 0) {
      std::fprintf(stderr, "tinyforge sim cim failed\n");
      return 1;
    }
  }
  const double per_child = seconds_since(t0) / kChild;
  fs::remove_all(tmpl);

  std::printf("| metric | value | anchor (same run) | ratio to anchor | target |\n");
  std::printf("|---|---|---|---|---|\n");
  std::printf(
      "| wall time per design point, fast path, one thread (%llu micro-ops; best of %d batches, mean of all: %.1f "
      "us) | %.1f us | `tinyforge sim cim` child process: %.2f ms | %.0fx faster | < 400 us |\n",
      (unsigned long long)micro_ops, kBatches, mean_fast * 1e6, per_fast * 1e6, per_child * 1e3, per_child / per_fast);
  std::printf(
      "| design points per second, fast path, two threads | %.0f | child processes, one at a time: %.0f | %.0fx | "
      ">= 5000 |\n",
      rate2, 1.0 / per_child, rate2 * per_child);
  return 0;
}
