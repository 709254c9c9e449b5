// CIM workload data files: the same JSON read as MVM data (two declared layers, int4 and uint2 x int8, with the
// word-fit check of a 16-bit-word macro), as BNN data and as HDC data, at the default macro's limits; accepted
// data then goes through the software reference.
#include "cim/digital/mapper.h"
#include "cim/workloads.h"
#include "harness.h"

TF_FUZZ_HARNESS(cim_data) {
  const std::string file = "fuzz_data.json";
  const tf::json j = tf::parse_json_text(std::string((const char*)data, size), file);
  if (!j.is_object()) return;  // load_workload_data's own check
  try {
    std::vector<tf::cim::MvmLayerParams> decl(2);
    decl[1].w_bits = 2;
    decl[1].w_signed = false;
    decl[1].x_bits = 8;
    tf::cim::MvmLimits lim{16, 200, [](const tf::cim::MvmLayer& l) {
                             std::string why;
                             return tf::cim::mvm_fits_word(l, 16, &why) ? std::string() : why;
                           }};
    for (const auto& l : tf::cim::read_mvm_data(j, file, decl, lim)) tf::cim::mvm_reference(l);
  } catch (const tf::InputError&) {
    // rejected: expected for most inputs
  }
  try {
    tf::cim::bnn_reference(tf::cim::read_bnn_data(j, file, 250, 256));
  } catch (const tf::InputError&) {
    // rejected: expected for most inputs
  }
  tf::cim::hdc_reference(tf::cim::read_hdc_data(j, file, 240, 256));
}
