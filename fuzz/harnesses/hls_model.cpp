// HLS models in the native JSON format; an accepted model that is small enough to evaluate quickly (at most
// 200,000 multiplications and 100,000 values per layer) is also run through the bit-accurate emulator and the
// float model on two seeded random inputs, as `tinyforge hls --emulate` does.
#include "emulate.h"
#include "float_eval.h"
#include "harness.h"
#include "hls_limits.h"
#include "model.h"

TF_FUZZ_HARNESS(hls_model) {
  const std::string file = (tf::fuzz::temp_dir() / "model.json").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  const tf::hlsgen::Model m = tf::hlsgen::load_model_json(file);
  if (!tf::fuzz::small_enough_to_emulate(m)) return;
  tf::hlsgen::Emulator em(m);
  for (const auto& in : tf::hlsgen::random_test_inputs(m, 2)) {
    em.run(in);
    tf::hlsgen::float_eval(m, in);
  }
}
