// The HLS C++ project emitter: DIR/hls/ with firmware/ (top function, parameters.h, weights/, a copy of
// the layer library), a C++ test bench, tb_data/ (inputs and bit-exact expected outputs from the emulator)
// and build_prj.tcl for a vendor HLS tool.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "model.h"

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

struct HlsProject {
  std::string dir;        // DIR/hls
  std::string top;        // top function name
  std::string test_src;   // the test bench source
  std::vector<std::string> files;
};

// Writes the project for M into DIR/hls (DIR must exist), with test vectors INPUTS (may be empty: then
// seeded random inputs are used). LIB_DIR is hls/include of the tinyforge sources (copied in).
HlsProject emit_hls_project(const Model& m, const std::string& dir, const std::vector<std::vector<double>>& inputs,
                            const std::string& lib_dir);

}  // namespace tf::hlsgen
