// HLS test-vector files for the bundled jet-tagging MLP (configs/models/jet_tagging_mlp.json); accepted vectors
// (at most 64) are emulated bit-accurately against the float model, as `tinyforge hls --emulate` does.
#include "harness.h"
#include "hlsflow/flow.h"

TF_FUZZ_HARNESS(test_vectors) {
  static const tf::hlsgen::Model m =
      tf::hlsgen::load_model_json((tf::fuzz::temp_dir() / "configs/models/jet_tagging_mlp.json").string());
  const std::string file = (tf::fuzz::temp_dir() / "vectors.json").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  tf::hlsgen::TestVectors tv = tf::hlsflow::load_vectors(m, file);
  if (tv.inputs.size() > 64) return;
  tf::hlsflow::emulate(m, tv);
}
