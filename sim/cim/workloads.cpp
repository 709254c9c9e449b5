#include "cim/workloads.h"

namespace tf::cim {

void random_mvm(MvmLayer& l, std::mt19937_64& rng) {
  std::uniform_int_distribution<int64_t> dw(min_of(l.w_bits, l.w_signed), max_of(l.w_bits, l.w_signed));
  std::uniform_int_distribution<int64_t> dx(min_of(l.x_bits, l.x_signed), max_of(l.x_bits, l.x_signed));
  l.w.assign(l.m, std::vector<int64_t>(l.n));
  for (auto& r : l.w)
    for (auto& v : r) v = dw(rng);
  l.x.assign(l.n, 0);
  for (auto& v : l.x) v = dx(rng);
}

std::vector<std::vector<int64_t>> random_mvm_batch(MvmLayer& l, int vectors, std::mt19937_64& rng,
                                                   std::vector<std::vector<int64_t>>& w_nm) {
  random_mvm(l, rng);
  w_nm.assign(l.n, std::vector<int64_t>(l.m));
  for (int r = 0; r < l.n; ++r)
    for (int j = 0; j < l.m; ++j) w_nm[r][j] = l.w[j][r];
  std::uniform_int_distribution<int64_t> dx(min_of(l.x_bits, l.x_signed), max_of(l.x_bits, l.x_signed));
  std::vector<std::vector<int64_t>> xs;
  xs.reserve(vectors);
  for (int v = 0; v < vectors; ++v) {
    if (v > 0)
      for (auto& e : l.x) e = dx(rng);
    xs.push_back(l.x);
  }
  return xs;
}

void random_bnn(BnnLayer& l, std::mt19937_64& rng) {
  l.w.assign(l.m, std::vector<int>(l.n));
  for (auto& r : l.w)
    for (auto& v : r) v = (rng() & 1) ? 1 : -1;
  l.x.assign(l.n, 0);
  for (auto& v : l.x) v = (rng() & 1) ? 1 : -1;
}

void random_hdc(HdcQuery& q, std::mt19937_64& rng) {
  auto hv = [&] {
    std::vector<uint8_t> v(q.dim);
    for (auto& b : v) b = rng() & 1;
    return v;
  };
  q.prototypes.clear();
  for (int c = 0; c < q.classes; ++c) q.prototypes.push_back(hv());
  q.key = hv();
  q.value = hv();
  // Make one class the noisy version of the bound query (1 bit in 8 flipped), so the search has an answer.
  if (q.classes > 0) {
    size_t target = rng() % (size_t)q.classes;
    for (int d = 0; d < q.dim; ++d) q.prototypes[target][d] = (uint8_t)((q.key[d] ^ q.value[d]) ^ ((rng() & 7) == 0));
  }
}

std::vector<int64_t> mvm_reference(const MvmLayer& l) {
  std::vector<int64_t> y(l.m, 0);
  for (int i = 0; i < l.m; ++i)
    for (int j = 0; j < l.n; ++j) y[i] += l.w[i][j] * l.x[j];
  return y;
}

std::vector<int64_t> bnn_reference(const BnnLayer& l) {
  std::vector<int64_t> y(l.m, 0);
  for (int i = 0; i < l.m; ++i)
    for (int j = 0; j < l.n; ++j) y[i] += l.w[i][j] * l.x[j];
  return y;
}

std::vector<uint64_t> hdc_reference(const HdcQuery& q) {
  std::vector<uint64_t> d(q.classes, 0);
  for (int k = 0; k < q.classes; ++k)
    for (int b = 0; b < q.dim; ++b) d[k] += (q.key[b] ^ q.value[b]) != q.prototypes[k][b];
  return d;
}

Schema<WorkloadParams> workload_schema(const std::vector<std::string>& kinds, const std::string& kind_desc) {
  Schema<WorkloadParams> s;
  s.choice("workload.kind", &WorkloadParams::kind, kinds.at(0), kinds, kind_desc);
  s.file("workload.data", &WorkloadParams::data, "", "",
         "workload data JSON instead of seeded random data (see docs/cim.md)");
  Schema<MvmLayerParams> layer;
  layer.integer("m", &MvmLayerParams::m, 0, 0, 4096, "outputs",
                "output rows of W (one per word of a row); 0 = cols / word_bits");
  layer.integer("n", &MvmLayerParams::n, 0, 0, 4096, "inputs",
                "inputs (one weight row each); 0 = as many as the array holds and a word can sum without overflow");
  layer.integer("w_bits", &MvmLayerParams::w_bits, 4, 1, 32, "bits", "weight precision");
  layer.integer("x_bits", &MvmLayerParams::x_bits, 4, 1, 32, "bits",
                "input precision (inputs are applied one bit per step)");
  layer.boolean("w_signed", &MvmLayerParams::w_signed, true, "weights are two's complement");
  layer.boolean("x_signed", &MvmLayerParams::x_signed, true,
                "inputs are two's complement (the sign bit is subtracted)");
  s.objects("workload.layers", &WorkloadParams::layers, json::array({json::object()}), layer, 1, 64,
            "MVM layers run one after another, each with its own precision (mixed precision)");
  s.integer("workload.bnn.m", &WorkloadParams::bnn_m, 0, 0, 4096, "neurons",
            "BNN outputs (one weight row each); 0 = as many as fit");
  s.integer("workload.bnn.n", &WorkloadParams::bnn_n, 0, 0, 4096, "inputs", "BNN inputs (bits per row); 0 = cols");
  s.integer("workload.hdc.dim", &WorkloadParams::hdc_dim, 0, 0, 4096, "bits", "hypervector dimension; 0 = cols");
  s.integer("workload.hdc.classes", &WorkloadParams::hdc_classes, 16, 1, 4096, "classes",
            "prototype hypervectors searched");
  return s;
}

json load_workload_data(const std::string& file) {
  json data = load_json_file(file);
  if (!data.is_object())
    throw InputError(file + ": (top level): got " + show(data) +
                     "; expected a JSON object (see docs/cim.md, workload data)");
  return data;
}

namespace {

// A list of EXPECT integers in [LO, HI] (EXPECT = 0: any length); WORDING replaces "an integer in [LO, HI]".
std::vector<int64_t> ints(const JsonNode& n, int64_t lo, int64_t hi, size_t expect, const std::string& wording = "") {
  std::vector<int64_t> v;
  if (!n.is_list() || (expect && n.size() != expect)) {
    n.fail("a list of " + (expect ? std::to_string(expect) + " " : std::string()) + "integers");
    return v;
  }
  v.reserve(n.size());
  for (size_t k = 0; k < n.size(); ++k) v.push_back(n[k].integer(lo, hi, 0, wording));
  return v;
}

}  // namespace

std::vector<MvmLayer> read_mvm_data(const json& data, const std::string& file, const std::vector<MvmLayerParams>& decl,
                                    const MvmLimits& lim) {
  Diagnostics d;
  JsonNode root(data, file, d);
  root.only_keys({"layers", "description"});
  JsonNode L = root["layers"];
  std::vector<MvmLayer> out;
  if (!L.is_list() || L.size() == 0)
    L.fail("a non-empty list of {\"w\": [[...]], \"x\": [...]} (one per workload.layers entry)");
  else if (L.size() != decl.size())
    L.fail_got(std::to_string(L.size()) + " layers",
               std::to_string(decl.size()) + " layers (as many as workload.layers)");
  else
    for (size_t k = 0; k < L.size(); ++k) {
      const MvmLayerParams& p = decl[k];
      JsonNode lj = L[k];
      lj.only_keys({"w", "x"});
      MvmLayer l;
      l.w_bits = p.w_bits, l.x_bits = p.x_bits, l.w_signed = p.w_signed, l.x_signed = p.x_signed;
      JsonNode W = lj["w"];
      if (!W.is_list() || W.size() == 0 || W.size() > (size_t)lim.max_m) {
        W.fail("a matrix with 1.." + std::to_string(lim.max_m) + " rows (outputs)");
        continue;
      }
      l.m = (int)W.size();
      l.n = W[0].is_list() ? (int)W[0].size() : 0;
      int64_t wl = min_of(l.w_bits, l.w_signed), wh = max_of(l.w_bits, l.w_signed);
      int64_t xl = min_of(l.x_bits, l.x_signed), xh = max_of(l.x_bits, l.x_signed);
      for (size_t i = 0; i < W.size(); ++i) l.w.push_back(ints(W[i], wl, wh, l.n));
      l.x = ints(lj["x"], xl, xh, l.n);
      if (l.n < 1 || l.n > lim.max_n)
        W[0].fail_got(std::to_string(l.n) + " inputs", "1.." + std::to_string(lim.max_n) + " inputs for this array");
      std::string why = lim.layer_fits ? lim.layer_fits(l) : std::string();
      if (!why.empty()) lj.fail_got("this layer", "results that fit a word: " + why);
      out.push_back(std::move(l));
    }
  d.throw_if_any();
  return out;
}

BnnLayer read_bnn_data(const json& data, const std::string& file, int max_m, int max_n) {
  Diagnostics d;
  JsonNode root(data, file, d);
  root.only_keys({"w", "x", "description"});
  BnnLayer b;
  JsonNode W = root["w"];
  b.m = W.is_list() ? (int)W.size() : 0;
  b.n = b.m && W[0].is_list() ? (int)W[0].size() : 0;
  if (b.m < 1 || b.n < 1 || b.n > max_n || b.m > max_m) {
    W.fail("a +1/-1 matrix of at most " + std::to_string(max_m) + " rows and " + std::to_string(max_n) + " columns");
  } else {
    auto pm1 = [&](const JsonNode& n) {
      auto v = ints(n, -1, 1, b.n, "+1 or -1");
      for (size_t k = 0; k < v.size(); ++k)
        if (n[k].integral() && n[k].value().get<int64_t>() == 0) n[k].fail("+1 or -1");  // in range, not a sign
      return std::vector<int>(v.begin(), v.end());
    };
    for (int i = 0; i < b.m; ++i) b.w.push_back(pm1(W[i]));
    b.x = pm1(root["x"]);
  }
  d.throw_if_any();
  return b;
}

HdcQuery read_hdc_data(const json& data, const std::string& file, int max_classes, int max_dim) {
  Diagnostics d;
  JsonNode root(data, file, d);
  root.only_keys({"prototypes", "key", "value", "description"});
  HdcQuery q;
  JsonNode P = root["prototypes"];
  q.classes = P.is_list() ? (int)P.size() : 0;
  q.dim = q.classes && P[0].is_list() ? (int)P[0].size() : 0;
  if (q.classes < 1 || q.dim < 1 || q.dim > max_dim || q.classes > max_classes) {
    P.fail("a 0/1 matrix of at most " + std::to_string(max_classes) + " rows and " + std::to_string(max_dim) +
           " columns");
  } else {
    auto bits = [&](const JsonNode& n) {
      auto v = ints(n, 0, 1, q.dim);
      return std::vector<uint8_t>(v.begin(), v.end());
    };
    for (int k = 0; k < q.classes; ++k) q.prototypes.push_back(bits(P[k]));
    q.key = bits(root["key"]);
    q.value = bits(root["value"]);
  }
  d.throw_if_any();
  return q;
}

}  // namespace tf::cim
