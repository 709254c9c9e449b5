// The model IR that every HLS emitter reads (HLS C++ project, Verilog), and its native JSON format
// (docs/model-format.md). Importers (JSON, ONNX) produce it; the bit-accurate emulator evaluates it.
#pragma once
#include <string>
#include <vector>

#include "core/util.h"
#include "fixed_format.h"

namespace tf::hlsgen {

struct LayerPrecision {
  FixedFormat weight, bias, accum, result, table;
  FixedFormat state, matrix;  // lmu: the memory's state and its Abar, Bbar coefficients
};

// Softmax compatible with hls4ml's table-based softmax (implementation "hls4ml_stable" or "hls4ml_latency";
// docs/hls.md, "hls4ml compatibility"). The types default to hls4ml's (fixed<18,8,RND,SAT>); the table sizes
// and the stable mode's normalized-input type are resolved from the layer's input format (resolve_softmax).
struct Hls4mlSoftmax {
  int table_size = 1024;
  FixedFormat exp_table_t, inv_table_t, accum_t, inv_inp_t, inp_norm_t;
  bool inp_norm_given = false;
  // Resolved by load_model: the table sizes actually used.
  int exp_size = 0, inv_size = 0;
  Hls4mlSoftmax();
};

struct Layer {
  std::string name;  // as in the model (sanitized only by the emitters)
  std::string type;  // dense, conv1d, conv2d, batchnorm, relu, leaky_relu, sigmoid, tanh, hard_sigmoid,
                     // hard_tanh, softmax, maxpool1d, avgpool1d, maxpool2d, avgpool2d, flatten
  std::vector<int> in_shape, out_shape;  // channels last, batch dimension omitted
  // Parameters (only those of the layer's type are meaningful).
  int units = 0, filters = 0;
  std::vector<int> kernel, strides, pad_begin, pad_end;  // per spatial dimension
  double alpha = 0.3;                                    // leaky_relu
  bool argmax_only = false;                              // softmax
  std::string softmax_impl = "tinyforge";                // softmax: tinyforge, hls4ml_stable, hls4ml_latency
  Hls4mlSoftmax sm;                                      // softmax: the hls4ml modes' parameters
  std::string accumulation = "exact";                    // dense/conv: exact, hls4ml (convert after every add)
  int table_size = 1024, table_range_log2 = 3;           // sigmoid/tanh
  std::vector<double> weights, bias;                     // dense [n_in][n_out]; conv [k..][c][f]; batchnorm scale;
                                                         // lmu: e_x, e_h, e_m, W_x, W_h, W_m (LmuShape)
  // lmu (layers/lmu.cpp): the memory's order, count, window and step (seconds), discretization, the hidden
  // activation, and the memory's Abar (order x order, row-major) then Bbar (order) in double.
  int order = 0, memory_d = 1;
  double theta_s = 1.0, dt_s = 0.02;
  std::string discretization = "zoh", hidden_activation = "tanh";
  std::vector<double> lmu_ab;
  LayerPrecision prec;
  std::string strategy = "latency";
  int reuse_factor = 1;

  // Whether the layer keeps a state from one input to the next (lmu): the model then runs over sequences.
  bool stateful() const { return type == "lmu"; }
  int in_size() const;
  int out_size() const;
  // Multiplications per inference (dense/conv), for reuse-factor checks and reports.
  long long mults() const;
};

// Spatial geometry of a conv or pool layer (a 1-D layer has height 1): input height/width/channels, kernel,
// strides, leading padding and output size.
struct Window {
  int IH, IW, C, KH, KW, SH, SW, PT, PL, OH, OW;
  // Calls f(tap, pixel) for every window position of output (oh, ow) that falls inside the input (padding is
  // skipped), in kh, kw order: tap = kh * KW + kw, pixel = ih * IW + iw.
  template <class F>
  void for_each_tap(int oh, int ow, F f) const {
    for (int kh = 0; kh < KH; ++kh) {
      const int ih = oh * SH + kh - PT;
      if (ih < 0 || ih >= IH) continue;
      for (int kw = 0; kw < KW; ++kw) {
        const int iw = ow * SW + kw - PL;
        if (iw < 0 || iw >= IW) continue;
        f(kh * KW + kw, ih * IW + iw);
      }
    }
  }
};
Window window_of(const Layer& L);

struct Model {
  // Whether a layer keeps a state across inputs (an lmu): inputs are frames of sequences (utterances), the
  // state is reset at each sequence's start, and a sequence is classified at its last frame.
  bool sequential() const {
    for (const Layer& L : layers)
      if (L.stateful()) return true;
    return false;
  }
  std::string name, file;
  std::string test_vectors;  // optional test-vector file (see load_test_vectors)
  std::vector<int> input_shape;
  FixedFormat input;
  std::vector<Layer> layers;
};

// Loads the native JSON format; every problem is reported at once (InputError naming file and JSON path).
Model load_model_json(const std::string& file);
// The same from an already parsed JSON document; FILE names it in messages and anchors relative paths.
Model load_model(const json& j, const std::string& file);

// Test vectors: {"inputs": [[...]], "outputs": [[...]] (optional float reference), "labels": [...] (optional)}.
// A sequential model's: {"sequences": [[[frame], [frame], ...], ...], "outputs": [...] and "labels": [...] per
// sequence (its last frame)}; the frames are stored one after another in INPUTS, sequence k from seq_start[k]
// to seq_start[k + 1] (or the end).
struct TestVectors {
  std::vector<std::vector<double>> inputs, outputs;
  std::vector<int> labels;
  std::vector<size_t> seq_start;  // empty: every input is a sequence of its own
  size_t sequences() const { return seq_start.empty() ? inputs.size() : seq_start.size(); }
  size_t seq_begin(size_t k) const { return seq_start.empty() ? k : seq_start[k]; }
  size_t seq_end(size_t k) const {
    return seq_start.empty() ? k + 1 : (k + 1 < seq_start.size() ? seq_start[k + 1] : inputs.size());
  }
};
// A file ending in .dat, .csv or .txt is read as text: one input vector per line (numbers separated by spaces,
// tabs or commas; hls4ml's tb_input_features.dat as is), no outputs or labels. Anything else is JSON.
// SEQUENTIAL: the model keeps a state (Model::sequential); its vectors are sequences (JSON "sequences"; text:
// sequences separated by a blank line).
TestVectors load_test_vectors(const std::string& file, int n_in, int n_out, bool sequential = false);
bool text_vectors_file(const std::string& file);
// COUNT seeded random input vectors spanning the model's input range (for generated test benches when the
// model has no test vectors). Same seed, same vectors.
std::vector<std::vector<double>> random_test_inputs(const Model& m, int count);

// Reuse factors that divide N (the multiplications of a layer), and the nearest ones to R.
std::vector<int> valid_reuse_factors(long long n);
std::string nearest_reuse_factors(long long n, int r);
// Why L's reuse factor cannot follow hls4ml's resource order (dense, accumulation "hls4ml", strategy resource,
// R < n_in not dividing n_in: hls4ml's dense_resource rejects it too); "" when it can.
std::string hls4ml_resource_problem(const Layer& L);

}  // namespace tf::hlsgen
