// Shared SystemC pieces, 1/3: a clock as a period. Cycle-approximate models advance time in whole cycles
// (wait(n * period)) and never toggle a clock signal; the period is an integer number of picoseconds, so
// every timestamp is an exact multiple of it and cycle counts read back from sc_time_stamp() are exact.
#pragma once
#include <cmath>
#include <cstdint>

#include <systemc>

namespace tf::sc {

class Clock {
 public:
  explicit Clock(double freq_MHz) : period_(std::llround(1e6 / freq_MHz), sc_core::SC_PS) {}
  const sc_core::sc_time& period() const { return period_; }
  // Cycles since time zero.
  uint64_t now() const { return (uint64_t)std::llround(sc_core::sc_time_stamp() / period_); }
  // Whole cycles in the time span T.
  uint64_t cycles(const sc_core::sc_time& t) const { return (uint64_t)std::llround(t / period_); }
  // Inside a thread: advance N cycles.
  void wait(double n) const { sc_core::wait(n * period_); }

 private:
  sc_core::sc_time period_;
};

}  // namespace tf::sc
