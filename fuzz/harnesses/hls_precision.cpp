// ONNX precision side files, applied to the bundled digits MLP (configs/models/digits_mlp.onnx); an accepted
// precision is emulated on one seeded random input.
#include "emulate.h"
#include "harness.h"
#include "onnx_import.h"

TF_FUZZ_HARNESS(hls_precision) {
  const auto dir = tf::fuzz::temp_dir() / "configs" / "models";
  const std::string file = (dir / "fuzz_precision.json").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  const tf::hlsgen::Model m = tf::hlsgen::import_onnx((dir / "digits_mlp.onnx").string(), file);
  tf::hlsgen::Emulator em(m);
  for (const auto& in : tf::hlsgen::random_test_inputs(m, 1)) em.run(in);
}
