// Bit-accurate evaluation of a model IR at run time, with exactly the arithmetic of the template library
// (hls/include/tinyforge/hls/*.h) and of the generated RTL. Used by `tinyforge hls --emulate`, to write the
// expected outputs of generated test benches, and by tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "layer_kind.h"
#include "model.h"

namespace tf::hlsgen {

// Fixed formats the generator uses where the model format has no knob (documented in docs/hls.md).
FixedFormat alpha_format();  // leaky_relu alpha: ufixed<18,0,RND>
FixedFormat slope_format();  // hard_sigmoid slope 0.2 and shift 0.5: fixed<18,2,RND>
FixedFormat recip_format();  // average pooling 1/count: ufixed<18,0,RND>
struct SoftmaxFormats {
  int exp_size = 1024, exp_range_log2 = 3, inv_size = 2048, inv_range_log2 = 1;
  FixedFormat exp_t, inv_t, sum_t;
};
SoftmaxFormats softmax_formats(int n_in);

struct Tensor {
  FixedFormat fmt;
  std::vector<i128> raw;
  double at(size_t k) const { return fmt.to_double(raw[k]); }
};

// Per-layer statistics of one evaluation (overflow profiling).
struct LayerStats {
  uint64_t saturated = 0, wrapped = 0, values = 0;
  uint64_t state_overflow = 0;  // stateful layers: state values that overflow handling changed (also counted above)
};

class Emulator {
 public:
  explicit Emulator(const Model& m);
  // Quantizes INPUT (doubles) to the model's input format and evaluates every layer. Returns the output of
  // each layer (index k = layers[k]).
  std::vector<Tensor> run(const std::vector<double>& input);
  // The same into buffers the emulator keeps and reuses: no allocation once the first vector has sized them.
  // The result is valid until the next call.
  const std::vector<Tensor>& run_into(const double* input, size_t n);
  // Zeroes the state of every stateful layer (the start of a sequence; a new emulator starts zeroed).
  void reset();
  const std::vector<LayerStats>& stats() const { return stats_; }
  // Quantized weights and biases of layer K (raw codes), as the emulator and the emitters use them.
  const std::vector<i128>& weights(size_t k) const { return w_[k]; }
  const std::vector<i128>& biases(size_t k) const { return b_[k]; }

 private:
  const Model& m_;
  std::vector<std::vector<i128>> w_, b_;  // quantized weights and biases per layer
  std::vector<std::vector<int64_t>> w64_;  // the weights as 64-bit integers (empty where one does not fit)
  Tensor in_;
  std::vector<Tensor> outs_;
  std::vector<LayerStats> stats_;
  std::vector<LayerState> state_;
};

// Index helpers shared with the emitters (same formulas as the templates).
unsigned signed_table_index(i128 raw, int frac_bits, unsigned size, int range_log2);
unsigned unsigned_table_index(i128 raw, int frac_bits, unsigned size, int range_log2);

}  // namespace tf::hlsgen
