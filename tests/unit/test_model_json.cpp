// The native model JSON format: shapes inferred through every layer type, padding resolution, weights
// inline and from a binary side file, activations split into layers, and strict errors.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/diagnostics.h"
#include "model.h"

namespace fs = std::filesystem;
using namespace tf::hlsgen;
using tf::json;

namespace {
std::string dir() {
  static std::string d = [] {
    fs::path p = fs::temp_directory_path() / ("tf_model_test_" + std::to_string(getpid()));
    fs::create_directories(p);
    return p.string();
  }();
  return d;
}
std::string put(const std::string& name, const json& j) {
  std::string p = dir() + "/" + name;
  std::ofstream(p) << j.dump(1);
  return p;
}
json zeros(std::vector<int> shape) {
  if (shape.empty()) return 0.5;
  int n = shape[0];
  shape.erase(shape.begin());
  json a = json::array();
  for (int k = 0; k < n; ++k) a.push_back(zeros(shape));
  return a;
}
std::vector<std::string> errors(const json& model) {
  try {
    load_model_json(put("bad.json", model));
  } catch (const tf::InputError& e) {
    return e.messages();
  }
  return {};
}
bool has(const std::vector<std::string>& v, const std::string& s) {
  for (auto& m : v)
    if (m.find(s) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("model JSON: every layer type, shapes and padding", "[hls][model]") {
  json m = {{"name", "all_layers"},
            {"input", {{"shape", {10, 10, 2}}, {"precision", "fixed<12,4>"}}},
            {"precision", {{"accum", "fixed<24,10>"}}},
            {"layers",
             {{{"type", "conv2d"},
               {"name", "c1"},
               {"filters", 3},
               {"kernel", {3, 3}},
               {"padding", "same"},
               {"weights", zeros({3, 3, 2, 3})},
               {"bias", zeros({3})},
               {"activation", "relu"}},
              {{"type", "maxpool2d"}, {"pool", {2, 2}}},
              {{"type", "batchnorm"}, {"scale", zeros({3})}, {"bias", zeros({3})}},
              {{"type", "flatten"}},
              {{"type", "dense"},
               {"name", "fc"},
               {"units", 4},
               {"weights", zeros({75, 4})},
               {"activation", "softmax"},
               {"precision", {{"result", "ufixed<16,0,RND,SAT>"}}},
               {"reuse_factor", 5}}}}};
  Model md = load_model_json(put("all.json", m));
  REQUIRE(md.layers.size() == 7);  // the two activations become layers
  CHECK(md.layers[0].out_shape == std::vector<int>{10, 10, 3});
  CHECK(md.layers[0].pad_begin == std::vector<int>{1, 1});
  CHECK(md.layers[1].type == "relu");
  CHECK(md.layers[1].name == "c1_relu");
  CHECK(md.layers[2].out_shape == std::vector<int>{5, 5, 3});
  CHECK(md.layers[4].out_shape == std::vector<int>{75});
  CHECK(md.layers[5].mults() == 300);
  CHECK(md.layers[5].prec.accum.str() == "fixed<24,10>");
  CHECK(md.layers[5].prec.result.str() == "ufixed<16,0,RND,SAT>");
  CHECK(md.layers[6].type == "softmax");
  CHECK(md.input.str() == "fixed<12,4>");
}

TEST_CASE("model JSON: conv1d same padding with stride puts the odd pad at the end (Keras)", "[hls][model]") {
  json m = {{"input", {{"shape", {11, 3}}}},
            {"layers",
             {{{"type", "conv1d"},
               {"filters", 2},
               {"kernel", 4},
               {"strides", 2},
               {"padding", "same"},
               {"weights", zeros({4, 3, 2})}}}}};
  Model md = load_model_json(put("c1.json", m));
  CHECK(md.layers[0].out_shape == std::vector<int>{6, 2});
  CHECK(md.layers[0].pad_begin == std::vector<int>{1});
  CHECK(md.layers[0].pad_end == std::vector<int>{2});
}

TEST_CASE("model JSON: weights from a little-endian binary side file", "[hls][model]") {
  std::vector<float> w(8 * 3), b = {0.5f, -1.0f, 2.0f};
  for (size_t k = 0; k < w.size(); ++k) w[k] = 0.25f * (float)k - 2;
  {
    std::ofstream out(dir() + "/w.bin", std::ios::binary);
    out.write("HEAD", 4);  // an offset to skip
    out.write((const char*)w.data(), (std::streamsize)(w.size() * 4));
    out.write((const char*)b.data(), 12);
  }
  json m = {{"input", {{"shape", {8}}}},
            {"layers",
             {{{"type", "dense"},
               {"units", 3},
               {"weights", {{"file", "w.bin"}, {"dtype", "float32"}, {"shape", {8, 3}}, {"offset", 4}}},
               {"bias", {{"file", "w.bin"}, {"dtype", "float32"}, {"shape", {3}}, {"offset", 4 + 96}}}}}}};
  Model md = load_model_json(put("bin.json", m));
  REQUIRE(md.layers[0].weights.size() == 24);
  CHECK(md.layers[0].weights[5] == Approx(-0.75));
  CHECK(md.layers[0].bias == std::vector<double>{0.5, -1.0, 2.0});
}

TEST_CASE("model JSON: problems are reported together with their JSON paths", "[hls][model]") {
  json m = {{"input", {{"shape", {16}}, {"precision", "fixed<16>"}}},
            {"reuse_factor", 1},
            {"layers",
             {{{"type", "dense"}, {"units", 8}, {"weights", zeros({16, 8})}, {"reuse_factor", 7}},
              {{"type", "dense"}, {"units", 4}, {"weights", zeros({8, 5})}},
              {{"type", "relux"}},
              {{"type", "leaky_relu"}, {"alpha", 2}, {"alhpa", 0.1}},
              {{"type", "sigmoid"}, {"table_size", 1000}}}}};
  auto e = errors(m);
  CHECK(has(e, "input.precision: got \"fixed<16>\"; expected 2 to 4 parameters"));
  CHECK(has(
      e, "layers[0].reuse_factor: got 7; expected a divisor of the layer's 128 multiplications; nearest valid: 4, 8"));
  CHECK(has(e, "layers[1].weights: got \"40 numbers\"; expected 8 x 4 = 32 numbers"));
  CHECK(has(e, "layers[2].type: got \"relux\""));
  CHECK(has(e, "did you mean 'relu'?"));
  CHECK(has(e, "layers[3].alpha: got 2; expected a number in [0, 1)"));
  CHECK(has(e, "layers[3].alhpa: got 0.1; expected no such key; did you mean 'alpha'?"));
  CHECK(has(e, "layers[4].table_size: got 1000; expected a power of two"));
  CHECK(e.size() == 7);
  // Dense after a 2-D input, a missing side file.
  json m2 = {{"input", {{"shape", {4, 4}}}},
             {"layers", {{{"type", "dense"}, {"units", 2}, {"weights", {{"file", "nope.bin"}, {"shape", {16, 2}}}}}}}};
  auto e2 = errors(m2);
  CHECK(has(e2, "layers[0].type: got \"dense\"; expected a 1-D input for dense (add a flatten layer first)"));
  CHECK(has(e2, "layers[0].weights.file: got \"nope.bin\"; expected an existing file"));
}

TEST_CASE("reuse factors: divisors and the nearest valid values", "[hls][model]") {
  CHECK(valid_reuse_factors(12) == std::vector<int>{1, 2, 3, 4, 6, 12});
  CHECK(nearest_reuse_factors(12, 5) == "4, 6");
  CHECK(nearest_reuse_factors(12, 13) == "12");
  CHECK(nearest_reuse_factors(2048, 7) == "4, 8");
}

TEST_CASE("model JSON: wrong types and offsets are input errors, not crashes", "[hls][model]") {
  json m = {{"name", 5},
            {"input", {{"shape", {2}}}},
            {"layers", {{{"type", "relu"}, {"name", "relu1"}}, {{"type", "relu"}}}}};
  auto e = errors(m);
  CHECK(has(e, "name: got 5; expected a string"));
  CHECK(has(e, "layers[1].name: got \"relu1\"; expected a name not used by another layer"));
  json m2 = {
      {"input", {{"shape", {2}}}},
      {"layers", {{{"type", "dense"}, {"units", 1}, {"weights", {{"file", "w.bin"}, {"dtype", 4}, {"offset", -3}}}}}}};
  auto e2 = errors(m2);
  CHECK(has(e2, "weights.dtype: got 4"));
  CHECK(has(e2, "weights.offset: got -3; expected a byte offset"));
}

#include "emit_hls.h"

TEST_CASE("identifiers: keywords, reserved names and derived-name clashes", "[hls][model]") {
  std::vector<std::string> used;
  CHECK(sanitize_identifier("class", used) == "l_class");
  CHECK(sanitize_identifier("../x", used) == "l_x");
  CHECK(sanitize_identifier("net", used) == "net");
  CHECK(sanitize_identifier("net_w", used) == "net_w_2");  // net_w is net's weight array
  CHECK(sanitize_identifier("result_t", used) == "result_t_2");
  CHECK(sanitize_identifier("N_INPUT", used) == "l_N_INPUT");
  CHECK(sanitize_identifier("a  b!!", used) == "a_b");
  CHECK(sanitize_identifier("__x__", used) == "l_x_2");
}

#include "emulate.h"
#include "emulate_ops.h"
#include "float_eval.h"
#include "layer_kind.h"
#include "model_reader.h"

namespace {
// A layer kind defined outside hls/codegen: y = -x, element-wise. Registering it is all it takes for the
// JSON reader, the float and bit-accurate evaluators to know it.
class NegateKind : public LayerKind {
 public:
  bool parse(JsonReader&, const json&, const std::string&, Layer& L) const override {
    L.out_shape = L.in_shape;
    return true;
  }
  void eval_float(const Layer&, const std::vector<double>& in, std::vector<double>& out) const override {
    for (double x : in) out.push_back(-x);
  }
  void emulate(const EmuLayer& e, Tensor& out) const override {
    for (i128 x : e.in.raw) out.raw.push_back(to_fmt(e.L.prec.result, -x, e.in.fmt.F(), e.stats));
  }
  std::string hls_header() const override { return "activation.h"; }
  void emit_hls(HlsLayer&) const override {}
  void emit_rtl(RtlLayer&) const override {}
  bool has_rtl() const override { return false; }
};
}  // namespace
TF_REGISTER_LAYER("test_negate", 1000, NegateKind)

TEST_CASE("layer kinds: registered by name, listed in order, unknown names suggested, new kinds usable",
          "[hls][model]") {
  // The types of docs/model-format.md, in its order (the test kind above comes last).
  CHECK(layer_kind_list() ==
        "dense, conv1d, conv2d, batchnorm, relu, leaky_relu, sigmoid, tanh, hard_sigmoid, hard_tanh, softmax, "
        "maxpool1d, avgpool1d, maxpool2d, avgpool2d, flatten, lmu, test_negate");
  CHECK(find_layer_kind("relux") == nullptr);
  CHECK(closest_layer_kind("relux") == "relu");
  CHECK(closest_layer_kind("convolution_3d_transposed") == "");
  CHECK_THROWS_AS(register_layer_kind("relu", 1, std::unique_ptr<LayerKind>(new NegateKind)), std::logic_error);
  REQUIRE(onnx_layer_kind("Gemm") != nullptr);
  CHECK(onnx_layer_kind("Gemm")->name() == "dense");
  CHECK(onnx_layer_kind("Elu") == nullptr);
  CHECK(
      onnx_op_list() ==
      "Gemm, MatMul (+ Add), Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Conv, BatchNormalization, MaxPool, AveragePool, "
      "Flatten, Reshape");

  json m = {{"input", {{"shape", {3}}, {"precision", "fixed<8,4>"}}},
            {"precision", {{"result", "fixed<8,4>"}}},
            {"layers", {{{"type", "test_negate"}}}}};
  Model md = load_model_json(put("negate.json", m));
  REQUIRE(md.layers.size() == 1);
  CHECK(md.layers[0].name == "test_negate0");
  CHECK(float_eval(md, {1.5, -2, 0.25}).back() == std::vector<double>{-1.5, 2, -0.25});
  Emulator em(md);
  Tensor y = em.run({1.5, -2, -8}).back();  // -(-8) = 8 is outside fixed<8,4> [-8, 8): it wraps to -8
  CHECK(y.at(0) == -1.5);
  CHECK(y.at(1) == 2);
  CHECK(y.at(2) == -8);
  CHECK(em.stats()[0].wrapped == 1);
}
