#include "neuro/core.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <immintrin.h>
#include <sys/mman.h>

#include "core/sc/simulate.h"

namespace tf::neuro {

using namespace sc_core;

static inline int32_t sat16(int64_t v) { return (int32_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)); }
static inline int32_t sat16i(int32_t v) { return v < -32768 ? -32768 : (v > 32767 ? 32767 : v); }
// v >> d, or the sign of v when that is 0 and v != 0 (branch-free).
static inline int32_t decay(int32_t v, int d) {
  int32_t r = v >> d;
  return r ? r : (v > 0) - (v < 0);
}

// The hidden neuron update. Currents are stored synapse-major (I[s * H + h]) so the state update is a
// straight elementwise loop that compilers vectorize; spikes are found in a second, scalar pass (rarely
// taken). Values stay within int32: currents and V are 16-bit, a sum of two currents plus a bias is far below
// 2^31. Built twice (AVX2 and baseline) and chosen at run time: integer results are identical.
template <int S>
static inline void update_state_impl(int H, int32_t* __restrict I0, int32_t* __restrict I1, int32_t* __restrict Vh,
                                     const uint8_t* __restrict d0, const uint8_t* __restrict d1,
                                     const uint8_t* __restrict dm, const int32_t* __restrict bias) {
  for (int h = 0; h < H; ++h) {
    int32_t a = I0[h];
    int32_t ra = a >> d0[h];
    ra = ra ? ra : (a > 0) - (a < 0);
    a -= ra;
    I0[h] = a;
    int32_t b = 0;
    if (S == 2) {
      b = I1[h];
      int32_t rb = b >> d1[h];
      rb = rb ? rb : (b > 0) - (b < 0);
      b -= rb;
      I1[h] = b;
    }
    int32_t V = Vh[h];
    int32_t rv = V >> dm[h];
    rv = rv ? rv : (V > 0) - (V < 0);
    int32_t dv = a + b - rv;
    dv = dv < -32768 ? -32768 : (dv > 32767 ? 32767 : dv);
    dv += bias[h];
    dv = dv < -32768 ? -32768 : (dv > 32767 ? 32767 : dv);
    V += dv;
    Vh[h] = V < -32768 ? -32768 : (V > 32767 ? 32767 : V);
  }
}

// One loop per synapse count, so the vectorized body has no per-element condition (masked stores).
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) static void update_state1(
    int H, int32_t* __restrict I0, int32_t* __restrict Vh, const uint8_t* __restrict d0, const uint8_t* __restrict dm,
    const int32_t* __restrict bias) {
  update_state_impl<1>(H, I0, nullptr, Vh, d0, nullptr, dm, bias);
}
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) static void update_state2(
    int H, int32_t* __restrict I0, int32_t* __restrict I1, int32_t* __restrict Vh, const uint8_t* __restrict d0,
    const uint8_t* __restrict d1, const uint8_t* __restrict dm, const int32_t* __restrict bias) {
  update_state_impl<2>(H, I0, I1, Vh, d0, d1, dm, bias);
}

// Input events of one channel: every synapse gets n times its (pre-shifted) weight, saturated; dense and
// vectorizable (zero weights add nothing).
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) static void add_dense(int n_syn_total,
                                                                                          int32_t* __restrict I,
                                                                                          const int32_t* __restrict w,
                                                                                          int32_t n) {
  for (int k = 0; k < n_syn_total; ++k) {
    int32_t v = I[k] + n * w[k];
    I[k] = v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
  }
}

// Recurrent fan-out of the step's active sources, in ascending source order: each adds n times its (pre-shifted)
// weight to every target synapse, saturating to 16 bits. Sources whose targets are all distinct (so their adds
// commute) go sixteen at a time where the CPU has AVX-512F: gathered, added, saturated, scattered back; the
// others event by event. Integer results are identical either way.
struct Fanout {
  const uint32_t* rec;      // per source h: recurrent targets in [rec[h], rec[h + 1]) of idx / w
  const int32_t* idx;       // target synapse s * n_hidden + dst
  const int32_t* w;         // w << shift_rec
  const uint8_t* distinct;  // per source
  const uint32_t* out;      // per source h: output targets in [out[h], out[h + 1]) of oidx / ow
  const int32_t* oidx;      // output neuron
  const int32_t* ow;        // w << shift_out
};
struct FanCounts {
  uint64_t rec_events = 0, out_events = 0, readout_sources = 0;
};

static inline void fan_scalar(int32_t* I, const int32_t* ix, const int32_t* wv, uint32_t b, uint32_t e, int32_t n) {
  // The register barrier keeps the compiler from fusing the load into a memory add and a reload.
  for (uint32_t k = b; k < e; ++k) {
    int32_t cur = I[ix[k]];
    asm("" : "+r"(cur));
    I[ix[k]] = sat16i(cur + n * wv[k]);
  }
}

// The output synapses of source H and the event counts (the output array is separate from the hidden one).
static inline void fan_out(const Fanout& f, int h, int32_t n, int32_t* Io, FanCounts& c) {
  const uint32_t ob = f.out[h], oe = f.out[h + 1];
  c.rec_events += (uint64_t)n * (f.rec[h + 1] - f.rec[h]);
  c.out_events += (uint64_t)n * (oe - ob);
  c.readout_sources += oe > ob;
  for (uint32_t k = ob; k < oe; ++k) Io[f.oidx[k]] = sat16i(Io[f.oidx[k]] + n * f.ow[k]);
}

static FanCounts fanout_scalar(const Fanout& f, const int* src, size_t n_src, const uint8_t* count, int32_t* I,
                               int32_t* Io) {
  FanCounts c;
  for (size_t q = 0; q < n_src; ++q) {
    const int h = src[q];
    fan_scalar(I, f.idx, f.w, f.rec[h], f.rec[h + 1], count[h]);
    fan_out(f, h, count[h], Io, c);
  }
  return c;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's own intrinsics pass undefined vectors
__attribute__((target("avx512f"))) static FanCounts fanout_avx512(const Fanout& f, const int* src, size_t n_src,
                                                                  const uint8_t* count, int32_t* I, int32_t* Io) {
  FanCounts c;
  const __m512i lo = _mm512_set1_epi32(-32768), hi = _mm512_set1_epi32(32767);
  for (size_t q = 0; q < n_src; ++q) {
    const int h = src[q];
    const int32_t n = count[h];
    uint32_t k = f.rec[h];
    const uint32_t e = f.rec[h + 1];
    if (!f.distinct[h]) {
      fan_scalar(I, f.idx, f.w, k, e, n);
    } else {
      const __m512i nn = _mm512_set1_epi32(n);
      for (; k + 32 <= e; k += 32) {  // two gathers in flight (the targets of one source are distinct)
        __m512i ia = _mm512_loadu_si512(f.idx + k), ib = _mm512_loadu_si512(f.idx + k + 16);
        __m512i wa = _mm512_loadu_si512(f.w + k), wb = _mm512_loadu_si512(f.w + k + 16);
        __m512i ga = _mm512_i32gather_epi32(ia, I, 4), gb = _mm512_i32gather_epi32(ib, I, 4);
        if (n != 1) {
          wa = _mm512_mullo_epi32(wa, nn);
          wb = _mm512_mullo_epi32(wb, nn);
        }
        __m512i va = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(ga, wa), lo), hi);
        __m512i vb = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(gb, wb), lo), hi);
        _mm512_i32scatter_epi32(I, ia, va, 4);
        _mm512_i32scatter_epi32(I, ib, vb, 4);
      }
      for (; k + 16 <= e; k += 16) {
        __m512i ix = _mm512_loadu_si512(f.idx + k);
        __m512i wv = _mm512_loadu_si512(f.w + k);
        if (n != 1) wv = _mm512_mullo_epi32(wv, nn);
        __m512i v = _mm512_add_epi32(_mm512_i32gather_epi32(ix, I, 4), wv);
        _mm512_i32scatter_epi32(I, ix, _mm512_min_epi32(_mm512_max_epi32(v, lo), hi), 4);
      }
      if (k < e) {
        const __mmask16 m = (__mmask16)((1u << (e - k)) - 1);
        __m512i ix = _mm512_maskz_loadu_epi32(m, f.idx + k);
        __m512i wv = _mm512_maskz_loadu_epi32(m, f.w + k);
        if (n != 1) wv = _mm512_mullo_epi32(wv, nn);
        __m512i v = _mm512_add_epi32(_mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, ix, I, 4), wv);
        _mm512_mask_i32scatter_epi32(I, m, ix, _mm512_min_epi32(_mm512_max_epi32(v, lo), hi), 4);
      }
    }
    fan_out(f, h, n, Io, c);
  }
  return c;
}
#pragma GCC diagnostic pop

// Spikes: subtractive reset while V >= thr, at most max_sp times, i.e. floor(V / thr) spikes capped at max_sp
// (V >= thr > 0). Writes the counts of the spiking neurons into OWN (kept zero elsewhere) and lists them in
// ascending order. Neurons are compared eight at a time where the CPU has AVX2: most do not spike in a step.
static inline void spike_one(int h, int32_t* Vh, const int32_t* thr_p, uint8_t* own, int max_sp, std::vector<int>& list,
                             uint64_t& sp) {
  int32_t V = Vh[h];
  const int32_t thr = thr_p[h];
  int n = max_sp < 1 ? 0 : V < 2 * thr ? 1 : std::min(max_sp, (int)(V / thr));
  Vh[h] = V - n * thr;
  own[h] = (uint8_t)n;
  sp += (uint64_t)n;
  if (n) list.push_back(h);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's own intrinsics pass undefined vectors
// Sixteen neurons compared at a time; the candidates' indices compress-stored into CAND (H + 16 entries).
__attribute__((target("avx512f"))) static void find_spikes_avx512(int H, int32_t* Vh, const int32_t* thr_p,
                                                                  uint8_t* own, int max_sp, std::vector<int>& list,
                                                                  uint64_t& spikes, int* cand) {
  uint64_t sp = 0;
  list.clear();
  int cnt = 0;
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int base = 0; base < H; base += 16) {
    const __mmask16 in = H - base >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (H - base)) - 1);
    const __m512i v = _mm512_maskz_loadu_epi32(in, Vh + base), t = _mm512_maskz_loadu_epi32(in, thr_p + base);
    const __mmask16 m = _mm512_mask_cmpge_epi32_mask(in, v, t);
    _mm512_mask_compressstoreu_epi32(cand + cnt, m, _mm512_add_epi32(lane, _mm512_set1_epi32(base)));
    cnt += __builtin_popcount((unsigned)m);
  }
  for (int q = 0; q < cnt; ++q) spike_one(cand[q], Vh, thr_p, own, max_sp, list, sp);
  spikes = sp;
}
#pragma GCC diagnostic pop

static void find_spikes_scalar(int H, int32_t* Vh, const int32_t* thr_p, uint8_t* own, int max_sp,
                               std::vector<int>& list, uint64_t& spikes) {
  uint64_t sp = 0;
  list.clear();
  for (int h = 0; h < H; ++h)
    if (Vh[h] >= thr_p[h]) spike_one(h, Vh, thr_p, own, max_sp, list, sp);
  spikes = sp;
}

__attribute__((target("avx2"))) static void find_spikes_avx2(int H, int32_t* Vh, const int32_t* thr_p, uint8_t* own,
                                                             int max_sp, std::vector<int>& list, uint64_t& spikes) {
  uint64_t sp = 0;
  list.clear();
  int base = 0;
  for (; base + 8 <= H; base += 8) {
    const __m256i v = _mm256_loadu_si256((const __m256i*)(Vh + base));
    const __m256i t = _mm256_loadu_si256((const __m256i*)(thr_p + base));
    uint32_t m = ~(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(t, v))) & 0xFFu;  // V >= thr
    while (m) {
      spike_one(base + __builtin_ctz(m), Vh, thr_p, own, max_sp, list, sp);
      m &= m - 1;
    }
  }
  for (int h = base; h < H; ++h)
    if (Vh[h] >= thr_p[h]) spike_one(h, Vh, thr_p, own, max_sp, list, sp);
  spikes = sp;
}

NeuroCore::NeuroCore(sc_module_name name, const Network& net, const Raster& input, const CoreTiming& tm, Readout ro,
                     const std::vector<int>& record, CoreEnergy* energy)
    : sc_module(name),
      net_(net),
      in_(input),
      tm_(tm),
      readout_(ro),
      record_(record),
      energy_(energy),
      clk_(tm.freq_MHz) {
  budget_cycles_ = (uint64_t)std::llround(tm.freq_MHz * 1e3 * tm.dt_ms);
  const int H = net.n_hidden, S = net.n_syn, O = net.n_out;
  I_h_.assign((size_t)H * 2, 0);  // synapse-major: I[s * H + h] (room for two synapses)
  V_h_.assign(H, 0);
  I_o_.assign(O, 0);
  V_o_.assign(O, 0);
  prev_count_.assign(H, 0);
  count_.assign(H, 0);
  own_.assign(H, 0);
  for (int h = 0; h < H; ++h) {
    if (!net.hidden.alias.empty() && net.hidden.alias[h] >= 0) has_alias_ = true;
    h_thr_.push_back(net.hidden.threshold[h]);
    h_bias_.push_back(net.hidden.bias[h]);
    h_dmem_.push_back(net.hidden.dash_mem[h]);
  }
  for (int o = 0; o < O; ++o) {
    o_dsyn_.push_back(net.output.dash_syn[o][0]);
    o_dmem_.push_back(net.output.dash_mem[o]);
    o_bias_.push_back(net.output.bias[o]);
    o_thr_.push_back(net.output.threshold[o]);
  }
  h_dsyn_.assign((size_t)2 * H, 0);
  for (int h = 0; h < H; ++h)
    for (int s = 0; s < S; ++s) h_dsyn_[(size_t)s * H + h] = net.hidden.dash_syn[h][s];
  in_dense_.assign((size_t)net.n_in * 2 * H, 0);
  for (int c = 0; c < net.n_in; ++c)
    for (int h = 0; h < H; ++h)
      for (int s = 0; s < S; ++s)
        in_dense_[((size_t)c * 2 + s) * H + h] = net.w_in[((size_t)c * H + h) * S + s] * (1 << net.shift_in);
  in_targets_.resize(net.n_in);
  for (int c = 0; c < net.n_in; ++c)
    for (int h = 0; h < H; ++h)
      for (int s = 0; s < S; ++s) {
        int w = net.w_in[((size_t)c * H + h) * S + s];
        if (w) in_targets_[c].push_back({s * H + h, w * (1 << net.shift_in)});
      }
  {  // recurrent targets grouped by source (flat arrays; within a source in the network's list order)
    std::vector<std::vector<std::pair<int, int>>> by_src(H);
    for (const auto& r : net.rec) by_src[r.src].push_back({r.syn * H + r.dst, r.w * (1 << net.shift_rec)});
    rec_off_.assign(1, 0);
    for (int h = 0; h < H; ++h) {
      for (const auto& tw : by_src[h]) {
        rec_idx_.push_back(tw.first);
        rec_w_.push_back(tw.second);
      }
      rec_off_.push_back((uint32_t)rec_idx_.size());
      std::vector<int> t;
      for (const auto& tw : by_src[h]) t.push_back(tw.first);
      std::sort(t.begin(), t.end());
      rec_distinct_.push_back(std::adjacent_find(t.begin(), t.end()) == t.end());
    }
  }
  // Hand-vectorized paths where the CPU has them; TINYFORGE_SIMD=off takes the portable ones (the tests run
  // both: the integer results are the same).
  const char* simd = std::getenv("TINYFORGE_SIMD");
  const bool allow = !(simd && std::string(simd) == "off");
  use_avx512_ = allow && __builtin_cpu_supports("avx512f");
  use_avx2_ = allow && __builtin_cpu_supports("avx2");
  out_off_.assign(1, 0);
  for (int h = 0; h < H; ++h) {
    for (int o = 0; o < O; ++o) {
      int w = net.w_out[(size_t)h * O + o];
      if (w) {
        out_idx_.push_back(o);
        out_w_.push_back(w * (1 << net.shift_out));
      }
    }
    out_off_.push_back((uint32_t)out_idx_.size());
  }
  res_.steps.reserve(input.size());
  res_.readout.reserve(input.size() * (size_t)net.n_out);
  // Room for a spike record of 1 in 8 neurons a step (address space only until used; capped): growing
  // it by doubling costs page faults on every copy.
  res_.hidden_step_begin.reserve(input.size() + 1);
  res_.hidden_packed.reserve(std::min<size_t>(input.size() * (size_t)std::max(1, H / 8), (size_t)1 << 24));
  {  // and ask for huge pages there (where the kernel offers them): a few faults instead of one per 4 KiB
    uintptr_t b = ((uintptr_t)res_.hidden_packed.data() + 4095) & ~(uintptr_t)4095;
    uintptr_t e = ((uintptr_t)(res_.hidden_packed.data() + res_.hidden_packed.capacity())) & ~(uintptr_t)4095;
    if (e > b) madvise((void*)b, e - b, MADV_HUGEPAGE);
  }
  spiking_.reserve(H);
  cand_.assign((size_t)H + 16, 0);
  active_.reserve(H);
  prev_active_.reserve(H);
  SC_THREAD(step_thread);
}

void NeuroCore::finish() {
  const int H = net_.n_hidden, S = net_.n_syn;
  res_.V_h.assign(V_h_.begin(), V_h_.end());
  res_.I_h.assign((size_t)H * S, 0);  // reported neuron-major: [h][s]
  for (int h = 0; h < H; ++h)
    for (int s = 0; s < S; ++s) res_.I_h[(size_t)h * S + s] = I_h_[(size_t)s * H + h];
  res_.V_o.assign(V_o_.begin(), V_o_.end());
  res_.I_o.assign(I_o_.begin(), I_o_.end());
}

void NeuroCore::trace(sc_trace_file* tf) {
  tracing_ = true;
  sc_trace(tf, sig_stage_, "stage");
  for (int h : record_) {
    sig_.push_back(std::make_unique<sc_signal<int>>());
    sc_trace(tf, *sig_.back(), "hidden" + std::to_string(h) + "_V");
    for (int s = 0; s < net_.n_syn; ++s) {
      sig_.push_back(std::make_unique<sc_signal<int>>());
      sc_trace(tf, *sig_.back(), "hidden" + std::to_string(h) + "_I" + std::to_string(s));
    }
  }
}

// The step loop: the four stages in the hardware's order. Each stage computes its part of the step on the
// real state and returns its cycle cost; time advances by those costs (loosely timed: one wait per step, or
// one per stage when a VCD is written, so the waveform shows the stages). A step starts at its dt tick, or
// when the previous step ends if that is later.
void NeuroCore::step_thread() {
  uint64_t start = 0;  // the step's first cycle; SystemC time stands there while the step computes
  for (size_t t = 0; t < in_.size(); ++t) {
    if (tracing_) {
      uint64_t tick = (uint64_t)t * budget_cycles_, now = clk_.now();
      if (now < tick) clk_.wait((double)(tick - now));
      start = clk_.now();
    }
    step_start_ = start;
    cur_ = StepCounts{};
    uint64_t total = 0;
    for (int stage = 1; stage <= 4; ++stage) {
      if (tracing_) sig_stage_.write(stage);
      uint64_t cyc = stage == 1   ? input_stage(t)
                     : stage == 2 ? recurrent_stage()
                     : stage == 3 ? update_stage()
                                  : output_stage();
      cur_.active_cycles += cyc;
      total += cyc;
      if (tracing_ && cyc) clk_.wait((double)cyc);
    }
    const uint64_t end = start + total;
    cur_.cycles = total;
    if (cur_.cycles > budget_cycles_) res_.overruns++;
    if (energy_) energy_->step(cur_, net_.n_hidden, net_.n_out);
    res_.steps.push_back(cur_);
    if (tracing_) sig_stage_.write(0);
    res_.total_cycles = end;
    if (!tracing_) {  // one wait per step: to the next step's start (its dt tick, or this step's end if later)
      uint64_t next = t + 1 < in_.size() ? std::max(end, (uint64_t)(t + 1) * budget_cycles_) : end;
      if (next > start) clk_.wait((double)(next - start));
      start = next;
    }
  }
}

uint64_t NeuroCore::input_stage(size_t t) {
  const int S = net_.n_syn;
  for (int c = 0; c < net_.n_in; ++c) {
    int n = in_[t][c];
    if (!n) continue;
    cur_.input_spikes += (uint64_t)n;
    cur_.input_events += (uint64_t)n * in_targets_[c].size();
    // n adds of the same weight saturate exactly like one add of n times it.
    // |I| < 2^15, n <= 31, |w << shift| < 2^14: the sum fits in int32.
    add_dense(S * net_.n_hidden, I_h_.data(), &in_dense_[(size_t)c * 2 * net_.n_hidden], n);
  }
  return (uint64_t)std::ceil(tm_.c_step_overhead + net_.n_in * tm_.c_input_channel +
                             cur_.input_events * tm_.c_input_event);
}

uint64_t NeuroCore::recurrent_stage() {
  const Fanout f{rec_off_.data(), rec_idx_.data(), rec_w_.data(), rec_distinct_.data(),
                 out_off_.data(), out_idx_.data(), out_w_.data()};
  const FanCounts c =
      use_avx512_
          ? fanout_avx512(f, prev_active_.data(), prev_active_.size(), prev_count_.data(), I_h_.data(), I_o_.data())
          : fanout_scalar(f, prev_active_.data(), prev_active_.size(), prev_count_.data(), I_h_.data(), I_o_.data());
  cur_.rec_events = c.rec_events;
  cur_.out_events = c.out_events;
  cur_.readout_sources = c.readout_sources;
  return (uint64_t)std::ceil(net_.n_hidden * tm_.c_hidden_scan + cur_.rec_events * tm_.c_rec_event +
                             cur_.readout_sources * tm_.c_readout_spike + cur_.out_events * tm_.c_readout_event);
}

uint64_t NeuroCore::update_stage() {
  const int H = net_.n_hidden, S = net_.n_syn, O = net_.n_out;
  const Population& hp = net_.hidden;
  const Population& op = net_.output;
  {
    uint64_t spikes = 0, spiking = 0;
    int32_t* const Ih = I_h_.data();
    if (S == 2)
      update_state2(H, Ih, Ih + H, V_h_.data(), h_dsyn_.data(), h_dsyn_.data() + H, h_dmem_.data(), h_bias_.data());
    else
      update_state1(H, Ih, V_h_.data(), h_dsyn_.data(), h_dmem_.data(), h_bias_.data());
    if (use_avx512_)
      find_spikes_avx512(H, V_h_.data(), h_thr_.data(), own_.data(), hp.max_spikes, spiking_, spikes, cand_.data());
    else if (use_avx2_)
      find_spikes_avx2(H, V_h_.data(), h_thr_.data(), own_.data(), hp.max_spikes, spiking_, spikes);
    else
      find_spikes_scalar(H, V_h_.data(), h_thr_.data(), own_.data(), hp.max_spikes, spiking_, spikes);
    spiking = spiking_.size();
    cur_.spiking_neurons = spiking;
    // count_ and the active list: without aliasing, the spiking neurons' own counts; with it, own counts plus
    // those of the neurons aliased onto each target, capped at 31.
    active_.clear();
    res_.hidden_step_begin.push_back((uint32_t)res_.hidden_packed.size());
    if (!has_alias_) {
      for (int h : spiking_) {
        count_[h] = own_[h];
        own_[h] = 0;
        res_.hidden_packed.push_back((uint32_t)h << 5 | count_[h]);
      }
      active_.swap(spiking_);
    } else {
      std::memcpy(count_.data(), own_.data(), (size_t)H);
      for (int h : spiking_)
        if (hp.alias[h] >= 0) count_[hp.alias[h]] = (uint8_t)std::min(31, count_[hp.alias[h]] + own_[h]);
      for (int h : spiking_) own_[h] = 0;
      if (spikes)
        for (int h = 0; h < H; ++h)
          if (count_[h]) {
            res_.hidden_packed.push_back((uint32_t)h << 5 | count_[h]);
            active_.push_back(h);
          }
    }
    cur_.hidden_spikes = spikes;
    int out_n[1024];
    for (int o = 0; o < O; ++o) {
      int32_t& I = I_o_[o];
      I -= decay(I, o_dsyn_[o]);
      int32_t& V = V_o_[o];
      // 16-bit values: every intermediate fits in int32.
      const int32_t dv = sat16i(sat16i(I - decay(V, o_dmem_[o])) + o_bias_[o]);
      V = sat16i(V + dv);
      const int32_t thr = o_thr_[o];
      int n = V < thr || op.max_spikes < 1 ? 0 : V < 2 * thr ? 1 : std::min(op.max_spikes, (int)(V / thr));
      V -= n * thr;
      out_n[o] = n;
      cur_.output_spikes += (uint64_t)n;
    }
    for (int o = 0; o < O; ++o)
      if (out_n[o]) res_.output_spikes.push_back({(int)res_.steps.size(), o, out_n[o]});
    for (int o = 0; o < O; ++o)
      res_.readout.push_back(readout_ == Readout::Spikes ? out_n[o] : readout_ == Readout::V ? V_o_[o] : I_o_[o]);
    if (!record_.empty()) {
      std::vector<int> rec;
      size_t k = 0;
      for (int h : record_) {
        rec.push_back(V_h_[h]);
        if (tracing_) sig_[k++]->write(V_h_[h]);
        for (int s = 0; s < S; ++s) {
          rec.push_back(I_h_[(size_t)s * H + h]);
          if (tracing_) sig_[k++]->write(I_h_[(size_t)s * H + h]);
        }
      }
      res_.recorded.push_back(rec);
    }
    prev_count_.swap(count_);
    prev_active_.swap(active_);
    return (uint64_t)std::ceil(H * tm_.c_neuron_update + cur_.spiking_neurons * tm_.c_neuron_spike +
                               O * tm_.c_output_neuron);
  }
}

uint64_t NeuroCore::output_stage() { return (uint64_t)std::ceil(cur_.output_spikes * tm_.c_output_event); }

CoreEnergy::CoreEnergy(Ledger& L, const Network&) : L_(L) {
  auto id = L.bind({{"synapses", "synapse", 1},
                    {"weight_memory", "weight_memory", 1},
                    {"neurons", "neuron", 1},
                    {"spike_router", "spike_router", 1},
                    {"output_interface", "output_interface", 1},
                    {"controller", "controller", 1},
                    {"static", "core_static", 1}},
                   {"synapses.event", "weight_memory.read", "neurons.update", "spike_router.route",
                    "output_interface.event", "controller.step", "controller.cycle"});
  syn_event_ = id.at("synapses.event");
  wmem_read_ = id.at("weight_memory.read");
  neuron_update_ = id.at("neurons.update");
  spike_route_ = id.at("spike_router.route");
  out_event_ = id.at("output_interface.event");
  ctrl_step_ = id.at("controller.step");
  ctrl_cycle_ = id.at("controller.cycle");
  tag_in_ = L.tag("input");
  tag_rec_ = L.tag("recurrent");
  tag_upd_ = L.tag("update");
  tag_out_ = L.tag("output");
}

void CoreEnergy::step(const StepCounts& c, int hidden, int outputs) {
  L_.add(syn_event_, tag_in_, c.input_events);
  L_.add(syn_event_, tag_rec_, c.rec_events + c.out_events);
  L_.add(wmem_read_, tag_rec_, c.rec_events);  // the sparse recurrent target's address
  L_.add(neuron_update_, tag_upd_, (uint64_t)(hidden + outputs));
  L_.add(spike_route_, tag_upd_, c.hidden_spikes);
  L_.add(out_event_, tag_out_, c.output_spikes);
  L_.add(ctrl_step_, tag_in_, 1);
  L_.add(ctrl_cycle_, tag_in_, c.active_cycles);
}

CoreResult run_core(const Network& net, const Raster& input, const CoreTiming& timing, Readout readout,
                    const std::vector<int>& record, CoreEnergy* energy, const std::string& vcd) {
  auto t0 = std::chrono::steady_clock::now();
  NeuroCore core("neuro", net, input, timing, readout, record, energy);
  sc::simulate(vcd, SC_NS, [&](sc_trace_file* tf) { core.trace(tf); });
  core.finish();
  CoreResult r = core.take_result();
  r.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.hidden_step_begin.push_back((uint32_t)r.hidden_packed.size());
  r.hidden_spikes.reserve(r.hidden_packed.size());
  for (size_t t = 0; t + 1 < r.hidden_step_begin.size(); ++t)
    for (uint32_t k = r.hidden_step_begin[t]; k < r.hidden_step_begin[t + 1]; ++k)
      r.hidden_spikes.push_back({(int)t, (int)(r.hidden_packed[k] >> 5), (int)(r.hidden_packed[k] & 31)});
  return r;
}

}  // namespace tf::neuro
