// Shared SystemC pieces, 2/3: one stage of an in-order, cycle-approximate pipeline. A stage takes tokens (op
// ids) from its input fifo (capacity 1 by default: a stage holds one token while it works and while the next
// stage is busy, which is back-pressure), counts the cycles it works and the cycles it waits to hand a token
// on, and shows the token it holds on a trace signal (token + 1; 0 = idle).
//
// Contract: work() and send() are called from the stage's own thread; the owner reads the counters.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <systemc>

#include "core/sc/clock.h"

namespace tf::sc {

class PipelineStage {
 public:
  // Creates the input fifo (NAME_in); a first stage that is fed by its own thread needs none (DEPTH 0).
  explicit PipelineStage(const std::string& name, unsigned depth = 1);

  sc_core::sc_fifo<uint64_t>& in() { return *in_; }
  uint64_t take() { return in_->read(); }  // blocks until a token arrives
  // The stage works on TOKEN / is idle (the trace signal; nothing to do when not traced).
  void hold(uint64_t token) {
    if (tracing_) token_.write((uint32_t)(token + 1));
  }
  void release() {
    if (tracing_) token_.write(0u);
  }
  // Works CYCLES cycles on the held token.
  void work(const Clock& clk, uint64_t cycles) {
    clk.wait((double)cycles);
    busy_ += cycles;
  }
  // Hands TOKEN to NEXT, waiting while NEXT's input is full; the wait counts as blocked cycles.
  void send(const Clock& clk, PipelineStage& next, uint64_t token) {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    next.in().write(token);
    if (sc_core::sc_time_stamp() != t0) blocked_ += clk.cycles(sc_core::sc_time_stamp() - t0);
  }

  uint64_t busy_cycles() const { return busy_; }
  uint64_t blocked_cycles() const { return blocked_; }
  // Adds the held token to a VCD under NAME; before this, hold()/release() cost nothing.
  void trace(sc_core::sc_trace_file* tf, const std::string& name);

 private:
  std::unique_ptr<sc_core::sc_fifo<uint64_t>> in_;
  sc_core::sc_signal<uint32_t> token_;
  bool tracing_ = false;
  uint64_t busy_ = 0, blocked_ = 0;
};

}  // namespace tf::sc
