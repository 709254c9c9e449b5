// Loading configurations: JSON files with optional "base" inheritance, and --set PATH=VALUE overrides.
#pragma once
#include <string>
#include <vector>

#include "core/params.h"

namespace tf {

// Loads FILE; if it names "base": "other.json" (relative to FILE), loads that first and merges FILE over it
// (objects merge key by key; lists and scalars replace). A top-level "description" string is documentation
// and ignored. Errors (missing file, malformed JSON, base cycle) throw InputError naming file and path.
RawConfig load_config(const std::string& file);

// Applies "PATH=VALUE" (VALUE parsed as JSON if it is valid JSON, else taken as a string). Problems are
// added to DIAG; the value is then checked by validate() like any other. ORIGIN names where the assignment
// came from in messages ("--set", or the command-line option that stands for it, e.g. "--program"); a
// relative file path it carries is relative to the working directory.
void apply_set(RawConfig& raw, const std::string& assignment, Diagnostics& diag, const std::string& origin = "--set");

// Full pipeline: load (if FILE non-empty), apply overrides, validate. Throws InputError with all problems.
// ORIGINS, if given, names each override's origin (parallel to SETS; default "--set").
Config load_and_validate(const ParamSet& params, const std::string& file, const std::vector<std::string>& sets,
                         const std::vector<std::string>& origins = {});

}  // namespace tf
