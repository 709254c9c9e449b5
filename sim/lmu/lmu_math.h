// The Legendre Memory Unit's memory, exactly (Voelker, Kajic and Eliasmith, "Legendre Memory Units:
// Continuous-Time Representation in Recurrent Neural Networks", NeurIPS 2019).
//
// A memory of order d holds the window of the last theta seconds of its input u(t) as the coefficients of
// the window in the shifted Legendre polynomials:
//   theta m'(t) = A m(t) + B u(t),
//   A[i][j] = (2i + 1) * (-1           if i < j,
//                         (-1)^(i-j+1) if i >= j),
//   B[i]    = (2i + 1) * (-1)^i,                        i, j = 0 .. d-1,
// so that u(t - theta') ~ sum_i P~_i(theta'/theta) m_i(t) for 0 <= theta' <= theta, with P~_i(r) = P_i(2r - 1)
// the shifted Legendre polynomials. In discrete time, with one input per step of dt seconds:
//   m[k] = Abar m[k-1] + Bbar u[k],
// zero-order hold: [[Abar, Bbar], [0, 1]] = exp(dt [[A/theta, B/theta], [0, 0]]) (the input held over the
// step), computed in long double by Eigen's Pade scaling-and-squaring exponential (within about 1e-16 of the
// largest entry, not always correctly rounded); Euler: Abar = I + dt A/theta,
// Bbar = dt B/theta. docs/kws.md derives both.
#pragma once
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace tf::lmu {

constexpr int kMaxOrder = 512;  // the largest memory order accepted (a d x d state matrix)

enum class Method { Zoh, Euler };
const char* method_name(Method m);

struct Memory {
  int order = 0;
  double theta = 0, dt = 0;  // window and step, seconds
  Method method = Method::Zoh;
  Eigen::MatrixXd A, B;        // continuous time, already divided by theta (d x d, d x 1)
  Eigen::MatrixXd Abar, Bbar;  // discrete time (d x d, d x 1)
};

// The continuous A/theta and B/theta of order D (1..kMaxOrder) and window THETA > 0 seconds.
void continuous(int d, double theta, Eigen::MatrixXd& A, Eigen::MatrixXd& B);

// The memory of order D, window THETA and step DT, discretized by METHOD. Throws std::invalid_argument
// naming the value when D, THETA or DT is out of range.
Memory make_memory(int d, double theta, double dt, Method method);

// P~_i(r) for i = 0 .. d-1: the readout that gives u(t - r theta) from m(t) (r in [0, 1]).
std::vector<double> delay_readout(int d, double r);

// The largest modulus of Abar's eigenvalues (the discrete memory is stable when it is below 1).
double spectral_radius(const Eigen::MatrixXd& Abar);

// The run record's lmu_matrices.json: the method, d, theta, dt and Abar, Bbar (row-major, nested arrays)
// in full double precision (shortest round-trip decimal), with the continuous A and B for reference.
nlohmann::json to_json(const Memory& mem);

}  // namespace tf::lmu
