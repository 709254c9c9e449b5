// CIM micro-op programs: parsed for the default macro (256 x 256, 16-bit words); an accepted program must
// print back (program_to_text) to text that parses to the same program, and runs on the plain C++ macro.
#include "cim/digital/fast.h"
#include "cim/digital/isa.h"
#include "harness.h"

TF_FUZZ_HARNESS(cim_program) {
  const std::string file = "fuzz_program.json";
  const tf::json j = tf::parse_json_text(std::string((const char*)data, size), file);
  const tf::cim::MacroShape shape;
  const tf::cim::Geometry g{shape.rows, shape.cols, shape.word_bits};
  tf::Diagnostics d;
  const auto ops = tf::cim::parse_program(j, file, g, d);
  d.throw_if_any();
  const std::string text = tf::cim::program_to_text(ops);
  tf::Diagnostics d2;
  const auto again = tf::cim::parse_program(tf::parse_json_text(text, "printed"), "printed", g, d2);
  if (!d2.empty() || tf::cim::program_to_text(again) != text)
    throw std::logic_error("an accepted program does not read back from its own text");
  tf::cim::run_program_fast(shape, tf::cim::PipelineParams{}, ops, nullptr);
}
