// The neuron semantics' worked examples, exactly (docs/neuro.md), through the SystemC core.
#include <catch2/catch.hpp>

#include "neuro/core.h"
#include "neuro/network.h"

#include <random>

using namespace tf::neuro;

namespace {
Network single(int w, int shift, int dash_syn, int dash_mem, int threshold) {
  Network n;
  n.n_in = n.n_hidden = n.n_out = n.n_syn = 1;
  n.shift_in = shift;
  n.w_in = {(int8_t)w};
  n.w_out = {0};
  auto pop = [&](Population& p, int max_spikes) {
    p.dash_mem = {dash_mem};
    p.dash_syn = {{dash_syn}};
    p.threshold = {threshold};
    p.bias = {0};
    p.max_spikes = max_spikes;
  };
  pop(n.hidden, 31);
  n.hidden.alias = {-1};
  pop(n.output, 1);
  return n;
}
}  // namespace

TEST_CASE("neuro: worked example (one event, weight 100, shift 4, dash_syn 4, dash_mem 3, threshold 6000)", "[neuro]") {
  Network n = single(100, 4, 4, 3, 6000);
  Raster in(10, std::vector<int>(1, 0));
  in[0][0] = 1;
  CoreResult r = run_core(n, in, CoreTiming{}, Readout::Spikes, {0}, nullptr, "");
  REQUIRE(r.recorded.size() == 10);
  const int I[] = {1500, 1407, 1320, 1238};
  for (int t = 0; t < 4; ++t) CHECK(r.recorded[t][1] == I[t]);
  const int V[] = {1500, 2720, 3700, 4476, 5078, 5533, 5863, 89};
  for (int t = 0; t < 8; ++t) CHECK(r.recorded[t][0] == V[t]);
  REQUIRE(r.hidden_spikes.size() == 1);
  CHECK(r.hidden_spikes[0] == std::array<int, 3>{7, 0, 1});  // the 8th step (index 7)
}

TEST_CASE("neuro: a current of -5 with dash 4 decays -4, -3, -2, -1, 0", "[neuro]") {
  Network n = single(-5, 0, 4, 0, 30000);
  Raster in(6, std::vector<int>(1, 0));
  in[0][0] = 1;
  CoreResult r = run_core(n, in, CoreTiming{}, Readout::Spikes, {0}, nullptr, "");
  const int I[] = {-4, -3, -2, -1, 0, 0};
  for (int t = 0; t < 6; ++t) CHECK(r.recorded[t][1] == I[t]);
}

TEST_CASE("neuro: cycles per step follow the stage costs, overruns are counted", "[neuro]") {
  Network n = single(100, 4, 4, 3, 6000);
  Raster in(3, std::vector<int>(1, 0));
  in[0][0] = 2;
  CoreTiming tm;
  tm.freq_MHz = 1;  // 1000 cycles per 1 ms step
  tm.c_step_overhead = 5;
  tm.c_input_channel = 1;
  tm.c_input_event = 600;
  tm.c_hidden_scan = 3;
  tm.c_neuron_update = 10.5;
  tm.c_output_neuron = 12;
  // Step 0: input 5 + 1 + 2 events x 600 = 1206; recurrent scan 3; update 10.5 + 12 -> 23 (rounded up);
  // output 0: 1232 cycles (an overrun). Later steps: 6 + 3 + 23 = 32.
  CoreResult r = run_core(n, in, tm, Readout::Spikes, {}, nullptr, "");
  CHECK(r.steps[0].cycles == 1232);
  CHECK(r.steps[1].cycles == 32);
  CHECK(r.overruns == 1);
  // Step 1 starts when step 0 ends (1232), not at its tick (1000); step 2 at its tick (2000), and the neuron
  // spikes in step 2 (V = 5438 - 679 + 2638 = 7397 >= 6000): 3 more cycles.
  REQUIRE(r.hidden_spikes.size() == 1);
  CHECK(r.hidden_spikes[0][0] == 2);
  CHECK(r.total_cycles == 2000 + 32 + 3);
}

TEST_CASE("neuro: network.json written directly equals nlohmann's serialisation, byte for byte", "[neuro]") {
  for (uint64_t seed : {1, 2, 3}) {
    tf::neuro::RandomNetworkSpec s;
    s.n_in = 3 + (int)seed;
    s.n_hidden = 50 * (int)seed;
    s.n_out = 2 + (int)seed;
    s.n_syn = 1 + (int)(seed % 2);
    s.fanout = 7 * (int)seed;
    std::mt19937_64 rng(seed);
    tf::neuro::Network n = tf::neuro::random_network(s, rng);
    CHECK(tf::neuro::network_to_text(n) == tf::neuro::network_to_json(n).dump());
  }
}
