#include "neuro/core.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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
__attribute__((target_clones("avx2", "default")))
static void update_state(int H, int S, int32_t* __restrict I0, int32_t* __restrict I1, int32_t* __restrict Vh,
                         const int32_t* __restrict d0, const int32_t* __restrict d1, const int32_t* __restrict dm,
                         const int32_t* __restrict bias) {
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

// Input events of one channel: every synapse gets n times its (pre-shifted) weight, saturated; dense and
// vectorizable (zero weights add nothing).
__attribute__((target_clones("avx2", "default")))
static void add_dense(int n_syn_total, int32_t* __restrict I, const int32_t* __restrict w, int32_t n) {
  for (int k = 0; k < n_syn_total; ++k) {
    int32_t v = I[k] + n * w[k];
    I[k] = v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
  }
}

static void find_spikes(int H, int32_t* Vh, const int32_t* thr_p, uint8_t* own, int max_sp, uint64_t& spikes,
                        uint64_t& spiking) {
  uint64_t sp = 0, sg = 0;
  for (int h = 0; h < H; ++h) {
    int32_t V = Vh[h];
    const int32_t thr = thr_p[h];
    int n = 0;
    if (V >= thr) {
      while (V >= thr && n < max_sp) {
        ++n;
        V -= thr;
      }
      Vh[h] = V;
      sp += (uint64_t)n;
      ++sg;
    }
    own[h] = (uint8_t)n;
  }
  spikes = sp;
  spiking = sg;
}

NeuroCore::NeuroCore(sc_module_name name, const Network& net, const Raster& input, const CoreTiming& tm, Readout ro,
                     const std::vector<int>& record, CoreEnergy* energy)
    : sc_module(name), net_(net), in_(input), tm_(tm), readout_(ro), record_(record), energy_(energy) {
  period_ = sc_time(std::llround(1e6 / tm.freq_MHz), SC_PS);
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
  rec_targets_.resize(H);
  for (const auto& r : net.rec) rec_targets_[r.src].push_back({r.syn * H + r.dst, r.w * (1 << net.shift_rec)});
  out_targets_.resize(H);
  for (int h = 0; h < H; ++h)
    for (int o = 0; o < O; ++o) {
      int w = net.w_out[(size_t)h * O + o];
      if (w) out_targets_[h].push_back({o, w * (1 << net.shift_out)});
    }
  for (auto& f : fifo_) f = std::make_unique<sc_fifo<int>>(1);
  SC_THREAD(input_stage);
  SC_THREAD(recurrent_stage);
  SC_THREAD(update_stage);
  SC_THREAD(output_stage);
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

uint64_t NeuroCore::now_cycles() const { return (uint64_t)std::llround(sc_time_stamp() / period_); }

void NeuroCore::input_stage() {
  const int S = net_.n_syn;
  for (size_t t = 0; t < in_.size(); ++t) {
    if (t > 0) fifo_[3]->read();  // the previous step is done
    uint64_t tick = (uint64_t)t * budget_cycles_, now = now_cycles();
    if (now < tick) wait((double)(tick - now) * period_);
    step_start_ = now_cycles();
    cur_ = StepCounts{};
    if (tracing_) sig_stage_.write(1);
    for (int c = 0; c < net_.n_in; ++c) {
      int n = in_[t][c];
      if (!n) continue;
      cur_.input_spikes += (uint64_t)n;
      cur_.input_events += (uint64_t)n * in_targets_[c].size();
      // n adds of the same weight saturate exactly like one add of n times it.
      // |I| < 2^15, n <= 31, |w << shift| < 2^14: the sum fits in int32.
      add_dense(S * net_.n_hidden, I_h_.data(), &in_dense_[(size_t)c * 2 * net_.n_hidden], n);
    }
    uint64_t cyc = (uint64_t)std::ceil(tm_.c_step_overhead + net_.n_in * tm_.c_input_channel + cur_.input_events * tm_.c_input_event);
    cur_.active_cycles += cyc;
    wait((double)cyc * period_);
    fifo_[0]->write((int)t);
  }
}

void NeuroCore::recurrent_stage() {
  for (;;) {
    fifo_[0]->read();
    if (tracing_) sig_stage_.write(2);
    for (int h : prev_active_) {
      int n = prev_count_[h];
      cur_.rec_events += (uint64_t)n * rec_targets_[h].size();
      cur_.out_events += (uint64_t)n * out_targets_[h].size();
      if (!out_targets_[h].empty()) cur_.readout_sources++;
      int32_t* const Ih = I_h_.data();
      int32_t* const Io = I_o_.data();
      for (const auto& tw : rec_targets_[h]) Ih[tw.first] = sat16i(Ih[tw.first] + n * tw.second);
      for (const auto& tw : out_targets_[h]) Io[tw.first] = sat16i(Io[tw.first] + n * tw.second);
    }
    uint64_t cyc = (uint64_t)std::ceil(net_.n_hidden * tm_.c_hidden_scan + cur_.rec_events * tm_.c_rec_event +
                                       cur_.readout_sources * tm_.c_readout_spike + cur_.out_events * tm_.c_readout_event);
    cur_.active_cycles += cyc;
    wait((double)cyc * period_);
    fifo_[1]->write(0);
  }
}

void NeuroCore::update_stage() {
  const int H = net_.n_hidden, S = net_.n_syn, O = net_.n_out;
  const Population& hp = net_.hidden;
  const Population& op = net_.output;
  for (;;) {
    fifo_[1]->read();
    if (tracing_) sig_stage_.write(3);
    uint64_t spikes = 0, spiking = 0;
    int32_t* const Ih = I_h_.data();
    update_state(H, S, Ih, Ih + H, V_h_.data(), h_dsyn_.data(), h_dsyn_.data() + H, h_dmem_.data(), h_bias_.data());
    find_spikes(H, V_h_.data(), h_thr_.data(), own_.data(), hp.max_spikes, spikes, spiking);
    cur_.spiking_neurons = spiking;
    // Aliasing: own counts also go to the alias target, capped at 31.
    if (spikes) {
      std::memcpy(count_.data(), own_.data(), (size_t)H);
      if (has_alias_)
        for (int h = 0; h < H; ++h)
          if (hp.alias[h] >= 0 && own_[h]) count_[hp.alias[h]] = (uint8_t)std::min(31, count_[hp.alias[h]] + own_[h]);
    } else {
      std::memset(count_.data(), 0, (size_t)H);
    }
    cur_.hidden_spikes = spikes;
    int out_n[1024];
    for (int o = 0; o < O; ++o) {
      int32_t& I = I_o_[o];
      I -= decay(I, op.dash_syn[o][0]);
      int32_t& V = V_o_[o];
      int32_t dv = sat16(-(int64_t)decay(V, op.dash_mem[o]) + I);
      dv = sat16((int64_t)dv + op.bias[o]);
      V = sat16((int64_t)V + dv);
      int n = 0;
      while (V >= op.threshold[o] && n < op.max_spikes) {
        ++n;
        V -= op.threshold[o];
      }
      out_n[o] = n;
      cur_.output_spikes += (uint64_t)n;
    }
    size_t t = res_.steps.size();
    active_.clear();
    if (spikes)
      for (int h = 0; h < H; ++h)
        if (count_[h]) {
          res_.hidden_spikes.push_back({(int)t, h, count_[h]});
          active_.push_back(h);
        }
    for (int o = 0; o < O; ++o)
      if (out_n[o]) res_.output_spikes.push_back({(int)t, o, out_n[o]});
    std::vector<int> ro(O);
    for (int o = 0; o < O; ++o) ro[o] = readout_ == Readout::Spikes ? out_n[o] : readout_ == Readout::V ? V_o_[o] : I_o_[o];
    res_.readout.push_back(ro);
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
    uint64_t cyc = (uint64_t)std::ceil(H * tm_.c_neuron_update + cur_.spiking_neurons * tm_.c_neuron_spike + O * tm_.c_output_neuron);
    cur_.active_cycles += cyc;
    wait((double)cyc * period_);
    fifo_[2]->write(0);
  }
}

void NeuroCore::output_stage() {
  for (;;) {
    fifo_[2]->read();
    if (tracing_) sig_stage_.write(4);
    uint64_t cyc = (uint64_t)std::ceil(cur_.output_spikes * tm_.c_output_event);
    cur_.active_cycles += cyc;
    wait((double)cyc * period_);
    cur_.cycles = now_cycles() - step_start_;
    if (cur_.cycles > budget_cycles_) res_.overruns++;
    if (energy_) energy_->step(cur_, net_.n_hidden, net_.n_out);
    res_.steps.push_back(cur_);
    if (tracing_) sig_stage_.write(0);
    res_.total_cycles = now_cycles();
    fifo_[3]->write(0);
  }
}

CoreEnergy::CoreEnergy(Ledger& L, const Network&) : L_(L) {
  int syn = L.component("synapses", "synapse", 1);
  int wmem = L.component("weight_memory", "weight_memory", 1);
  int neu = L.component("neurons", "neuron", 1);
  int spk = L.component("spike_router", "spike_router", 1);
  int out = L.component("output_interface", "output_interface", 1);
  int ctl = L.component("controller", "controller", 1);
  L.component("static", "core_static", 1);
  syn_event_ = L.action(syn, "event");
  wmem_read_ = L.action(wmem, "read");
  neuron_update_ = L.action(neu, "update");
  spike_route_ = L.action(spk, "route");
  out_event_ = L.action(out, "event");
  ctrl_step_ = L.action(ctl, "step");
  ctrl_cycle_ = L.action(ctl, "cycle");
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
  NeuroCore core("neuro", net, input, timing, readout, record, energy);
  sc_trace_file* tf = nullptr;
  if (!vcd.empty()) {
    std::string base = vcd.size() > 4 && vcd.substr(vcd.size() - 4) == ".vcd" ? vcd.substr(0, vcd.size() - 4) : vcd;
    tf = sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1, SC_NS);
    core.trace(tf);
  }
  sc_start();
  if (tf) sc_close_vcd_trace_file(tf);
  core.finish();
  CoreResult r = core.result();
  return r;
}

}  // namespace tf::neuro
