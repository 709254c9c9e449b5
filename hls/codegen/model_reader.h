// The strict reader of the native model format (docs/model-format.md), shared by the generic loader
// (model.cpp) and the layer kinds' parse(): every problem is collected with its file, JSON path, value and
// what was expected, and reported together.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "core/util.h"
#include "model.h"

namespace tf::hlsgen {

class JsonReader {
 public:
  std::string file;
  Diagnostics d;

  void err(const std::string& path, const json& v, const std::string& expected);
  // Keys of O outside ALLOWED are errors (with the closest allowed key).
  void keys(const json& o, const std::string& path, const std::set<std::string>& allowed);
  bool format(const json& o, const std::string& path, FixedFormat& f);
  void precision(const json& o, const std::string& path, LayerPrecision& p);
  int integer(const json& o, const std::string& path, int lo, int hi);
  // An integer (repeated N times) or a list of N integers in [LO, HI].
  std::vector<int> ints(const json& o, const std::string& path, size_t n, int lo, int hi);
  // Numbers: nested lists (flattened row-major) or {"file", "dtype", "shape", "offset"}.
  std::vector<double> tensor(const json& o, const std::string& path, const std::vector<int>& shape);
  void flatten(const json& o, const std::string& path, std::vector<double>& out);
  // Dense/conv "accumulation": "exact" or "hls4ml".
  void accumulation(const json& o, const std::string& path, std::string& mode);
  // Softmax "implementation" ("tinyforge", "hls4ml_stable", "hls4ml_latency") and "hls4ml" parameters
  // ({"table_size", "exp_table_t", "inv_table_t", "accum_t", "inv_inp_t", "inp_norm_t"}), read from the
  // object O (at PATH) when present.
  void softmax_options(const json& o, const std::string& path, std::string& impl, Hls4mlSoftmax& sm);
};

// Conv and pooling: the "padding" field of LJ ("valid", "same" or explicit [[begin, end], ...]) resolved
// against L.kernel and L.strides over the SPATIAL input sizes into L.pad_begin/pad_end; appends the output's
// spatial sizes to L.out_shape.
void resolve_padding(JsonReader& R, const json& lj, const std::string& p, Layer& L, const std::vector<int>& spatial);

}  // namespace tf::hlsgen
