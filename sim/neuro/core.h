// SystemC model of the Xylo-like core. Each time step runs four stages in the hardware's order: input events
// -> recurrent fan-out -> neuron update -> output. Each stage computes its part of the step on the real integer
// state and costs cycles; one SC_THREAD advances time by them (loosely timed: the stages of a step never
// overlap each other or the next step, so no fifo hand-over is needed). A step starts at its dt tick, or when
// the previous step finishes if that is later (a real-time overrun).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "core/ledger.h"
#include "core/sc/clock.h"
#include "neuro/network.h"

namespace tf::neuro {

// Cycle costs (defaults from the vendor's published cycle model, docs/neuro.md). A stage's cost is rounded up
// to whole cycles.
struct CoreTiming {
  double freq_MHz = 50, dt_ms = 1;
  double c_step_overhead = 32;  // per step
  double c_input_channel = 1;   // per input channel scanned per step
  double c_input_event = 3.5;   // per input spike delivered to one synapse
  double c_hidden_scan = 3;     // per hidden neuron scanned for spikes to deliver
  double c_rec_event = 7;       // per hidden spike delivered to one recurrent synapse
  double c_readout_spike = 1;   // per spiking hidden neuron with readout weights
  double c_readout_event = 8;   // per hidden spike delivered to one output synapse
  double c_neuron_update = 19;  // per hidden neuron update
  double c_neuron_spike = 3;    // extra per hidden neuron that spikes
  double c_output_neuron = 12;  // per output neuron update
  double c_output_event = 0;    // per output spike
};

enum class Readout { Spikes, V, I };

// Per-step counts; the SystemC model fills them, the energy and stats derive from them.
struct StepCounts {
  uint64_t input_spikes = 0, input_events = 0, rec_events = 0, out_events = 0, hidden_spikes = 0, output_spikes = 0;
  uint64_t spiking_neurons = 0, readout_sources = 0;
  uint64_t cycles = 0;         // from the step's start to the end of its output stage
  uint64_t active_cycles = 0;  // cycles the stages worked
};

struct CoreResult {
  std::vector<StepCounts> steps;
  std::vector<std::array<int, 3>> hidden_spikes, output_spikes;  // {t, neuron, count}
  // While simulating, hidden spikes are kept compact (neuron << 5 | count per spike, and the index of each
  // step's first entry); run_core expands them into hidden_spikes after the timed simulation.
  std::vector<uint32_t> hidden_packed, hidden_step_begin;
  double sim_seconds = 0;                  // elaboration and simulation (sc_start), without the expansion above
  std::vector<int> readout;                // [t * n_out + o]
  std::vector<int> V_h, I_h, V_o, I_o;     // final state (I_h: [n_hidden][n_syn])
  std::vector<std::vector<int>> recorded;  // [t][k*(1+n_syn)]: V then I of each recorded neuron
  uint64_t overruns = 0, total_cycles = 0;
};

class CoreEnergy;

SC_MODULE(NeuroCore) {
 public:
  NeuroCore(sc_core::sc_module_name name, const Network& net, const Raster& input, const CoreTiming& timing,
            Readout readout, const std::vector<int>& record, CoreEnergy* energy);
  SC_HAS_PROCESS(NeuroCore);
  const CoreResult& result() const { return res_; }
  CoreResult take_result() { return std::move(res_); }
  void finish();  // copies the final state into the result
  void trace(sc_core::sc_trace_file * tf);

 private:
  void step_thread();
  // The stages: each updates the state and the step's counts and returns its cycle cost.
  uint64_t input_stage(size_t t);
  uint64_t recurrent_stage();
  uint64_t update_stage();
  uint64_t output_stage();

  const Network& net_;
  const Raster& in_;
  CoreTiming tm_;
  Readout readout_;
  std::vector<int> record_;
  CoreEnergy* energy_;
  sc::Clock clk_;
  uint64_t budget_cycles_;
  // State (16-bit values held in int32).
  std::vector<int32_t> I_h_, V_h_, I_o_, V_o_;
  std::vector<uint8_t> prev_count_, count_, own_;
  std::vector<int> prev_active_, active_;  // hidden neurons with a nonzero count (ascending)
  std::vector<int> spiking_;               // hidden neurons that spiked themselves this step (ascending)
  std::vector<int> cand_;                  // scratch: neurons at or above threshold
  bool has_alias_ = false;
  // Hidden parameters flattened for the update loop.
  std::vector<int32_t> h_thr_, h_bias_;
  std::vector<uint8_t> h_dmem_, h_dsyn_;                   // decay shifts 0..15; h_dsyn_: [s * n_hidden + h]
  std::vector<int32_t> o_thr_, o_bias_, o_dmem_, o_dsyn_;  // output neurons
  // Weights pre-shifted, as (target, weight) lists.
  std::vector<std::vector<std::pair<int, int>>> in_targets_;  // per channel: (s * n_hidden + h, w << shift_in)
  std::vector<int32_t> in_dense_;                             // [channel][s][h], w << shift_in (zeros included)
  std::vector<uint32_t> rec_off_;                             // per hidden source: [rec_off_[h], rec_off_[h+1]) in:
  std::vector<int32_t> rec_idx_, rec_w_;                      //   target s * n_hidden + dst, w << shift_rec
  std::vector<uint8_t> rec_distinct_;                         // per source: no target twice (adds commute)
  bool use_avx512_ = false, use_avx2_ = false;
  std::vector<uint32_t> out_off_;         // per hidden source: [out_off_[h], out_off_[h+1]) in:
  std::vector<int32_t> out_idx_, out_w_;  //   output neuron o, w << shift_out
  StepCounts cur_;
  uint64_t step_start_ = 0;
  CoreResult res_;
  bool tracing_ = false;
  std::vector<std::unique_ptr<sc_core::sc_signal<int>>> sig_;    // recorded V and I; stage id
  sc_core::sc_signal<int, sc_core::SC_MANY_WRITERS> sig_stage_;  // the active stage (1-4), 0 = idle
};

// Counts actions into the ledger: synaptic events, neuron updates, spikes, per-step controller work.
class CoreEnergy {
 public:
  CoreEnergy(Ledger& L, const Network& net);
  void step(const StepCounts& c, int hidden, int outputs);
  Ledger& ledger() { return L_; }

 private:
  Ledger& L_;
  int syn_event_, wmem_read_, neuron_update_, spike_route_, out_event_, ctrl_step_, ctrl_cycle_;
  int tag_in_, tag_rec_, tag_upd_, tag_out_;
};

// Elaborates the core, runs every step of INPUT, returns the result. Once per process.
CoreResult run_core(const Network& net, const Raster& input, const CoreTiming& timing, Readout readout,
                    const std::vector<int>& record, CoreEnergy* energy, const std::string& vcd);

}  // namespace tf::neuro
