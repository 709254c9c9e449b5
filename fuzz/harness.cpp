#include "harness.h"

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "core/diagnostics.h"
#include "core/util.h"

namespace tf::fuzz {
namespace fs = std::filesystem;

std::map<std::string, Entry>& harnesses() {
  static std::map<std::string, Entry> m;
  return m;
}

void run_one(Entry entry, const uint8_t* data, size_t size) {
  try {
    entry(data, size);
  } catch (const InputError&) {
    // rejected with a message: the expected outcome for bad input
  } catch (const fs::filesystem_error&) {
    // a path the file system refuses: also reported as bad input by the command
  }
}

namespace {
fs::path g_temp;

void remove_temp() {
  std::error_code ec;
  if (!g_temp.empty()) fs::remove_all(g_temp, ec);
}
}  // namespace

const fs::path& temp_dir() {
  if (g_temp.empty()) {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t && *t ? t : "/tmp") + "/tinyforge-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory " + tmpl);
    g_temp = tmpl;
    std::atexit(remove_temp);
    fs::copy(fs::path(data_dir()) / "configs", g_temp / "configs", fs::copy_options::recursive);
  }
  return g_temp;
}

void init_process() {
  // Files read as input stop at 1 MiB (an input naming /dev/zero must not cost 256 MiB per execution).
  setenv("TINYFORGE_MAX_INPUT_MB", "1", 1);
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  temp_dir();
}

std::vector<std::string> split_parts(const uint8_t* data, size_t size, size_t max) {
  std::vector<std::string> parts(1);
  for (size_t k = 0; k < size; ++k) {
    if (data[k] == 0 && parts.size() < max)
      parts.emplace_back();
    else
      parts.back().push_back((char)data[k]);
  }
  return parts;
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), (std::streamsize)text.size());
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace tf::fuzz

// libsystemc provides main() and calls sc_main(); the harness programs have their own main and never start
// SystemC, but the library still needs the symbol.
extern "C" int sc_main(int, char**) { return 1; }
