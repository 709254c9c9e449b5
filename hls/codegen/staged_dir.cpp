#include "staged_dir.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <stdexcept>

#include <unistd.h>

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
    "alignas",   "alignof",  "and",      "and_eq",    "asm",          "auto",          "bitand",
    "bitor",     "bool",     "break",    "case",      "catch",        "char",          "char16_t",
    "char32_t",  "class",    "compl",    "const",     "constexpr",    "const_cast",    "continue",
    "decltype",  "default",  "delete",   "do",        "double",       "dynamic_cast",  "else",
    "enum",      "explicit", "export",   "extern",    "false",        "float",         "for",
    "friend",    "goto",     "if",       "inline",    "int",          "long",          "mutable",
    "namespace", "new",      "noexcept", "not",       "not_eq",       "nullptr",       "operator",
    "or",        "or_eq",    "private",  "protected", "public",       "register",      "reinterpret_cast",
    "return",    "short",    "signed",   "sizeof",    "static",       "static_assert", "static_cast",
    "struct",    "switch",   "template", "this",      "thread_local", "throw",         "true",
    "try",       "typedef",  "typeid",   "typename",  "union",        "unsigned",      "using",
    "virtual",   "void",     "volatile", "wchar_t",   "while",        "xor",           "xor_eq",
    "main",      "input",    "output",   "module",    "std",          "tinyforge"};

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

}  // namespace tf::hlsgen
