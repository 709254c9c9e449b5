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

void float_eval_into(const Model& m, const std::vector<double>& input, std::vector<std::vector<double>>& outs) {
  outs.resize(m.layers.size());
  for (size_t l = 0; l < m.layers.size(); ++l) {
    outs[l].clear();
    kind_of(m.layers[l]).eval_float(m.layers[l], l ? outs[l - 1] : input, outs[l]);
  }
}

}  // namespace tf::hlsgen
