#include "core/sc/simulate.h"
#include "core/sc/stage.h"

namespace tf::sc {

using namespace sc_core;

PipelineStage::PipelineStage(const std::string& name, unsigned depth) {
  if (depth > 0) in_ = std::make_unique<sc_fifo<uint64_t>>(sc_gen_unique_name((name + "_in").c_str()), (int)depth);
}

void PipelineStage::trace(sc_trace_file* tf, const std::string& name) {
  tracing_ = true;
  sc_core::sc_trace(tf, token_, name);
}

void simulate(const std::string& trace_file, sc_time_unit unit,
              const std::function<void(sc_trace_file*)>& add_signals) {
  sc_trace_file* tf = nullptr;
  if (!trace_file.empty()) {
    std::string base = trace_file;
    if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base = base.substr(0, base.size() - 4);
    tf = sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1, unit);
    add_signals(tf);
  }
  sc_start();
  if (tf) sc_close_vcd_trace_file(tf);
}

}  // namespace tf::sc
