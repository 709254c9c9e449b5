// Catch2 runner for tests that elaborate SystemC: libsystemc provides main() and calls sc_main().
// CTest runs each test case in its own process (catch_discover_tests), so each may elaborate once.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <systemc>

int sc_main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return Catch::Session().run(argc, argv);
}
