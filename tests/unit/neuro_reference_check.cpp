// One seeded random network through the SystemC core and through an independent plain C++ reference (the
// step written directly from the semantics in docs/neuro.md: dense weight arrays, every repeated event added
// one at a time with saturation), comparing spike rasters, readouts and final states exactly.
// usage: neuro_reference_check SEED   (exit 0 = identical; CTest runs 120 seeds, each with a different mix of
// saturation, negative currents, multi-spike steps, caps, dash 0/15, aliasing, 1-2 synapses, sparse/dense
// recurrence and, for seed 0, the maximum sizes)
#include <algorithm>
#include <cstdio>
#include <random>

#include <systemc>

#include "neuro/core.h"

using namespace tf::neuro;

namespace ref {

long clips = 0;  // saturating operations that clipped, to show the coverage
int sat16(long v) {
  if (v > 32767 || v < -32768) ++clips;
  return (int)std::max(-32768L, std::min(32767L, v));
}
int decay(int v, int d) {
  int r = v >> d;  // arithmetic shift
  if (r == 0 && v != 0) r = v > 0 ? 1 : -1;
  return r;
}

struct State {
  std::vector<std::vector<int>> I;  // [h][s]
  std::vector<int> V, Io, Vo, counts;
};

// Dense recurrent weights [src][dst][syn] rebuilt from the network's list.
std::vector<int> dense_rec(const Network& n) {
  std::vector<int> w((size_t)n.n_hidden * n.n_hidden * n.n_syn, 0);
  for (const auto& r : n.rec) w[((size_t)r.src * n.n_hidden + r.dst) * n.n_syn + r.syn] = r.w;
  return w;
}

void run(const Network& n, const Raster& in, std::vector<std::array<int, 3>>& hs, std::vector<std::array<int, 3>>& os,
         State& st) {
  int H = n.n_hidden, S = n.n_syn, O = n.n_out;
  st.I.assign(H, std::vector<int>(S, 0));
  st.V.assign(H, 0);
  st.Io.assign(O, 0);
  st.Vo.assign(O, 0);
  st.counts.assign(H, 0);
  std::vector<int> wr = dense_rec(n);
  for (size_t t = 0; t < in.size(); ++t) {
    // 1. input events, channel by channel, each event one saturating add
    for (int c = 0; c < n.n_in; ++c)
      for (int e = 0; e < in[t][c]; ++e)
        for (int h = 0; h < H; ++h)
          for (int s = 0; s < S; ++s) {
            int w = n.w_in[((size_t)c * H + h) * S + s];
            if (w) st.I[h][s] = sat16((long)st.I[h][s] + (w << n.shift_in));
          }
    // 2. previous step's hidden spikes through recurrent and output weights
    for (int src = 0; src < H; ++src)
      for (int e = 0; e < st.counts[src]; ++e) {
        for (int d = 0; d < H; ++d)
          for (int s = 0; s < S; ++s) {
            int w = wr[((size_t)src * H + d) * S + s];
            if (w) st.I[d][s] = sat16((long)st.I[d][s] + (w << n.shift_rec));
          }
        for (int o = 0; o < O; ++o) {
          int w = n.w_out[(size_t)src * O + o];
          if (w) st.Io[o] = sat16((long)st.Io[o] + (w << n.shift_out));
        }
      }
    // 3-4. neurons
    std::vector<int> own(H, 0);
    for (int h = 0; h < H; ++h) {
      long sum = 0;
      for (int s = 0; s < S; ++s) {
        st.I[h][s] -= decay(st.I[h][s], n.hidden.dash_syn[h][s]);
        sum += st.I[h][s];
      }
      int dv = sat16(-decay(st.V[h], n.hidden.dash_mem[h]) + sum);
      dv = sat16((long)dv + n.hidden.bias[h]);
      st.V[h] = sat16((long)st.V[h] + dv);
      while (st.V[h] >= n.hidden.threshold[h] && own[h] < n.hidden.max_spikes) {
        own[h]++;
        st.V[h] -= n.hidden.threshold[h];
      }
    }
    // 5. aliasing
    std::vector<int> cnt = own;
    for (int h = 0; h < H; ++h)
      if (n.hidden.alias[h] >= 0 && own[h]) cnt[n.hidden.alias[h]] = std::min(31, cnt[n.hidden.alias[h]] + own[h]);
    for (int h = 0; h < H; ++h)
      if (cnt[h]) hs.push_back({(int)t, h, cnt[h]});
    st.counts = cnt;
    for (int o = 0; o < O; ++o) {
      st.Io[o] -= decay(st.Io[o], n.output.dash_syn[o][0]);
      int dv = sat16(-decay(st.Vo[o], n.output.dash_mem[o]) + st.Io[o]);
      dv = sat16((long)dv + n.output.bias[o]);
      st.Vo[o] = sat16((long)st.Vo[o] + dv);
      int k = 0;
      while (st.Vo[o] >= n.output.threshold[o] && k < n.output.max_spikes) {
        ++k;
        st.Vo[o] -= n.output.threshold[o];
      }
      if (k) os.push_back({(int)t, o, k});
    }
  }
}

}  // namespace ref

// A network whose features depend on the seed.
Network make(uint64_t seed, Raster& in) {
  std::mt19937_64 rng(seed * 7919 + 1);
  auto uni = [&](int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); };
  bool big = seed == 0;
  Network n;
  n.n_in = big ? 16 : uni(1, 16);
  n.n_hidden = big ? 1000 : uni(1, 120);
  n.n_out = big ? 8 : uni(1, 8);
  n.n_syn = uni(1, 2);
  bool saturating = seed % 3 == 0;
  n.shift_in = saturating ? 7 : uni(0, 7);
  n.shift_rec = saturating ? 7 : uni(0, 5);
  n.shift_out = uni(0, 7);
  n.w_in.assign((size_t)n.n_in * n.n_hidden * n.n_syn, 0);
  for (auto& w : n.w_in)
    if (rng() % 3 == 0) w = (int8_t)uni(-128, 127);
  int fan = big ? 64 : uni(0, std::min(64, n.n_hidden));
  bool dense = seed % 2 == 0;  // dense recurrence: every pair may connect (capped by fan-out)
  for (int h = 0; h < n.n_hidden; ++h) {
    std::vector<int> dsts;
    for (int d = 0; d < n.n_hidden && (int)dsts.size() < fan; ++d)
      if (dense || rng() % 4 == 0) dsts.push_back(d);
    for (int d : dsts) {
      int w = uni(-128, 127);
      if (w) n.rec.push_back({h, d, uni(0, n.n_syn - 1), w});
    }
  }
  n.w_out.assign((size_t)n.n_hidden * n.n_out, 0);
  for (auto& w : n.w_out)
    if (rng() % 3 == 0) w = (int8_t)uni(-128, 127);
  auto pop = [&](Population& p, int cnt, int syn, bool hidden) {
    p.dash_mem.resize(cnt);
    p.dash_syn.assign(cnt, std::vector<int>(syn));
    p.threshold.resize(cnt);
    p.bias.resize(cnt);
    for (int k = 0; k < cnt; ++k) {
      int mode = uni(0, 5);
      p.dash_mem[k] = mode == 0 ? 0 : mode == 1 ? 15 : uni(0, 15);
      for (auto& d : p.dash_syn[k]) d = mode == 2 ? 0 : mode == 3 ? 15 : uni(0, 15);
      p.threshold[k] = seed % 4 == 1 ? uni(1, 200) : uni(1, 32767);  // low thresholds: multi-spike steps
      p.bias[k] = uni(-2000, 2000);
    }
    p.max_spikes = hidden ? uni(1, 31) : uni(1, 4);
    if (hidden) {
      p.alias.assign(cnt, -1);
      if (seed % 5 == 2)
        for (auto& a : p.alias)
          if (rng() % 3 == 0) a = uni(0, cnt - 1);
    }
  };
  pop(n.hidden, n.n_hidden, n.n_syn, true);
  pop(n.output, n.n_out, 1, false);
  int steps = big ? 300 : uni(20, 200);
  in.assign(steps, std::vector<int>(n.n_in, 0));
  for (auto& row : in)
    for (auto& c : row) c = rng() % 4 == 0 ? uni(1, seed % 7 == 3 ? 31 : 3) : 0;
  return n;
}

int sc_main(int argc, char* argv[]) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SEED\n", argv[0]);
    return 2;
  }
  uint64_t seed = std::strtoull(argv[1], nullptr, 10);
  Raster in;
  Network n = make(seed, in);
  CoreTiming tm;
  CoreResult r = run_core(n, in, tm, Readout::Spikes, {}, nullptr, "");
  std::vector<std::array<int, 3>> hs, os;
  ref::State st;
  ref::run(n, in, hs, os, st);
  int bad = 0;
  if (hs != r.hidden_spikes) {
    std::printf("hidden spike rasters differ: reference %zu entries, model %zu\n", hs.size(), r.hidden_spikes.size());
    ++bad;
  }
  if (os != r.output_spikes) {
    std::printf("output spike rasters differ\n");
    ++bad;
  }
  for (int h = 0; h < n.n_hidden; ++h) {
    if (st.V[h] != r.V_h[h]) ++bad;
    for (int s = 0; s < n.n_syn; ++s)
      if (st.I[h][s] != r.I_h[(size_t)h * n.n_syn + s]) ++bad;
  }
  for (int o = 0; o < n.n_out; ++o)
    if (st.Vo[o] != r.V_o[o] || st.Io[o] != r.I_o[o]) ++bad;
  // Features this seed exercised (so a reader can see the coverage in the test log).
  long sat = 0, neg = 0, multi = 0;
  for (auto& row : st.I)
    for (int v : row) sat += v == 32767 || v == -32768, neg += v < 0;
  for (auto& e : hs) multi += e[2] > 1;
  std::printf(
      "seed %llu: %d-%d-%d syn %d, %zu recurrent synapses, %zu steps; %zu hidden and %zu output spike entries, "
      "%ld multi-spike entries, %ld negative and %ld saturated final currents, %ld saturating operations: %s\n",
      (unsigned long long)seed, n.n_in, n.n_hidden, n.n_out, n.n_syn, n.rec.size(), in.size(), hs.size(), os.size(),
      multi, neg, sat, ref::clips, bad ? "MISMATCH" : "identical");
  return bad ? 1 : 0;
}
