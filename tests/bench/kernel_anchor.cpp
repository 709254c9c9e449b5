// Benchmark anchor: the SystemC kernel's own cost for the CIM macro's structure (6 SC_THREAD stages joined
// by capacity-1 sc_fifos, one wait per stage per token) with no model work at all. The CIM benchmark
// reports its simulated micro-ops per second as a ratio to this bare pipeline, measured in the same run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include <systemc>

using namespace sc_core;

SC_MODULE(Stage) {
  sc_fifo_in<int> in;
  sc_fifo_out<int> out;
  SC_CTOR(Stage) { SC_THREAD(run); }
  void run() {
    for (;;) {
      int v = in.read();
      wait(5, SC_NS);
      out.write(v);
    }
  }
};

SC_MODULE(Source) {
  sc_fifo_out<int> out;
  long n = 0;
  SC_CTOR(Source) { SC_THREAD(run); }
  void run() {
    for (long i = 0; i < n; ++i) {
      wait(5, SC_NS);  // decode-like stage
      out.write((int)i);
    }
  }
};

SC_MODULE(Sink) {
  sc_fifo_in<int> in;
  long n = 0;
  SC_CTOR(Sink) { SC_THREAD(run); }
  void run() {
    for (long i = 0; i < n; ++i) {
      in.read();
      wait(5, SC_NS);  // write-back-like stage
    }
  }
};

int sc_main(int argc, char* argv[]) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<sc_fifo<int>>> f;
  for (int i = 0; i < 5; ++i) f.push_back(std::make_unique<sc_fifo<int>>(1));
  Source src("src");
  src.n = n;
  src.out(*f[0]);
  std::vector<std::unique_ptr<Stage>> st;
  for (int i = 0; i < 4; ++i) {
    st.push_back(std::make_unique<Stage>(sc_gen_unique_name("stage")));
    st.back()->in(*f[i]);
    st.back()->out(*f[i + 1]);
  }
  Sink sink("sink");
  sink.n = n;
  sink.in(*f[4]);
  sc_start();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld %.6f\n", n, s);
  return 0;
}
