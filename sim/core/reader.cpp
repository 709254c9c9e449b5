#include "core/reader.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace tf {

const json& JsonNode::value() const {
  static const json null_value;
  return v_ ? *v_ : null_value;
}

JsonNode JsonNode::operator[](const std::string& key) const {
  std::string p = path_.empty() ? key : path_ + "." + key;
  const json* c = nullptr;
  if (v_ && v_->is_object()) {
    auto it = v_->find(key);
    if (it != v_->end()) c = &*it;
  }
  return JsonNode(c, file_, d_, std::move(p));
}

JsonNode JsonNode::operator[](size_t k) const {
  const json* c = v_ && v_->is_array() && k < v_->size() ? &(*v_)[k] : nullptr;
  return JsonNode(c, file_, d_, path_ + "[" + std::to_string(k) + "]");
}

bool JsonNode::has(const std::string& key) const { return v_ && v_->is_object() && v_->contains(key); }

size_t JsonNode::size() const { return v_ && (v_->is_array() || v_->is_object()) ? v_->size() : 0; }

void JsonNode::fail(const std::string& expected) const {
  d_->error(*file_, path_, v_ ? show(*v_) : std::string("nothing (missing)"), expected);
}

void JsonNode::fail_got(const std::string& got, const std::string& expected) const {
  d_->error(*file_, path_, got, expected);
}

bool JsonNode::expect_object(const std::string& expected) const {
  if (is_object()) return true;
  fail(expected);
  return false;
}

bool JsonNode::expect_list(const std::string& expected, size_t min_size, size_t max_size) const {
  if (is_list() && v_->size() >= min_size && v_->size() <= max_size) return true;
  fail(expected);
  return false;
}

void JsonNode::only_keys(const std::vector<std::string>& allowed, const std::string& no_such) const {
  if (!is_object()) return;
  for (auto it = v_->begin(); it != v_->end(); ++it) {
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == it.key();
    if (ok) continue;
    std::string s = closest(it.key(), allowed);
    std::string expected = no_such.empty() ? "no such key" + (s.empty() ? std::string() : "; did you mean '" + s + "'?")
                                           : no_such + (s.empty() ? std::string() : " (did you mean '" + s + "'?)");
    (*this)[it.key()].fail(expected);
  }
}

bool JsonNode::integral() const {
  return v_ && v_->is_number_integer() &&
         !(v_->is_number_unsigned() && v_->get<uint64_t>() > (uint64_t)std::numeric_limits<int64_t>::max());
}

int64_t JsonNode::integer(int64_t lo, int64_t hi, int64_t fallback, const std::string& expected) const {
  if (integral()) {
    int64_t x = v_->get<int64_t>();
    if (x >= lo && x <= hi) return x;
  }
  fail(expected.empty() ? "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]" : expected);
  return fallback;
}

double JsonNode::number(double lo, double hi, double fallback, const std::string& expected) const {
  if (v_ && v_->is_number()) {
    double x = v_->get<double>();
    if (std::isfinite(x) && x >= lo && x <= hi) return x;
  }
  fail(expected.empty() ? "a number in [" + format_double(lo) + ", " + format_double(hi) + "]" : expected);
  return fallback;
}

std::string JsonNode::text(bool nonempty, const std::string& fallback) const {
  if (v_ && v_->is_string() && !(nonempty && v_->get<std::string>().empty())) return v_->get<std::string>();
  fail(nonempty ? "a non-empty string" : "a string");
  return fallback;
}

bool JsonNode::boolean(bool fallback) const {
  if (v_ && v_->is_boolean()) return v_->get<bool>();
  fail("true or false");
  return fallback;
}

std::string JsonNode::choice(const std::vector<std::string>& choices, const std::string& fallback) const {
  if (v_ && v_->is_string())
    for (const auto& c : choices)
      if (c == v_->get<std::string>()) return c;
  std::string all;
  for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
  std::string s = v_ && v_->is_string() ? closest(v_->get<std::string>(), choices) : std::string();
  fail("one of: " + all + (s.empty() ? "" : " (did you mean '" + s + "'?)"));
  return fallback;
}

}  // namespace tf
