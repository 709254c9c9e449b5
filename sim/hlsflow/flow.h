// The HLS flow as steps that both `tinyforge hls` and the `hls` model (`tinyforge sim hls`, sweeps) run:
// load a network, apply flow-wide overrides, find its test vectors, emulate it bit-accurately against the
// float model, generate the HLS project and the Verilog, verify the Verilog with Verilator, cost it with yosys.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "emit_rtl.h"
#include "emulate.h"
#include "model.h"

namespace tf::hlsflow {

// A JSON model, or an ONNX model with its optional precision side file.
// With HLS4ML_CONFIG (may be ""): an hls4ml configuration applied to the model (hls4ml_config.h); the keys it
// cannot honour are printed to stderr as notes.
hlsgen::Model load_network(const std::string& file, const std::string& precision_file,
                           const std::string& hls4ml_config = "");

// Flow-wide overrides of every layer: STRATEGY ("" = the model's), REUSE (0 = the model's; every dense/conv
// layer, which must divide its multiplications: reported to DIAG as "REUSE_NAME: got R; ..." with the
// nearest valid factors).
void apply_overrides(hlsgen::Model& m, const std::string& strategy, int reuse, Diagnostics& diag,
                     const std::string& reuse_name = "--reuse");

// The test-vector file to use: GIVEN, else the model's own, else MODEL_test.json beside the model; "" if none.
std::string find_test_vectors(const hlsgen::Model& m, const std::string& model_file, const std::string& given);
hlsgen::TestVectors load_vectors(const hlsgen::Model& m, const std::string& file);

struct EmulateOptions {
  bool float_model = true;  // also evaluate the float model (per-layer error, agreement, float accuracy)
  int threads = 1;          // threads over vectors (0: one per core); the results do not depend on it
  bool outputs = false;     // collect the bit-accurate outputs as text (Emulation::outputs)
};
// Bit-accurate emulation of every test vector, against the float model when asked.
struct Emulation {
  size_t vectors = 0, agree = 0, correct_fixed = 0, correct_float = 0;  // vectors: sequences for a sequential model
  size_t frames = 0;
  bool labelled = false, float_model = true;
  int threads = 1;
  std::vector<double> max_err;            // per layer: largest |fixed - float|
  std::vector<hlsgen::LayerStats> stats;  // per layer: saturated / wrapped values
  std::string outputs;  // one line per vector: the last layer's values, space-separated, exact decimals
  double agreement() const { return vectors ? (double)agree / vectors : 0.0; }
  double accuracy_fixed() const { return vectors ? (double)correct_fixed / vectors : 0.0; }
  double accuracy_float() const { return vectors ? (double)correct_float / vectors : 0.0; }
};
Emulation emulate(const hlsgen::Model& m, const hlsgen::TestVectors& tv, const EmulateOptions& o = {});
// The per-layer table and the accuracy lines `tinyforge hls --emulate` prints.
std::string emulation_report(const hlsgen::Model& m, const Emulation& e, const std::string& vectors_file);

// The inputs a generated test bench streams: the model's vectors; with VERIFY_N > 0 exactly N (the model's
// first, then seeded random ones).
std::vector<std::vector<double>> bench_inputs(const hlsgen::Model& m, const hlsgen::TestVectors& tv, int verify_n);

// Runs RTL_DIR/verify.sh (Verilator) into RTL_DIR/verify.log and reads its two runs (in order, and under
// random back-pressure). Throws std::runtime_error when Verilator is missing or the run did not complete.
struct Verification {
  long mismatches_in_order = -1, mismatches_random = -1, latency = -1;
  double ii = -1;
  int exit_code = -1;
  std::string in_order_line, random_line, log_file;
  bool bit_exact() const { return mismatches_in_order == 0 && mismatches_random == 0; }
  // Bit-exact, and the measured latency and II are the ones the emitter reported.
  bool pass(const hlsgen::RtlProject& r) const;
};
Verification verify_rtl(const hlsgen::RtlProject& r);

}  // namespace tf::hlsflow
