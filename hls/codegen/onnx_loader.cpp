// import_onnx (onnx_import.h) for the tinyforge command: the importer, with protobuf and the ONNX library,
// lives in the module tinyforge-onnx.so, loaded on the first ONNX file (core/modules.h). A binary that links
// the importer in (the tests, the test-only command variants) calls it directly. The entry point's name carries
// no version: the module and the command are always built and installed together.
#include "core/modules.h"
#include "onnx_import.h"

extern "C" void tinyforge_onnx_import(const std::string& file, const std::string& precision_file,
                                      const std::string& hls4ml_config, std::vector<std::string>* notes,
                                      tf::hlsgen::Model& out) __attribute__((weak));

namespace tf::hlsgen {

Model import_onnx(const std::string& file, const std::string& precision_file, const std::string& hls4ml_config,
                  std::vector<std::string>* notes) {
  using Entry = void (*)(const std::string&, const std::string&, const std::string&, std::vector<std::string>*, Model&);
  Entry entry = tinyforge_onnx_import;
  if (!entry) entry = reinterpret_cast<Entry>(module_symbol("tinyforge-onnx", "tinyforge_onnx_import"));
  Model m;
  entry(file, precision_file, hls4ml_config, notes, m);
  return m;
}

}  // namespace tf::hlsgen
