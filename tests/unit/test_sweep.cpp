// Sweep enumeration and Pareto fronts against independent references: nested loops for the product, the
// definition of dominance checked on every pair for the front (random data with ties and duplicates).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "sweep/engine.h"

using namespace tf;
using namespace tf::sweep;

TEST_CASE("product: every combination once, the last axis fastest, zip pairs, random is seeded", "[sweep]") {
  SweepSpec s;
  s.file = "spec.json";
  s.mode = "product";
  s.axes = {{"a", {1, 2, 3}}, {"b", {"x", "y"}}, {"c", {json::array({1}), 0.5}}};
  auto pts = enumerate(s, 1000);
  REQUIRE(pts.size() == 12);
  size_t n = 0;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c, ++n) {
        CHECK(pts[n].index == n);
        CHECK(pts[n].values["a"] == s.axes[0].values[a]);
        CHECK(pts[n].values["b"] == s.axes[1].values[b]);
        CHECK(pts[n].values["c"] == s.axes[2].values[c]);
        CHECK(pts[n].sets[1] == "b=" + s.axes[1].values[b].dump());
      }
  CHECK_THROWS_AS(enumerate(s, 11), InputError);

  s.mode = "zip";
  s.axes = {{"a", {1, 2}}, {"b", {"x", "y"}}};
  pts = enumerate(s, 1000);
  REQUIRE(pts.size() == 2);
  CHECK(pts[1].sets == std::vector<std::string>{"a=2", "b=\"y\""});

  s.mode = "random";
  s.samples = 50;
  s.seed = 7;
  auto r1 = enumerate(s, 1000), r2 = enumerate(s, 1000);
  REQUIRE(r1.size() == 50);
  bool differs = false;
  for (size_t k = 0; k < r1.size(); ++k) {
    CHECK(r1[k].sets == r2[k].sets);
    differs = differs || r1[k].sets != r1[0].sets;
  }
  CHECK(differs);
}

TEST_CASE("Pareto front equals the brute-force definition, ties and duplicates kept", "[sweep]") {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    size_t n = 1 + rng() % 60, k = 1 + rng() % 3;
    std::vector<std::vector<double>> obj(n, std::vector<double>(k));
    for (auto& row : obj)
      for (auto& v : row) v = (double)(rng() % 6);  // few values: many ties and duplicates
    std::vector<Better> dir(k);
    for (auto& d : dir) d = rng() % 2 ? Better::Lower : Better::Higher;
    auto worse = [&](size_t a, size_t b, size_t j) {  // a is worse than b in objective j
      return dir[j] == Better::Lower ? obj[a][j] > obj[b][j] : obj[a][j] < obj[b][j];
    };
    std::vector<size_t> want;
    for (size_t i = 0; i < n; ++i) {
      bool dominated = false;
      for (size_t o = 0; o < n && !dominated; ++o) {
        bool no_worse = true, better = false;
        for (size_t j = 0; j < k; ++j) {
          no_worse = no_worse && !worse(o, i, j);
          better = better || worse(i, o, j);
        }
        dominated = no_worse && better;
      }
      if (!dominated) want.push_back(i);
    }
    CHECK(pareto_front(obj, dir) == want);
  }
}

TEST_CASE("Latin hypercube: each axis's values used evenly, seeded", "[sweep]") {
  SweepSpec s;
  s.file = "spec.json";
  s.mode = "random";
  s.latin = true;
  s.seed = 11;
  s.axes = {{"a", {}}, {"b", {}}};
  for (int v = 0; v < 10; ++v) s.axes[0].values.push_back(v);
  for (int v = 0; v < 5; ++v) s.axes[1].values.push_back(v);
  for (size_t samples : {10, 20, 40}) {
    s.samples = samples;
    auto pts = enumerate(s, 1000);
    REQUIRE(pts.size() == samples);
    // n samples over m values (m divides n or n divides m): every value exactly n/m times, the
    // stratification property that independent draws do not have.
    for (const auto& axis : s.axes) {
      std::map<int, size_t> count;
      for (const auto& p : pts) count[p.values[axis.path].get<int>()]++;
      size_t m = axis.values.size();
      if (samples % m == 0) {
        CHECK(count.size() == m);
        for (const auto& kv : count) CHECK(kv.second == samples / m);
      }
    }
    auto again = enumerate(s, 1000);
    for (size_t k = 0; k < samples; ++k) CHECK(again[k].sets == pts[k].sets);
  }
  s.latin = false;  // independent draws of 10 from 10 values almost never cover all ten (10!/10^10)
  s.samples = 10;
  std::map<int, size_t> count;
  for (const auto& p : enumerate(s, 1000)) count[p.values["a"].get<int>()]++;
  CHECK(count.size() < 10);
}
