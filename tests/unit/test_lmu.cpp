// The LMU memory's matrices (sim/lmu/lmu_math.h) against closed forms; tests/lmu/check_lmu_math.py checks
// them against scipy for many orders, windows and steps.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "lmu/lmu_math.h"

using namespace tf::lmu;
using Catch::Matchers::WithinRel;
using Catch::Matchers::WithinAbs;

TEST_CASE("lmu: order 1 is a first-order low-pass, exp(-dt/theta) by zoh and 1 - dt/theta by Euler") {
  for (double theta : {0.01, 1.0, 30.0})
    for (double dt : {1e-4, 0.02, 0.5}) {
      const Memory z = make_memory(1, theta, dt, Method::Zoh);
      CHECK_THAT(z.Abar(0, 0), WithinRel(std::exp(-dt / theta), 1e-14));
      CHECK_THAT(z.Bbar(0, 0), WithinRel(-std::expm1(-dt / theta), 1e-14));
      const Memory e = make_memory(1, theta, dt, Method::Euler);
      CHECK(e.Abar(0, 0) == 1.0 - dt / theta);
      CHECK(e.Bbar(0, 0) == dt / theta);
    }
}

TEST_CASE("lmu: A and B follow the paper's sign pattern and (2i+1)/theta scaling") {
  Eigen::MatrixXd A, B;
  continuous(4, 2.0, A, B);
  // Row i: -(2i+1)/theta above the diagonal, (-1)^(i-j+1) (2i+1)/theta on and below it.
  const double expect[4][4] = {{-1, -1, -1, -1}, {3, -3, -3, -3}, {-5, 5, -5, -5}, {7, -7, 7, -7}};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) CHECK(A(i, j) == expect[i][j] / 2.0);
    CHECK(B(i, 0) == ((i % 2) ? -1.0 : 1.0) * (2 * i + 1) / 2.0);
  }
}

TEST_CASE("lmu: zoh and Euler agree as dt goes to 0, and zoh of a constant input reaches the steady state") {
  const double dt = 1e-6;
  const Memory z = make_memory(6, 1.0, dt, Method::Zoh), e = make_memory(6, 1.0, dt, Method::Euler);
  CHECK((z.Abar - e.Abar).cwiseAbs().maxCoeff() < 1e-9);
  CHECK((z.Bbar - e.Bbar).cwiseAbs().maxCoeff() < 1e-9);
  // The series to third order: Abar = I + dt A + dt^2 A^2 / 2 + dt^3 A^3 / 6, Bbar = (dt + dt^2 A / 2 +
  // dt^3 A^2 / 6) B; the next terms are below 1e-18 here.
  const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(6, 6), A = z.A, A2 = A * A;
  CHECK((z.Abar - (I + dt * A + dt * dt / 2 * A2 + dt * dt * dt / 6 * A2 * A)).cwiseAbs().maxCoeff() < 1e-15);
  CHECK((z.Bbar - (dt * I + dt * dt / 2 * A + dt * dt * dt / 6 * A2) * z.B).cwiseAbs().maxCoeff() < 1e-18);
  // A constant input 1 for a long time: m = -A^-1 B, which for the LMU is (1, 0, 0, ...): a window of ones
  // is P~_0 alone.
  const Memory m = make_memory(6, 1.0, 0.01, Method::Zoh);
  Eigen::VectorXd s = Eigen::VectorXd::Zero(6);
  for (int k = 0; k < 5000; ++k) s = m.Abar * s + m.Bbar.col(0);
  CHECK_THAT(s[0], WithinAbs(1.0, 1e-9));
  for (int i = 1; i < 6; ++i) CHECK_THAT(s[i], WithinAbs(0.0, 1e-9));
}

TEST_CASE("lmu: the readout is the shifted Legendre polynomials") {
  const auto r0 = delay_readout(5, 0.0), r1 = delay_readout(5, 1.0), rh = delay_readout(5, 0.5);
  for (int i = 0; i < 5; ++i) {
    CHECK(r0[i] == ((i % 2) ? -1.0 : 1.0));  // P_i(-1)
    CHECK(r1[i] == 1.0);                     // P_i(1)
  }
  // P_2(0) = -1/2, P_3(0) = 0, P_4(0) = 3/8; P~_3(0.3) = P_3(-0.4) = (5 (-0.4)^3 - 3 (-0.4)) / 2 = 0.44.
  CHECK(rh[2] == -0.5);
  CHECK(rh[3] == 0.0);
  CHECK(rh[4] == 0.375);
  CHECK_THAT(delay_readout(4, 0.3)[3], WithinRel(0.44, 1e-14));
}

TEST_CASE("lmu: the zoh memory is stable and Euler is not at a coarse step") {
  CHECK(spectral_radius(make_memory(16, 1.0, 0.02, Method::Zoh).Abar) < 1.0);
  CHECK(spectral_radius(make_memory(16, 1.0, 0.02, Method::Euler).Abar) > 1.0);
}

TEST_CASE("lmu: out-of-range order, window and step are refused with the value") {
  CHECK_THROWS_AS(make_memory(0, 1.0, 0.01, Method::Zoh), std::invalid_argument);
  CHECK_THROWS_AS(make_memory(kMaxOrder + 1, 1.0, 0.01, Method::Zoh), std::invalid_argument);
  CHECK_THROWS_AS(make_memory(4, 0.0, 0.01, Method::Zoh), std::invalid_argument);
  CHECK_THROWS_AS(make_memory(4, -1.0, 0.01, Method::Zoh), std::invalid_argument);
  CHECK_THROWS_AS(make_memory(4, 1.0, 0.0, Method::Zoh), std::invalid_argument);
  CHECK_THROWS_AS(make_memory(4, 1.0, NAN, Method::Euler), std::invalid_argument);
}
