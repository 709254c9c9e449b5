// Text test-vector files (.dat: one vector per line, hls4ml's tb_input_features.dat format) for the bundled
// jet-tagging MLP; accepted vectors (at most 64) are emulated bit-accurately with their outputs formatted, as
// `tinyforge hls --emulate --test-vectors FILE.dat --outputs OUT` does.
#include "harness.h"
#include "hlsflow/flow.h"

TF_FUZZ_HARNESS(test_vectors_text) {
  static const tf::hlsgen::Model m =
      tf::hlsgen::load_model_json((tf::fuzz::temp_dir() / "configs/models/jet_tagging_mlp.json").string());
  const std::string file = (tf::fuzz::temp_dir() / "vectors.dat").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  tf::hlsgen::TestVectors tv = tf::hlsflow::load_vectors(m, file);
  if (tv.inputs.size() > 64) return;
  tf::hlsflow::EmulateOptions o;
  o.outputs = true;
  o.float_model = false;
  tf::hlsflow::emulate(m, tv, o);
}
