#include "core/diagnostics.h"

namespace tf {

static std::string join_lines(const std::vector<std::string>& m) {
  std::string s;
  for (size_t i = 0; i < m.size(); ++i) {
    if (i) s += "\n";
    s += m[i];
  }
  return s;
}

InputError::InputError(std::vector<std::string> messages)
    : std::runtime_error(join_lines(messages)), messages_(std::move(messages)) {}

void Diagnostics::error(const std::string& file, const std::string& path, const std::string& value,
                        const std::string& expected) {
  std::string m = file.empty() ? std::string("<input>") : file;
  m += ": ";
  m += path.empty() ? std::string("(top level)") : path;
  m += ": got " + value + "; expected " + expected;
  messages_.push_back(std::move(m));
}

void Diagnostics::raw(const std::string& message) { messages_.push_back(message); }

void Diagnostics::merge(const Diagnostics& other) {
  messages_.insert(messages_.end(), other.messages_.begin(), other.messages_.end());
}

void Diagnostics::throw_if_any() const {
  if (!messages_.empty()) throw InputError(messages_);
}

}  // namespace tf
