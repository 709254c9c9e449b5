#include "float_eval.h"

#include <algorithm>
#include <cmath>

namespace tf::hlsgen {

std::vector<std::vector<double>> float_eval(const Model& m, const std::vector<double>& input) {
  std::vector<std::vector<double>> outs;
  std::vector<double> cur = input;
  for (const Layer& L : m.layers) {
    std::vector<double> out;
    const std::string& t = L.type;
    if (t == "dense") {
      int n_in = L.in_size();
      for (int j = 0; j < L.units; ++j) {
        double s = L.bias[j];
        for (int i = 0; i < n_in; ++i) s += cur[i] * L.weights[i * L.units + j];
        out.push_back(s);
      }
    } else if (t == "conv1d" || t == "conv2d") {
      const Window win = window_of(L);
      const int C = win.C, OH = win.OH, OW = win.OW;
      const int NF = L.filters;
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow)
          for (int f = 0; f < NF; ++f) {
            double s = L.bias[f];
            win.for_each_tap(oh, ow, [&](int tap, int px) {
              for (int c = 0; c < C; ++c) s += cur[px * C + c] * L.weights[(tap * C + c) * NF + f];
            });
            out.push_back(s);
          }
    } else if (t == "batchnorm") {
      int C = L.in_shape.back();
      for (size_t i = 0; i < cur.size(); ++i) out.push_back(cur[i] * L.weights[i % C] + L.bias[i % C]);
    } else if (t == "relu") {
      for (double x : cur) out.push_back(x > 0 ? x : 0);
    } else if (t == "leaky_relu") {
      for (double x : cur) out.push_back(x > 0 ? x : L.alpha * x);
    } else if (t == "hard_sigmoid") {
      for (double x : cur) out.push_back(std::min(1.0, std::max(0.0, 0.2 * x + 0.5)));
    } else if (t == "hard_tanh") {
      for (double x : cur) out.push_back(std::min(1.0, std::max(-1.0, x)));
    } else if (t == "sigmoid") {
      for (double x : cur) out.push_back(1 / (1 + std::exp(-x)));
    } else if (t == "tanh") {
      for (double x : cur) out.push_back(std::tanh(x));
    } else if (t == "softmax") {
      double mx = *std::max_element(cur.begin(), cur.end()), z = 0;
      for (double x : cur) z += std::exp(x - mx);
      size_t arg = std::max_element(cur.begin(), cur.end()) - cur.begin();
      for (size_t i = 0; i < cur.size(); ++i) out.push_back(L.argmax_only ? (i == arg ? 1.0 : 0.0) : std::exp(cur[i] - mx) / z);
    } else if (t.find("pool") != std::string::npos) {
      bool avg = t.rfind("avg", 0) == 0;
      const Window win = window_of(L);
      const int C = win.C, OH = win.OH, OW = win.OW;
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow)
          for (int c = 0; c < C; ++c) {
            double best = -HUGE_VAL, s = 0;
            int n = 0;
            win.for_each_tap(oh, ow, [&](int, int px) {
              double v = cur[px * C + c];
              best = std::max(best, v);
              s += v;
              ++n;
            });
            out.push_back(avg ? s / std::max(n, 1) : best);
          }
    } else {  // flatten
      out = cur;
    }
    outs.push_back(out);
    cur = out;
  }
  return outs;
}

}  // namespace tf::hlsgen
