#include "core/modules.h"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "core/diagnostics.h"

namespace tf {
namespace fs = std::filesystem;

std::string module_path(const std::string& name, std::string& problem) {
  const std::string file = name + ".so";
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    problem = "cannot find " + file + ": /proc/self/exe is unreadable";
    return "";
  }
  fs::path installed = (exe.parent_path() / TINYFORGE_BIN_TO_MODULES / file).lexically_normal();
  if (fs::is_regular_file(installed, ec)) return installed.string();
  // A build-tree binary loads the modules of the build it belongs to.
  fs::path build = fs::weakly_canonical(TINYFORGE_BUILD_DIR, ec);
  if (!ec) {
    auto rel = exe.lexically_relative(build);
    fs::path built = build / "modules" / file;
    if (!rel.empty() && *rel.begin() != ".." && fs::is_regular_file(built, ec)) return built.string();
  }
  problem = "cannot find the module " + file + " of " + exe.string() + " (looked for " + installed.string() +
            "); reinstall tinyforge (the command needs its modules beside it, in PREFIX/" + TINYFORGE_LIB_DIR_NAME +
            "/tinyforge)";
  return "";
}

void* load_module(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, void*> loaded;
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded.find(name);
  if (it != loaded.end()) return it->second;
  std::string problem;
  const std::string path = module_path(name, problem);
  if (path.empty()) throw InputError(problem);
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = dlerror();
    throw InputError(path + ": cannot be loaded: " + std::string(why ? why : "unknown reason") +
                     "; reinstall tinyforge");
  }
  loaded[name] = h;
  return h;
}

void* module_symbol(const std::string& name, const char* symbol) {
  void* h = load_module(name);
  void* p = dlsym(h, symbol);
  if (!p) throw InputError(name + ".so: has no symbol " + symbol + "; reinstall tinyforge (modules of another version?)");
  return p;
}

}  // namespace tf
