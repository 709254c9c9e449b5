// What every CIM macro runs, independent of how a macro computes it: the workloads (integer MVM layers with
// per-layer precision, a binary NN layer, an HDC bind-and-search query), their seeded random data, their data
// files (docs/cim.md, "Workload data"), the declared workload parameters, and the software reference every
// run checks its results against. No SystemC and no macro in here: the digital macro (cim/digital/) and
// the analog one both build on it.
#pragma once
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/reader.h"
#include "core/schema.h"

namespace tf::cim {

// ---- workloads ----------------------------------------------------------------------------------------
struct MvmLayer {
  int m = 0, n = 0, w_bits = 4, x_bits = 4;
  bool w_signed = true, x_signed = true;
  std::vector<std::vector<int64_t>> w;  // [m][n]
  std::vector<int64_t> x;               // [n]
};
// The value range of a BITS-wide integer, two's complement if SIGNED.
inline int64_t min_of(int bits, bool sgn) { return sgn ? -(int64_t(1) << (bits - 1)) : 0; }
inline int64_t max_of(int bits, bool sgn) { return sgn ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1; }

struct BnnLayer {
  int m = 0, n = 0;
  std::vector<std::vector<int>> w;  // [m][n], +1/-1
  std::vector<int> x;               // [n], +1/-1
};

struct HdcQuery {
  int dim = 0, classes = 0;
  std::vector<std::vector<uint8_t>> prototypes;  // [classes][dim] bits
  std::vector<uint8_t> key, value;               // [dim]
};

// Seeded random data (same seed, same data).
void random_mvm(MvmLayer& l, std::mt19937_64& rng);
void random_bnn(BnnLayer& l, std::mt19937_64& rng);
void random_hdc(HdcQuery& q, std::mt19937_64& rng);
// A seeded MVM over VECTORS inputs: random_mvm(L, RNG) draws the weights and the first vector, then fresh
// inputs for the others (L.x ends as the last vector). Returns the inputs; W_NM gets the weights input-major
// ([n][m], as arrays store them).
std::vector<std::vector<int64_t>> random_mvm_batch(MvmLayer& l, int vectors, std::mt19937_64& rng,
                                                   std::vector<std::vector<int64_t>>& w_nm);

// ---- software reference (the self-check) --------------------------------------------------------------
std::vector<int64_t> mvm_reference(const MvmLayer& l);   // y = W x, exactly
std::vector<int64_t> bnn_reference(const BnnLayer& l);   // y = W x over +1/-1
std::vector<uint64_t> hdc_reference(const HdcQuery& q);  // Hamming distance of key^value to each prototype
// Entries of GOT that differ from REF (sizes must match).
template <class A, class B>
int mismatches(const std::vector<A>& got, const std::vector<B>& ref) {
  int n = 0;
  for (size_t k = 0; k < ref.size(); ++k) n += k >= got.size() || (int64_t)got[k] != (int64_t)ref[k];
  return n;
}

// ---- declared workload parameters ---------------------------------------------------------------------
struct MvmLayerParams {
  int m = 0, n = 0, w_bits = 4, x_bits = 4;  // m, n: 0 = as large as the macro holds
  bool w_signed = true, x_signed = true;
};
struct WorkloadParams {
  std::string kind;  // mvm, bnn, hdc, or a macro's own kinds (the digital macro: program)
  std::string data;  // workload data file; "" = seeded random data
  std::vector<MvmLayerParams> layers;
  int bnn_m = 0, bnn_n = 0, hdc_dim = 0, hdc_classes = 16;
};
// workload.kind (KINDS: mvm, bnn, hdc and a macro's own), workload.data, workload.layers[], workload.bnn.*,
// workload.hdc.*. The macro adds its own limits as rules.
Schema<WorkloadParams> workload_schema(const std::vector<std::string>& kinds, const std::string& kind_desc);

// ---- workload data files ------------------------------------------------------------------------------
// What a macro can hold; a data file beyond it is an input error naming the file and the JSON path.
struct MvmLimits {
  int max_m = 0, max_n = 0;  // outputs, inputs per layer
  // Extra check of a whole layer (e.g. "results fit a word"); returns "" when the layer fits, else why not.
  std::function<std::string(const MvmLayer&)> layer_fits;
};
// Reads {"layers": [{"w": [[...]], "x": [...]}, ...]} with one entry per declared layer (whose precision
// and signedness come from LAYERS); all problems reported together (InputError).
std::vector<MvmLayer> read_mvm_data(const json& data, const std::string& file,
                                    const std::vector<MvmLayerParams>& layers, const MvmLimits& lim);
// {"w": [[+1/-1...]], "x": [...]}: at most MAX_M rows and MAX_N columns.
BnnLayer read_bnn_data(const json& data, const std::string& file, int max_m, int max_n);
// {"prototypes": [[0/1...]], "key": [...], "value": [...]}: at most MAX_CLASSES rows and MAX_DIM columns.
HdcQuery read_hdc_data(const json& data, const std::string& file, int max_classes, int max_dim);
// Loads a workload data file: a JSON object, else an InputError.
json load_workload_data(const std::string& file);

}  // namespace tf::cim
