#include "cim/isa.h"

#include <set>

namespace tf::cim {

static const char* kNames[kNumOpCodes] = {"write", "read", "and", "or", "xor", "nand", "nor",
                                          "xnor",  "add",  "sub", "shl", "shr", "popcount"};

const char* op_name(OpCode c) { return kNames[(int)c]; }

bool op_from_name(const std::string& s, OpCode& c) {
  for (int i = 0; i < kNumOpCodes; ++i)
    if (s == kNames[i]) {
      c = (OpCode)i;
      return true;
    }
  return false;
}

std::vector<std::string> op_names() { return std::vector<std::string>(kNames, kNames + kNumOpCodes); }

bool is_cell_level(OpCode c) {
  return c == OpCode::Write || c == OpCode::Read || c == OpCode::And || c == OpCode::Or || c == OpCode::Xor;
}

int num_sources(OpCode c) {
  switch (c) {
    case OpCode::Write: return 0;
    case OpCode::Read:
    case OpCode::Shl:
    case OpCode::Shr:
    case OpCode::Popcount: return 1;
    default: return 2;
  }
}

bool is_logic(OpCode c) { return (int)c >= (int)OpCode::And && (int)c <= (int)OpCode::Xnor; }
bool uses_adder(OpCode c) { return c == OpCode::Add || c == OpCode::Sub; }

namespace {
struct Parser {
  const std::string& file;
  const Geometry& g;
  Diagnostics& d;

  int row(const json& op, const std::string& p, const char* key, bool required) {
    auto it = op.find(key);
    if (it == op.end()) {
      if (required) d.error(file, p + "." + key, "nothing (missing)", "a row index in [0, " + std::to_string(g.rows - 1) + "]");
      return -1;
    }
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() >= g.rows) {
      d.error(file, p + "." + key, show(*it), "a row index in [0, " + std::to_string(g.rows - 1) + "]");
      return -1;
    }
    return (int)it->get<int64_t>();
  }
  int dst(const json& op, const std::string& p) {
    auto it = op.find("dst");
    if (it == op.end()) return kOut;
    if (it->is_string() && it->get<std::string>() == "out") return kOut;
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() >= g.rows) {
      d.error(file, p + ".dst", show(*it), "\"out\" or a row index in [0, " + std::to_string(g.rows - 1) + "]");
      return kOut;
    }
    return (int)it->get<int64_t>();
  }
};
}  // namespace

std::vector<MicroOp> parse_program(const json& j, const std::string& file, const Geometry& g, Diagnostics& d) {
  std::vector<MicroOp> ops;
  if (!j.is_object()) {
    d.error(file, "", show(j), "an object {\"ops\": [...]}");
    return ops;
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "ops" && it.key() != "description")
      d.error(file, it.key(), show(it.value()), "no such key (a program has \"ops\" and optional \"description\")");
  auto oit = j.find("ops");
  if (oit == j.end() || !oit->is_array()) {
    d.error(file, "ops", oit == j.end() ? "nothing (missing)" : show(*oit), "a list of micro-ops");
    return ops;
  }
  Parser P{file, g, d};
  for (size_t i = 0; i < oit->size(); ++i) {
    const json& o = (*oit)[i];
    std::string p = "ops[" + std::to_string(i) + "]";
    if (!o.is_object()) {
      d.error(file, p, show(o), "an object such as {\"op\":\"read\",\"row\":3}");
      continue;
    }
    auto nit = o.find("op");
    if (nit == o.end() || !nit->is_string()) {
      d.error(file, p + ".op", nit == o.end() ? "nothing (missing)" : show(*nit), "an operation name");
      continue;
    }
    MicroOp m;
    std::string name = nit->get<std::string>();
    if (!op_from_name(name, m.code)) {
      std::string s = closest(name, op_names());
      std::string all;
      for (auto& n : op_names()) all += (all.empty() ? "" : ", ") + n;
      d.error(file, p + ".op", show(*nit), "one of: " + all + (s.empty() ? "" : " (did you mean '" + s + "'?)"));
      continue;
    }
    std::set<std::string> allowed = {"op"};
    switch (m.code) {
      case OpCode::Write: {
        allowed.insert({"row", "data"});
        m.dst = P.row(o, p, "row", true);
        m.data = BitRow(g.cols, g.word_bits);
        auto dit = o.find("data");
        std::string why;
        if (dit == o.end())
          d.error(file, p + ".data", "nothing (missing)", "hex of the full row, e.g. \"0x00ff\"");
        else if (!dit->is_string() || !m.data.from_hex(dit->get<std::string>(), why))
          d.error(file, p + ".data", show(*dit),
                  "hex of the full row (" + std::to_string(g.cols) + " bits)" + (why.empty() ? "" : ": " + why));
        if (m.dst < 0) m.dst = 0;
        break;
      }
      case OpCode::Read:
        allowed.insert({"row", "dst"});
        m.a = P.row(o, p, "row", true);
        if (o.contains("dst") && !(o["dst"].is_string() && o["dst"] == "out"))
          d.error(file, p + ".dst", show(o["dst"]), "\"out\" (a read goes to the output latch)");
        m.dst = kOut;
        break;
      case OpCode::Shl:
      case OpCode::Shr: {
        allowed.insert({"row", "k", "dst"});
        m.a = P.row(o, p, "row", true);
        m.dst = P.dst(o, p);
        auto kit = o.find("k");
        if (kit == o.end() || !kit->is_number_integer() || kit->get<int64_t>() < 0 ||
            kit->get<int64_t>() > g.word_bits)
          d.error(file, p + ".k", kit == o.end() ? "nothing (missing)" : show(*kit),
                  "a shift amount in [0, " + std::to_string(g.word_bits) + "]");
        else
          m.k = (int)kit->get<int64_t>();
        break;
      }
      case OpCode::Popcount: {
        allowed.insert({"row", "mode", "dst"});
        m.a = P.row(o, p, "row", true);
        m.dst = P.dst(o, p);
        auto mit = o.find("mode");
        if (mit != o.end()) {
          if (*mit == "row")
            m.whole_row = true;
          else if (*mit == "word")
            m.whole_row = false;
          else
            d.error(file, p + ".mode", show(*mit), "\"row\" (one count of the whole row) or \"word\" (a count per word)");
        }
        break;
      }
      default:
        allowed.insert({"a", "b", "dst"});
        m.a = P.row(o, p, "a", true);
        m.b = P.row(o, p, "b", true);
        m.dst = P.dst(o, p);
        break;
    }
    for (auto k = o.begin(); k != o.end(); ++k)
      if (!allowed.count(k.key())) {
        std::vector<std::string> al(allowed.begin(), allowed.end());
        std::string s = closest(k.key(), al);
        d.error(file, p + "." + k.key(), show(k.value()),
                std::string("no such field for '") + op_name(m.code) + "'" + (s.empty() ? "" : " (did you mean '" + s + "'?)"));
      }
    if (m.a < 0 && num_sources(m.code) >= 1) m.a = 0;
    if (m.b < 0 && num_sources(m.code) >= 2) m.b = 0;
    ops.push_back(std::move(m));
  }
  return ops;
}

json program_to_json(const std::vector<MicroOp>& ops) {
  json arr = json::array();
  for (const auto& m : ops) {
    json o;
    o["op"] = op_name(m.code);
    switch (m.code) {
      case OpCode::Write:
        o["row"] = m.dst;
        o["data"] = m.data.to_hex();
        break;
      case OpCode::Read: o["row"] = m.a; break;
      case OpCode::Shl:
      case OpCode::Shr:
        o["row"] = m.a;
        o["k"] = m.k;
        break;
      case OpCode::Popcount:
        o["row"] = m.a;
        o["mode"] = m.whole_row ? "row" : "word";
        break;
      default:
        o["a"] = m.a;
        o["b"] = m.b;
    }
    if (m.code != OpCode::Write && m.code != OpCode::Read) {
      if (m.dst == kOut)
        o["dst"] = "out";
      else
        o["dst"] = m.dst;
    }
    arr.push_back(o);
  }
  return json{{"ops", arr}};
}

std::string program_to_text(const std::vector<MicroOp>& ops) {
  std::string out = "{\"ops\": [\n";
  auto dst = [](int d) { return d == kOut ? std::string("\"out\"") : std::to_string(d); };
  for (size_t i = 0; i < ops.size(); ++i) {
    const MicroOp& m = ops[i];
    out += "  {\"op\": \"";
    out += op_name(m.code);
    out += "\"";
    switch (m.code) {
      case OpCode::Write: out += ", \"row\": " + std::to_string(m.dst) + ", \"data\": \"" + m.data.to_hex() + "\""; break;
      case OpCode::Read: out += ", \"row\": " + std::to_string(m.a); break;
      case OpCode::Shl:
      case OpCode::Shr: out += ", \"row\": " + std::to_string(m.a) + ", \"k\": " + std::to_string(m.k) + ", \"dst\": " + dst(m.dst); break;
      case OpCode::Popcount:
        out += ", \"row\": " + std::to_string(m.a) + ", \"mode\": \"" + (m.whole_row ? "row" : "word") + "\", \"dst\": " + dst(m.dst);
        break;
      default: out += ", \"a\": " + std::to_string(m.a) + ", \"b\": " + std::to_string(m.b) + ", \"dst\": " + dst(m.dst);
    }
    out += i + 1 < ops.size() ? "},\n" : "}\n";
  }
  out += "]}\n";
  return out;
}

}  // namespace tf::cim
