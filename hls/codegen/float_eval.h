// Double-precision reference evaluation of a model IR (the "float" model): the same layer semantics as the
// fixed-point emulator without quantization, and exact functions instead of tables. Used to report the
// error and accuracy of a precision choice, and to check importers against their source framework.
#pragma once
#include <vector>

#include "model.h"

namespace tf::hlsgen {

// Output of every layer (index k = layers[k]).
std::vector<std::vector<double>> float_eval(const Model& m, const std::vector<double>& input);
// The same into OUTS, whose buffers are reused from call to call (no allocation once they have grown).
// STATE (per layer) carries stateful layers' state from one input of a sequence to the next: clear it at a
// sequence's start. Without it, stateful layers start from zero.
void float_eval_into(const Model& m, const std::vector<double>& input, std::vector<std::vector<double>>& outs,
                     std::vector<std::vector<double>>* state = nullptr);

}  // namespace tf::hlsgen
