#include "float_eval.h"

#include "layer_kind.h"

namespace tf::hlsgen {

std::vector<std::vector<double>> float_eval(const Model& m, const std::vector<double>& input) {
  std::vector<std::vector<double>> outs;
  std::vector<double> cur = input;
  for (const Layer& L : m.layers) {
    std::vector<double> out;
    kind_of(L).eval_float(L, cur, out);
    outs.push_back(out);
    cur = out;
  }
  return outs;
}

void float_eval_into(const Model& m, const std::vector<double>& input, std::vector<std::vector<double>>& outs,
                     std::vector<std::vector<double>>* state) {
  outs.resize(m.layers.size());
  if (state) state->resize(m.layers.size());
  for (size_t l = 0; l < m.layers.size(); ++l) {
    outs[l].clear();
    const Layer& L = m.layers[l];
    if (state && L.stateful())
      kind_of(L).eval_float_step(L, l ? outs[l - 1] : input, outs[l], (*state)[l]);
    else
      kind_of(L).eval_float(L, l ? outs[l - 1] : input, outs[l]);
  }
}

}  // namespace tf::hlsgen
