// ONNX import: the imported model's float evaluation equals the reference outputs computed outside
// tinyforge (numpy for the fixtures, the training script for the digits MLP); the digits MLP at its shipped
// precision keeps its accuracy within 1 point; unsupported operators and attributes are named.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <onnx/onnx_pb.h>

#include "core/diagnostics.h"
#include "emulate.h"
#include "float_eval.h"
#include "hls4ml_config.h"
#include "onnx_import.h"

using namespace tf::hlsgen;

namespace {
std::string src(const std::string& rel) { return tf::data_dir() + "/" + rel; }

void float_matches(const std::string& onnx, const std::string& vectors, double tol) {
  Model m = import_onnx(src(onnx), "");
  int n_in = 1;
  for (int s : m.input_shape) n_in *= s;
  TestVectors tv = load_test_vectors(src(vectors), n_in, m.layers.back().out_size());
  REQUIRE(!tv.inputs.empty());
  REQUIRE(tv.outputs.size() == tv.inputs.size());
  for (size_t k = 0; k < tv.inputs.size(); ++k) {
    auto out = float_eval(m, tv.inputs[k]).back();
    REQUIRE(out.size() == tv.outputs[k].size());
    for (size_t i = 0; i < out.size(); ++i) REQUIRE(std::fabs(out[i] - tv.outputs[k][i]) <= tol);
  }
}

std::string error_of(const std::string& onnx) {
  try {
    import_onnx(src(onnx), "");
  } catch (const tf::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE(
    "onnx: 2-D CNN (Conv, BatchNormalization, Relu, MaxPool, padded AveragePool, Dropout, Flatten, Gemm transB, "
    "Softmax)",
    "[hls][onnx]") {
  float_matches("tests/fixtures/onnx/cnn2d.onnx", "tests/fixtures/onnx/cnn2d_test.json", 1e-6);
  Model m = import_onnx(src("tests/fixtures/onnx/cnn2d.onnx"), "");
  CHECK(m.input_shape == std::vector<int>{8, 8, 2});  // channels last
  CHECK(m.layers.front().type == "conv2d");
}

TEST_CASE("onnx: 1-D CNN (strided Conv, LeakyRelu, MaxPool, Reshape, MatMul + Add, Sigmoid)", "[hls][onnx]") {
  float_matches("tests/fixtures/onnx/cnn1d.onnx", "tests/fixtures/onnx/cnn1d_test.json", 1e-6);
}

TEST_CASE("onnx: the digits MLP equals its training script and keeps its accuracy at the shipped precision",
          "[hls][onnx]") {
  float_matches("configs/models/digits_mlp.onnx", "configs/models/digits_mlp_test.json", 1e-6);
  Model m = import_onnx(src("configs/models/digits_mlp.onnx"), src("configs/models/digits_mlp_precision.json"));
  CHECK(m.input.str() == "ufixed<6,1>");
  CHECK(m.layers.back().prec.result.str() == "ufixed<16,0,RND,SAT>");
  TestVectors tv = load_test_vectors(src("configs/models/digits_mlp_test.json"), 64, 10);
  REQUIRE(tv.labels.size() == 360);
  Emulator em(m);
  int ok_fixed = 0, ok_float = 0;
  for (size_t k = 0; k < tv.inputs.size(); ++k) {
    Tensor y = em.run(tv.inputs[k]).back();
    size_t a = 0;
    for (size_t i = 1; i < y.raw.size(); ++i)
      if (y.raw[i] > y.raw[a]) a = i;
    ok_fixed += (int)a == tv.labels[k];
    auto f = tv.outputs[k];
    ok_float += (int)(std::max_element(f.begin(), f.end()) - f.begin()) == tv.labels[k];
  }
  INFO("float " << ok_float << "/360, fixed " << ok_fixed << "/360");
  CHECK(ok_float >= 340);                     // the trained model is a real classifier (about 97%)
  CHECK(std::abs(ok_fixed - ok_float) <= 3);  // within 1 percentage point of 360
}

TEST_CASE("onnx: unsupported operators and attributes are named", "[hls][onnx]") {
  CHECK(error_of("tests/fixtures/onnx/bad_op.onnx").find("node 'my_elu' (op Elu): unsupported operator") !=
        std::string::npos);
  CHECK(error_of("tests/fixtures/onnx/bad_attr.onnx")
            .find("node 'dilated' (op Conv): attribute 'dilations' = [2, 2] is not supported") != std::string::npos);
  CHECK(error_of("tests/fixtures/onnx/missing.onnx").find("cannot open file") != std::string::npos);
  CHECK(error_of("configs/models/digits_mlp_test.json").find("not a valid ONNX model") != std::string::npos);
}

TEST_CASE("onnx: precision side file errors name the key", "[hls][onnx]") {
  std::string p = tf::data_dir() + "/tests/fixtures/onnx/../../cli/fixtures/precision_bad.json";
  try {
    import_onnx(src("configs/models/digits_mlp.onnx"), p);
    FAIL("no error");
  } catch (const tf::InputError& e) {
    std::string w = e.what();
    CHECK(w.find("layers.fc3: got") != std::string::npos);
    CHECK(w.find("did you mean 'fc1'?") != std::string::npos);
  }
}

namespace {
// Writes the digits MLP with one change made by EDIT to a temporary file; returns the import's error ("" if none).
template <class Edit>
std::string error_of_edited(Edit edit, const std::string& model = "configs/models/digits_mlp.onnx") {
  onnx::ModelProto mp;
  {
    std::ifstream in(src(model), std::ios::binary);
    REQUIRE(mp.ParseFromIstream(&in));
  }
  edit(*mp.mutable_graph());
  std::string file =
      (std::filesystem::temp_directory_path() / ("tf_onnx_hostile_" + std::to_string(::getpid()) + ".onnx")).string();
  {
    std::ofstream out(file, std::ios::binary);
    REQUIRE(mp.SerializeToOstream(&out));
  }
  std::string e;
  try {
    import_onnx(file, "");
  } catch (const tf::InputError& x) {
    e = x.what();
  }
  std::filesystem::remove(file);
  return e;
}
}  // namespace

TEST_CASE("onnx: hostile tensors are input errors, never out-of-bounds reads", "[hls][onnx][hostile]") {
  // Dims whose product wraps past 2^64 with empty raw data (the element count times 4 would wrap to 0).
  CHECK_THAT(error_of_edited([](onnx::GraphProto& g) {
               auto* t = g.mutable_initializer(0);
               t->clear_dims();
               for (int k = 0; k < 4; ++k) t->add_dims((int64_t)1 << 16);
               t->clear_float_data();
               t->set_raw_data("");
             }),
             Catch::Contains("more than 2^32 elements"));
  // A negative dim.
  CHECK_THAT(error_of_edited([](onnx::GraphProto& g) { g.mutable_initializer(0)->set_dims(0, -3); }),
             Catch::Contains("got -3; expected a non-negative dimension"));
  // Raw data shorter than the dims say.
  CHECK_THAT(error_of_edited([](onnx::GraphProto& g) {
               auto* t = g.mutable_initializer(0);
               std::string raw = t->raw_data();
               if (raw.empty()) {
                 for (float f : t->float_data()) raw.append((const char*)&f, 4);
                 t->clear_float_data();
               }
               t->set_raw_data(raw.substr(0, raw.size() / 2));
             }),
             Catch::Contains("raw_data: got ") && Catch::Contains(" bytes; expected ") &&
                 Catch::Contains("elements of 4 bytes, from dims"));
  // An input dimension of 2^32 + 4 (would become 4 through an int).
  CHECK_THAT(error_of_edited([](onnx::GraphProto& g) {
               for (auto& vi : *g.mutable_input())
                 if (vi.type().tensor_type().shape().dim_size() == 2)
                   vi.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(
                       ((int64_t)1 << 32) + 4);
             }),
             Catch::Contains("expected every dimension but the batch in [1, 16777216]"));
  // A Conv whose kernel_shape is empty, or disagrees with its weights.
  for (std::vector<int64_t> ks : {std::vector<int64_t>{}, std::vector<int64_t>{1, 1}})
    CHECK_THAT(
        error_of_edited(
            [&](onnx::GraphProto& g) {
              for (auto& n : *g.mutable_node())
                if (n.op_type() == "Conv") {
                  bool found = false;
                  for (auto& a : *n.mutable_attribute())
                    if (a.name() == "kernel_shape") {
                      a.clear_ints();
                      for (auto k : ks) a.add_ints(k);
                      found = true;
                    }
                  if (!found) {
                    auto* a = n.add_attribute();
                    a->set_name("kernel_shape");
                    a->set_type(onnx::AttributeProto::INTS);
                    for (auto k : ks) a->add_ints(k);
                  }
                  break;
                }
            },
            "tests/fixtures/onnx/cnn2d.onnx"),
        Catch::Contains("attribute 'kernel_shape' = [") && Catch::Contains("does not match the weights' kernel"));
}

TEST_CASE("onnx: a 10,000-layer chain imports (linear work per node)", "[hls][onnx][hostile]") {
  onnx::ModelProto mp;
  {
    std::ifstream in(src("configs/models/digits_mlp.onnx"), std::ios::binary);
    REQUIRE(mp.ParseFromIstream(&in));
  }
  onnx::GraphProto& g = *mp.mutable_graph();
  const int before = g.node_size();
  // 10,000 Relu nodes between the first node and the rest.
  std::vector<onnx::NodeProto> rest(g.node().begin() + 1, g.node().end());
  g.mutable_node()->DeleteSubrange(1, before - 1);
  std::string cur = g.node(0).output(0);
  for (int k = 0; k < 10000; ++k) {
    onnx::NodeProto* n = g.add_node();
    n->set_op_type("Relu");
    n->set_name("r" + std::to_string(k));
    n->add_input(cur);
    cur = "r" + std::to_string(k) + "_out";
    n->add_output(cur);
  }
  rest.front().set_input(0, cur);
  for (auto& n : rest) *g.add_node() = n;
  std::string file =
      (std::filesystem::temp_directory_path() / ("tf_onnx_chain_" + std::to_string(::getpid()) + ".onnx")).string();
  {
    std::ofstream out(file, std::ios::binary);
    REQUIRE(mp.SerializeToOstream(&out));
  }
  Model plain = import_onnx(src("configs/models/digits_mlp.onnx"), "");
  Model m = import_onnx(file, "");
  std::filesystem::remove(file);
  CHECK(m.layers.size() == plain.layers.size() + 10000);
  CHECK(m.layers.back().out_shape == plain.layers.back().out_shape);
}

// --hls4ml-config on an ONNX model: the jet-tagging MLP written as ONNX here (Gemm and Relu nodes, Softmax,
// named as hls4ml names the layers of the same network), imported with the shipped hls4ml configuration, must
// give the same layers, types, modes and bits as the JSON model with the same configuration (the route
// tests/hls4ml/check_compat.py checks against the independent reference).
TEST_CASE("onnx: --hls4ml-config on an ONNX model equals the JSON route", "[hls][onnx][hls4ml]") {
  const std::string jet = src("configs/models/jet_tagging_mlp.json"), yml = src("configs/models/jet_tagging_mlp_hls4ml.yml");
  const tf::json j = tf::load_json_file(jet);
  onnx::ModelProto mp;
  mp.set_ir_version(8);
  mp.add_opset_import()->set_version(13);
  onnx::GraphProto& g = *mp.mutable_graph();
  g.set_name(j["name"].get<std::string>());
  int n = j["input"]["shape"][0].get<int>();
  auto* in = g.add_input();
  in->set_name("x");
  auto* shape = in->mutable_type()->mutable_tensor_type();
  shape->set_elem_type(onnx::TensorProto::FLOAT);
  shape->mutable_shape()->add_dim()->set_dim_value(1);
  shape->mutable_shape()->add_dim()->set_dim_value(n);
  std::string cur = "x";
  auto node = [&](const std::string& op, const std::string& name, std::vector<std::string> inputs) {
    onnx::NodeProto* nd = g.add_node();
    nd->set_op_type(op);
    nd->set_name(name);
    for (auto& i : inputs) nd->add_input(i);
    nd->add_output(name + "_out");
    cur = name + "_out";
  };
  for (const auto& L : j["layers"]) {
    const std::string name = L["name"].get<std::string>();
    const int units = L["units"].get<int>();
    onnx::TensorProto* B = g.add_initializer();
    B->set_name(name + "_W");
    B->set_data_type(onnx::TensorProto::FLOAT);
    B->add_dims(n);
    B->add_dims(units);
    for (const auto& row : L["weights"])
      for (const auto& v : row) B->add_float_data(v.get<float>());
    onnx::TensorProto* C = g.add_initializer();
    C->set_name(name + "_b");
    C->set_data_type(onnx::TensorProto::FLOAT);
    C->add_dims(units);
    for (const auto& v : L["bias"]) C->add_float_data(v.get<float>());
    node("Gemm", name, {cur, name + "_W", name + "_b"});
    const std::string act = L.value("activation", "linear");
    if (act == "relu") node("Relu", name + "_relu", {cur});
    if (act == "softmax") node("Softmax", name + "_softmax", {cur});
    n = units;
  }
  g.add_output()->set_name(cur);
  const std::string file =
      (std::filesystem::temp_directory_path() / ("tf_onnx_jet_" + std::to_string(::getpid()) + ".onnx")).string();
  {
    std::ofstream out(file, std::ios::binary);
    REQUIRE(mp.SerializeToOstream(&out));
  }
  std::vector<std::string> notes;
  Model mo = import_onnx(file, "", yml, &notes);
  std::filesystem::remove(file);
  // The JSON route, with the weights rounded to float as the ONNX file holds them.
  tf::json jf = j;
  for (auto& L : jf["layers"]) {
    for (auto& row : L["weights"])
      for (auto& v : row) v = (double)v.get<float>();
    for (auto& v : L["bias"]) v = (double)v.get<float>();
  }
  std::vector<std::string> notes_json;
  apply_hls4ml_config(yml, jf, notes_json);
  Model mj = load_model(jf, jet);
  REQUIRE(mo.layers.size() == mj.layers.size());
  for (size_t k = 0; k < mj.layers.size(); ++k) {
    const Layer &a = mo.layers[k], &b = mj.layers[k];
    INFO("layer " << b.name);
    CHECK(a.name == b.name);
    CHECK(a.type == b.type);
    CHECK(a.prec.result.str() == b.prec.result.str());
    CHECK(a.accumulation == b.accumulation);
    CHECK(a.softmax_impl == b.softmax_impl);
    if (b.mults() > 0) {
      CHECK(a.prec.accum.str() == b.prec.accum.str());
      CHECK(a.prec.weight.str() == b.prec.weight.str());
      CHECK(a.reuse_factor == b.reuse_factor);
    }
  }
  CHECK(mj.layers.back().softmax_impl == "hls4ml_stable");  // the configuration took effect
  CHECK(mj.layers[0].accumulation == "hls4ml");
  Emulator eo(mo), ej(mj);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-32, 32);
  for (int v = 0; v < 300; ++v) {
    std::vector<double> x(16);
    for (auto& e : x) e = u(rng);
    REQUIRE(eo.run(x).back().raw == ej.run(x).back().raw);
  }
  for (size_t k = 0; k < mj.layers.size(); ++k) CHECK(eo.stats()[k].saturated == ej.stats()[k].saturated);
  CHECK(ej.stats()[0].saturated > 0);  // the inputs drive the accumulators into saturation
}
