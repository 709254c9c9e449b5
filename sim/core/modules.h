// Modules: the parts of tinyforge that only some commands need, built as shared objects and loaded when a
// command first needs them, so that `--help`, `hls` and a sweep's bookkeeping never pay for them.
//   tinyforge-sc.so    the SystemC models (cim, neuro) and SystemC itself
//   tinyforge-onnx.so  the ONNX importer with protobuf and the ONNX library
//   tinyforge-audio.so the keyword-spotting front end with libsndfile (and its codecs) and FFTW
// A module resolves tf_core and the HLS code generator against the running binary (built with its symbols
// exported); the tests and the test-only command variants link the same code in directly and never load one.
#pragma once
#include <string>

namespace tf {

// Where the modules are: <dir of /proc/self/exe>/<bin-to-modules> in an installed tree (PREFIX/lib/.../tinyforge
// beside PREFIX/bin), else the build tree's modules/ when the running binary lives in that build tree.
// Empty when neither holds NAME.so; PROBLEM then says what was looked for.
std::string module_path(const std::string& name, std::string& problem);

// Loads NAME.so once per process (dlopen); later calls return the same handle. Throws InputError naming the
// file and the loader's message when it cannot be loaded (a broken or partial installation).
void* load_module(const std::string& name);

// The address of SYMBOL in module NAME (loading it first); throws InputError when it is missing.
void* module_symbol(const std::string& name, const char* symbol);

}  // namespace tf
