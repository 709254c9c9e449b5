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

}  // namespace tf::hlsgen
