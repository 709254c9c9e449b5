// Input diagnostics: every problem with user input is collected, then reported together.
// Contract: an InputError means "bad input" (exit code 2); anything else is an internal error (exit 1).
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace tf {

class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<std::string> messages);
  explicit InputError(const std::string& message) : InputError(std::vector<std::string>{message}) {}
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

// Collects problems; each names the file, the JSON path, the offending value and what was expected.
class Diagnostics {
 public:
  // "FILE: PATH: got VALUE; expected EXPECTED"
  void error(const std::string& file, const std::string& path, const std::string& value, const std::string& expected);
  // A free-form message (already naming file and path).
  void raw(const std::string& message);
  bool empty() const { return messages_.empty(); }
  size_t size() const { return messages_.size(); }
  const std::vector<std::string>& messages() const { return messages_; }
  void merge(const Diagnostics& other);
  // Throws InputError with all collected messages if there are any.
  void throw_if_any() const;

 private:
  std::vector<std::string> messages_;
};

}  // namespace tf
