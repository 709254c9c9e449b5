// `tinyforge sim lmu_memory`: the Legendre Memory Unit's memory alone (lmu_math.h), run on a seeded
// band-limited signal. It writes the discrete matrices into the run record (lmu_matrices.json) and reports how
// well the memory holds its window: the error of reading the input back at delays 0, theta/4 .. theta from the
// state with the shifted Legendre polynomials, the state's largest magnitude (for fixed-point sizing) and the
// spectral radius of Abar. docs/kws.md.
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/context.h"
#include "core/diagnostics.h"
#include "core/registry.h"
#include "core/schema.h"
#include "core/util.h"
#include "lmu/lmu_math.h"

namespace tf::lmu {
namespace {

struct Params {
  int64_t seed = 1;
  int order = 16;
  double theta = 1, dt = 0.02;
  Method method = Method::Zoh;
  double cutoff_hz = 1, duration_s = 10;
  int components = 32;
};

// Work bounds (a few seconds on one core): the run, steps x (d^2 multiply-adds + 16 per sinusoid of the
// signal); the zero-order-hold exponential, (d + 1)^3 x (8 products + its squarings) in long double; the
// impulse-response sum behind state_bound, d^2 per term.
constexpr double kMaxWork = 5e9, kMaxExpWork = 3e9, kMaxBoundWork = 2e9;
constexpr double kMaxSteps = 1e7;
const double kDelays[] = {0, 0.25, 0.5, 0.75, 1.0};
const char* const kDelayKeys[] = {"nrmse_delay_0", "nrmse_delay_25", "nrmse_delay_50", "nrmse_delay_75",
                                  "nrmse_delay_100"};

const Schema<Params>& schema() {
  static const Schema<Params> s = [] {
    using P_ = Params;
    Schema<P_> P;
    P.integer("seed", &P_::seed, 1, 0, (int64_t)1 << 62, "", "seed of the band-limited test signal");
    P.integer("lmu.order", &P_::order, 16, 1, kMaxOrder, "", "order d of the memory (Legendre coefficients held)");
    P.real("lmu.theta_s", &P_::theta, 1.0, 1e-9, 1e6, "s", "window theta the memory holds");
    P.real("lmu.dt_s", &P_::dt, 0.02, 1e-12, 1e6, "s", "time step (one input per step; 0.02 = a 20 ms frame stride)");
    P.choice("lmu.method", &P_::method, "zoh", {{"zoh", Method::Zoh}, {"euler", Method::Euler}},
             "discretization: zoh (zero-order hold, exact for an input held over each step) or euler (forward "
             "Euler, I + dt A / theta; unstable for large dt / theta)");
    P.real("signal.cutoff_hz", &P_::cutoff_hz, 1.0, 1e-9, 1e9, "Hz",
           "the test signal's band: a sum of sinusoids with frequencies drawn uniformly up to this");
    P.integer("signal.components", &P_::components, 32, 1, 4096, "", "sinusoids in the test signal");
    P.real("signal.duration_s", &P_::duration_s, 10.0, 0, 1e9, "s",
           "length of the test signal (the readout error is measured after the first 2 theta)");
    return P;
  }();
  return s;
}

double uniform01(std::mt19937_64& rng) { return (double)(rng() >> 11) * 0x1.0p-53; }

// The held signal U at time S (in steps; U[j] is held over [j, j + 1)), as the memory's Legendre series
// converges there: at a step edge the mean of both sides, except at the newest end of the window (R = 0),
// where only the side inside the window exists. Zero before the signal starts.
double held_at(const std::vector<double>& u, double s, double r) {
  auto at = [&](int64_t j) { return j >= 0 && j < (int64_t)u.size() ? u[j] : 0.0; };
  const double n = std::round(s);
  if (std::abs(s - n) > 1e-9) return at((int64_t)std::floor(s));
  if (r == 0) return at((int64_t)n - 1);
  return 0.5 * (at((int64_t)n - 1) + at((int64_t)n));
}

class LmuMemoryModel : public Model {
 public:
  std::string name() const override { return "lmu_memory"; }
  std::string summary() const override {
    return "Legendre Memory Unit memory alone (zoh or Euler): its exact matrices, and how well it holds the "
           "window of a band-limited signal";
  }
  void declare(ParamSet& P) const override { P = schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "the model that made this record");
    M.label("method", "zoh or euler");
    M.neither("order", "", "order d of the memory");
    M.neither("theta_s", "s", "window");
    M.neither("dt_s", "s", "time step");
    M.neither("steps", "", "time steps simulated");
    M.neither("seed", "", "seed of the test signal");
    M.lower("spectral_radius", "", "largest eigenvalue modulus of Abar (stable below 1)");
    M.neither("state_max_abs", "", "largest |m_i| over this run's signal (unit RMS)");
    M.neither("state_bound", "", "largest |m_i| any input with |u| <= 1 can drive: max_i sum_k |(Abar^k Bbar)_i| "
              "(the size of a fixed-point state; stable memories only)");
    for (int i = 0; i < 5; ++i)
      M.lower(kDelayKeys[i], "", "RMS error of u(t - r theta) read from the memory, over the signal's RMS (r = " +
                                     format_double(kDelays[i]) + ")");
    M.lower("sim_wall_s", "s", "wall-clock time of the simulation");
  }
  json run(RunContext& ctx) override {
    const Params p = schema().read(ctx.config);
    const auto t0 = std::chrono::steady_clock::now();
    const double steps_d = std::floor(p.duration_s / p.dt + 1e-9);
    const double work = steps_d * ((double)p.order * p.order + 16.0 * p.components);
    if (steps_d > kMaxSteps || work > kMaxWork)
      throw InputError("signal.duration_s: got " + format_double(p.duration_s) + " s, " + format_double(steps_d) +
                       " steps of dt " + format_double(p.dt) + " s at order " + std::to_string(p.order) + " with " +
                       std::to_string(p.components) + " sinusoids; expected at most " + format_double(kMaxSteps) +
                       " steps and steps x (order^2 + 16 x signal.components) at most " + format_double(kMaxWork) +
                       " (got " + format_double(work) + ")");
    if (p.method == Method::Zoh) {
      // The exponential's squarings grow with log2 of ||A dt||_1 = order^2 dt / theta (the 1-norm of the LMU's
      // A is d^2 / theta).
      const double norm = (double)p.order * p.order * p.dt / p.theta;
      const double squarings = norm > 1 ? std::ceil(std::log2(norm)) : 0;
      const double ew = std::pow(p.order + 1.0, 3) * (8 + squarings);
      if (ew > kMaxExpWork)
        throw InputError("lmu.order: got " + std::to_string(p.order) + " with lmu.dt_s / lmu.theta_s = " +
                         format_double(p.dt / p.theta) + ": the zero-order-hold exponential would take " +
                         format_double(ew) + " operations; expected at most " + format_double(kMaxExpWork) +
                         " (a smaller order, or a step closer to the window)");
    }
    Memory mem;
    try {
      mem = make_memory(p.order, p.theta, p.dt, p.method);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("lmu: ") + e.what());
    }
    if (!mem.Abar.allFinite() || !mem.Bbar.allFinite())
      throw InputError("lmu.dt_s: got " + format_double(p.dt) + " s with lmu.theta_s " + format_double(p.theta) +
                       " s at order " + std::to_string(p.order) + ": the discrete matrices overflow; expected a "
                       "smaller step");
    ctx.out.write_json("lmu_matrices.json", to_json(mem));

    // The test signal: unit-RMS sum of sinusoids, sampled at the start of each step and held over it.
    const int64_t steps = (int64_t)steps_d;
    std::mt19937_64 rng((uint64_t)p.seed);
    std::vector<double> freq(p.components), phase(p.components);
    for (int c = 0; c < p.components; ++c) {
      freq[c] = p.cutoff_hz * (1.0 - uniform01(rng));  // (0, cutoff]
      phase[c] = 2 * M_PI * uniform01(rng);
    }
    const double amp = std::sqrt(2.0 / p.components);
    std::vector<double> u(steps);
    for (int64_t k = 0; k < steps; ++k) {
      double v = 0;
      for (int c = 0; c < p.components; ++c) v += std::sin(2 * M_PI * freq[c] * (double)k * p.dt + phase[c]);
      u[k] = amp * v;
    }

    // m[k] is the state at the end of step k, whose input u[k] was held over it (step k spans [k, k + 1) in
    // units of dt); the window's input at delay r theta is the held signal at k + 1 - r theta / dt.
    const int d = p.order;
    std::vector<std::vector<double>> readout;
    for (double r : kDelays) readout.push_back(delay_readout(d, r));
    Eigen::VectorXd m = Eigen::VectorXd::Zero(d), next(d);
    double state_max = 0, err2[5] = {0, 0, 0, 0, 0}, sig2 = 0;
    int64_t counted = 0;
    const int64_t first = (int64_t)std::ceil(2 * p.theta / p.dt - 1e-9);  // after 2 theta
    for (int64_t k = 0; k < steps; ++k) {
      next.noalias() = mem.Abar * m;
      next += mem.Bbar.col(0) * u[k];
      m.swap(next);
      state_max = std::max(state_max, m.cwiseAbs().maxCoeff());
      if (k < first) continue;
      ++counted;
      for (int i = 0; i < 5; ++i) {
        double y = 0;
        for (int j = 0; j < d; ++j) y += readout[i][j] * m[j];
        const double ref = held_at(u, (double)(k + 1) - kDelays[i] * p.theta / p.dt, kDelays[i]);
        err2[i] += (y - ref) * (y - ref);
      }
      sig2 += u[k] * u[k];
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The state bound: the l1 norm of each coefficient's impulse response, summed until its terms fall below
    // 1e-16 of the sum (a stable memory decays geometrically), within the work bound.
    double bound = -1;
    const double rho = spectral_radius(mem.Abar);
    if (rho < 1) {
      Eigen::VectorXd v = mem.Bbar.col(0), sum = v.cwiseAbs(), w(d);
      const int64_t terms = (int64_t)std::max(1.0, kMaxBoundWork / ((double)d * d));
      bool done = false;
      for (int64_t k = 1; k < terms && !done; ++k) {
        w.noalias() = mem.Abar * v;
        v.swap(w);
        sum += v.cwiseAbs();
        done = v.cwiseAbs().maxCoeff() < 1e-16 * sum.maxCoeff();
      }
      if (done) bound = sum.maxCoeff();
      else ctx.log("lmu_memory: the impulse response did not decay within the work bound: no state_bound");
    }
    json stats = {{"model", "lmu_memory"},
                  {"method", method_name(p.method)},
                  {"order", d},
                  {"theta_s", p.theta},
                  {"dt_s", p.dt},
                  {"steps", steps},
                  {"seed", p.seed},
                  {"spectral_radius", rho}};
    if (bound >= 0) stats["state_bound"] = bound;
    if (!std::isfinite(state_max)) {
      ctx.log("lmu_memory: the state overflowed (spectral radius " + format_double(rho) +
              "): no state range or readout error reported");
    } else if (counted > 0 && sig2 > 0) {
      stats["state_max_abs"] = state_max;
      for (int i = 0; i < 5; ++i) stats[kDelayKeys[i]] = std::sqrt(err2[i] / sig2);
    } else {
      stats["state_max_abs"] = state_max;
      ctx.log("lmu_memory: the signal is shorter than 2 theta (" + format_double(2 * p.theta) +
              " s): no readout error measured");
    }
    stats["sim_wall_s"] = wall;
    return stats;
  }
};

}  // namespace

TF_REGISTER_MODEL("lmu_memory", LmuMemoryModel);

}  // namespace tf::lmu
