// Design-space sweeps, 1/3: the sweep spec (docs/sweep.md) and the points it describes.
//
// A spec names a model, a base config, axes (parameter path -> values), how to combine them (product, zip,
// list, random), constraints over parameter paths ("where", evaluated with muparser) and objectives (declared
// metrics to minimise or maximise). Everything is checked against the model's declared parameters and
// metrics before any point runs; every problem is reported at once, naming the spec file and JSON path.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/metrics.h"
#include "core/registry.h"

namespace tf::sweep {

struct Axis {
  std::string path;
  std::vector<json> values;
};

struct Objective {
  std::string metric;
  Better better;  // Lower (min) or Higher (max)
};

struct SweepSpec {
  std::string file;  // the spec file
  std::string model;
  std::string base;  // the base config, absolute ("" = the model's bundled default)
  std::string mode;  // product, zip, list, random
  std::vector<Axis> axes;
  std::vector<json> list;  // mode list: one object {path: value} per point
  size_t samples = 0;      // mode random
  bool latin = false;      // mode random, "sampling": "lhs": Latin hypercube instead of independent draws
  std::vector<std::string> where;
  std::vector<Objective> objectives;
  int jobs = 2;
  double timeout_s = 600;
  int64_t seed = 1;
};

// Loads and validates SPEC for MODEL (found in the registry by the spec's "model"). Throws InputError.
SweepSpec load_spec(const std::string& file);

// One design point: the overrides that make it ("PATH=VALUE", applied over the base), and the axis values.
struct Point {
  size_t index = 0;
  std::vector<std::string> sets;
  json values = json::object();  // axis path -> value
};

// Every point of the spec, in a deterministic order (product: the last axis varies fastest; random: seeded).
// Throws InputError when there are more than MAX_POINTS.
std::vector<Point> enumerate(const SweepSpec& spec, size_t max_points);

// A point's fate before it runs: its validated config, or why it is invalid; and whether the constraints keep it.
struct Prepared {
  Point point;
  bool valid = false;
  std::string problem;  // invalid: the validation messages
  Config config;
  std::string hash;  // 16 hex digits of the effective config (identical configs run once)
};

// Validates each point against the model's parameters (with the base config) and applies the constraints:
// points the constraints reject are dropped; invalid points are kept (reported, not run). Expression errors
// are InputErrors naming the spec file, the constraint and the column.
// Runs in THREADS threads (the result does not depend on how many).
std::vector<Prepared> prepare(const SweepSpec& spec, const Model& model, const std::vector<Point>& points,
                              int threads = 1);

}  // namespace tf::sweep
