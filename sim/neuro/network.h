// The Xylo-like integer LIF network: sizes, weights, per-neuron parameters (docs/neuro.md), its JSON format,
// input rasters (JSON, CSV, seeded Poisson) and a seeded random network generator.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/util.h"

namespace tf::neuro {

struct ChipLimits {
  int max_in = 16, max_hidden = 1000, max_out = 8, max_syn = 2, max_fanout = 64;
};

struct Population {
  std::vector<int> dash_mem;               // per neuron, 0..15
  std::vector<std::vector<int>> dash_syn;  // [neuron][syn], 0..15
  std::vector<int> threshold;              // 1..32767
  std::vector<int> bias;                   // int16
  int max_spikes = 1;                      // 1..31
  std::vector<int> alias;                  // hidden only: target neuron or -1
};

struct RecSynapse {
  int src, dst, syn, w;
};

struct Network {
  int n_in = 0, n_hidden = 0, n_out = 0, n_syn = 1;
  int shift_in = 0, shift_rec = 0, shift_out = 0;
  std::vector<int8_t> w_in;     // [n_in][n_hidden][n_syn]
  std::vector<RecSynapse> rec;  // sorted by src, then dst, then syn; nonzero weights only
  std::vector<int8_t> w_out;    // [n_hidden][n_out]
  Population hidden, output;
};

// Strict loader: every problem (file, JSON path, value, expectation) at once; limits from LIM.
Network load_network(const std::string& file, const ChipLimits& lim);
json network_to_json(const Network& n);
// The same as network_to_json(n).dump(), byte for byte, written directly (fast for large networks).
std::string network_to_text(const Network& n);
// The scalar entries and populations of network_to_json, with null placeholders for w_in, rec and w_out.
json network_to_json_head(const Network& n);

struct RandomNetworkSpec {
  int n_in = 16, n_hidden = 1000, n_out = 8, n_syn = 2, fanout = 32;
};
Network random_network(const RandomNetworkSpec& s, std::mt19937_64& rng);

// Input raster: counts[step][channel], each 0..31.
using Raster = std::vector<std::vector<int>>;
Raster load_raster(const std::string& file, int n_in);  // .json {"spikes": [[...]]} or .csv
// Poisson spike counts with mean rate_Hz * dt per step and channel (capped at 31), from RNG.
Raster poisson_raster(int n_in, int steps, double rate_Hz, double dt_s, std::mt19937_64& rng);

// dash = round(log2(tau / dt)), clamped to 0..15.
int dash_from_tau(double tau_s, double dt_s);

}  // namespace tf::neuro
