// What the HLS harnesses emulate after a model was read: models small enough that one execution stays fast
// (layers of at most 100,000 values in and out, at most 200,000 multiplies in all).
#pragma once
#include "model.h"

namespace tf::fuzz {

inline bool small_enough_to_emulate(const tf::hlsgen::Model& m) {
  long long mults = 0;
  for (const auto& L : m.layers) {
    mults += L.mults();
    if (L.in_size() > 100000 || L.out_size() > 100000) return false;
  }
  return !m.layers.empty() && mults <= 200000;
}

}  // namespace tf::fuzz
