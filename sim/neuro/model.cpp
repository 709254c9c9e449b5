// `tinyforge sim neuro`: the Xylo-like integer LIF core as a design point.
#include <charconv>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string_view>

#include "core/context.h"
#include "core/registry.h"
#include "core/stats.h"
#include "neuro/core.h"
#include "neuro/network.h"

namespace tf::neuro {
namespace {

struct NeuroParams {
  int64_t seed = 1;
  ChipLimits chip;
  std::string network_file;
  RandomNetworkSpec random;
  std::string input_file;
  double rate_Hz = 100;
  int steps = 1000;
  CoreTiming timing;
  TechParams tech;
  int64_t inference_steps = 0;
  std::string readout;
  std::string outputs;  // standard, full, summary, none
  std::string record;
};

template <class G>
void chip_limit(Schema<G>& s, const char* path, int ChipLimits::*f, int64_t def, int64_t max, const char* unit,
                const char* desc) {
  s.custom(
      path, [f](G& g, const json& v) { g.chip.*f = v.get<int>(); },
      [=](ParamSet& ps) -> ParamSpec& { return ps.integer(path, def, 1, max, unit, desc); });
}
template <class G>
void random_spec(Schema<G>& s, const char* path, int RandomNetworkSpec::*f, int64_t def, int64_t min, int64_t max,
                 const char* unit, const char* desc) {
  s.custom(
      path, [f](G& g, const json& v) { g.random.*f = v.get<int>(); },
      [=](ParamSet& ps) -> ParamSpec& { return ps.integer(path, def, min, max, unit, desc); });
}
template <class G>
void timing(Schema<G>& s, const char* path, double CoreTiming::*f, double def, double min, double max, const char* unit,
            const char* desc) {
  s.custom(
      path, [f](G& g, const json& v) { g.timing.*f = v.get<double>(); },
      [=](ParamSet& ps) -> ParamSpec& { return ps.real(path, def, min, max, unit, desc); });
}

const Schema<NeuroParams>& schema() {
  static const Schema<NeuroParams> s = [] {
    using N = NeuroParams;
    Schema<N> P;
    P.integer("seed", &N::seed, 1, 0, (int64_t)1 << 62, "", "seed of the random network and the Poisson input");
    chip_limit(P, "chip.max_in", &ChipLimits::max_in, 16, 1024, "channels", "chip limit: input channels");
    chip_limit(P, "chip.max_hidden", &ChipLimits::max_hidden, 1000, 65536, "neurons", "chip limit: hidden neurons");
    chip_limit(P, "chip.max_out", &ChipLimits::max_out, 8, 1024, "neurons", "chip limit: output neurons");
    chip_limit(P, "chip.max_syn", &ChipLimits::max_syn, 2, 2, "synapses", "chip limit: synapses per hidden neuron");
    chip_limit(P, "chip.max_fanout", &ChipLimits::max_fanout, 64, 65536, "targets",
               "chip limit: recurrent targets per hidden neuron");
    P.file("network.file", &N::network_file, "", "",
           "network JSON; empty = the seeded random network below (--network FILE)");
    random_spec(P, "network.random.n_in", &RandomNetworkSpec::n_in, 16, 1, 1024, "channels",
                "random network: input channels");
    random_spec(P, "network.random.n_hidden", &RandomNetworkSpec::n_hidden, 1000, 1, 65536, "neurons",
                "random network: hidden neurons");
    random_spec(P, "network.random.n_out", &RandomNetworkSpec::n_out, 8, 1, 1024, "neurons",
                "random network: output neurons");
    random_spec(P, "network.random.n_syn", &RandomNetworkSpec::n_syn, 2, 1, 2, "synapses",
                "random network: synapses per hidden neuron");
    random_spec(P, "network.random.fanout", &RandomNetworkSpec::fanout, 32, 0, 65536, "targets",
                "random network: recurrent targets per hidden neuron");
    P.file("input.file", &N::input_file, "", "",
           "input raster (.json {\"spikes\": [[...]]} or .csv); empty = Poisson input (--input FILE)");
    P.real("input.rate_Hz", &N::rate_Hz, 100, 0, 1e5, "Hz",
           "Poisson input: mean rate per channel (100 Hz at dt = 1 ms: 10% activity)");
    P.integer("input.steps", &N::steps, 1000, 1, 100000000, "steps", "Poisson input: duration");
    timing(P, "timing.freq_MHz", &CoreTiming::freq_MHz, 50, 0.001, 2000, "MHz", "core clock");
    timing(P, "timing.dt_ms", &CoreTiming::dt_ms, 1, 0.001, 1000, "ms",
           "time step (the real-time budget is clock x dt cycles)");
    struct {
      const char* path;
      double CoreTiming::*field;
      double def;
      const char* desc;
    } cyc[] = {
        {"cycles.step_overhead", &CoreTiming::c_step_overhead, 32,
         "per time step (control; an assumption, see docs/neuro.md)"},
        {"cycles.input_channel", &CoreTiming::c_input_channel, 1, "per input channel scanned per step"},
        {"cycles.input_event", &CoreTiming::c_input_event, 3.5, "per input spike delivered to one synapse"},
        {"cycles.hidden_scan", &CoreTiming::c_hidden_scan, 3, "per hidden neuron scanned for spikes to deliver"},
        {"cycles.rec_event", &CoreTiming::c_rec_event, 7, "per hidden spike delivered to one recurrent synapse"},
        {"cycles.readout_spike", &CoreTiming::c_readout_spike, 1, "per spiking hidden neuron with output weights"},
        {"cycles.readout_event", &CoreTiming::c_readout_event, 8, "per hidden spike delivered to one output synapse"},
        {"cycles.neuron_update", &CoreTiming::c_neuron_update, 19, "per hidden neuron update"},
        {"cycles.neuron_spike", &CoreTiming::c_neuron_spike, 3, "extra per hidden neuron that spikes"},
        {"cycles.output_neuron", &CoreTiming::c_output_neuron, 12, "per output neuron update"},
        {"cycles.output_event", &CoreTiming::c_output_event, 0, "per output spike"}};
    for (auto& k : cyc) timing(P, k.path, k.field, k.def, 0, 100000, "cycles", k.desc);
    P.include(&N::tech, tech_schema("xylo_like_28nm"));
    P.integer("inference_steps", &N::inference_steps, 0, 0, 100000000, "steps",
              "steps per inference window for energy per inference; 0 = all steps");
    P.choice("readout", &N::readout, "spikes", {"spikes", "v", "i"},
             "what readout.csv holds per output neuron and step");
    P.text("record.hidden", &N::record, "", "hidden neurons whose V and I are recorded, e.g. \"0,5,17\" (--record)");
    P.choice("record.outputs", &N::outputs, "standard", {"standard", "full", "summary", "none"},
             "model outputs in the run record: standard = spikes.json and readout.csv (and record.csv); full = also "
             "the generated network.json and input.csv (reusable with --network, --input); summary = readout.csv "
             "only; none = stats only");
    P.rule([](const N& p, const Config& c, Diagnostics& d) {
      if (!p.network_file.empty()) return;
      const ChipLimits& l = p.chip;
      const RandomNetworkSpec& r = p.random;
      struct {
        const char* path;
        int64_t v, max;
        const char* lim;
      } chk[] = {
          {"network.random.n_in", r.n_in, l.max_in, "chip.max_in"},
          {"network.random.n_hidden", r.n_hidden, l.max_hidden, "chip.max_hidden"},
          {"network.random.n_out", r.n_out, l.max_out, "chip.max_out"},
          {"network.random.n_syn", r.n_syn, l.max_syn, "chip.max_syn"},
          {"network.random.fanout", r.fanout, std::min(l.max_fanout, r.n_hidden), "chip.max_fanout (and n_hidden)"}};
      for (auto& k : chk)
        if (k.v > k.max)
          d.error(c.origin(k.path), k.path, std::to_string(k.v),
                  std::string("at most the chip limit ") + k.lim + " = " + std::to_string(k.max));
      // Bounded work: the simulator holds every synapse; 2^25 recurrent and 2^27 input synapses cover every
      // chip tinyforge models (Xylo: 1000 x 64 recurrent) with room to spare.
      const int64_t rec = (int64_t)r.n_hidden * std::min<int64_t>(r.fanout, r.n_hidden);
      if (rec > ((int64_t)1 << 25))
        d.error(c.origin("network.random.fanout"), "network.random.fanout", std::to_string(r.fanout),
                "n_hidden x fanout at most 33554432 recurrent synapses (the simulator's limit; got " +
                    std::to_string(rec) + ")");
      const int64_t in = (int64_t)r.n_in * r.n_hidden * r.n_syn;
      if (in > ((int64_t)1 << 27))
        d.error(c.origin("network.random.n_in"), "network.random.n_in", std::to_string(r.n_in),
                "n_in x n_hidden x n_syn at most 134217728 input synapses (the simulator's limit; got " +
                    std::to_string(in) + ")");
    });
    return P;
  }();
  return s;
}

std::vector<int> parse_record(const std::string& s, int n_hidden, const std::string& origin) {
  std::vector<int> v;
  std::stringstream ss(s);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    if (cell.empty()) continue;
    char* end = nullptr;
    long x = std::strtol(cell.c_str(), &end, 10);
    if (*end || x < 0 || x >= n_hidden)
      throw InputError(origin + ": record.hidden: got \"" + s +
                       "\"; expected comma-separated hidden neuron indices in [0, " + std::to_string(n_hidden - 1) +
                       "]");
    v.push_back((int)x);
  }
  return v;
}

class NeuroModel : public Model {
 public:
  std::string name() const override { return "neuro"; }
  std::string summary() const override {
    return "Xylo-like neuromorphic core: bit-exact integer LIF network (up to 1000 neurons), cycles per step, power";
  }
  std::string default_config() const override { return "neuro/xylo_like.json"; }
  std::vector<CliOption> cli_options() const override {
    namespace fs = std::filesystem;
    return {{"network", "FILE", "network JSON (see docs/neuro.md) instead of the seeded random network",
             [](const std::string& v) {
               if (v.empty()) throw InputError("--network: got ''; expected a network file");
               return std::vector<std::string>{"network.file=" + fs::absolute(v).string()};
             }},
            {"input", "FILE", "input spike raster (.json or .csv) instead of Poisson input",
             [](const std::string& v) {
               if (v.empty()) throw InputError("--input: got ''; expected a raster file");
               return std::vector<std::string>{"input.file=" + fs::absolute(v).string()};
             }},
            {"record", "N,N,...", "record V and I of these hidden neurons (record.csv; with --trace also in the VCD)",
             [](const std::string& v) { return std::vector<std::string>{"record.hidden=\"" + v + "\""}; }}};
  }

  void declare(ParamSet& P) const override {
    P = schema().params();
    P.renamed("tech", "tech.table");
  }

  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.neither("n_in", "channels", "input channels of the network");
    M.neither("n_hidden", "neurons", "hidden neurons");
    M.neither("n_out", "neurons", "output neurons");
    M.neither("n_syn", "synapses", "synapses per hidden neuron");
    M.neither("recurrent_synapses", "synapses", "recurrent synapses of the network");
    M.neither("steps", "steps", "time steps simulated");
    M.neither("dt_ms", "ms", "time step");
    M.neither("freq_MHz", "MHz", "core clock");
    M.neither("input_spikes", "spikes", "input spikes over the run");
    M.neither("hidden_spikes", "spikes", "hidden spikes over the run");
    M.neither("output_spikes", "spikes", "output spikes over the run");
    M.neither("hidden_rate_Hz", "Hz", "mean firing rate of a hidden neuron");
    M.neither("synaptic_events", "events", "synaptic events: input + recurrent + output");
    M.neither("input_synaptic_events", "events", "input spikes delivered to synapses");
    M.neither("recurrent_synaptic_events", "events", "hidden spikes delivered to recurrent synapses");
    M.neither("output_synaptic_events", "events", "hidden spikes delivered to output synapses");
    M.neither("budget_cycles_per_step", "cycles", "real-time budget: clock x dt");
    M.lower("cycles_per_step_min", "cycles", "fewest cycles a step took");
    M.lower("cycles_per_step_mean", "cycles", "mean cycles per step");
    M.lower("cycles_per_step_max", "cycles", "most cycles a step took");
    M.lower("budget_use_max", "", "cycles_per_step_max / budget_cycles_per_step (> 1: not real time)");
    M.lower("min_clock_MHz_for_real_time", "MHz", "slowest clock at which every step fits its time step");
    M.lower("overrun_steps", "steps", "steps that took longer than the budget");
    M.lower("energy_pJ_per_step", "pJ", "energy_pJ / steps");
    M.lower("energy_uJ_per_inference", "uJ", "energy of inference_steps steps");
    M.neither("inference_steps", "steps", "steps per inference window");
    M.lower("sim_wall_s", "s", "wall-clock time of the simulation (elaboration and run)");
    declare_shared_metrics(M, "stage");
  }

  json run(RunContext& ctx) override;
};

// The run's outputs (record.outputs): spikes.json, readout.csv, record.csv (recorded neurons); with "full"
// also the seeded network and Poisson input when they were generated (network.json, input.csv: reusable with
// --network and --input; the config and seed reproduce them too); "summary": readout.csv; "none": nothing.
void write_outputs(RunContext& ctx, const NeuroParams& p, const Network& net, const Raster& in, const CoreResult& r,
                   const std::vector<int>& record) {
  const bool none = p.outputs == "none", summary = p.outputs == "summary", full = p.outputs == "full";
  if (none) return;
  if (!summary) {
    // Written into one buffer sized for the worst case: rasters can hold millions of entries.
    const size_t n = r.hidden_spikes.size() + r.output_spikes.size();
    // Not zero-filled: only the pages written are touched.
    std::unique_ptr<char[]> buf(new char[64 + n * (5 + 3 * 11 + 4 + 1)]);  // separator, three ints, two ", ", ']'
    char* p = buf.get();
    auto lit = [&p](std::string_view t) {
      std::memcpy(p, t.data(), t.size());
      p += t.size();
    };
    auto num = [&p](int v) { p = std::to_chars(p, p + 11, v).ptr; };
    auto list = [&](const std::vector<std::array<int, 3>>& v) {
      for (size_t k = 0; k < v.size(); ++k) {
        if (k == 0)
          lit("[");
        else if (k % 8)
          lit(", [");
        else
          lit(",\n  [");
        num(v[k][0]);
        lit(", ");
        num(v[k][1]);
        lit(", ");
        num(v[k][2]);
        *p++ = ']';
      }
    };
    lit("{\"hidden\": [");
    list(r.hidden_spikes);
    lit("],\n\"output\": [");
    list(r.output_spikes);
    lit("]}\n");
    ctx.out.write("spikes.json", std::string_view(buf.get(), (size_t)(p - buf.get())));
  }
  {
    std::string s = "step";
    for (int o = 0; o < net.n_out; ++o) s += ",out" + std::to_string(o);
    s += '\n';
    s.reserve(s.size() + r.steps.size() * (net.n_out * 4 + 8));
    for (size_t t = 0; t < r.steps.size(); ++t) {
      append_int(s, (long long)t);
      for (int o = 0; o < net.n_out; ++o) {
        s += ',';
        append_int(s, r.readout[t * net.n_out + o]);
      }
      s += '\n';
    }
    ctx.out.write("readout.csv", s);
  }
  if (!record.empty() && !summary) {
    std::ostringstream os;
    os << "step";
    for (int h : record) {
      os << ",h" << h << "_V";
      for (int s = 0; s < net.n_syn; ++s) os << ",h" << h << "_I" << s;
    }
    os << "\n";
    for (size_t t = 0; t < r.recorded.size(); ++t) {
      os << t;
      for (int v : r.recorded[t]) os << "," << v;
      os << "\n";
    }
    ctx.out.write("record.csv", os.str());
  }
  if (full && p.network_file.empty())
    ctx.out.write("network.json", network_to_text(net) + "\n");  // the seeded network, reusable with --network
  if (full && p.input_file.empty()) {  // the Poisson input that was used, reusable with --input
    std::string s;
    s.reserve(in.size() * (in.empty() ? 0 : in[0].size() * 3 + 1));
    for (const auto& row : in) {
      for (size_t k = 0; k < row.size(); ++k) {
        if (k) s += ',';
        append_int(s, row[k]);
      }
      s += '\n';
    }
    ctx.out.write("input.csv", s);
  }
}

json NeuroModel::run(RunContext& ctx) {
  const NeuroParams p = schema().read(ctx.config);
  std::mt19937_64 rng((uint64_t)p.seed);
  Network net = p.network_file.empty() ? random_network(p.random, rng) : load_network(p.network_file, p.chip);
  const CoreTiming& tm = p.timing;
  Raster in = !p.input_file.empty() ? load_raster(p.input_file, net.n_in)
                                    : poisson_raster(net.n_in, p.steps, p.rate_Hz, tm.dt_ms * 1e-3, rng);
  std::vector<int> record = parse_record(p.record, net.n_hidden, ctx.config.origin("record.hidden"));
  Readout readout = p.readout == "v" ? Readout::V : p.readout == "i" ? Readout::I : Readout::Spikes;

  TechSetup tech = load_tech_setup(p.tech, ctx.config);
  Ledger ledger(tech.table, tech.scaling);
  CoreEnergy energy(ledger, net);
  ctx.log("network: " + std::to_string(net.n_in) + "-" + std::to_string(net.n_hidden) + "-" +
          std::to_string(net.n_out) + ", " + std::to_string(net.rec.size()) + " recurrent synapses; " +
          std::to_string(in.size()) + " steps");
  CoreResult r = run_core(net, in, tm, readout, record, &energy, ctx.trace_file);
  const double wall = r.sim_seconds;  // elaboration and simulation; expanding the spike record is not included
  ctx.log("simulated " + std::to_string(in.size()) + " steps in " + format_double(wall * 1e3) + " ms wall");

  write_outputs(ctx, p, net, in, r, record);

  // Stats.
  uint64_t steps = r.steps.size(), in_sp = 0, in_ev = 0, rec_ev = 0, out_ev = 0, h_sp = 0, o_sp = 0, cmin = UINT64_MAX,
           cmax = 0;
  double csum = 0;
  for (const auto& s : r.steps) {
    in_sp += s.input_spikes;
    in_ev += s.input_events;
    rec_ev += s.rec_events;
    out_ev += s.out_events;
    h_sp += s.hidden_spikes;
    o_sp += s.output_spikes;
    cmin = std::min(cmin, s.cycles);
    cmax = std::max(cmax, s.cycles);
    csum += (double)s.cycles;
  }
  double sim_s = steps * tm.dt_ms * 1e-3;  // simulated time: the steps at their real-time rate
  EnergyReport er = ledger.report(sim_s);
  uint64_t budget = (uint64_t)std::llround(tm.freq_MHz * 1e3 * tm.dt_ms);
  int64_t win = p.inference_steps > 0 ? p.inference_steps : (int64_t)steps;
  json j;
  j["model"] = "neuro";
  j["n_in"] = net.n_in;
  j["n_hidden"] = net.n_hidden;
  j["n_out"] = net.n_out;
  j["n_syn"] = net.n_syn;
  j["recurrent_synapses"] = net.rec.size();
  j["steps"] = steps;
  j["dt_ms"] = tm.dt_ms;
  j["freq_MHz"] = tm.freq_MHz;
  j["input_spikes"] = in_sp;
  j["hidden_spikes"] = h_sp;
  j["output_spikes"] = o_sp;
  j["hidden_rate_Hz"] = steps ? (double)h_sp / net.n_hidden / sim_s : 0.0;
  j["synaptic_events"] = in_ev + rec_ev + out_ev;
  j["input_synaptic_events"] = in_ev;
  j["recurrent_synaptic_events"] = rec_ev;
  j["output_synaptic_events"] = out_ev;
  j["budget_cycles_per_step"] = budget;
  j["cycles_per_step_min"] = steps ? cmin : 0;
  j["cycles_per_step_mean"] = steps ? csum / steps : 0.0;
  j["cycles_per_step_max"] = cmax;
  j["budget_use_max"] = budget ? (double)cmax / budget : 0.0;
  j["min_clock_MHz_for_real_time"] = (double)cmax / (tm.dt_ms * 1e3);
  j["overrun_steps"] = r.overruns;
  write_tech_stats(j, tech.scaling);
  write_latency(j, r.total_cycles, tm.freq_MHz);
  write_energy(j, er, sim_s);
  j["energy_pJ_per_step"] = steps ? er.total_pJ / steps : 0.0;
  j["energy_uJ_per_inference"] = steps ? er.total_pJ / steps * win * 1e-6 : 0.0;
  j["inference_steps"] = win;
  write_area(j, er);
  j["sim_wall_s"] = wall;
  write_breakdowns(j, er, "stage", false, tech.scaling);
  return j;
}

TF_REGISTER_MODEL("neuro", NeuroModel);

}  // namespace
}  // namespace tf::neuro
