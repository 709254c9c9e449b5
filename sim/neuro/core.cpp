#include "neuro/core.h"

#include <algorithm>
#include <cmath>

namespace tf::neuro {

using namespace sc_core;

static inline int32_t sat16(int64_t v) { return (int32_t)std::max<int64_t>(-32768, std::min<int64_t>(32767, v)); }
// v >> d, or the sign of v when that is 0 and v != 0.
static inline int32_t decay(int32_t v, int d) {
  int32_t r = v >> d;
  if (r == 0 && v != 0) r = v > 0 ? 1 : -1;
  return r;
}

NeuroCore::NeuroCore(sc_module_name name, const Network& net, const Raster& input, const CoreTiming& tm, Readout ro,
                     const std::vector<int>& record, CoreEnergy* energy)
    : sc_module(name), net_(net), in_(input), tm_(tm), readout_(ro), record_(record), energy_(energy) {
  period_ = sc_time(std::llround(1e6 / tm.freq_MHz), SC_PS);
  budget_cycles_ = (uint64_t)std::llround(tm.freq_MHz * 1e3 * tm.dt_ms);
  const int H = net.n_hidden, S = net.n_syn, O = net.n_out;
  I_h_.assign((size_t)H * S, 0);
  V_h_.assign(H, 0);
  I_o_.assign(O, 0);
  V_o_.assign(O, 0);
  prev_count_.assign(H, 0);
  count_.assign(H, 0);
  own_.assign(H, 0);
  in_targets_.resize(net.n_in);
  for (int c = 0; c < net.n_in; ++c)
    for (int h = 0; h < H; ++h)
      for (int s = 0; s < S; ++s) {
        int w = net.w_in[((size_t)c * H + h) * S + s];
        if (w) in_targets_[c].push_back({h * S + s, w * (1 << net.shift_in)});
      }
  rec_targets_.resize(H);
  for (const auto& r : net.rec) rec_targets_[r.src].push_back({r.dst * S + r.syn, r.w * (1 << net.shift_rec)});
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
  res_.V_h.assign(V_h_.begin(), V_h_.end());
  res_.I_h.assign(I_h_.begin(), I_h_.end());
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
  (void)S;
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
      for (const auto& tw : in_targets_[c]) I_h_[tw.first] = sat16((int64_t)I_h_[tw.first] + (int64_t)n * tw.second);
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
    for (int h = 0; h < net_.n_hidden; ++h) {
      int n = prev_count_[h];
      if (!n) continue;
      cur_.rec_events += (uint64_t)n * rec_targets_[h].size();
      cur_.out_events += (uint64_t)n * out_targets_[h].size();
      if (!out_targets_[h].empty()) cur_.readout_sources++;
      for (const auto& tw : rec_targets_[h]) I_h_[tw.first] = sat16((int64_t)I_h_[tw.first] + (int64_t)n * tw.second);
      for (const auto& tw : out_targets_[h]) I_o_[tw.first] = sat16((int64_t)I_o_[tw.first] + (int64_t)n * tw.second);
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
    uint64_t spikes = 0;
    for (int h = 0; h < H; ++h) {
      int64_t isum = 0;
      for (int s = 0; s < S; ++s) {
        int32_t& I = I_h_[(size_t)h * S + s];
        I -= decay(I, hp.dash_syn[h][s]);
        isum += I;
      }
      int32_t& V = V_h_[h];
      int32_t dv = sat16(-(int64_t)decay(V, hp.dash_mem[h]) + isum);
      dv = sat16((int64_t)dv + hp.bias[h]);
      V = sat16((int64_t)V + dv);
      int n = 0;
      while (V >= hp.threshold[h] && n < hp.max_spikes) {
        ++n;
        V -= hp.threshold[h];
      }
      own_[h] = (uint8_t)n;
      spikes += (uint64_t)n;
      cur_.spiking_neurons += n > 0;
    }
    // Aliasing: own counts also go to the alias target, capped at 31.
    for (int h = 0; h < H; ++h) count_[h] = own_[h];
    if (!hp.alias.empty())
      for (int h = 0; h < H; ++h)
        if (hp.alias[h] >= 0 && own_[h]) count_[hp.alias[h]] = (uint8_t)std::min(31, count_[hp.alias[h]] + own_[h]);
    cur_.hidden_spikes = spikes;
    std::vector<int> out_n(O, 0);
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
    for (int h = 0; h < H; ++h)
      if (count_[h]) res_.hidden_spikes.push_back({(int)t, h, count_[h]});
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
          rec.push_back(I_h_[(size_t)h * S + s]);
          if (tracing_) sig_[k++]->write(I_h_[(size_t)h * S + s]);
        }
      }
      res_.recorded.push_back(rec);
    }
    prev_count_.swap(count_);
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
