#include "lmu/lmu_math.h"

#include <cmath>
#include <stdexcept>

#include <Eigen/Eigenvalues>
#include <unsupported/Eigen/MatrixFunctions>

namespace tf::lmu {

const char* method_name(Method m) { return m == Method::Zoh ? "zoh" : "euler"; }

namespace {
std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
void check(int d, double theta) {
  if (d < 1 || d > kMaxOrder)
    throw std::invalid_argument("order " + std::to_string(d) + ": expected 1 to " + std::to_string(kMaxOrder));
  if (!(theta > 0) || !std::isfinite(theta))
    throw std::invalid_argument("theta " + num(theta) + ": expected a finite window > 0 seconds");
}
}  // namespace

void continuous(int d, double theta, Eigen::MatrixXd& A, Eigen::MatrixXd& B) {
  check(d, theta);
  A.resize(d, d);
  B.resize(d, 1);
  for (int i = 0; i < d; ++i) {
    const double q = (2.0 * i + 1.0) / theta;
    for (int j = 0; j < d; ++j) A(i, j) = i < j ? -q : (((i - j + 1) % 2) ? -q : q);
    B(i, 0) = (i % 2) ? -q : q;
  }
}

Memory make_memory(int d, double theta, double dt, Method method) {
  check(d, theta);
  if (!(dt > 0) || !std::isfinite(dt))
    throw std::invalid_argument("dt " + num(dt) + ": expected a finite step > 0 seconds");
  Memory mem;
  mem.order = d;
  mem.theta = theta;
  mem.dt = dt;
  mem.method = method;
  continuous(d, theta, mem.A, mem.B);
  if (method == Method::Euler) {
    mem.Abar = Eigen::MatrixXd::Identity(d, d) + dt * mem.A;
    mem.Bbar = dt * mem.B;
    return mem;
  }
  // Zero-order hold: the exponential of the augmented (d+1) x (d+1) matrix, in long double, rounded to
  // double. Against a 40-digit reference most entries are correctly rounded and none is off by more than
  // about 1e-16 of the matrix's largest entry; the bits depend on the platform's long double (x87 80-bit on
  // x86-64 Linux).
  using MatL = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
  MatL M = MatL::Zero(d + 1, d + 1);
  for (int i = 0; i < d; ++i) {
    for (int j = 0; j < d; ++j) M(i, j) = (long double)mem.A(i, j) * (long double)dt;
    M(i, d) = (long double)mem.B(i, 0) * (long double)dt;
  }
  const MatL E = M.exp();
  mem.Abar = E.topLeftCorner(d, d).cast<double>();
  mem.Bbar = E.topRightCorner(d, 1).cast<double>();
  return mem;
}

std::vector<double> delay_readout(int d, double r) {
  std::vector<double> p(d);
  const double x = 2.0 * r - 1.0;  // P~_i(r) = P_i(2r - 1), by Bonnet's recurrence
  p[0] = 1.0;
  if (d > 1) p[1] = x;
  for (int i = 2; i < d; ++i) p[i] = ((2.0 * i - 1.0) * x * p[i - 1] - (i - 1.0) * p[i - 2]) / i;
  return p;
}

double spectral_radius(const Eigen::MatrixXd& Abar) {
  Eigen::EigenSolver<Eigen::MatrixXd> es(Abar, false);
  double r = 0;
  for (int i = 0; i < es.eigenvalues().size(); ++i) r = std::max(r, std::abs(es.eigenvalues()[i]));
  return r;
}

nlohmann::json to_json(const Memory& mem) {
  auto rows = [](const Eigen::MatrixXd& M) {
    nlohmann::json a = nlohmann::json::array();
    for (int i = 0; i < M.rows(); ++i) {
      nlohmann::json r = nlohmann::json::array();
      for (int j = 0; j < M.cols(); ++j) r.push_back(M(i, j));
      a.push_back(std::move(r));
    }
    return a;
  };
  return {{"about", "Legendre Memory Unit memory (Voelker et al., NeurIPS 2019): m[k] = Abar m[k-1] + Bbar u[k]; "
                    "A and B are the continuous matrices divided by theta (theta m' = A m + B u). docs/kws.md"},
          {"method", method_name(mem.method)},
          {"order", mem.order},
          {"theta_s", mem.theta},
          {"dt_s", mem.dt},
          {"Abar", rows(mem.Abar)},
          {"Bbar", rows(mem.Bbar)},
          {"A_over_theta", rows(mem.A)},
          {"B_over_theta", rows(mem.B)}};
}

}  // namespace tf::lmu
