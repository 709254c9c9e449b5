// The one strict JSON reader. Every input file that is not a model config (those go through ParamSet and
// validate()) is read through it: technology tables, workload data, micro-op programs, networks, spike
// rasters, HLS models and test vectors, and the inputs still to come (sweep specs, noise tables, weights).
//
// Contract: a Node is a cursor (file, JSON path, value or "missing") into a parsed document. Reading never
// throws and never stops at the first problem: every check that fails adds one message to the shared
// Diagnostics, "FILE: PATH: got VALUE; expected WHAT", and returns a fallback, so that the caller can go on
// and report all problems of a file at once (then Diagnostics::throw_if_any()).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "core/util.h"

namespace tf {

class JsonNode {
 public:
  // The top level of DOC (which must outlive every node made from it), read as FILE.
  JsonNode(const json& doc, const std::string& file, Diagnostics& diag) : v_(&doc), file_(&file), d_(&diag) {}
  // The value V found at PATH of FILE, for a reader that walks the document itself.
  JsonNode(const json& v, const std::string& file, Diagnostics& diag, std::string path)
      : v_(&v), file_(&file), d_(&diag), path_(std::move(path)) {}

  bool missing() const { return v_ == nullptr; }
  explicit operator bool() const { return v_ != nullptr; }
  const json& value() const;  // null for a missing node
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  Diagnostics& diag() const { return *d_; }

  // Child KEY of an object (missing if this is not an object or has no such key); element K of a list.
  JsonNode operator[](const std::string& key) const;
  JsonNode operator[](size_t k) const;
  bool has(const std::string& key) const;
  size_t size() const;  // elements or keys; 0 for scalars and missing nodes
  bool is_object() const { return v_ && v_->is_object(); }
  bool is_list() const { return v_ && v_->is_array(); }
  bool is_number() const { return v_ && v_->is_number(); }
  bool is_string() const { return v_ && v_->is_string(); }
  // Calls F(key, node) for each member of an object, in file order.
  template <class F>
  void for_each_member(F f) const {
    if (!is_object()) return;
    for (auto it = v_->begin(); it != v_->end(); ++it) f(it.key(), (*this)[it.key()]);
  }

  // Reports "got VALUE (or nothing (missing)); expected EXPECTED" at this node. GOT replaces the shown value.
  void fail(const std::string& expected) const;
  void fail_got(const std::string& got, const std::string& expected) const;

  // Shape checks: report and return false when the node is not an object / a list (of N elements).
  bool expect_object(const std::string& expected = "an object") const;
  bool expect_list(const std::string& expected, size_t min_size = 0, size_t max_size = SIZE_MAX) const;

  // Reports each member whose key is not in ALLOWED: "no such key; did you mean 'x'?" (the default), or
  // "NO_SUCH (did you mean 'x'?)" with a caller's wording such as "no such field for 'add'".
  void only_keys(const std::vector<std::string>& allowed, const std::string& no_such = "") const;

  // Typed reads; a missing node or a bad value is reported and FALLBACK returned. EXPECTED overrides the
  // generated wording ("an integer in [LO, HI]", "a number in [LO, HI]", ...).
  int64_t integer(int64_t lo, int64_t hi, int64_t fallback = 0, const std::string& expected = "") const;
  double number(double lo, double hi, double fallback = 0, const std::string& expected = "") const;
  std::string text(bool nonempty = false, const std::string& fallback = "") const;
  bool boolean(bool fallback = false) const;
  // One of CHOICES, with the closest suggested for a near miss.
  std::string choice(const std::vector<std::string>& choices, const std::string& fallback = "") const;

  // A value that is present but fails the reader's check (INTEGER: an integral JSON number within int64).
  bool integral() const;

 private:
  JsonNode(const json* v, const std::string* file, Diagnostics* d, std::string path)
      : v_(v), file_(file), d_(d), path_(std::move(path)) {}
  const json* v_;
  const std::string* file_;
  Diagnostics* d_;
  std::string path_;
};

}  // namespace tf
