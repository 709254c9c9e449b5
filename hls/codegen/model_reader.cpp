#include "model_reader.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/reader.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

// The generic checks are the shared strict reader's (core/reader.h); this file adds the model format's own.
void JsonReader::err(const std::string& path, const json& v, const std::string& expected) {
  JsonNode(v, file, d, path).fail(expected);
}
void JsonReader::keys(const json& o, const std::string& path, const std::set<std::string>& allowed) {
  JsonNode(o, file, d, path).only_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

bool JsonReader::format(const json& o, const std::string& path, FixedFormat& f) {
  std::string why;
  if (!o.is_string() || !FixedFormat::parse(o.get<std::string>(), f, why)) {
    err(path, o, why.empty() ? "a fixed-point type such as \"fixed<16,6>\"" : why);
    return false;
  }
  return true;
}

void JsonReader::precision(const json& o, const std::string& path, LayerPrecision& p) {
  if (!o.is_object()) {
    err(path, o, "an object with weight, bias, accum, result, table (and state, matrix for lmu layers)");
    return;
  }
  keys(o, path, {"weight", "bias", "accum", "result", "table", "state", "matrix"});
  if (o.contains("state")) format(o["state"], path + ".state", p.state);
  if (o.contains("matrix")) format(o["matrix"], path + ".matrix", p.matrix);
  if (o.contains("weight")) format(o["weight"], path + ".weight", p.weight);
  if (o.contains("bias")) format(o["bias"], path + ".bias", p.bias);
  if (o.contains("accum")) format(o["accum"], path + ".accum", p.accum);
  if (o.contains("result")) format(o["result"], path + ".result", p.result);
  if (o.contains("table")) format(o["table"], path + ".table", p.table);
}

int JsonReader::integer(const json& o, const std::string& path, int lo, int hi) {
  return (int)JsonNode(o, file, d, path).integer(lo, hi, lo);
}

std::vector<int> JsonReader::ints(const json& o, const std::string& path, size_t n, int lo, int hi) {
  std::vector<int> v;
  if (o.is_number_integer()) return std::vector<int>(n, integer(o, path, lo, hi));
  if (!o.is_array() || o.size() != n) {
    err(path, o, "an integer or a list of " + std::to_string(n));
    return std::vector<int>(n, lo);
  }
  for (size_t k = 0; k < n; ++k) v.push_back(integer(o[k], path + "[" + std::to_string(k) + "]", lo, hi));
  return v;
}

std::vector<double> JsonReader::tensor(const json& o, const std::string& path, const std::vector<int>& shape) {
  size_t n = 1;
  for (int s : shape) n *= (size_t)s;
  std::vector<double> v;
  if (o.is_object()) {
    keys(o, path, {"file", "dtype", "shape", "offset"});
    if (!o.contains("file") || !o["file"].is_string()) {
      err(path + ".file", o.value("file", json()), "a binary file name (relative to the model file)");
      return v;
    }
    std::string dtype = "float32";
    if (o.contains("dtype")) {
      if (o["dtype"] == "float32" || o["dtype"] == "float64")
        dtype = o["dtype"].get<std::string>();
      else
        err(path + ".dtype", o["dtype"], "\"float32\" or \"float64\"");
    }
    if (o.contains("shape")) {
      std::vector<int> sh;
      if (o["shape"].is_array())
        for (auto& x : o["shape"]) sh.push_back(x.is_number_integer() ? x.get<int>() : -1);
      if (sh != shape) {
        std::string want;
        for (int s : shape) want += (want.empty() ? "" : ", ") + std::to_string(s);
        err(path + ".shape", o["shape"], "[" + want + "]");
        return v;
      }
    }
    size_t offset = 0;
    if (o.contains("offset")) {
      if (!o["offset"].is_number_unsigned() || o["offset"].get<uint64_t>() > (1ULL << 40)) {
        err(path + ".offset", o["offset"], "a byte offset (non-negative integer)");
        return v;
      }
      offset = o["offset"].get<size_t>();
    }
    fs::path p = fs::path(file).parent_path() / o["file"].get<std::string>();
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      err(path + ".file", o["file"], "an existing file (resolved to " + p.lexically_normal().string() + ")");
      return v;
    }
    size_t es = dtype == "float64" ? 8 : 4;
    in.seekg(0, std::ios::end);
    size_t size = (size_t)in.tellg();
    if (size < offset + n * es) {
      err(path + ".file", o["file"],
          std::to_string(offset + n * es) + " bytes from offset " + std::to_string(offset) + " (file has " +
              std::to_string(size) + ")");
      return v;
    }
    in.seekg((std::streamoff)offset);
    std::vector<char> buf(n * es);
    if (!in.read(buf.data(), (std::streamsize)buf.size())) {
      err(path + ".file", o["file"], "a readable file");
      return v;
    }
    for (size_t k = 0; k < n; ++k) {  // little-endian (the only byte order of the machines we build on)
      if (es == 4) {
        float f;
        std::memcpy(&f, &buf[k * 4], 4);
        v.push_back(f);
      } else {
        double f;
        std::memcpy(&f, &buf[k * 8], 8);
        v.push_back(f);
      }
    }
  } else {
    flatten(o, path, v);
    if (v.size() != n) {
      std::string want;
      for (int s : shape) want += (want.empty() ? "" : " x ") + std::to_string(s);
      err(path, json(std::to_string(v.size()) + " numbers"), want + " = " + std::to_string(n) + " numbers");
    }
  }
  for (double x : v)
    if (!std::isfinite(x)) {
      err(path, json("non-finite value"), "finite numbers");
      break;
    }
  return v;
}

void JsonReader::flatten(const json& o, const std::string& path, std::vector<double>& out) {
  if (o.is_number()) {
    out.push_back(o.get<double>());
  } else if (o.is_array()) {
    for (size_t k = 0; k < o.size(); ++k) flatten(o[k], path, out);
  } else {
    err(path, o, "numbers (nested lists) or {\"file\": ..., \"dtype\": ..., \"shape\": [...]}");
  }
}

void JsonReader::accumulation(const json& o, const std::string& path, std::string& mode) {
  if (o != "exact" && o != "hls4ml")
    err(path, o, "\"exact\" (exact sum, one conversion) or \"hls4ml\" (conversion after every addition)");
  else
    mode = o.get<std::string>();
}

void JsonReader::softmax_options(const json& o, const std::string& path, std::string& impl, Hls4mlSoftmax& sm) {
  const std::string pre = path.empty() ? "" : path + ".";
  if (o.contains("implementation")) {
    const json& v = o["implementation"];
    if (v != "tinyforge" && v != "hls4ml_stable" && v != "hls4ml_latency")
      err(pre + "implementation", v, "\"tinyforge\", \"hls4ml_stable\" or \"hls4ml_latency\"");
    else
      impl = v.get<std::string>();
  }
  if (!o.contains("hls4ml")) return;
  const json& h = o["hls4ml"];
  const std::string hp = pre + "hls4ml";
  if (!h.is_object()) {
    err(hp, h, "an object with table_size, exp_table_t, inv_table_t, accum_t, inv_inp_t, inp_norm_t");
    return;
  }
  keys(h, hp, {"table_size", "exp_table_t", "inv_table_t", "accum_t", "inv_inp_t", "inp_norm_t"});
  if (h.contains("table_size")) {
    int t = integer(h["table_size"], hp + ".table_size", 2, 1 << 16);
    if (t & (t - 1))
      err(hp + ".table_size", h["table_size"], "a power of two from 2 to 65536");
    else
      sm.table_size = t;
  }
  if (h.contains("exp_table_t")) format(h["exp_table_t"], hp + ".exp_table_t", sm.exp_table_t);
  if (h.contains("inv_table_t")) format(h["inv_table_t"], hp + ".inv_table_t", sm.inv_table_t);
  if (h.contains("accum_t")) format(h["accum_t"], hp + ".accum_t", sm.accum_t);
  if (h.contains("inv_inp_t")) format(h["inv_inp_t"], hp + ".inv_inp_t", sm.inv_inp_t);
  if (h.contains("inp_norm_t") && format(h["inp_norm_t"], hp + ".inp_norm_t", sm.inp_norm_t)) sm.inp_norm_given = true;
}

void resolve_padding(JsonReader& R, const json& lj, const std::string& p, Layer& L, const std::vector<int>& spatial) {
  size_t nd = spatial.size();
  L.pad_begin.assign(nd, 0);
  L.pad_end.assign(nd, 0);
  std::string mode = "valid";
  if (lj.contains("padding")) {
    if (lj["padding"].is_string()) {
      mode = lj["padding"].get<std::string>();
      if (mode != "valid" && mode != "same")
        R.err(p + ".padding", lj["padding"], "\"valid\", \"same\" or explicit [[begin, end], ...]");
    } else if (lj["padding"].is_array() && lj["padding"].size() == nd) {
      mode = "explicit";
      for (size_t k = 0; k < nd; ++k) {
        auto be = R.ints(lj["padding"][k], p + ".padding[" + std::to_string(k) + "]", 2, 0, 64);
        L.pad_begin[k] = be[0];
        L.pad_end[k] = be[1];
      }
    } else {
      R.err(p + ".padding", lj["padding"], "\"valid\", \"same\" or explicit [[begin, end], ...] per spatial dimension");
    }
  }
  for (size_t k = 0; k < nd; ++k) {
    int in = spatial[k], kk = L.kernel[k], s = L.strides[k];
    if (mode == "same") {
      int out = (in + s - 1) / s;
      int total = std::max((out - 1) * s + kk - in, 0);
      L.pad_begin[k] = total / 2;
      L.pad_end[k] = total - total / 2;
    }
    int span = in + L.pad_begin[k] + L.pad_end[k];
    if (span < kk) {
      R.err(p + ".kernel", json(kk), "a window no larger than the padded input (" + std::to_string(span) + ")");
      L.out_shape.push_back(1);
    } else {
      L.out_shape.push_back((span - kk) / s + 1);
    }
  }
}

}  // namespace tf::hlsgen
