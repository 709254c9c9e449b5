// Bit-accurate emulation of an LMU keyword spotter (tinyforge's emulator, one core) against its anchor, the
// same model in plain double precision (the float model of the same layers: the same loops without
// quantization), over the same utterances in the same run. Prints frames per second of both, their ratio and
// the emulator's real-time factor at 50 frames per second.
// usage: bench_lmu_emulate MODEL.json [REPEATS]   (the model's own test vectors; tests/bench/bench_lmu.sh)
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "emulate.h"
#include "float_eval.h"
#include "model.h"

using namespace tf::hlsgen;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_lmu_emulate MODEL.json [REPEATS]\n");
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 20;
  try {
    Model m = load_model_json(argv[1]);
    int n_in = 1;
    for (int d : m.input_shape) n_in *= d;
    TestVectors tv = load_test_vectors(m.test_vectors, n_in, m.layers.back().out_size(), m.sequential());
    using clock = std::chrono::steady_clock;
    double check = 0;
    long frames = 0;
    Emulator em(m);
    auto t0 = clock::now();
    for (int r = 0; r < repeats; ++r)
      for (size_t k = 0; k < tv.sequences(); ++k) {
        em.reset();
        for (size_t f = tv.seq_begin(k); f < tv.seq_end(k); ++f) {
          const auto& y = em.run_into(tv.inputs[f].data(), tv.inputs[f].size());
          check += y.back().at(0);
          ++frames;
        }
      }
    auto t1 = clock::now();
    std::vector<std::vector<double>> outs, state;
    for (int r = 0; r < repeats; ++r)
      for (size_t k = 0; k < tv.sequences(); ++k) {
        for (auto& s : state) s.clear();
        for (size_t f = tv.seq_begin(k); f < tv.seq_end(k); ++f) {
          float_eval_into(m, tv.inputs[f], outs, &state);
          check += outs.back()[0];
        }
      }
    auto t2 = clock::now();
    const double te = std::chrono::duration<double>(t1 - t0).count();
    const double td = std::chrono::duration<double>(t2 - t1).count();
    std::printf("%ld %.6f %.6f %g\n", frames, te, td, check);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_lmu_emulate: %s\n", e.what());
    return 2;
  }
  return 0;
}
