// `tinyforge sim acim`: an analog SRAM compute-in-memory macro with its noise (cim/acim/array.h), one run
// giving both the accuracy of real data through the analog path and the energy, latency and area of the
// design point. Workloads: a seeded integer MVM (error statistics against the exact product), or a trained
// dense network (ONNX or native JSON) over its test images and `chips` Monte Carlo chip instances.
// docs/acim.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "cim/acim/array.h"
#include "cim/workloads.h"
#include "core/context.h"
#include "core/diagnostics.h"
#include "core/registry.h"
#include "core/stats.h"
#include "float_eval.h"
#include "hlsflow/flow.h"

namespace tf::acim {
namespace {

constexpr double kBoltzmann = 1.380649e-23;  // J/K (SI, exact)

struct Params {
  int seed = 1, chips = 1, chip_seed = 1;
  Geometry g;
  std::string domain = "charge", adc_type = "sar", dac_type = "capacitive";
  double c_unit_fF = 1, c_column_fF = 20, array_area_overhead = 1;
  std::string adc_range = "full";
  double range_fraction = 1, calib_percentile = 100;
  int calib_vectors = 32;
  bool noise = true, thermal = true;
  double temperature_K = 300, cap_pelgrom = 0.85, current_sigma = 0.04, gain_sigma = 0.005, offset_lsb = 0.1,
         read_lsb = 0.25, ir_drop = 0;
  double drive_ns = 1, settle_ns = 2, sar_ns_per_bit = 1, flash_ns = 1, digital_ns = 2, vt_V = 0.3, alpha = 1.3;
  std::string kind = "mvm", network, test_vectors;
  int n = 0, m = 0, w_bits = 4, x_bits = 4, vectors = 64, images = 0;
  int64_t x_value = -1, w_value = -1;  // mvm: every input / weight this value; -1 (the schema's) = seeded random
  // (These defaults mirror the schema's; schema().read sets every field.)
  bool w_signed = true, x_signed = false, tiling = true;
  TechParams tech;
  int rows_active() const { return g.rows_active > 0 ? g.rows_active : g.rows; }
};

const Schema<Params>& schema() {
  static const Schema<Params> s = [] {
    using P_ = Params;
    Schema<P_> P;
    P.integer("seed", &P_::seed, 1, 0, 2147483647, "", "seed of the random data and of the per-conversion noise");
    P.integer("chips", &P_::chips, 1, 1, 1000, "",
              "Monte Carlo chip instances (each with its own static mismatch, gain and offset)");
    P.integer("chip_seed", &P_::chip_seed, 1, 0, 2147483647, "",
              "seed of the chip instances' static variation (chip k uses a seed derived from it and k)");
    P.choice("macro.domain", &P_::domain, "charge", {"charge", "current"},
             "charge: capacitive cells, charge sharing on the column; current: cell currents summed on the "
             "bitline (mismatch from the transistors, IR drop possible)");
    auto geo = [&](const char* path, int Geometry::*f, int def, int lo, int hi, const char* unit, const char* desc) {
      P.custom(
          path, [f](P_& p, const json& v) { p.g.*f = v.get<int>(); },
          [=](ParamSet& ps) -> ParamSpec& { return ps.integer(path, def, lo, hi, unit, desc); });
    };
    geo("macro.rows", &Geometry::rows, 64, 2, 4096, "rows", "rows of one array (one input element each)");
    geo("macro.cols", &Geometry::cols, 64, 1, 4096, "columns", "columns of one array");
    geo("macro.rows_active", &Geometry::rows_active, 0, 0, 4096, "rows",
        "rows summed in one conversion; 0 = macro.rows");
    geo("macro.cell_bits", &Geometry::cell_bits, 1, 1, 8, "bits", "weight bits per cell (columns per weight: "
        "ceil(w_bits / cell_bits))");
    geo("macro.dac_bits", &Geometry::dac_bits, 1, 1, 8, "bits", "input bits applied per step (1: bit-serial)");
    geo("macro.adc_bits", &Geometry::adc_bits, 8, 1, 16, "bits", "ADC resolution");
    geo("macro.adc_share", &Geometry::adc_share, 1, 1, 4096, "columns",
        "columns per ADC (their conversions are serialised)");
    P.choice("macro.dac_type", &P_::dac_type, "capacitive", {"capacitive", "pulses"},
             "input DAC when macro.dac_bits > 1: capacitive (a DAC per row, every step) or pulses (the value as "
             "that many wordline pulses: a temporal DAC, energy and time grow with the value)");
    P.choice("macro.adc_type", &P_::adc_type, "sar", {"sar", "flash"},
             "ADC architecture: SAR (one step per bit) or flash (one step); sets energy and latency");
    P.real("macro.c_unit_fF", &P_::c_unit_fF, 1.0, 0.01, 1000, "fF",
           "unit capacitance of a cell (charge domain) or the sampling capacitance per unit current (current "
           "domain): sets kT/C noise, mismatch and the array's C V^2 energy");
    P.real("macro.array_area_overhead", &P_::array_area_overhead, 1.0, 1.0, 100, "",
           "layout overhead on the area of the compute array (cells, column switches, row drivers): wiring, "
           "spacing and the compute element's capacitor beyond the SRAM cell; area only. 1 = the components' own "
           "areas; the calibrated macros use 5.69, fitted on Jia et al.'s 2.91 mm2 compute array (docs/acim.md)");
    P.real("macro.c_column_fF", &P_::c_column_fF, 20, 0, 1e6, "fF",
           "further capacitance on a column (wire, switches, ADC input); adds to kT/C and to each conversion's "
           "reset energy");
    P.choice("adc.range", &P_::adc_range, "full", {"full", "calibrated"},
             "full: the ADC covers adc.range_fraction of the column's full scale; calibrated: the range seen in "
             "the first adc.calib_vectors inputs of each layer (adc.calib_percentile of the conversions), as real "
             "chips set it per layer");
    P.real("adc.range_fraction", &P_::range_fraction, 1.0, 1e-6, 1.0, "",
           "adc.range = full: fraction of the full scale the ADC covers (values above clip)");
    P.real("adc.calib_percentile", &P_::calib_percentile, 100, 1, 100, "%",
           "adc.range = calibrated: percentile of the calibration conversions the range covers (100 = max)");
    P.integer("adc.calib_vectors", &P_::calib_vectors, 32, 1, 100000, "vectors",
              "adc.range = calibrated (and a network's activation scales): input vectors used to calibrate");
    P.boolean("noise.enable", &P_::noise, true, "false: every non-ideality off (the ADC still quantizes)");
    P.boolean("noise.thermal", &P_::thermal, true,
              "kT/C noise of the column capacitance, one draw per conversion");
    P.real("noise.temperature_K", &P_::temperature_K, 300, 1, 500, "K", "temperature for kT/C");
    P.real("noise.cap_matching_pct", &P_::cap_pelgrom, 0.85, 0, 100, "% x sqrt(fF)",
           "charge domain: Pelgrom coefficient of the unit capacitor, sigma(dC/C) = A / sqrt(C); default 0.85 "
           "%*sqrt(fF), metal-fringe capacitors (Tripathi and Murmann, TCAS-I 2014: about 1% at 1 fF)");
    P.real("noise.current_mismatch", &P_::current_sigma, 0.04, 0, 1, "",
           "current domain: sigma of a cell's relative current; default 0.04 (derived: A_VT 2.5 mV*um / "
           "sqrt(0.1 um^2 device) = 7.9 mV times gm/I = 5 /V)");
    P.real("noise.gain_sigma", &P_::gain_sigma, 0.005, 0, 1, "",
           "sigma of a column's relative gain error (static per chip; assumption: after the usual trimming)");
    P.real("noise.offset_sigma_lsb", &P_::offset_lsb, 0.1, 0, 1000, "LSB",
           "sigma of a column's residual offset (static per chip; assumption: what remains after the per-column "
           "digital offset calibration chips run; 0.25 LSB without it costs the digits MLP 20 points)");
    P.real("noise.read_sigma_lsb", &P_::read_lsb, 0.25, 0, 1000, "LSB",
           "sigma of the ADC's input-referred noise per conversion (assumption: a well-designed ADC keeps it "
           "below half an LSB)");
    P.real("noise.ir_drop", &P_::ir_drop, 0, 0, 0.9, "",
           "current domain: relative loss of the column value at full scale from bitline resistance (the loss "
           "grows linearly with the value); 0 = off");
    P.real("timing.drive_ns", &P_::drive_ns, 1.0, 0, 1e6, "ns", "wordline / DAC drive per input step (assumption)");
    P.real("timing.settle_ns", &P_::settle_ns, 2.0, 0, 1e6, "ns", "column settling before sampling (assumption)");
    P.real("timing.sar_ns_per_bit", &P_::sar_ns_per_bit, 1.0, 0, 1e6, "ns",
           "SAR conversion time per bit (assumption: about 1 GHz internal clock)");
    P.real("timing.flash_ns", &P_::flash_ns, 1.0, 0, 1e6, "ns", "flash conversion time (assumption)");
    P.real("timing.digital_ns", &P_::digital_ns, 2.0, 0, 1e6, "ns",
           "shift-add drain and requantization per layer (assumption)");
    P.real("timing.vt_V", &P_::vt_V, 0.3, 0, 2, "V",
           "threshold voltage of the alpha-power delay law: every timing.* value holds at the node's nominal "
           "supply and scales by V/(V - Vt)^alpha relative to it (Sakurai and Newton, JSSC 1990); default 0.3 V "
           "(assumption: a typical thin-oxide device from 22 nm down)");
    P.real("timing.alpha", &P_::alpha, 1.3, 0.5, 3, "",
           "velocity-saturation exponent of the alpha-power law (2: long channel; about 1.3 for short channels; "
           "Sakurai and Newton, JSSC 1990)");
    P.choice("workload.kind", &P_::kind, "mvm", {"mvm", "network"},
             "mvm: seeded random integer MVM against the exact product; network: a trained dense network over "
             "its test images (workload.network)");
    P.integer("workload.n", &P_::n, 0, 0, 1 << 20, "inputs", "mvm: inputs (dot-product length); 0 = macro.rows");
    P.integer("workload.m", &P_::m, 0, 0, 1 << 20, "outputs", "mvm: outputs; 0 = as many as one array holds");
    P.integer("workload.w_bits", &P_::w_bits, 4, 1, 16, "bits", "weight precision (network: per-layer symmetric)");
    P.integer("workload.x_bits", &P_::x_bits, 4, 1, 16, "bits", "input / activation precision");
    P.boolean("workload.w_signed", &P_::w_signed, true, "mvm: signed weights (a network's are signed)");
    P.boolean("workload.x_signed", &P_::x_signed, false,
              "mvm: signed inputs (a network's are signed where its data is)");
    P.integer("workload.vectors", &P_::vectors, 64, 1, 1000000, "vectors", "mvm: input vectors");
    P.integer("workload.x_value", &P_::x_value, -1, -1, 65535, "",
              "mvm: every input this value (a stated data pattern, e.g. a published energy-vs-data point); -1 = "
              "seeded random inputs");
    P.integer("workload.w_value", &P_::w_value, -1, -1, 65535, "",
              "mvm: every weight this value; -1 = seeded random weights");
    P.file("workload.network", &P_::network, "", "", "network: the trained network (ONNX or native JSON)");
    P.file("workload.test_vectors", &P_::test_vectors, "", "",
           "network: its test images (JSON with inputs and labels); default: the network's own or NAME_test.json");
    P.integer("workload.images", &P_::images, 0, 0, 1000000, "images", "network: test images used; 0 = all");
    P.boolean("mapping.tiling", &P_::tiling, true,
              "a layer larger than one array is split over several (partial sums added digitally); false: "
              "such a layer is an error");
    P.include(&P_::tech, tech_schema("65nm_acim"));
    P.rule([](const P_& p, const Config& c, Diagnostics& d) {
      auto err = [&](const std::string& path, const std::string& got, const std::string& want) {
        d.error(c.origin(path), path, got, want);
      };
      if (p.g.rows_active > p.g.rows)
        err("macro.rows_active", std::to_string(p.g.rows_active), "at most macro.rows (" + std::to_string(p.g.rows) + ")");
      if (p.g.cols % p.g.adc_share)
        err("macro.adc_share", std::to_string(p.g.adc_share),
            "a divisor of macro.cols (" + std::to_string(p.g.cols) + ")");
      const int ws = (p.w_bits + p.g.cell_bits - 1) / p.g.cell_bits;
      if (p.g.cols < ws)
        err("macro.cols", std::to_string(p.g.cols),
            "at least the " + std::to_string(ws) + " columns of one weight (workload.w_bits / macro.cell_bits)");
      if (p.ir_drop > 0 && p.domain != "current")
        err("noise.ir_drop", format_double(p.ir_drop), "0 in the charge domain (no DC current flows)");
      if (p.kind == "network" && p.network.empty())
        err("workload.network", "\"\"", "a network file (ONNX or JSON) when workload.kind = network");
      if (p.kind == "network" && p.w_bits < 2)
        err("workload.w_bits", std::to_string(p.w_bits),
            "at least 2 for a network (its weights are signed: one bit holds only -1 and 0)");
      if (p.kind == "mvm" && !p.network.empty())
        err("workload.kind", "\"mvm\"", "\"network\" when workload.network is given");
      auto in_range = [&](const char* path, int64_t v, int bits, bool sgn) {
        if (v >= 0 && (v < cim::min_of(bits, sgn) || v > cim::max_of(bits, sgn)))
          err(path, std::to_string(v), "-1 (random) or a value of the precision, " +
                                           std::to_string(cim::min_of(bits, sgn)) + " to " +
                                           std::to_string(cim::max_of(bits, sgn)));
      };
      in_range("workload.x_value", p.x_value, p.x_bits, p.x_signed);
      in_range("workload.w_value", p.w_value, p.w_bits, p.w_signed);
      if (p.kind == "mvm" && p.g.cols >= ws) {
        const int n = p.n > 0 ? p.n : p.g.rows, m = p.m > 0 ? p.m : p.g.cols / ws;
        if (!p.tiling && n > p.g.rows)
          err("workload.n", std::to_string(n), "at most macro.rows (" + std::to_string(p.g.rows) +
                                                    ") when mapping.tiling = false");
        if (!p.tiling && m > p.g.cols / ws)
          err("workload.m", std::to_string(m), "at most " + std::to_string(p.g.cols / ws) +
                                                    " outputs per array when mapping.tiling = false");
        // Bounded work: MACs x input slices x weight slices at most 2e10 (about a minute on one core).
        const double work = (double)n * m * p.vectors * p.chips * ((p.x_bits + p.g.dac_bits - 1) / p.g.dac_bits) * ws;
        if (work > 2e10)
          err("workload.vectors", std::to_string(p.vectors),
              "fewer: n x m x vectors x chips x input slices x weight slices is " + format_double(work) +
                  ", at most 2e10");
        // Bounded memory: the inputs, the exact and the noisy results are held (8 bytes each).
        const double words = ((double)n + 2.0 * m) * p.vectors;
        if (words > 5e7)
          err("workload.vectors", std::to_string(p.vectors),
              "fewer: (n + 2 m) x vectors is " + format_double(words) + " words held in memory, at most 5e7");
      }
    });
    return P;
  }();
  return s;
}

// ---- physics: the non-idealities in the array's units ------------------------------------------------------
Variation resolve_variation(const Params& p, double vdd) {
  Variation v;
  if (!p.noise) return v;
  const Geometry& g = p.g;
  Geometry ga = g;
  ga.rows_active = p.rows_active();
  if (p.thermal) {
    // kT/C of the column: C = every unit capacitor of the active rows plus the column's own; the voltage step of
    // one unit is Vdd C_u / C / (2^dac - 1), so sigma in units = sqrt(kT C) (2^dac - 1) / (Vdd C_u).
    const double cu = p.c_unit_fF * 1e-15;
    const double c = ga.rows_active * ((1 << g.cell_bits) - 1) * cu + p.c_column_fF * 1e-15;
    v.thermal = std::sqrt(kBoltzmann * p.temperature_K * c) * ((1 << g.dac_bits) - 1) / (vdd * cu);
  }
  v.mismatch = p.domain == "charge" ? p.cap_pelgrom / 100.0 / std::sqrt(p.c_unit_fF) : p.current_sigma;
  v.gain = p.gain_sigma;
  v.offset_lsb = p.offset_lsb;
  v.read_lsb = p.read_lsb;
  v.ir_drop = p.ir_drop;
  return v;
}

uint64_t mix(uint64_t a, uint64_t b) {  // splitmix64 of a combined with b: independent seeds per chip, layer
  uint64_t z = a * 0x9E3779B97F4A7C15ULL + b + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// ---- error statistics of a layer's noisy results against the exact ones -----------------------------------
struct ErrStats {
  double sum_sq_err = 0, sum_sq_ref = 0, max_abs = 0;
  uint64_t count = 0, mismatches = 0;
  void add(const std::vector<std::vector<int64_t>>& y, const std::vector<std::vector<int64_t>>& ref) {
    for (size_t b = 0; b < ref.size(); ++b)
      for (size_t j = 0; j < ref[b].size(); ++j) {
        const double e = (double)(y[b][j] - ref[b][j]);
        sum_sq_err += e * e;
        sum_sq_ref += (double)ref[b][j] * (double)ref[b][j];
        max_abs = std::max(max_abs, std::fabs(e));
        mismatches += e != 0;
        ++count;
      }
  }
  double rms() const { return count ? std::sqrt(sum_sq_err / count) : 0.0; }
  // SNR of the MVM in dB, bounded to [-200, 200]: 200 for an exact result, -200 when the exact results are all
  // zero and the noisy ones are not (a data pattern of zeros; the RMS error is then the figure to read).
  double snr_db() const {
    if (!(sum_sq_err > 0)) return 200.0;
    if (!(sum_sq_ref > 0)) return -200.0;
    return std::max(-200.0, std::min(200.0, 10 * std::log10(sum_sq_ref / sum_sq_err)));
  }
};

// ---- energy, latency and area ------------------------------------------------------------------------------
// A layer's hardware: its arrays and the time one vector takes on them.
struct LayerHw {
  int arrays = 0, adcs = 0, rows = 0, cols = 0, acc_bits = 0, outputs = 0, n = 0, x_bits = 0;
  double ns_per_vector = 0;
  uint64_t cycles_per_vector = 0;  // controller cycles: row groups x input slices x conversions per ADC
};

// The controller: a sequencer of this many flip-flops (state, and counters of input slice, row group and
// column per ADC) that toggle on every cycle of a layer (derived: 4 counters of up to 8 bits each).
constexpr int kControlBits = 32;

// Delays at supply V relative to the node's nominal supply V0 under the alpha-power law.
double delay_factor(const Params& p, const Scaling& sc) {
  const double v = sc.vdd_V, v0 = sc.node_vdd_nominal_V > 0 ? sc.node_vdd_nominal_V : sc.vdd_nominal_V;
  if (!(v > p.vt_V) || !(v0 > p.vt_V))
    throw InputError("timing.vt_V: got " + format_double(p.vt_V) + " V; expected below the supply (" +
                     format_double(v) + " V) and the node's nominal supply (" + format_double(v0) +
                     " V): the alpha-power delay law needs V > Vt");
  auto d = [&](double x) { return x / std::pow(x - p.vt_V, p.alpha); };
  return d(v) / d(v0);
}

LayerHw layer_hw(const Params& p, const MappedLayer& ml, double delay) {
  const Geometry& g = ml.geometry();
  LayerHw h;
  h.arrays = ml.arrays();
  h.adcs = g.adcs() * h.arrays;
  h.rows = g.rows;
  h.cols = g.cols;
  h.n = ml.layer().n;
  h.outputs = ml.layer().m;
  h.x_bits = ml.layer().x_bits;
  int log2n = 0;
  while ((1LL << log2n) < h.n) ++log2n;
  h.acc_bits = ml.layer().w_bits + ml.layer().x_bits + log2n + 1;
  const double t_adc = p.adc_type == "sar" ? g.adc_bits * p.sar_ns_per_bit : p.flash_ns;
  const int per_adc = (ml.max_columns_used() + g.adcs() - 1) / g.adcs();
  // A temporal DAC takes up to 2^dac_bits - 1 wordline pulses per step.
  const double drive = p.dac_type == "pulses" ? p.drive_ns * ((1 << g.dac_bits) - 1) : p.drive_ns;
  const double step = drive + p.settle_ns + per_adc * t_adc;
  h.ns_per_vector = ((double)ml.max_groups() * ml.input_slices() * step + p.digital_ns) * delay;
  h.cycles_per_vector = (uint64_t)ml.max_groups() * ml.input_slices() * per_adc;
  return h;
}

// The ADC's energy per conversion: 2^bits conversion steps at FOM_W each (adc_sar / adc_flash), plus the
// thermal bound E = 8 kT SNR = 12 kT 4^bits (Murmann's survey, ideal SNR 1.5 x 4^bits) as its own component
// (adc_thermal, 12 kT at 300 K per action), which follows neither the supply nor the node.
double adc_thermal_scale(int bits, double temperature_K) { return std::ldexp(1.0, 2 * bits) * temperature_K / 300.0; }

// ADC area relative to the table's 8-bit figure: half logic and comparator (constant), half capacitor DAC
// (doubling per bit) for SAR; comparators doubling per bit for flash.
double adc_area_scale(const std::string& type, int bits) {
  return type == "sar" ? 0.5 + 0.5 * std::ldexp(1.0, bits - 8) : std::ldexp(1.0, bits - 8);
}

struct Priced {
  EnergyReport er;
  double time_s = 0;
};

// Charges ACT (summed over PER runs) to a ledger built from the hardware of every layer.
Priced price(const Params& p, const TechTable& table, const Scaling& sc, const std::vector<LayerHw>& hw,
             const std::vector<Activity>& act, double per) {
  Ledger L(table, sc);
  const Geometry& g = p.g;
  double arrays = 0, adcs = 0, acc = 0, rows = 0;
  for (const LayerHw& h : hw) {
    arrays += h.arrays;
    adcs += h.adcs;
    acc += (double)h.outputs * h.acc_bits;
    rows += (double)h.arrays * h.rows;
  }
  const std::string adc_type = p.adc_type == "sar" ? "adc_sar" : "adc_flash";
  const double dac_levels = (double)((1 << g.dac_bits) - 1);
  std::vector<ComponentSpec> parts = {
      // One SRAM cell per stored bit: a cell of cell_bits bits takes cell_bits cells of area and leakage.
      {"cells", "acim_cell", arrays * g.rows * g.cols * g.cell_bits, p.c_unit_fF / dac_levels},
      {"columns", "acim_column", arrays * g.cols, p.c_column_fF},
      {"row_drivers", "acim_row_driver", rows, (double)g.cols / 64.0},
      {"adcs", adc_type, adcs * adc_area_scale(p.adc_type, g.adc_bits), std::ldexp(1.0, g.adc_bits)},
      // (the ADCs' instances carry the area scale; the thermal bound is energy only: no area, no leakage)
      {"adc_thermal", "adc_thermal", adcs, adc_thermal_scale(g.adc_bits, p.temperature_K)},
      {"shift_add", "full_adder", adcs * 24},
      {"accumulators", "register", acc},
      {"io_regs", "register", acc},
      {"control", "register", (double)kControlBits}};
  std::vector<std::string> actions = {"cells.unit_charge", "columns.reset", "row_drivers.drive"};
  const bool cap_dac = g.dac_bits > 1 && p.dac_type == "capacitive";
  if (cap_dac) {
    parts.push_back({"dacs", "acim_dac", rows, std::ldexp(1.0, g.dac_bits)});
    actions.push_back("dacs.convert_step");
  }
  actions.insert(actions.end(), {"adcs.convert_step", "adc_thermal.kt_4b", "shift_add.add_bit", "accumulators.write_bit",
                                 "io_regs.write_bit", "control.write_bit"});
  auto id = L.bind(parts, actions);
  const int tag_array = L.tag("array"), tag_convert = L.tag("conversion"), tag_digital = L.tag("digital");
  double time_s = 0;
  for (size_t l = 0; l < hw.size(); ++l) {
    const Activity& a = act[l];
    const LayerHw& h = hw[l];
    L.add(id["cells.unit_charge"], tag_array, a.unit_charges);
    L.add(id["columns.reset"], tag_array, a.conversions);
    // A temporal DAC drives the wordline once per pulse; otherwise once per step with a nonzero input slice.
    L.add(id["row_drivers.drive"], tag_array, p.dac_type == "pulses" ? a.row_pulses : a.row_drives);
    if (cap_dac) L.add(id["dacs.convert_step"], tag_convert, a.dac_conversions);
    L.add(id["adcs.convert_step"], tag_convert, a.conversions);
    L.add(id["adc_thermal.kt_4b"], tag_convert, a.conversions);
    L.add(id["shift_add.add_bit"], tag_digital, a.conversions * (uint64_t)g.adc_bits);
    L.add(id["accumulators.write_bit"], tag_digital, a.conversions * (uint64_t)h.acc_bits);
    L.add(id["io_regs.write_bit"], tag_digital, a.vectors * (uint64_t)h.n * h.x_bits + a.output_words * h.acc_bits);
    L.add(id["control.write_bit"], tag_digital, a.vectors * h.cycles_per_vector * (uint64_t)kControlBits);
    time_s += (double)a.vectors * h.ns_per_vector * 1e-9;
  }
  Priced pr;
  pr.er = L.report(time_s);
  pr.time_s = time_s;
  // Area only (leakage stays with the devices): the array's layout overhead, and ADC area linear in the node
  // rather than with the node's area factor (node exponent 0.99 in the area regression over Murmann's ADC
  // survey used by CiMLoop's ADC model; docs/acim.md says where two published SARs disagree).
  const double adc_node = sc.node_nm != sc.tech_node_nm && sc.area_factor > 0
                              ? (sc.node_nm / sc.tech_node_nm) / sc.area_factor : 1.0;
  for (auto& a : pr.er.area_by_component) {
    const double k = a.first == "cells" || a.first == "columns" || a.first == "row_drivers" ? p.array_area_overhead
                     : a.first == "adcs" ? adc_node : 1.0;
    pr.er.area_um2 += (k - 1) * a.second;
    a.second *= k;
  }
  // Per inference / vector.
  auto scale = [per](double& v) { v /= per; };
  scale(pr.er.dynamic_pJ);
  scale(pr.er.leakage_pJ);
  scale(pr.er.total_pJ);
  for (auto& e : pr.er.by_component) scale(e.second);
  for (auto& e : pr.er.by_action) scale(e.second);
  for (auto& e : pr.er.by_tag) scale(e.second);
  for (auto& e : pr.er.counts) e.second = (uint64_t)std::llround((double)e.second / per);
  pr.time_s /= per;
  return pr;
}

// ---- workloads ----------------------------------------------------------------------------------------------
// One dense layer of a network with its quantization.
struct NetLayer {
  std::string name;
  int n = 0, m = 0;
  std::vector<double> w, bias;  // [n][m], [m]
  bool relu = false;
  double w_scale = 1;           // w = w_q * w_scale
  double x_scale = 1;           // x = x_q * x_scale
  bool x_signed = false;
  IntLayer q;
};

std::vector<NetLayer> dense_layers(const hlsgen::Model& m, const std::string& file) {
  std::vector<NetLayer> out;
  for (size_t k = 0; k < m.layers.size(); ++k) {
    const hlsgen::Layer& L = m.layers[k];
    if (L.type == "dense") {
      NetLayer d;
      d.name = L.name;
      d.n = L.in_size();
      d.m = L.out_size();
      d.w = L.weights;
      d.bias = L.bias;
      if (d.bias.empty()) d.bias.assign(d.m, 0.0);
      out.push_back(d);
    } else if (L.type == "relu" && !out.empty() && !out.back().relu) {
      out.back().relu = true;
    } else if (L.type == "flatten" || (L.type == "softmax" && k + 1 == m.layers.size())) {
      continue;  // flatten is a no-op on a vector; a final softmax does not change the argmax
    } else {
      throw InputError(file + ": layer '" + L.name + "' is a " + L.type +
                       "; sim acim maps dense layers, each optionally followed by relu, and a final softmax");
    }
  }
  if (out.empty()) throw InputError(file + ": no dense layer; sim acim maps dense layers");
  return out;
}

int argmax(const std::vector<double>& v) {
  return (int)(std::max_element(v.begin(), v.end()) - v.begin());
}

struct Point {
  json stats, outputs;
  std::vector<std::string> log;
};

// Common stats of the hardware side.
void write_hw_stats(json& j, const Scaling& sc, const std::vector<LayerHw>& hw, const Priced& pr, double macs,
                    const Activity& total, double per) {
  write_tech_stats(j, sc);
  int arrays = 0;
  double ns = 0;
  for (const LayerHw& h : hw) {
    arrays += h.arrays;
    ns += h.ns_per_vector;
  }
  j["arrays"] = arrays;
  j["latency_ns"] = ns;
  j["macs"] = macs;
  j["ops"] = 2 * macs;
  const double conversions = (double)total.conversions / per;
  j["conversions"] = conversions;
  write_energy(j, pr.er, pr.time_s);
  // Where a conversion's energy goes (dynamic and leakage of the components): the ADC, and the analog array
  // (cells, column lines, row drivers, DACs).
  double adc = 0, array = 0;
  for (const auto& c : pr.er.by_component) {
    if (c.first == "adcs" || c.first == "adc_thermal") adc += c.second;
    if (c.first == "cells" || c.first == "columns" || c.first == "row_drivers" || c.first == "dacs") array += c.second;
  }
  j["adc_pj_per_conversion"] = conversions > 0 ? adc / conversions : 0.0;
  j["array_pj_per_conversion"] = conversions > 0 ? array / conversions : 0.0;
  j["fj_per_mac"] = pr.er.total_pJ * 1e3 / macs;
  j["tops_per_w"] = pr.er.total_pJ > 0 ? 2 * macs / pr.er.total_pJ : 0.0;
  j["throughput_tops"] = 2 * macs / (ns * 1e-9) / 1e12;
  write_area(j, pr.er);
  j["area_mm2"] = pr.er.area_um2 * 1e-6;
  j["tops_per_mm2"] = pr.er.area_um2 > 0 ? (double)j["throughput_tops"] / (pr.er.area_um2 * 1e-6) : 0.0;
  j["clipped_fraction"] = total.conversions ? (double)total.clipped / (double)total.conversions : 0.0;
}

Point evaluate_mvm(const Params& p, const TechTable& table, const Scaling& sc) {
  Point pt;
  const double delay = delay_factor(p, sc);  // checks the supply before any work
  Geometry g = p.g;
  g.rows_active = p.rows_active();
  const int ws = (p.w_bits + g.cell_bits - 1) / g.cell_bits;
  IntLayer L;
  L.n = p.n > 0 ? p.n : g.rows;
  L.m = p.m > 0 ? p.m : g.cols / ws;
  L.w_bits = p.w_bits;
  L.x_bits = p.x_bits;
  L.w_signed = p.w_signed;
  L.x_signed = p.x_signed;
  std::mt19937_64 rng((uint64_t)p.seed);
  cim::MvmLayer ml;
  ml.m = L.m;
  ml.n = L.n;
  ml.w_bits = p.w_bits;
  ml.x_bits = p.x_bits;
  ml.w_signed = p.w_signed;
  ml.x_signed = p.x_signed;
  std::vector<std::vector<int64_t>> wnm;
  std::vector<std::vector<int64_t>> x = cim::random_mvm_batch(ml, p.vectors, rng, wnm);
  L.w.clear();
  for (const auto& r : wnm) L.w.insert(L.w.end(), r.begin(), r.end());
  if (p.x_value >= 0)
    for (auto& v : x) std::fill(v.begin(), v.end(), p.x_value);
  if (p.w_value >= 0) std::fill(L.w.begin(), L.w.end(), p.w_value);
  MappedLayer map(g, L);
  const double range = p.adc_range == "full" ? p.range_fraction * g.full_scale()
                                             : map.conversion_range({x.begin(), x.begin() + std::min<size_t>(x.size(), p.calib_vectors)},
                                                                    p.calib_percentile);
  map.set_lsb_log2(MappedLayer::lsb_for_range(range, g.adc_bits));
  const Variation var = resolve_variation(p, sc.vdd_V);
  pt.log.push_back(std::to_string(L.n) + "x" + std::to_string(L.m) + " MVM, " + std::to_string(p.x_bits) + "b x " +
                   std::to_string(p.w_bits) + "b, on " + std::to_string(map.arrays()) + " array(s) of " +
                   std::to_string(g.rows) + "x" + std::to_string(g.cols) + ", " + std::to_string(g.adc_bits) +
                   "-bit ADC, LSB " + std::to_string(1 << map.lsb_log2()) + " unit step(s); " +
                   std::to_string(p.chips) + " chip(s) x " + std::to_string(p.vectors) + " vectors");
  const auto ref = map.exact(x);
  ErrStats es;
  Activity act;
  std::vector<double> snr;
  auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < p.chips; ++c) {
    map.draw_chip(var, mix((uint64_t)p.chip_seed, (uint64_t)c));
    std::mt19937_64 nrng(mix((uint64_t)p.seed, 1000003ULL + (uint64_t)c));
    ErrStats chip;
    const auto y = map.run(x, nrng, act);
    chip.add(y, ref);
    es.add(y, ref);
    snr.push_back(chip.snr_db());
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const LayerHw hw = layer_hw(p, map, delay);
  const Priced pr = price(p, table, sc, {hw}, {act}, (double)p.vectors * p.chips);
  json& j = pt.stats;
  j["model"] = "acim";
  j["workload"] = "mvm";
  j["seed"] = p.seed;
  j["chips"] = p.chips;
  j["n"] = L.n;
  j["m"] = L.m;
  j["w_bits"] = p.w_bits;
  j["x_bits"] = p.x_bits;
  j["vectors"] = p.vectors;
  j["adc_bits"] = g.adc_bits;
  j["adc_lsb"] = 1 << map.lsb_log2();
  write_hw_stats(j, sc, {hw}, pr, (double)L.n * L.m, act, (double)p.vectors * p.chips);
  j["mismatches"] = es.mismatches;
  j["rms_error"] = es.rms();
  j["max_abs_error"] = es.max_abs;
  j["snr_db"] = es.snr_db();
  j["snr_db_min"] = *std::min_element(snr.begin(), snr.end());
  j["noisy_macs_per_s"] = wall > 0 ? (double)L.n * L.m * p.vectors * p.chips * map.input_slices() * ws / wall : 0.0;
  j["sim_wall_s"] = wall;
  write_breakdowns(j, pr.er, "stage", false, sc);
  pt.outputs["snr_db_per_chip"] = snr;
  return pt;
}

Point evaluate_network(const Params& p, const TechTable& table, const Scaling& sc) {
  Point pt;
  const double delay = delay_factor(p, sc);  // checks the supply before any work
  Geometry g = p.g;
  g.rows_active = p.rows_active();
  const hlsgen::Model model = hlsflow::load_network(p.network, "");
  std::vector<NetLayer> net = dense_layers(model, p.network);
  const std::string vf = hlsflow::find_test_vectors(model, p.network, p.test_vectors);
  if (vf.empty())
    throw InputError("workload.test_vectors: got \"\"; expected a test-vector file (" + p.network +
                     " names none and has no NAME_test.json beside it)");
  hlsgen::TestVectors tv = hlsflow::load_vectors(model, vf);
  if (tv.inputs.empty()) throw InputError(vf + ": no test vectors; expected at least one input vector");
  if (p.images > 0 && (size_t)p.images < tv.inputs.size()) {
    tv.inputs.resize(p.images);
    if (!tv.labels.empty()) tv.labels.resize(p.images);
  }
  const int B = (int)tv.inputs.size();
  const bool labelled = !tv.labels.empty();
  const int calib = std::min(B, p.calib_vectors);
  const int ws = (p.w_bits + g.cell_bits - 1) / g.cell_bits;
  if (g.cols < ws) throw InputError("macro.cols: too few columns for one weight");
  // Float accuracy from the hls library's float model (an evaluation independent of this model's path).
  int ok_float = 0;
  for (int b = 0; b < B; ++b)
    if (labelled) ok_float += argmax(hlsgen::float_eval(model, tv.inputs[b]).back()) == tv.labels[b];

  // Quantization: weights per layer symmetric over w_bits; activations scaled from the ideal quantized
  // network's values on the first CALIB images.
  auto quantize_input = [&](NetLayer& d, const std::vector<std::vector<double>>& h) {
    double lo = 0, hi = 0;
    for (int b = 0; b < calib; ++b)
      for (double v : h[b]) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    d.x_signed = lo < 0;
    if (d.x_signed && p.x_bits < 2)
      throw InputError("workload.x_bits: got " + std::to_string(p.x_bits) + "; expected at least 2: the inputs of "
                       "layer '" + d.name + "' are signed (a sign bit and a magnitude bit)");
    const double mx = std::max(hi, -lo);
    const double levels = d.x_signed ? (double)((1 << (p.x_bits - 1)) - 1) : (double)((1 << p.x_bits) - 1);
    d.x_scale = mx > 0 ? mx / levels : 1.0;
  };
  auto to_int = [&](const NetLayer& d, const std::vector<std::vector<double>>& h) {
    const int64_t lo = cim::min_of(p.x_bits, d.x_signed), hi = cim::max_of(p.x_bits, d.x_signed);
    std::vector<std::vector<int64_t>> x(h.size(), std::vector<int64_t>(d.n));
    for (size_t b = 0; b < h.size(); ++b)
      for (int r = 0; r < d.n; ++r)
        x[b][r] = std::min(hi, std::max(lo, (int64_t)std::llround(h[b][r] / d.x_scale)));
    return x;
  };
  auto dequant = [&](const NetLayer& d, const std::vector<std::vector<int64_t>>& y) {
    std::vector<std::vector<double>> h(y.size(), std::vector<double>(d.m));
    for (size_t b = 0; b < y.size(); ++b)
      for (int j = 0; j < d.m; ++j) {
        double v = (double)y[b][j] * d.x_scale * d.w_scale + d.bias[j];
        h[b][j] = d.relu && v < 0 ? 0.0 : v;
      }
    return h;
  };
  std::vector<std::unique_ptr<MappedLayer>> maps;
  std::vector<std::vector<std::vector<int64_t>>> ideal_x;  // per layer: the ideal network's integer inputs
  std::vector<std::vector<double>> h = tv.inputs;
  for (NetLayer& d : net) {
    double mx = 0;
    for (double w : d.w) mx = std::max(mx, std::fabs(w));
    const double wl = (double)((1 << (p.w_bits - 1)) - 1);
    d.w_scale = mx > 0 ? mx / std::max(1.0, wl) : 1.0;
    d.q.n = d.n;
    d.q.m = d.m;
    d.q.w_bits = p.w_bits;
    d.q.x_bits = p.x_bits;
    d.q.w_signed = true;
    quantize_input(d, h);
    d.q.x_signed = d.x_signed;
    d.q.w.resize(d.w.size());
    for (size_t k = 0; k < d.w.size(); ++k)
      d.q.w[k] = std::max<int64_t>(-(int64_t)wl, std::min<int64_t>((int64_t)wl, std::llround(d.w[k] / d.w_scale)));
    auto mlp = std::make_unique<MappedLayer>(g, d.q);
    if (!p.tiling && mlp->arrays() > 1)
      throw InputError("mapping.tiling: got false; expected true, or a macro that holds layer '" + d.name + "' (" +
                       std::to_string(d.n) + " inputs, " + std::to_string(d.m) + " outputs need " +
                       std::to_string(mlp->arrays()) + " arrays of " + std::to_string(g.rows) + "x" +
                       std::to_string(g.cols) + ")");
    const auto x = to_int(d, h);
    const std::vector<std::vector<int64_t>> cx(x.begin(), x.begin() + calib);
    const double range = p.adc_range == "full" ? p.range_fraction * g.full_scale() : mlp->conversion_range(cx, p.calib_percentile);
    mlp->set_lsb_log2(MappedLayer::lsb_for_range(range, g.adc_bits));
    h = dequant(d, mlp->exact(x));
    ideal_x.push_back(x);
    maps.push_back(std::move(mlp));
  }
  std::vector<int> ideal_pred(B);
  int ok_ideal = 0;
  for (int b = 0; b < B; ++b) {
    ideal_pred[b] = argmax(h[b]);
    if (labelled) ok_ideal += ideal_pred[b] == tv.labels[b];
  }
  std::string shape;
  for (const NetLayer& d : net) shape += (shape.empty() ? std::to_string(d.n) : "") + "-" + std::to_string(d.m);
  pt.log.push_back("network " + std::filesystem::path(p.network).filename().string() + " (" + shape + ", " +
                   std::to_string(net.size()) + " dense layers) at " + std::to_string(p.x_bits) + "b x " +
                   std::to_string(p.w_bits) + "b on " + std::to_string(g.rows) + "x" + std::to_string(g.cols) +
                   " arrays, " + std::to_string(g.adc_bits) + "-bit ADC; " + std::to_string(B) + " images x " +
                   std::to_string(p.chips) + " chip(s)");

  // Bounded work, as for an MVM: MACs x input slices x weight slices over every image and chip at most 2e10.
  double work = 0;
  for (size_t l = 0; l < net.size(); ++l)
    work += (double)net[l].n * net[l].m * maps[l]->input_slices() * maps[l]->weight_slices();
  work *= (double)B * p.chips;
  if (work > 2e10)
    throw InputError("chips: got " + std::to_string(p.chips) + "; expected fewer chips or images (workload.images): " +
                     std::to_string(B) + " images x " + std::to_string(p.chips) + " chips of " + p.network + " are " +
                     format_double(work) + " slice MACs, at most 2e10");

  // Monte Carlo over chip instances.
  const Variation var = resolve_variation(p, sc.vdd_V);
  std::vector<Activity> act(net.size());
  std::vector<ErrStats> es(net.size());
  std::vector<double> acc, agree;
  auto t0 = std::chrono::steady_clock::now();
  double noisy_macs = 0;
  for (int c = 0; c < p.chips; ++c) {
    std::mt19937_64 nrng(mix((uint64_t)p.seed, 1000003ULL + (uint64_t)c));
    std::vector<std::vector<double>> hc = tv.inputs;
    for (size_t l = 0; l < net.size(); ++l) {
      maps[l]->draw_chip(var, mix(mix((uint64_t)p.chip_seed, (uint64_t)c), l));
      const auto x = to_int(net[l], hc);
      const auto y = maps[l]->run(x, nrng, act[l]);
      es[l].add(y, maps[l]->exact(x));
      hc = dequant(net[l], y);
      noisy_macs += (double)B * net[l].n * net[l].m * maps[l]->input_slices() * maps[l]->weight_slices();
    }
    int ok = 0, same = 0;
    for (int b = 0; b < B; ++b) {
      const int a = argmax(hc[b]);
      if (labelled) ok += a == tv.labels[b];
      same += a == ideal_pred[b];
    }
    acc.push_back((double)ok / B);
    agree.push_back((double)same / B);
    if (p.chips > 1 && (c + 1) % std::max(1, p.chips / 5) == 0)
      pt.log.push_back("chip " + std::to_string(c + 1) + "/" + std::to_string(p.chips) + ": " +
                       (labelled ? "accuracy " + format_double(acc.back(), 4) + ", " : std::string()) +
                       "agreement " + format_double(agree.back(), 4));
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<LayerHw> hw;
  double macs = 0;
  Activity total;
  for (size_t l = 0; l < net.size(); ++l) {
    hw.push_back(layer_hw(p, *maps[l], delay));
    macs += (double)net[l].n * net[l].m;
    total.conversions += act[l].conversions;
    total.clipped += act[l].clipped;
  }
  total.vectors = act[0].vectors;
  const Priced pr = price(p, table, sc, hw, act, (double)B * p.chips);
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.size();
  };
  auto stdev = [&](const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return v.size() > 1 ? std::sqrt(s / (v.size() - 1)) : 0.0;
  };
  json& j = pt.stats;
  j["model"] = "acim";
  j["workload"] = "network";
  j["seed"] = p.seed;
  j["chips"] = p.chips;
  j["images"] = B;
  j["w_bits"] = p.w_bits;
  j["x_bits"] = p.x_bits;
  j["adc_bits"] = g.adc_bits;
  if (labelled) {  // without labels only the agreement with the ideal network is known
    j["accuracy_mean"] = mean(acc);
    j["accuracy_std"] = stdev(acc);
    j["accuracy_min"] = *std::min_element(acc.begin(), acc.end());
    j["accuracy_ideal"] = (double)ok_ideal / B;
    j["accuracy_float"] = (double)ok_float / B;
  }
  j["agreement_mean"] = mean(agree);
  j["agreement_min"] = *std::min_element(agree.begin(), agree.end());
  write_hw_stats(j, sc, hw, pr, macs, total, (double)B * p.chips);
  json layers = json::object();
  for (size_t l = 0; l < net.size(); ++l) {
    if (l < 8) {  // the first eight layers in the summary; every layer in outputs.json
      j["snr_db_" + std::to_string(l)] = es[l].snr_db();
      j["rms_error_" + std::to_string(l)] = es[l].rms();
    }
    layers[net[l].name] = {{"inputs", net[l].n},
                           {"outputs", net[l].m},
                           {"arrays", maps[l]->arrays()},
                           {"adc_lsb", 1 << maps[l]->lsb_log2()},
                           {"w_scale", net[l].w_scale},
                           {"x_scale", net[l].x_scale},
                           {"x_signed", net[l].x_signed},
                           {"snr_db", es[l].snr_db()},
                           {"rms_error", es[l].rms()},
                           {"max_abs_error", es[l].max_abs},
                           {"clipped_fraction",
                            act[l].conversions ? (double)act[l].clipped / (double)act[l].conversions : 0.0},
                           {"latency_ns", hw[l].ns_per_vector}};
  }
  j["noisy_macs_per_s"] = wall > 0 ? noisy_macs / wall : 0.0;
  j["sim_wall_s"] = wall;
  write_breakdowns(j, pr.er, "stage", false, sc);
  pt.outputs["layers"] = layers;
  if (labelled) pt.outputs["accuracy_per_chip"] = acc;
  pt.outputs["agreement_per_chip"] = agree;
  pt.outputs["test_vectors"] = vf;
  return pt;
}

Point evaluate(const Params& p, const TechTable& table, const Scaling& sc) {
  return p.kind == "network" ? evaluate_network(p, table, sc) : evaluate_mvm(p, table, sc);
}

class AcimModel : public Model {
 public:
  std::string name() const override { return "acim"; }
  std::string summary() const override {
    return "analog SRAM CIM macro with noise (charge or current domain, DAC/ADC, kT/C, mismatch): accuracy of a "
           "network over Monte Carlo chips, and its energy, latency and area";
  }
  std::string default_config() const override { return "cim/acim_65nm.json"; }
  std::vector<CliOption> cli_options() const override {
    return {{"network", "FILE", "run a trained dense network (ONNX or JSON) over its test images",
             [](const std::string& v) {
               if (v.empty()) throw InputError("--network: got ''; expected a network file (ONNX or JSON)");
               return std::vector<std::string>{"workload.kind=network",
                                               "workload.network=" + std::filesystem::absolute(v).string()};
             }}};
  }
  void declare(ParamSet& P) const override { P = schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.label("workload", "mvm or network");
    M.neither("seed", "", "seed of the data and the per-conversion noise");
    M.neither("chips", "", "Monte Carlo chip instances");
    M.neither("n", "", "mvm: inputs");
    M.neither("m", "", "mvm: outputs");
    M.neither("images", "", "network: test images");
    M.neither("w_bits", "bits", "weight precision");
    M.neither("x_bits", "bits", "input precision");
    M.neither("vectors", "", "mvm: input vectors");
    M.neither("adc_bits", "bits", "ADC resolution");
    M.neither("adc_lsb", "", "mvm: ADC LSB in unit steps");
    M.higher("accuracy_mean", "", "network: top-1 accuracy, mean over chips");
    M.neither("accuracy_std", "", "network: its standard deviation over chips");
    M.higher("accuracy_min", "", "network: the worst chip's accuracy");
    M.neither("accuracy_ideal", "", "network: accuracy of the same quantized network with an exact MVM");
    M.neither("accuracy_float", "", "network: accuracy of the float network");
    M.higher("agreement_mean", "", "network: share of images whose class equals the ideal quantized network's");
    M.higher("agreement_min", "", "network: the worst chip's agreement");
    M.neither("arrays", "", "arrays the workload is mapped on");
    M.neither("macs", "", "MACs per vector / inference");
    M.neither("ops", "", "2 x macs");
    M.neither("conversions", "", "ADC conversions per vector / inference");
    M.lower("adc_pj_per_conversion", "pJ", "energy of the ADCs per conversion");
    M.lower("array_pj_per_conversion", "pJ", "energy of the analog array per conversion: cells, column lines, row "
            "drivers, DACs");
    M.lower("fj_per_mac", "fJ", "energy per MAC");
    M.higher("tops_per_w", "TOPS/W", "ops per joule / 1e12");
    M.higher("throughput_tops", "TOPS", "ops / latency / 1e12");
    M.lower("area_mm2", "mm2", "area of the arrays and their periphery");
    M.higher("tops_per_mm2", "TOPS/mm2", "throughput per area");
    M.lower("clipped_fraction", "", "share of conversions above the ADC range");
    M.lower("mismatches", "", "mvm: results that differ from the exact product (0 when ideal)");
    M.lower("rms_error", "", "mvm: RMS error of the results, in units of the integer product");
    M.lower("max_abs_error", "", "mvm: largest error");
    M.higher("snr_db", "dB", "mvm: signal-to-noise ratio of the results over every chip");
    M.higher("snr_db_min", "dB", "mvm: the worst chip's SNR");
    for (int l = 0; l < 8; ++l) {
      M.higher("snr_db_" + std::to_string(l), "dB", "network: SNR of layer " + std::to_string(l) + "'s MVM");
      M.lower("rms_error_" + std::to_string(l), "", "network: RMS error of layer " + std::to_string(l) + "'s MVM");
    }
    M.higher("noisy_macs_per_s", "", "simulated analog MACs (per input and weight slice) per second");
    M.lower("sim_wall_s", "s", "wall-clock time of the simulation");
    declare_shared_metrics(M, "stage");
  }
  json run(RunContext& ctx) override {
    const Params p = schema().read(ctx.config);
    TechSetup tech = load_tech_setup(p.tech, ctx.config);
    Point pt = evaluate(p, tech.table, tech.scaling);
    for (const std::string& line : pt.log) ctx.log(line);
    ctx.out.write_json("outputs.json", pt.outputs);
    return pt.stats;
  }
  bool has_fast() const override { return true; }
  json run_fast(const Config& config) const override {
    const Params p = schema().read(config);
    SharedTechSetup tech = load_tech_setup_cached(p.tech, config);
    return evaluate(p, *tech.table, tech.scaling).stats;
  }
};

}  // namespace

TF_REGISTER_MODEL("acim", AcimModel);

}  // namespace tf::acim
