// Neuromorphic input rasters: the same bytes read as a JSON raster and as a CSV raster, for a 16-input
// network (the chip's maximum) and a 3-input one.
#include "harness.h"
#include "neuro/network.h"

TF_FUZZ_HARNESS(neuro_raster) {
  const std::string_view bytes((const char*)data, size);
  for (const char* name : {"raster.json", "raster.csv"}) {
    const std::string file = (tf::fuzz::temp_dir() / name).string();
    tf::fuzz::write_file(file, bytes);
    for (int n_in : {16, 3}) {
      try {
        tf::neuro::Raster r = tf::neuro::load_raster(file, n_in);
        for (const auto& row : r)
          if ((int)row.size() != n_in) throw std::logic_error("a raster row of the wrong width was accepted");
      } catch (const tf::InputError&) {
        // rejected: expected for most inputs
      }
    }
  }
}
