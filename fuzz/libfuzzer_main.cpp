// libFuzzer's entry points for a harness executable (one harness linked in).
#include "harness.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tf::fuzz::init_process();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tf::fuzz::Entry entry = tf::fuzz::harnesses().begin()->second;
  tf::fuzz::run_one(entry, data, size);
  return 0;
}
