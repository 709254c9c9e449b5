// ONNX models (protobuf bytes), imported without a precision file; small accepted models are emulated on one
// seeded random input.
#include "emulate.h"
#include "harness.h"
#include "onnx_import.h"

TF_FUZZ_HARNESS(onnx) {
  const std::string file = (tf::fuzz::temp_dir() / "model.onnx").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  const tf::hlsgen::Model m = tf::hlsgen::import_onnx(file, "");
  long long mults = 0;
  for (const auto& L : m.layers) {
    mults += L.mults();
    if (L.in_size() > 100000 || L.out_size() > 100000) return;
  }
  if (m.layers.empty() || mults > 200000) return;
  tf::hlsgen::Emulator em(m);
  for (const auto& in : tf::hlsgen::random_test_inputs(m, 1)) em.run(in);
}
