#include "core/metrics.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace tf {

MetricSpec& MetricSet::add(MetricSpec m) {
  if (find(m.name)) throw std::logic_error("metric '" + m.name + "' declared twice");
  specs_.push_back(std::move(m));
  return specs_.back();
}

MetricSpec& MetricSet::lower(const std::string& name, const std::string& unit, const std::string& desc) {
  return add({name, unit, Better::Lower, desc});
}
MetricSpec& MetricSet::higher(const std::string& name, const std::string& unit, const std::string& desc) {
  return add({name, unit, Better::Higher, desc});
}
MetricSpec& MetricSet::neither(const std::string& name, const std::string& unit, const std::string& desc) {
  return add({name, unit, Better::Neither, desc});
}
MetricSpec& MetricSet::label(const std::string& name, const std::string& desc) {
  MetricSpec m{name, "", Better::Neither, desc};
  m.text = true;
  return add(std::move(m));
}
MetricSpec& MetricSet::breakdown(const std::string& name, const std::string& unit, const std::string& desc) {
  MetricSpec m{name, unit, Better::Neither, desc};
  m.breakdown = true;
  return add(std::move(m));
}

const MetricSpec* MetricSet::find(const std::string& name) const {
  for (const auto& m : specs_)
    if (m.name == name) return &m;
  return nullptr;
}

const char* better_name(Better b) {
  switch (b) {
    case Better::Lower: return "min";
    case Better::Higher: return "max";
    case Better::Neither: return "-";
  }
  return "-";
}

std::string describe_metrics(const MetricSet& metrics) {
  std::vector<std::vector<std::string>> rows{{"METRIC", "UNIT", "BETTER", "DESCRIPTION"}};
  for (const auto& m : metrics.specs())
    rows.push_back({m.name, m.unit, m.breakdown ? "(parts)" : m.text ? "(text)" : better_name(m.better), m.desc});
  size_t w[3] = {0, 0, 0};
  for (const auto& r : rows)
    for (int c = 0; c < 3; ++c) w[c] = std::max(w[c], r[c].size());
  std::ostringstream os;
  for (const auto& r : rows) {
    for (int c = 0; c < 3; ++c) os << r[c] << std::string(w[c] - r[c].size() + 2, ' ');
    os << r[3] << "\n";
  }
  return os.str();
}

std::vector<std::string> check_stats(const MetricSet& metrics, const json& stats) {
  std::vector<std::string> problems;
  for (auto it = stats.begin(); it != stats.end(); ++it) {
    const MetricSpec* m = metrics.find(it.key());
    const json& v = it.value();
    if (!m)
      problems.push_back("undeclared metric '" + it.key() + "'");
    else if (m->breakdown != v.is_object())
      problems.push_back("metric '" + it.key() + "' is declared as " + (m->breakdown ? "a breakdown" : "a value") +
                         " but holds " + show(v));
    else if (!m->breakdown && m->text != v.is_string())
      problems.push_back("metric '" + it.key() + "' is declared as " + (m->text ? "text" : "a number") + " but holds " +
                         show(v));
  }
  return problems;
}

}  // namespace tf
