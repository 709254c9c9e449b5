// `tinyforge sim neuro`: the Xylo-like integer LIF core as a design point.
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/context.h"
#include "core/registry.h"
#include "neuro/core.h"
#include "neuro/network.h"

namespace tf::neuro {
namespace {

ChipLimits limits_of(const Config& c) {
  ChipLimits l;
  l.max_in = (int)c.i("chip.max_in");
  l.max_hidden = (int)c.i("chip.max_hidden");
  l.max_out = (int)c.i("chip.max_out");
  l.max_syn = (int)c.i("chip.max_syn");
  l.max_fanout = (int)c.i("chip.max_fanout");
  return l;
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
      throw InputError(origin + ": record.hidden: got \"" + s + "\"; expected comma-separated hidden neuron indices in [0, " +
                       std::to_string(n_hidden - 1) + "]");
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
    P.integer("seed", 1, 0, (int64_t)1 << 62, "", "seed of the random network and the Poisson input");
    P.integer("chip.max_in", 16, 1, 1024, "channels", "chip limit: input channels");
    P.integer("chip.max_hidden", 1000, 1, 65536, "neurons", "chip limit: hidden neurons");
    P.integer("chip.max_out", 8, 1, 1024, "neurons", "chip limit: output neurons");
    P.integer("chip.max_syn", 2, 1, 2, "synapses", "chip limit: synapses per hidden neuron");
    P.integer("chip.max_fanout", 64, 1, 65536, "targets", "chip limit: recurrent targets per hidden neuron");
    P.file("network.file", "", "", "network JSON; empty = the seeded random network below (--network FILE)");
    P.integer("network.random.n_in", 16, 1, 1024, "channels", "random network: input channels");
    P.integer("network.random.n_hidden", 1000, 1, 65536, "neurons", "random network: hidden neurons");
    P.integer("network.random.n_out", 8, 1, 1024, "neurons", "random network: output neurons");
    P.integer("network.random.n_syn", 2, 1, 2, "synapses", "random network: synapses per hidden neuron");
    P.integer("network.random.fanout", 32, 0, 65536, "targets", "random network: recurrent targets per hidden neuron");
    P.file("input.file", "", "", "input raster (.json {\"spikes\": [[...]]} or .csv); empty = Poisson input (--input FILE)");
    P.real("input.rate_Hz", 100, 0, 1e5, "Hz", "Poisson input: mean rate per channel (100 Hz at dt = 1 ms: 10% activity)");
    P.integer("input.steps", 1000, 1, 100000000, "steps", "Poisson input: duration");
    P.real("timing.freq_MHz", 50, 0.001, 2000, "MHz", "core clock");
    P.real("timing.dt_ms", 1, 0.001, 1000, "ms", "time step (the real-time budget is clock x dt cycles)");
    struct C {
      const char* path;
      double def;
      const char* desc;
    } cyc[] = {{"cycles.step_overhead", 32, "per time step (control; an assumption, see docs/neuro.md)"},
               {"cycles.input_channel", 1, "per input channel scanned per step"},
               {"cycles.input_event", 3.5, "per input spike delivered to one synapse"},
               {"cycles.hidden_scan", 3, "per hidden neuron scanned for spikes to deliver"},
               {"cycles.rec_event", 7, "per hidden spike delivered to one recurrent synapse"},
               {"cycles.readout_spike", 1, "per spiking hidden neuron with output weights"},
               {"cycles.readout_event", 8, "per hidden spike delivered to one output synapse"},
               {"cycles.neuron_update", 19, "per hidden neuron update"},
               {"cycles.neuron_spike", 3, "extra per hidden neuron that spikes"},
               {"cycles.output_neuron", 12, "per output neuron update"},
               {"cycles.output_event", 0, "per output spike"}};
    for (auto& k : cyc) P.real(k.path, k.def, 0, 100000, "cycles", k.desc);
    P.file("tech", "xylo_like_28nm", "tech", "energy table of the core's actions (configs/tech/)");
    P.integer("inference_steps", 0, 0, 100000000, "steps", "steps per inference window for energy per inference; 0 = all steps");
    P.choice("readout", "spikes", {"spikes", "v", "i"}, "what readout.csv holds per output neuron and step");
    P.text("record.hidden", "", "hidden neurons whose V and I are recorded, e.g. \"0,5,17\" (--record)");
    P.rule([](const Config& c, Diagnostics& d) {
      if (c.s("network.file").empty()) {
        ChipLimits l = limits_of(c);
        struct {
          const char* p;
          int64_t v, max;
          const char* lim;
        } chk[] = {{"network.random.n_in", c.i("network.random.n_in"), l.max_in, "chip.max_in"},
                   {"network.random.n_hidden", c.i("network.random.n_hidden"), l.max_hidden, "chip.max_hidden"},
                   {"network.random.n_out", c.i("network.random.n_out"), l.max_out, "chip.max_out"},
                   {"network.random.n_syn", c.i("network.random.n_syn"), l.max_syn, "chip.max_syn"},
                   {"network.random.fanout", c.i("network.random.fanout"), std::min<int64_t>(l.max_fanout, c.i("network.random.n_hidden")),
                    "chip.max_fanout (and n_hidden)"}};
        for (auto& k : chk)
          if (k.v > k.max)
            d.error(c.origin(k.p), k.p, std::to_string(k.v), std::string("at most the chip limit ") + k.lim + " = " + std::to_string(k.max));
      }
    });
  }

  json run(RunContext& ctx) override;
};

json NeuroModel::run(RunContext& ctx) {
  const Config& c = ctx.config;
  std::mt19937_64 rng((uint64_t)c.i("seed"));
  ChipLimits lim = limits_of(c);
  Network net;
  std::string nf = c.s("network.file");
  if (!nf.empty()) {
    net = load_network(nf, lim);
  } else {
    RandomNetworkSpec s{(int)c.i("network.random.n_in"), (int)c.i("network.random.n_hidden"), (int)c.i("network.random.n_out"),
                        (int)c.i("network.random.n_syn"), (int)c.i("network.random.fanout")};
    net = random_network(s, rng);
  }
  CoreTiming tm;
  tm.freq_MHz = c.f("timing.freq_MHz");
  tm.dt_ms = c.f("timing.dt_ms");
  tm.c_step_overhead = c.f("cycles.step_overhead");
  tm.c_input_channel = c.f("cycles.input_channel");
  tm.c_input_event = c.f("cycles.input_event");
  tm.c_hidden_scan = c.f("cycles.hidden_scan");
  tm.c_rec_event = c.f("cycles.rec_event");
  tm.c_readout_spike = c.f("cycles.readout_spike");
  tm.c_readout_event = c.f("cycles.readout_event");
  tm.c_neuron_update = c.f("cycles.neuron_update");
  tm.c_neuron_spike = c.f("cycles.neuron_spike");
  tm.c_output_neuron = c.f("cycles.output_neuron");
  tm.c_output_event = c.f("cycles.output_event");
  Raster in;
  std::string inf = c.s("input.file");
  if (!inf.empty())
    in = load_raster(inf, net.n_in);
  else
    in = poisson_raster(net.n_in, (int)c.i("input.steps"), c.f("input.rate_Hz"), tm.dt_ms * 1e-3, rng);
  std::vector<int> record = parse_record(c.s("record.hidden"), net.n_hidden, c.origin("record.hidden"));
  std::string ro = c.s("readout");
  Readout readout = ro == "v" ? Readout::V : ro == "i" ? Readout::I : Readout::Spikes;

  TechTable tech = load_tech(c.s("tech"));
  Scaling sc;  // the table is used at its own node and voltage
  sc.tech_file = tech.file;
  sc.tech_node_nm = sc.node_nm = tech.node_nm;
  sc.vdd_nominal_V = sc.vdd_V = tech.vdd_V;
  Ledger ledger(tech, sc);
  CoreEnergy energy(ledger, net);
  ctx.log("network: " + std::to_string(net.n_in) + "-" + std::to_string(net.n_hidden) + "-" + std::to_string(net.n_out) +
          ", " + std::to_string(net.rec.size()) + " recurrent synapses; " + std::to_string(in.size()) + " steps");
  CoreResult r = run_core(net, in, tm, readout, record, &energy, ctx.trace_file);
  const double wall = r.sim_seconds;  // elaboration and simulation; expanding the spike record is not included
  ctx.log("simulated " + std::to_string(in.size()) + " steps in " + format_double(wall * 1e3) + " ms wall");

  // Outputs.
  {
    // Written directly: rasters can hold millions of entries.
    std::string s = "{\"hidden\": [";
    auto list = [&s](const std::vector<std::array<int, 3>>& v) {
      for (size_t k = 0; k < v.size(); ++k) {
        s += k ? (k % 8 ? ", [" : ",\n  [") : "[";
        s += std::to_string(v[k][0]) + ", " + std::to_string(v[k][1]) + ", " + std::to_string(v[k][2]) + "]";
      }
    };
    list(r.hidden_spikes);
    s += "],\n\"output\": [";
    list(r.output_spikes);
    s += "]}\n";
    ctx.out.write("spikes.json", s);
  }
  {
    std::ostringstream os;
    os << "step";
    for (int o = 0; o < net.n_out; ++o) os << ",out" << o;
    os << "\n";
    for (size_t t = 0; t < r.steps.size(); ++t) {
      os << t;
      for (int o = 0; o < net.n_out; ++o) os << "," << r.readout[t * net.n_out + o];
      os << "\n";
    }
    ctx.out.write("readout.csv", os.str());
  }
  if (!record.empty()) {
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
  if (nf.empty()) ctx.out.write("network.json", network_to_json(net).dump() + "\n");  // the seeded network, reusable with --network
  if (inf.empty()) {  // the Poisson input that was used, reusable with --input
    std::string s;
    for (const auto& row : in) {
      for (size_t k = 0; k < row.size(); ++k) {
        if (k) s += ',';
        s += std::to_string(row[k]);
      }
      s += '\n';
    }
    ctx.out.write("input.csv", s);
  }

  // Stats.
  uint64_t steps = r.steps.size(), in_sp = 0, in_ev = 0, rec_ev = 0, out_ev = 0, h_sp = 0, o_sp = 0, cmin = UINT64_MAX, cmax = 0;
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
  int64_t win = c.i("inference_steps") > 0 ? c.i("inference_steps") : (int64_t)steps;
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
  j["latency_cycles"] = r.total_cycles;
  j["energy_pJ"] = er.total_pJ;
  j["energy_dynamic_pJ"] = er.dynamic_pJ;
  j["energy_static_pJ"] = er.leakage_pJ;
  j["energy_pJ_per_step"] = steps ? er.total_pJ / steps : 0.0;
  j["energy_uJ_per_inference"] = steps ? er.total_pJ / steps * win * 1e-6 : 0.0;
  j["inference_steps"] = win;
  j["power_uW"] = sim_s > 0 ? er.total_pJ * 1e-12 / sim_s * 1e6 : 0.0;
  j["power_dynamic_uW"] = sim_s > 0 ? er.dynamic_pJ * 1e-12 / sim_s * 1e6 : 0.0;
  j["area_um2"] = er.area_um2;
  j["sim_wall_s"] = wall;
  auto obj = [](const std::vector<std::pair<std::string, double>>& v) {
    json o = json::object();
    for (const auto& kv : v) o[kv.first] = kv.second;
    return o;
  };
  j["energy_by_component_pJ"] = obj(er.by_component);
  j["energy_by_stage_pJ"] = obj(er.by_tag);
  j["energy_by_action_pJ"] = obj(er.by_action);
  return j;
}

TF_REGISTER_MODEL("neuro", NeuroModel);

}  // namespace
}  // namespace tf::neuro
