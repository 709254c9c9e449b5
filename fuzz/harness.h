// Fuzzing harnesses (docs/reliability.md): one entry function per input reader, shared by the libFuzzer
// executables (-DTINYFORGE_FUZZ=ON, clang) and the replay program of the normal build (fuzz/regress/ as ctests).
//
// An entry gets arbitrary bytes and feeds them to the project's real reading and validation code. A rejected
// input is the expected outcome: tf::InputError and std::filesystem::filesystem_error are what the command
// turns into exit code 2. Anything else escapes the entry (std::terminate, a crash the fuzzer reports), as
// do sanitizer reports, leaks and hangs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"

namespace tf::fuzz {

using Entry = void (*)(const uint8_t* data, size_t size);

// Name -> entry of every harness linked into this program.
std::map<std::string, Entry>& harnesses();
struct Register {
  Register(const char* name, Entry e) { harnesses()[name] = e; }
};

// Runs ENTRY on one input; swallows only the input-error types (exit 2 in the command).
void run_one(Entry entry, const uint8_t* data, size_t size);

// Set up once per process: input limits small enough for fuzzing, the per-process temp directory.
void init_process();

// This process's own temporary directory (created on first use, removed at exit). It holds a copy of the
// bundled configs/ (configs/ of the data directory), so that inputs can name bundled bases the way the
// bundled files do ("../cim/digital_28nm.json").
const std::filesystem::path& temp_dir();

// Splits DATA at NUL bytes into at most MAX parts (the last part keeps any further NULs). Harnesses that read
// several files take them from one input this way; a bundled file (no NUL) is the first part alone.
std::vector<std::string> split_parts(const uint8_t* data, size_t size, size_t max);

// Writes TEXT to PATH (replacing it).
void write_file(const std::filesystem::path& path, std::string_view text);

}  // namespace tf::fuzz

// Defines harness NAME: a function body receiving `data` and `size`.
#define TF_FUZZ_HARNESS(NAME)                                                        \
  static void tf_fuzz_##NAME(const uint8_t* data, size_t size);                     \
  static const tf::fuzz::Register tf_fuzz_register_##NAME(#NAME, tf_fuzz_##NAME);   \
  static void tf_fuzz_##NAME(const uint8_t* data, size_t size)
