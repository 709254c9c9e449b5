// Small shared helpers: edit distance, hashing, file I/O with atomic replace, JSON file loading.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tf {

using json = nlohmann::ordered_json;

size_t edit_distance(const std::string& a, const std::string& b);
// Closest candidate by edit distance, or "" if none is reasonably close.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

uint64_t fnv1a64(const std::string& s);
// Appends V in decimal to S (std::to_chars: no locale, no allocation); for large text outputs.
void append_int(std::string& s, long long v);
std::string hex_u64(uint64_t v, int digits);

// Input limits (docs/architecture.md): a file read as input is at most max_input_bytes() long (256 MiB, or
// TINYFORGE_MAX_INPUT_MB), checked while reading, so a special file or an endless stream (/dev/zero) stops with
// an error instead of filling memory; JSON nests at most kMaxJsonDepth levels (deeper input would exhaust the
// stack of the code that walks it); a JSON string (value or key) is at most kMaxJsonString bytes (the longest
// legitimate ones, CIM row data in hex and file paths, are a few KiB).
constexpr int kMaxJsonDepth = 256;
constexpr size_t kMaxJsonString = (size_t)1 << 20;
size_t max_input_bytes();

// Reads a whole file; throws InputError naming the file if it cannot be read, is a directory or is larger
// than max_input_bytes().
std::string read_file(const std::string& path);
// Parses JSON text; malformed JSON throws InputError "FILE:LINE:COL: malformed JSON: ...", as do numbers out
// of a double's range and nesting deeper than kMaxJsonDepth. FILE names where the text came from (a file, or
// e.g. "--set macro.rows").
json parse_json_text(const std::string& text, const std::string& file);
json load_json_file(const std::string& path);
// Writes to FILE.tmp then renames over FILE.
void write_file_atomic(const std::string& path, const std::string& content);

// JSON text for files people read: objects one key per line, lists of scalars on one line, lists of lists
// one inner list per line. Much faster than dump(2) on large matrices.
std::string dump_readable(const json& j);

// Short printable rendering of a JSON value for error messages.
std::string show(const json& v);

// Where tinyforge's data is: the directory holding configs/, rtl/lib/ and scripts/, and the directory holding
// the HLS layer headers (tinyforge/hls/*.h). Looked up once per process, in this order:
//   1. the environment variable TINYFORGE_DATA_DIR (a source tree or an installed PREFIX/share/tinyforge);
//   2. an installed tree next to the running binary: <dir of /proc/self/exe>/../share/tinyforge, if it holds
//      configs/ (the headers then are in PREFIX/include);
//   3. the source directory compiled in, only when the running binary lives in the build tree it came from.
// An installed binary therefore never reads the source tree.
struct DataLocation {
  std::string dir;          // holds configs/, rtl/lib/, scripts/; empty when not found
  std::string hls_include;  // holds tinyforge/hls/*.h; empty when not found
  std::string found_by;     // how dir was found, for `tinyforge --version`
  std::string problem;      // why it was not found (dir or hls_include empty)
};
const DataLocation& data_location();
// data_location().dir; throws InputError saying what was looked for when there is none.
std::string data_dir();
// data_location().hls_include; throws InputError when the headers are missing.
std::string hls_include_dir();

std::string format_double(double v, int significant = 6);

// Runs TASK(0), ..., TASK(N-1): tasks 1.. on threads of their own and task 0 on the calling thread, then
// joins them. A thread the system will not start (std::system_error) is not an error: its task, and those
// after it, run on the calling thread instead, so results that do not depend on the thread count stay the same.
void run_parallel(size_t n, const std::function<void(size_t)>& task);

}  // namespace tf
