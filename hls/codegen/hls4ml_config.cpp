#include "hls4ml_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/diagnostics.h"

namespace tf::hlsgen {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (char)std::tolower((unsigned char)c);
  return s;
}

std::string shown(const YAML::Node& n) {
  if (n.IsScalar()) return "\"" + n.Scalar() + "\"";
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// Keys of an hls4ml project file and of its HLSConfig that describe the tool run, not the arithmetic.
const std::vector<std::string> kToolKeys = {"OutputDir", "ProjectName", "Part", "XilinxPart", "Board", "ClockPeriod",
                                            "ClockUncertainty", "Backend", "IOType", "KerasJson", "KerasH5",
                                            "KerasModel", "OnnxModel", "PytorchModel", "InputData",
                                            "OutputPredictions", "Version", "Stamp", "WriterConfig", "Flows"};

class Importer {
 public:
  Importer(const std::string& file, json& model, std::vector<std::string>& notes)
      : file_(file), model_(model), notes_(notes) {}

  void run() {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file_);
    } catch (const YAML::BadFile&) {
      throw InputError(file_ + ": cannot open file");
    } catch (const YAML::Exception& e) {
      throw InputError(file_ + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                       ": malformed YAML: " + e.msg);
    }
    if (!root.IsMap()) throw InputError(file_ + ": (top level): got " + shown(root) + "; expected a mapping");
    YAML::Node cfg = root;
    std::string base;
    if (root["HLSConfig"]) {
      for (auto it : root) {
        std::string k = it.first.as<std::string>();
        if (k == "HLSConfig") continue;
        if (k == "IOType")
          note(k, "tinyforge computes every layer as hls4ml's io_parallel templates do");
        else if (std::find(kToolKeys.begin(), kToolKeys.end(), k) != kToolKeys.end())
          note(k, "describes the hls4ml tool run, not the arithmetic");
        else
          d_.error(file_, k, shown(it.second), "no such key (HLSConfig, " + list(kToolKeys) + ")" + hint(k, kToolKeys));
      }
      cfg = root["HLSConfig"];
      base = "HLSConfig.";
      if (!cfg.IsMap()) d_.error(file_, "HLSConfig", shown(cfg), "a mapping with Model and LayerName");
    }
    split_activations();
    model_["accumulation"] = "hls4ml";
    model_["softmax"] = json{{"implementation", "hls4ml_stable"}};
    if (cfg.IsMap()) {
      for (auto it : cfg) {
        std::string k = it.first.as<std::string>();
        const std::string p = base + k;
        if (k == "Model")
          model(it.second, p);
        else if (k == "LayerName")
          layers(it.second, p);
        else if (k == "LayerType")
          note(p, "per-type settings are not imported; give them per layer under LayerName");
        else if (k == "Optimizers" || k == "SkipOptimizers" || k == "Flows")
          note(p, "hls4ml's optimizer passes have no counterpart");
        else
          d_.error(file_, p, shown(it.second), "no such key (Model, LayerName, LayerType)" +
                                                   hint(k, {"Model", "LayerName", "LayerType"}));
      }
    }
    d_.throw_if_any();
  }

 private:
  static std::string list(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }
  static std::string hint(const std::string& k, const std::vector<std::string>& v) {
    std::string c = closest(k, v);
    return c.empty() ? "" : "; did you mean '" + c + "'?";
  }
  // Layers named as load_model names them, and "activation" on dense/conv written out as a layer of its own
  // (named <layer>_<activation>, with the layer's precision, as load_model makes it) so LayerName can address it.
  void split_activations() {
    if (!model_.contains("layers") || !model_["layers"].is_array()) return;
    json out = json::array();
    const json& in = model_["layers"];
    for (size_t i = 0; i < in.size(); ++i) {
      json L = in[i];
      if (!L.is_object() || !L.contains("type") || !L["type"].is_string()) return;  // load_model reports it
      if (!L.contains("name")) L["name"] = L["type"].get<std::string>() + std::to_string(i);
      json act;
      if (L.contains("activation") && L["activation"].is_string() && L["activation"] != "linear") {
        act = json{{"name", L["name"].get<std::string>() + "_" + L["activation"].get<std::string>()},
                   {"type", L["activation"]}};
        if (L.contains("precision")) act["precision"] = L["precision"];
      }
      L.erase("activation");
      out.push_back(L);
      if (!act.is_null()) out.push_back(act);
    }
    model_["layers"] = out;
  }

  void note(const std::string& path, const std::string& why) { notes_.push_back(file_ + ": " + path + ": not honoured (" + why + ")"); }

  // "ap_fixed<16,6>", "ap_ufixed<8,0,AP_RND,AP_SAT>", "ap_int<8>", "fixed<16,6,RND,SAT>" -> tinyforge's text.
  bool type(const YAML::Node& n, const std::string& p, std::string& out) {
    static const std::regex fx(R"(^\s*(ap_)?(u?)fixed\s*<\s*(\d+)\s*,\s*(-?\d+)\s*(?:,\s*(?:AP_)?(\w+)\s*)?(?:,\s*(?:AP_)?(\w+)\s*)?(?:,\s*0\s*)?>\s*$)");
    static const std::regex in(R"(^\s*(ap_)?(u?)int\s*<\s*(\d+)\s*>\s*$)");
    std::smatch m;
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    if (std::regex_match(s, m, fx)) {
      out = std::string(m[2].str() == "u" ? "ufixed<" : "fixed<") + m[3].str() + "," + m[4].str();
      if (m[5].matched) out += "," + m[5].str();
      if (m[6].matched) out += "," + m[6].str();
      out += ">";
      return true;
    }
    if (std::regex_match(s, m, in)) {
      out = std::string(m[2].str() == "u" ? "ufixed<" : "fixed<") + m[3].str() + "," + m[3].str() + ">";
      return true;
    }
    d_.error(file_, p, shown(n), "an hls4ml precision such as ap_fixed<16,6> or ap_ufixed<8,0,AP_RND,AP_SAT>");
    return false;
  }

  void reuse(const YAML::Node& n, const std::string& p, json& target) {
    int r = 0;
    try {
      r = n.as<int>();
    } catch (const YAML::Exception&) {
      r = 0;
    }
    if (r < 1 || r > (1 << 20))
      d_.error(file_, p, shown(n), "a reuse factor from 1 to 1048576");
    else
      target["reuse_factor"] = r;
  }

  void strategy(const YAML::Node& n, const std::string& p, json& target) {
    std::string s = n.IsScalar() ? lower(n.Scalar()) : "";
    if (s != "latency" && s != "resource") {
      d_.error(file_, p, shown(n), "Latency or Resource");
      return;
    }
    target["strategy"] = s;
    if (s == "resource")
      note(p, "the resource strategy's accumulation order is reproduced for dense layers; conv layers add in window "
              "order, as hls4ml's latency strategy does");
  }

  // Model: Precision (a type, or default/weight/bias/result/accum), ReuseFactor, Strategy.
  void model(const YAML::Node& n, const std::string& p) {
    if (!n.IsMap()) {
      d_.error(file_, p, shown(n), "a mapping with Precision, ReuseFactor, Strategy");
      return;
    }
    for (auto it : n) {
      std::string k = it.first.as<std::string>();
      const std::string kp = p + "." + k;
      if (k == "Precision") {
        json prec = model_.value("precision", json::object());
        precision(it.second, kp, prec, false);
        model_["precision"] = prec;
      } else if (k == "ReuseFactor") {
        reuse(it.second, kp, model_);
      } else if (k == "Strategy") {
        strategy(it.second, kp, model_);
      } else if (k == "BramFactor" || k == "TraceOutput" || k == "MergeFactor") {
        note(kp, "a memory or tracing option without effect on the arithmetic");
      } else {
        d_.error(file_, kp, shown(it.second),
                 "no such key (Precision, ReuseFactor, Strategy, BramFactor, TraceOutput)" +
                     hint(k, {"Precision", "ReuseFactor", "Strategy", "BramFactor", "TraceOutput"}));
      }
    }
  }

  // A precision: one type (every type of the layer or model) or a mapping of types. SOFTMAX: the layer is a
  // softmax, whose table types go to its hls4ml options.
  void precision(const YAML::Node& n, const std::string& p, json& prec, bool softmax, json* sm = nullptr) {
    std::string t;
    if (n.IsScalar()) {
      if (type(n, p, t)) {
        if (softmax)
          prec["result"] = t;  // hls4ml's tables keep their own types
        else
          for (const char* k : {"weight", "bias", "result", "accum"}) prec[k] = t;
      }
      return;
    }
    if (!n.IsMap()) {
      d_.error(file_, p, shown(n), "a type or a mapping of types");
      return;
    }
    // hls4ml's type names, with or without the _t suffix, and where each goes.
    for (auto it : n) {
      std::string k = it.first.as<std::string>();
      const std::string kp = p + "." + k;
      std::string key = k.size() > 2 && k.substr(k.size() - 2) == "_t" ? k.substr(0, k.size() - 2) : k;
      static const std::vector<std::string> plain = {"default", "weight", "bias", "result", "accum", "table"};
      static const std::vector<std::string> smk = {"default", "result", "exp_table", "inv_table", "accum", "inv_inp",
                                                   "inp_norm"};
      const auto& known = softmax ? smk : plain;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        d_.error(file_, kp, shown(it.second), "one of " + list(known) + hint(key, known));
        continue;
      }
      if (!type(it.second, kp, t)) continue;
      if (!softmax) {
        if (key == "default")
          for (const char* q : {"weight", "bias", "result", "accum"}) prec[q] = t;
        else
          prec[key] = t;
      } else if (key == "default" || key == "result") {
        prec["result"] = t;
      } else {
        (*sm)["hls4ml"][key + "_t"] = t;
      }
    }
  }

  // LayerName: {<layer>: {Precision, ReuseFactor, Strategy, Implementation, TableSize}}.
  void layers(const YAML::Node& n, const std::string& p) {
    if (!n.IsMap()) {
      d_.error(file_, p, shown(n), "a mapping from layer names to their settings");
      return;
    }
    std::vector<std::string> names;
    for (auto& L : model_["layers"]) names.push_back(L.value("name", std::string()));
    for (auto it : n) {
      std::string name = it.first.as<std::string>();
      const std::string lp = p + "." + name;
      json* L = nullptr;
      for (auto& l : model_["layers"])
        if (l.value("name", std::string()) == name) L = &l;
      if (!L) {
        d_.error(file_, lp, shown(it.second), "a layer name of the model" + hint(name, names));
        continue;
      }
      if (!it.second.IsMap()) {
        d_.error(file_, lp, shown(it.second), "a mapping with Precision, ReuseFactor, Strategy, ...");
        continue;
      }
      const bool softmax = L->value("type", std::string()) == "softmax";
      const bool mac = L->value("type", std::string()) == "dense" || L->value("type", std::string()).rfind("conv", 0) == 0;
      for (auto kv : it.second) {
        std::string k = kv.first.as<std::string>();
        const std::string kp = lp + "." + k;
        const std::string lk = lower(k);
        if (k == "Precision") {
          json prec = L->value("precision", json::object());
          precision(kv.second, kp, prec, softmax, L);
          (*L)["precision"] = prec;
        } else if (k == "ReuseFactor") {
          if (mac) reuse(kv.second, kp, *L);
          else note(kp, "the layer has no multiplications");
        } else if (k == "Strategy") {
          if (mac) strategy(kv.second, kp, *L);
          else note(kp, "the layer has no multiplications");
        } else if (softmax && (lk == "implementation" || lk == "strategy")) {
          std::string v = kv.second.IsScalar() ? lower(kv.second.Scalar()) : "";
          if (v == "stable" || v == "latency")
            (*L)["implementation"] = "hls4ml_" + v;
          else if (v == "argmax")
            (*L)["argmax_only"] = true, (*L)["implementation"] = "tinyforge";
          else
            d_.error(file_, kp, shown(kv.second), "stable, latency or argmax (hls4ml's legacy softmax is not supported)");
        } else if (softmax && (lk == "table_size" || lk == "tablesize")) {
          int t = 0;
          try {
            t = kv.second.as<int>();
          } catch (const YAML::Exception&) {
            t = 0;
          }
          if (t < 2 || t > 65536 || (t & (t - 1)))
            d_.error(file_, kp, shown(kv.second), "a power of two from 2 to 65536");
          else
            (*L)["hls4ml"]["table_size"] = t;
        } else if (k == "Trace" || k == "ParallelizationFactor" || k == "ConvImplementation") {
          note(kp, "a tracing or scheduling option without effect on the arithmetic");
        } else {
          std::vector<std::string> known = {"Precision", "ReuseFactor", "Strategy", "Trace"};
          if (softmax) known.insert(known.end(), {"implementation", "table_size"});
          d_.error(file_, kp, shown(kv.second), "no such key (" + list(known) + ")" + hint(k, known));
        }
      }
    }
  }

  const std::string& file_;
  json& model_;
  std::vector<std::string>& notes_;
  Diagnostics d_;
};

}  // namespace

void apply_hls4ml_config(const std::string& file, json& model, std::vector<std::string>& notes) {
  Importer(file, model, notes).run();
}

}  // namespace tf::hlsgen
