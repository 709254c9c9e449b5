#include "emit_hls.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <unistd.h>

#include "core/diagnostics.h"
#include "emulate.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + p.string());
}

StagedDir::StagedDir(const std::string& dir, const std::string& name)
    : tmp_(fs::path(dir) / ("." + name + ".tmp-" + std::to_string(::getpid()))), final_(fs::path(dir) / name) {
  fs::remove_all(tmp_);
  fs::create_directories(tmp_);
}

StagedDir::~StagedDir() {
  std::error_code ec;
  if (!done_) fs::remove_all(tmp_, ec);
}

void StagedDir::commit() {
  fs::remove_all(final_);
  fs::rename(tmp_, final_);
  done_ = true;
}

static const std::set<std::string> kKeywords = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
    "char16_t", "char32_t", "class", "compl", "const", "constexpr", "const_cast", "continue", "decltype", "default",
    "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "return",
    "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this",
    "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual",
    "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "main", "input", "output", "module", "std", "tinyforge"};

// Names the generated code derives from a layer identifier N.
static std::vector<std::string> derived(const std::string& n) {
  return {n, n + "_result_t", "config_" + n, n + "_out", n + "_w", n + "_b", n + "_s"};
}

std::string sanitize_identifier(const std::string& name, std::vector<std::string>& used) {
  // Names the generated code uses itself.
  for (const char* r : {"input_t", "result_t", "N_INPUT", "N_OUTPUT", "input", "output", "in", "out", "i", "main"})
    if (std::find(used.begin(), used.end(), r) == used.end()) used.push_back(r);
  std::string s;
  for (char c : name) s += (std::isalnum((unsigned char)c) || c == '_') ? c : '_';
  while (s.find("__") != std::string::npos) s.replace(s.find("__"), 2, "_");  // "__" is reserved in C++
  while (!s.empty() && s.back() == '_') s.pop_back();  // so derived names (n + "_w") never hold "__"
  if (!s.empty() && s[0] == '_') s = "l" + s;
  if (s.empty()) s = "layer";
  if (std::isdigit((unsigned char)s[0])) s = "l_" + s;
  if (kKeywords.count(s) || s.rfind("config_", 0) == 0 || s == "N_INPUT" || s == "N_OUTPUT") s = "l_" + s;
  std::string base = s;
  auto clash = [&](const std::string& c) {
    for (const auto& d : derived(c))
      if (std::find(used.begin(), used.end(), d) != used.end()) return true;
    return false;
  };
  for (int k = 2; clash(s); ++k) s = base + "_" + std::to_string(k);
  for (const auto& d : derived(s)) used.push_back(d);
  return s;
}

namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}


std::string array_init(const std::vector<double>& v, const FixedFormat& f) {
  std::ostringstream os;
  os << "{";
  for (size_t k = 0; k < v.size(); ++k) {
    os << (k ? (k % 8 ? ", " : ",\n    ") : "") << num(f.to_double(f.from_double(v[k])));
  }
  os << "}";
  return os.str();
}

}  // namespace

HlsProject emit_hls_project(const Model& m, const std::string& out_dir, const std::vector<std::vector<double>>& given,
                            const std::string& lib_dir) {
  // Values are exchanged as decimal literals (weights) and doubles (test bench): exact up to 53 bits.
  if (m.input.W > 53) throw InputError(m.file + ": input precision wider than 53 bits is not supported by the project emitter; got " + m.input.str());
  for (const auto& L : m.layers)
    for (const FixedFormat* f : {&L.prec.weight, &L.prec.bias, &L.prec.result})
      if (f->W > 53)
        throw InputError(m.file + ": layer '" + L.name + "': precisions wider than 53 bits cannot be exchanged exactly "
                                  "as C++ literals and doubles; got " + f->str());
  HlsProject P;
  StagedDir stage(out_dir, "hls");
  const fs::path& root = stage.path();
  const fs::path& final_root = stage.final_path();
  P.dir = final_root.string();
  std::vector<std::string> used;
  P.top = sanitize_identifier(m.name.empty() ? "model" : m.name, used);
  std::vector<std::string> lname;
  for (const auto& L : m.layers) lname.push_back(sanitize_identifier(L.name, used));

  // Copy the layer library so the project is self-contained.
  fs::create_directories(root / "firmware" / "tinyforge" / "hls");
  for (const auto& e : fs::directory_iterator(fs::path(lib_dir) / "tinyforge" / "hls"))
    if (e.path().extension() == ".h")
      fs::copy_file(e.path(), root / "firmware" / "tinyforge" / "hls" / e.path().filename(), fs::copy_options::overwrite_existing);

  std::ostringstream par, top, weights_inc;
  int n_in = 1, n_out = m.layers.back().out_size();
  for (int d : m.input_shape) n_in *= d;
  par << "// Generated by tinyforge from " << fs::path(m.file).filename().string() << ": types and layer configs.\n"
      << "#pragma once\n#include \"tinyforge/hls/types.h\"\n#include \"tinyforge/hls/activation.h\"\n"
      << "#include \"tinyforge/hls/batchnorm.h\"\n#include \"tinyforge/hls/conv.h\"\n#include \"tinyforge/hls/dense.h\"\n"
      << "#include \"tinyforge/hls/pooling.h\"\n#include \"tinyforge/hls/softmax.h\"\n\n"
      << "#define N_INPUT " << n_in << "\n#define N_OUTPUT " << n_out << "\n"
      << "typedef " << m.input.cpp() << " input_t;\n";
  std::string prev_t = "input_t", prev_v = "input";
  top << "// Generated by tinyforge: the top function of " << m.name << ".\n#include \"" << P.top << ".h\"\n"
      << "#include \"parameters.h\"\n";
  std::ostringstream body;  // the top function's statements
  for (size_t k = 0; k < m.layers.size(); ++k) {
    const Layer& L = m.layers[k];
    const std::string& n = lname[k];
    std::string res_t = n + "_result_t", cfg = "config_" + n;
    std::ostringstream call;
    par << "\n// layer " << k << ": " << L.type << " '" << L.name << "'\n";
    par << "typedef " << L.prec.result.cpp() << " " << res_t << ";\n";
    const std::string& t = L.type;
    auto wfile = [&](const std::string& suffix, const std::vector<double>& v, const FixedFormat& f, const std::string& type) {
      std::string file = "weights/" + n + "_" + suffix + ".h";
      write_text(root / "firmware" / file, "// Generated by tinyforge: " + suffix + " of layer '" + L.name + "' (values as quantized)\n#pragma once\n"
                                           "static const " + type + " " + n + "_" + suffix + "[" + std::to_string(v.size()) + "] = " +
                                           array_init(v, f) + ";\n");
      weights_inc << "#include \"" << file << "\"\n";
    };
    if (t == "dense" || t == "conv1d" || t == "conv2d") {
      par << "struct " << cfg << " {\n";
      if (t == "dense") {
        par << "  static const unsigned n_in = " << L.in_size() << ", n_out = " << L.units << ";\n";
      } else if (t == "conv1d") {
        par << "  static const unsigned in_width = " << L.in_shape[0] << ", n_chan = " << L.in_shape[1]
            << ", filt_width = " << L.kernel[0] << ", n_filt = " << L.filters << ", stride = " << L.strides[0] << ";\n"
            << "  static const unsigned pad_left = " << L.pad_begin[0] << ", pad_right = " << L.pad_end[0]
            << ", out_width = " << L.out_shape[0] << ";\n";
      } else {
        par << "  static const unsigned in_height = " << L.in_shape[0] << ", in_width = " << L.in_shape[1]
            << ", n_chan = " << L.in_shape[2] << ", filt_height = " << L.kernel[0] << ", filt_width = " << L.kernel[1]
            << ", n_filt = " << L.filters << ";\n"
            << "  static const unsigned stride_height = " << L.strides[0] << ", stride_width = " << L.strides[1] << ";\n"
            << "  static const unsigned pad_top = " << L.pad_begin[0] << ", pad_bottom = " << L.pad_end[0]
            << ", pad_left = " << L.pad_begin[1] << ", pad_right = " << L.pad_end[1] << ";\n"
            << "  static const unsigned out_height = " << L.out_shape[0] << ", out_width = " << L.out_shape[1] << ";\n";
      }
      par << "  static const unsigned reuse_factor = " << L.reuse_factor << ";\n"
          << "  static const unsigned strategy = tinyforge::hls::" << L.strategy << ";\n"
          << "  typedef " << L.prec.weight.cpp() << " weight_t;\n  typedef " << L.prec.bias.cpp() << " bias_t;\n"
          << "  typedef " << L.prec.accum.cpp() << " accum_t;\n};\n";
      wfile("w", L.weights, L.prec.weight, cfg + "::weight_t");
      wfile("b", L.bias, L.prec.bias, cfg + "::bias_t");
      call << "  tinyforge::hls::" << t << "<" << prev_t << ", " << res_t << ", " << cfg << ">(" << prev_v << ", " << n
           << "_out, " << n << "_w, " << n << "_b);\n";
    } else if (t == "batchnorm") {
      par << "struct " << cfg << " {\n  static const unsigned n_in = " << L.in_size() << ", n_filt = " << L.in_shape.back()
          << ";\n  typedef " << L.prec.weight.cpp() << " scale_t;\n  typedef " << L.prec.bias.cpp() << " bias_t;\n};\n";
      wfile("s", L.weights, L.prec.weight, cfg + "::scale_t");
      wfile("b", L.bias, L.prec.bias, cfg + "::bias_t");
      call << "  tinyforge::hls::batchnorm<" << prev_t << ", " << res_t << ", " << cfg << ">(" << prev_v << ", " << n
           << "_out, " << n << "_s, " << n << "_b);\n";
    } else if (t.find("pool") != std::string::npos) {
      bool two = t.find("2d") != std::string::npos;
      par << "struct " << cfg << " {\n";
      if (!two)
        par << "  static const unsigned in_width = " << L.in_shape[0] << ", n_chan = " << L.in_shape[1] << ", pool_width = "
            << L.kernel[0] << ", stride = " << L.strides[0] << ", pad_left = " << L.pad_begin[0] << ", pad_right = "
            << L.pad_end[0] << ", out_width = " << L.out_shape[0] << ";\n";
      else
        par << "  static const unsigned in_height = " << L.in_shape[0] << ", in_width = " << L.in_shape[1] << ", n_chan = "
            << L.in_shape[2] << ", pool_height = " << L.kernel[0] << ", pool_width = " << L.kernel[1] << ";\n"
            << "  static const unsigned stride_height = " << L.strides[0] << ", stride_width = " << L.strides[1]
            << ", pad_top = " << L.pad_begin[0] << ", pad_bottom = " << L.pad_end[0] << ", pad_left = " << L.pad_begin[1]
            << ", pad_right = " << L.pad_end[1] << ", out_height = " << L.out_shape[0] << ", out_width = " << L.out_shape[1] << ";\n";
      par << "  static const unsigned op = tinyforge::hls::" << (t.rfind("avg", 0) == 0 ? "POOL_AVG" : "POOL_MAX") << ";\n"
          << "  typedef " << recip_format().cpp() << " recip_t;\n};\n";
      call << "  tinyforge::hls::" << (two ? "pool2d" : "pool1d") << "<" << prev_t << ", " << res_t << ", " << cfg << ">("
           << prev_v << ", " << n << "_out);\n";
    } else if (t == "flatten") {
      call << "  tinyforge::hls::flatten<" << prev_t << ", " << res_t << ", " << L.out_size() << ">(" << prev_v << ", " << n
           << "_out);\n";
    } else if (t == "softmax") {
      SoftmaxFormats sf = softmax_formats(L.in_size());
      par << "struct " << cfg << " {\n  static const unsigned n_in = " << L.in_size() << ";\n"
          << "  static const unsigned exp_table_size = " << sf.exp_size << ", inv_table_size = " << sf.inv_size << ";\n"
          << "  static const int exp_range_log2 = " << sf.exp_range_log2 << ", inv_range_log2 = " << sf.inv_range_log2 << ";\n"
          << "  static const bool argmax_only = " << (L.argmax_only ? "true" : "false") << ";\n"
          << "  typedef " << sf.exp_t.cpp() << " exp_table_t;\n  typedef " << sf.inv_t.cpp() << " inv_table_t;\n"
          << "  typedef " << sf.sum_t.cpp() << " exp_sum_t;\n};\n";
      call << "  tinyforge::hls::softmax<" << prev_t << ", " << res_t << ", " << cfg << ">(" << prev_v << ", " << n << "_out);\n";
    } else {  // element-wise activations
      par << "struct " << cfg << " {\n  static const unsigned n_in = " << L.in_size() << ";\n"
          << "  static const unsigned table_size = " << L.table_size << ";\n"
          << "  static const int table_range_log2 = " << L.table_range_log2 << ";\n"
          << "  typedef " << L.prec.table.cpp() << " table_t;\n"
          << "  typedef " << alpha_format().cpp() << " alpha_t;\n  static alpha_t alpha() { return alpha_t(" << num(L.alpha) << "); }\n"
          << "  typedef " << slope_format().cpp() << " slope_t;\n  static slope_t slope() { return slope_t(0.2); }\n"
          << "  static slope_t shift() { return slope_t(0.5); }\n};\n";
      call << "  tinyforge::hls::" << t << "<" << prev_t << ", " << res_t << ", " << cfg << ">(" << prev_v << ", " << n << "_out);\n";
    }
    body << "  " << res_t << " " << n << "_out[" << L.out_size() << "];\n"
         << "#pragma HLS ARRAY_PARTITION variable = " << n << "_out complete\n"
         << call.str();
    prev_t = res_t;
    prev_v = n + "_out";
  }
  par << "\ntypedef " << prev_t << " result_t;\n";
  top << weights_inc.str() << "\nvoid " << P.top << "(const input_t input[N_INPUT], result_t output[N_OUTPUT]) {\n"
      << "#pragma HLS ARRAY_PARTITION variable = input complete\n#pragma HLS ARRAY_PARTITION variable = output complete\n"
      << "#pragma HLS PIPELINE\n"
      << body.str() << "  for (unsigned i = 0; i < N_OUTPUT; ++i) output[i] = " << prev_v << "[i];\n}\n";
  write_text(root / "firmware" / "parameters.h", par.str());
  write_text(root / "firmware" / (P.top + ".cpp"), top.str());
  write_text(root / "firmware" / (P.top + ".h"),
        "// Generated by tinyforge.\n#pragma once\n#include \"parameters.h\"\n\nvoid " + P.top +
            "(const input_t input[N_INPUT], result_t output[N_OUTPUT]);\n");

  // Test vectors and the emulator's bit-exact expected outputs.
  std::vector<std::vector<double>> inputs = given.empty() ? random_test_inputs(m, 32) : given;
  Emulator em(m);
  std::ostringstream tin, texp;
  for (const auto& v : inputs) {
    if ((int)v.size() != n_in)
      throw InputError("test vector has " + std::to_string(v.size()) + " values; the model takes " + std::to_string(n_in));
    for (size_t k = 0; k < v.size(); ++k) tin << (k ? " " : "") << num(m.input.to_double(m.input.from_double(v[k])));
    tin << "\n";
    Tensor y = em.run(v).back();
    for (size_t k = 0; k < y.raw.size(); ++k) texp << (k ? " " : "") << num(y.at(k));
    texp << "\n";
  }
  write_text(root / "tb_data" / "tb_input_features.dat", tin.str());
  write_text(root / "tb_data" / "tb_expected_outputs.dat", texp.str());

  std::string tb = P.top + "_test.cpp";
  P.test_src = (root / tb).string();
  write_text(root / tb,
        "// Generated by tinyforge: C++ test bench. Reads tb_data/tb_input_features.dat, runs " + P.top +
            "(), writes\n// tb_data/csim_results.log and compares every output with tb_data/tb_expected_outputs.dat "
            "(bit-exact\n// outputs of tinyforge's emulator). Exit code 1 on any mismatch.\n"
            "#include <cstdio>\n#include <fstream>\n#include <sstream>\n#include <string>\n#include \"firmware/" +
            P.top + ".h\"\n\nint main(int argc, char** argv) {\n"
            "  std::string dir = argc > 1 ? argv[1] : \"tb_data\";\n"
            "  std::ifstream fin((dir + \"/tb_input_features.dat\").c_str()), fexp((dir + \"/tb_expected_outputs.dat\").c_str());\n"
            "  std::ofstream fout((dir + \"/csim_results.log\").c_str());\n"
            "  if (!fin) { std::fprintf(stderr, \"cannot read %s/tb_input_features.dat\\n\", dir.c_str()); return 2; }\n"
            "  std::string line, eline;\n  long vectors = 0, mismatches = 0;\n"
            "  while (std::getline(fin, line)) {\n"
            "    if (line.empty()) continue;\n"
            "    std::istringstream is(line);\n    input_t in[N_INPUT];\n"
            "    for (int i = 0; i < N_INPUT; ++i) { double d = 0; is >> d; in[i] = d; }\n"
            "    result_t out[N_OUTPUT];\n    " + P.top + "(in, out);\n"
            "    std::istringstream es(std::getline(fexp, eline) ? eline : std::string());\n"
            "    for (int i = 0; i < N_OUTPUT; ++i) {\n"
            "      char buf[40];\n      std::snprintf(buf, sizeof buf, \"%.17g\", TF_TO_DOUBLE(out[i]));\n"
            "      fout << (i ? \" \" : \"\") << buf;\n"
            "      double e = 0;\n      if (!(es >> e) || e != TF_TO_DOUBLE(out[i])) {\n"
            "        if (mismatches < 10) std::printf(\"mismatch: vector %ld output %d: got %s, expected %.17g\\n\", vectors, i, buf, e);\n"
            "        ++mismatches;\n      }\n    }\n    fout << \"\\n\";\n    ++vectors;\n  }\n"
            "  std::printf(\"%ld vectors, %ld mismatching outputs\\n\", vectors, mismatches);\n"
            "  return mismatches ? 1 : 0;\n}\n");
  write_text(root / "build_prj.tcl",
        "# Generated by tinyforge: runs the project through a vendor HLS tool (C simulation, synthesis,\n"
        "# co-simulation, IP export). Compile against the vendor types with -DTINYFORGE_USE_AP_TYPES.\n"
        "set csim 1\nset synth 1\nset cosim 1\nset export 0\nset part \"xc7z020clg400-1\"\nset clock_ns 5\n"
        "open_project -reset " + P.top + "_prj\nset_top " + P.top + "\n"
        "add_files firmware/" + P.top + ".cpp -cflags \"-std=c++14 -Ifirmware -DTINYFORGE_USE_AP_TYPES\"\n"
        "add_files -tb " + tb + " -cflags \"-std=c++14 -Ifirmware -DTINYFORGE_USE_AP_TYPES\"\n"
        "add_files -tb tb_data\nopen_solution -reset solution1\nset_part $part\ncreate_clock -period $clock_ns -name default\n"
        "if {$csim} { csim_design -argv tb_data }\nif {$synth} { csynth_design }\nif {$cosim} { cosim_design -argv tb_data }\n"
        "if {$export} { export_design -format ip_catalog }\nexit\n");
  write_text(root / "build.sh",
        "#!/bin/sh\n# Builds and runs the C++ test bench with g++ (no vendor tool needed).\n"
        "#   ./build.sh                 with tinyforge's fixed-point types (firmware/tinyforge/)\n"
        "#   ./build.sh --ap-types DIR  with the vendor's ap_fixed.h from DIR instead (TINYFORGE_USE_AP_TYPES)\nset -e\n"
        "flags=\"\"\nif [ \"${1:-}\" = \"--ap-types\" ]; then flags=\"-DTINYFORGE_USE_AP_TYPES -I$(cd \"$2\" && pwd)\"; fi\n"
        "cd \"$(dirname \"$0\")\"\n"
        "g++ -std=c++14 -O2 -Wno-unknown-pragmas $flags -Ifirmware -o " + P.top + "_tb " + tb + " firmware/" + P.top + ".cpp\n"
        "./" + P.top + "_tb tb_data\n");
  fs::permissions(root / "build.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
  P.test_src = (final_root / tb).string();
  stage.commit();
  return P;
}

}  // namespace tf::hlsgen
