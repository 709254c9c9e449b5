// What the tinyforge command needs from SystemC once the SystemC models are loaded (tinyforge-sc.so, or linked
// into a test-only command variant): SystemC reports on stderr, errors as exceptions the command turns into
// its exit codes, no banner on stdout (--json output must be pure JSON).
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <systemc>

namespace {

void report_to_stderr(const sc_core::sc_report& rep, const sc_core::sc_actions& actions) {
  if (actions & sc_core::SC_DISPLAY) std::cerr << sc_core::sc_report_compose_message(rep) << "\n";
  if (actions & (sc_core::SC_THROW | sc_core::SC_ABORT)) throw std::runtime_error(rep.get_msg());
}

struct ScSetup {
  ScSetup() {
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);  // read when the kernel first starts
    sc_core::sc_report_handler::set_handler(report_to_stderr);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  }
} sc_setup;

}  // namespace

// libsystemc's own main() calls sc_main(); tinyforge has its own main() and never calls this one, but the
// library (linked with BIND_NOW) must find the symbol to load at all.
extern "C" int sc_main(int, char*[]) {
  std::cerr << "internal error: sc_main is not tinyforge's entry point\n";
  return 1;
}
