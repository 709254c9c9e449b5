// Test-vector files of a sequential model (an lmu network, the same as tests/cli/fixtures/model_lmu.json):
// sequences of frames; accepted files (at most 64 frames) are emulated bit-accurately against the float model,
// as `tinyforge hls --emulate` does.
#include "harness.h"
#include "hlsflow/flow.h"

TF_FUZZ_HARNESS(test_vectors_seq) {
  static const tf::hlsgen::Model m = tf::hlsgen::load_model(tf::json::parse(R"json({"name":"lmu_tiny","description":"a tiny lmu network for tests and the fuzzers","input":{"shape":[3],"precision":"fixed<12,4,RND,SAT>"},"precision":{"weight":"fixed<8,2,RND,SAT>","bias":"fixed<12,4,RND,SAT>","accum":"fixed<24,8,RND,SAT>","result":"fixed<12,4,RND,SAT>","state":"fixed<16,5,RND,SAT>","matrix":"fixed<16,1,RND,SAT>"},"layers":[{"name":"cell","type":"lmu","units":4,"order":3,"memory_d":1,"theta_s":0.2,"dt_s":0.02,"e_x":[[1.02],[-1.278],[0.209]],"e_h":[[-0.284],[-0.226],[-0.108],[-1.01]],"W_x":[[-0.116,-0.433,1.661,0.113],[-0.176,-0.141,-0.334,-0.528],[-0.195,0.241,-0.119,0.479]],"W_h":[[-0.1,0.012,0.773,0.273],[-0.253,-0.091,0.27,0.968],[-0.135,-0.122,0.501,-0.443],[-0.146,0.441,0.29,0.046]],"W_m":[[0.335,-1.414,0.511,-0.48],[-0.834,0.138,0.35,-0.222],[-0.538,0.013,-0.026,0.703]],"bias":[0.374,0.097,0.556,-0.103]},{"name":"out","type":"dense","units":2,"weights":[[-0.463,0.292],[0.291,-0.107],[-0.391,0.115],[-1.247,0.345]],"bias":[0.246,-0.819]}]})json"), "model_lmu.json");
  const std::string file = (tf::fuzz::temp_dir() / "sequences.json").string();
  tf::fuzz::write_file(file, std::string_view((const char*)data, size));
  tf::hlsgen::TestVectors tv = tf::hlsflow::load_vectors(m, file);
  if (tv.inputs.size() > 64) return;
  tf::hlsflow::emulate(m, tv);
}
