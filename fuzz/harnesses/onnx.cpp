// ONNX models (protobuf bytes), imported without a precision file; small accepted models are emulated on one
// seeded random input.
#include "emulate.h"
#include "harness.h"
#include "hls_limits.h"
#include "onnx_import.h"

TF_FUZZ_HARNESS(onnx) {
  const std::string file = (tf::fuzz::temp_dir() / "model.onnx").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  const tf::hlsgen::Model m = tf::hlsgen::import_onnx(file, "");
  if (!tf::fuzz::small_enough_to_emulate(m)) return;
  tf::hlsgen::Emulator em(m);
  for (const auto& in : tf::hlsgen::random_test_inputs(m, 1)) em.run(in);
}
