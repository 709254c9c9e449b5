// The output side shared by the emitters: a generated folder written under a temporary name and renamed
// into place, file writing, and identifiers for generated code derived from model names.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace tf::hlsgen {

// A generated folder DIR/NAME, written under a temporary sibling (path()) and renamed into place by
// commit(), which replaces an earlier DIR/NAME. Without commit() (an exception) the temporary is removed:
// a failure leaves no half-written project.
class StagedDir {
 public:
  StagedDir(const std::string& dir, const std::string& name);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;
  const std::filesystem::path& path() const { return tmp_; }
  const std::filesystem::path& final_path() const { return final_; }
  void commit();

 private:
  std::filesystem::path tmp_, final_;
  bool done_ = false;
};

// Writes TEXT to P (creating its parent folders); throws on failure.
void write_text(const std::filesystem::path& p, const std::string& text);

// A C++ identifier from any model name: odd characters become '_', a leading digit gets a prefix,
// keywords get a suffix; USED makes it unique.
std::string sanitize_identifier(const std::string& name, std::vector<std::string>& used);

}  // namespace tf::hlsgen
