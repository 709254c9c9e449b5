#include "core/util.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <thread>
#include <fstream>
#include <sstream>

#include "core/diagnostics.h"

namespace tf {
namespace fs = std::filesystem;

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Accept suggestions within roughly a third of the word's length (at least 2 edits).
  size_t limit = std::max<size_t>(2, word.size() / 3 + 1);
  return best_d <= limit && best_d < word.size() ? best : std::string();
}

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex_u64(uint64_t v, int digits) {
  static const char* hexd = "0123456789abcdef";
  std::string s(digits, '0');
  for (int i = digits - 1; i >= 0; --i) {
    s[i] = hexd[v & 15];
    v >>= 4;
  }
  return s;
}

size_t max_input_bytes() {
  static const size_t limit = [] {
    const char* e = std::getenv("TINYFORGE_MAX_INPUT_MB");
    char* end = nullptr;
    unsigned long long mb = e ? std::strtoull(e, &end, 10) : 0;
    if (e && end && *end == 0 && mb > 0 && mb < (1ULL << 24)) return (size_t)mb << 20;
    return (size_t)256 << 20;
  }();
  return limit;
}

void append_int(std::string& s, long long v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  s.append(b, (size_t)(r.ptr - b));  // (pointer, length): the iterator-pair overload goes through replace()
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path + ": is a directory; expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file (" + (fs::exists(path) ? "not readable" : "no such file") + ")");
  std::string s;
  const size_t limit = max_input_bytes();
  if (fs::is_regular_file(path, ec)) {  // read straight into place (the size is a hint: the loop below goes on)
    auto size = fs::file_size(path, ec);
    if (!ec && size > 0 && size <= limit) {
      s.resize((size_t)size);
      in.read(s.data(), (std::streamsize)size);
      s.resize((size_t)in.gcount());
      if (in.bad()) throw InputError(path + ": read error");
      if (s.size() < (size_t)size) return s;  // shrank while reading
    }
  }
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    s.append(buf, (size_t)in.gcount());
    if (s.size() > limit)
      throw InputError(path + ": larger than the input limit of " + std::to_string(limit >> 20) +
                       " MiB (an endless or special file?); set TINYFORGE_MAX_INPUT_MB to raise it");
  }
  if (in.bad()) throw InputError(path + ": read error");
  return s;
}

json parse_json_text(const std::string& text, const std::string& file) {
  // Byte offset -> 1-based line and column.
  auto where = [&](size_t byte) {
    size_t pos = std::min(byte == 0 ? 0 : byte - 1, text.size());
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return file + ":" + std::to_string(line) + ":" + std::to_string(col);
  };
  // Nesting is checked before parsing (the parser itself is iterative, but the code that walks, merges, prints
  // and frees the result recurses): one pass over the text, strings skipped.
  // String lengths likewise (kMaxJsonString).
  int depth = 0;
  bool in_string = false;
  size_t string_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      if (i - string_start > kMaxJsonString)
        throw InputError(where(string_start + 1) + ": malformed JSON: a string longer than " +
                         std::to_string(kMaxJsonString) + " bytes starts here (the limit for any string value or key)");
    } else if (c == '"') {
      in_string = true;
      string_start = i;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw InputError(where(i + 1) + ": malformed JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  try {
    return json::parse(text);
  } catch (const json::out_of_range& e) {
    std::string what = e.what();
    auto p = what.find("] ");
    throw InputError(file + ": malformed JSON: " + (p == std::string::npos ? what : what.substr(p + 2)) +
                     " (a number outside the range of a double)");
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line L, column C: "
    auto p = what.find(": ");
    if (p != std::string::npos && what.find("parse error") != std::string::npos) what = what.substr(p + 2);
    throw InputError(where(e.byte) + ": malformed JSON: " + what);
  }
}

json load_json_file(const std::string& path) { return parse_json_text(read_file(path), path); }

void write_file_atomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    out << content;
    if (!out.flush()) throw std::runtime_error("write failed: " + tmp);
  }
  fs::rename(tmp, path);
}

static void dump_rec(const json& j, int indent, std::string& out) {
  auto pad = [&](int n) { out.append((size_t)n, ' '); };
  if (j.is_object() && !j.empty()) {
    out += "{\n";
    size_t k = 0;
    for (auto it = j.begin(); it != j.end(); ++it, ++k) {
      pad(indent + 2);
      out += json(it.key()).dump(-1, ' ', false, json::error_handler_t::replace);
      out += ": ";
      dump_rec(it.value(), indent + 2, out);
      out += k + 1 < j.size() ? ",\n" : "\n";
    }
    pad(indent);
    out += "}";
  } else if (j.is_array() && !j.empty()) {
    bool scalars = true;
    for (const auto& e : j) scalars = scalars && !e.is_structured();
    if (scalars) {
      out += j.dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
    out += "[\n";
    for (size_t k = 0; k < j.size(); ++k) {
      pad(indent + 2);
      dump_rec(j[k], indent + 2, out);
      out += k + 1 < j.size() ? ",\n" : "\n";
    }
    pad(indent);
    out += "]";
  } else {
    out += j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

std::string dump_readable(const json& j) {
  std::string out;
  dump_rec(j, 0, out);
  out += "\n";
  return out;
}

std::string show(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

namespace {

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The HLS headers of a data directory: DIR/hls/include in a source tree, else the installed include directory
// (DIR/TINYFORGE_DATA_TO_INCLUDE, e.g. share/tinyforge/../../include).
std::string find_hls_include(const fs::path& dir, std::string& problem) {
  fs::path src = dir / "hls" / "include";
  if (is_dir(src / "tinyforge" / "hls")) return src.string();
  fs::path inst = (dir / TINYFORGE_DATA_TO_INCLUDE).lexically_normal();
  if (is_dir(inst / "tinyforge" / "hls")) return inst.string();
  problem = "the HLS layer headers (tinyforge/hls/*.h) are in neither " + src.string() + " nor " + inst.string();
  return "";
}

DataLocation locate_data() {
  DataLocation loc;
  auto finish = [&loc](const fs::path& dir, const std::string& how) {
    loc.dir = dir.string();
    loc.found_by = how;
    loc.hls_include = find_hls_include(dir, loc.problem);
    return loc;
  };
  const char* env = std::getenv("TINYFORGE_DATA_DIR");
  if (env && *env) {
    if (!is_dir(fs::path(env) / "configs")) {
      loc.problem = "TINYFORGE_DATA_DIR: got '" + std::string(env) +
                    "'; expected a directory holding configs/ (a tinyforge source tree or an installed "
                    "PREFIX/share/tinyforge)";
      return loc;
    }
    return finish(fs::path(env), "the environment variable TINYFORGE_DATA_DIR");
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path installed = ec ? fs::path() : (exe.parent_path() / TINYFORGE_BIN_TO_DATA).lexically_normal();
  if (!ec && is_dir(installed / "configs")) return finish(installed, "installed next to the binary " + exe.string());
  // A build-tree binary (the command, the tests, the benchmarks) reads the source tree it was built from.
  fs::path build = fs::weakly_canonical(TINYFORGE_BUILD_DIR, ec);
  if (!ec && !exe.empty()) {
    auto rel = exe.lexically_relative(build);
    bool in_build = !rel.empty() && *rel.begin() != "..";
    if (in_build && is_dir(fs::path(TINYFORGE_DATA_DIR_DEFAULT) / "configs"))
      return finish(TINYFORGE_DATA_DIR_DEFAULT, "the source tree of the build directory " + build.string());
  }
  loc.problem = exe.empty() ? std::string("no data directory: /proc/self/exe is unreadable")
                            : "no data directory for " + exe.string() + ": " + installed.string() +
                                  " holds no configs/ (an installed tinyforge keeps its data in PREFIX/share/tinyforge "
                                  "beside PREFIX/bin)";
  loc.problem += "; reinstall, or set TINYFORGE_DATA_DIR to a directory holding configs/";
  return loc;
}

}  // namespace

const DataLocation& data_location() {
  static const DataLocation loc = locate_data();
  return loc;
}

std::string data_dir() {
  const DataLocation& loc = data_location();
  if (loc.dir.empty()) throw InputError(loc.problem);
  return loc.dir;
}

std::string hls_include_dir() {
  const DataLocation& loc = data_location();
  if (loc.hls_include.empty()) throw InputError(loc.problem);
  return loc.hls_include;
}

std::string format_double(double v, int significant) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", significant, v);
  return buf;
}

void run_parallel(size_t n, const std::function<void(size_t)>& task) {
  std::vector<std::thread> pool;
  size_t started = 1;  // tasks 1..started-1 have threads
  try {
    for (; started < n; ++started) pool.emplace_back(task, started);
  } catch (const std::system_error&) {
    // no more threads: the rest run here
  }
  if (n > 0) task(0);
  for (size_t t = started; t < n; ++t) task(t);
  for (auto& th : pool) th.join();
}

}  // namespace tf
