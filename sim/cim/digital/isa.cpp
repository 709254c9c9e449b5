#include "cim/digital/isa.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#include "core/reader.h"

namespace tf::cim {

static const char* kNames[kNumOpCodes] = {"write", "read", "and",      "or",   "xor",  "nand",  "nor",   "xnor",  "add",
                                          "sub",   "shl",  "shr",      "popcount", "fadd", "fsub", "carry", "tag"};

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
    case OpCode::Write:
    case OpCode::Carry: return 0;
    case OpCode::Read:
    case OpCode::Shl:
    case OpCode::Shr:
    case OpCode::Popcount:
    case OpCode::Tag: return 1;
    default: return 2;
  }
}

bool is_logic(OpCode c) { return (int)c >= (int)OpCode::And && (int)c <= (int)OpCode::Xnor; }
bool uses_adder(OpCode c) { return c == OpCode::Add || c == OpCode::Sub; }
bool is_bit_serial(OpCode c) { return c == OpCode::FAdd || c == OpCode::FSub; }
bool has_destination(OpCode c) { return c != OpCode::Tag; }

namespace {

std::string row_range(const Geometry& g) {
  std::string s = "a row index in [0, " + std::to_string(g.rows - 1) + "]";
  if (g.accumulators == 1) s += " or \"acc0\"";
  if (g.accumulators > 1) s += " or \"acc0\" ... \"acc" + std::to_string(g.accumulators - 1) + "\"";
  return s;
}

// "accK" with K below the macro's accumulator count: acc_row(K); else -1.
int acc_of(const std::string& s, const Geometry& g) {
  if (s.size() < 4 || s.compare(0, 3, "acc") != 0 || s.size() > 6) return -1;
  int k = 0;
  auto [p, ec] = std::from_chars(s.data() + 3, s.data() + s.size(), k);
  if (ec != std::errc() || p != s.data() + s.size() || k < 0 || k >= g.accumulators) return -1;
  if (s.size() > 4 && s[3] == '0') return -1;  // "acc01"
  return acc_row(k);
}

// A source or destination: a row index of the array or an accumulator "accK"; a missing REQUIRED row is an
// error. Returns -1 when absent or bad.
int row_of(const JsonNode& v, const Geometry& g, bool required) {
  std::string want = row_range(g);
  if (v.missing()) {
    if (required) v.fail(want);
    return -1;
  }
  if (v.is_string()) {
    int r = acc_of(v.value().get<std::string>(), g);
    if (r == -1) v.fail(want);
    return r;
  }
  return (int)v.integer(0, g.rows - 1, -1, want);
}

// A destination: "out" (the output latch, also when absent), a row index or an accumulator.
int dst_of(const JsonNode& v, const Geometry& g) {
  if (v.missing() || (v.is_string() && v.value().get<std::string>() == "out")) return kOut;
  int r = row_of(v, g, true);
  return r == -1 ? kOut : r;
}

}  // namespace

std::string row_name(int r) { return is_acc(r) ? "acc" + std::to_string(acc_index(r)) : std::to_string(r); }

namespace {

// The fields of one micro-op after its name; returns the keys it may have.
std::vector<std::string> op_fields(const JsonNode& o, const Geometry& g, MicroOp& m) {
  switch (m.code) {
    case OpCode::Write: {
      m.dst = row_of(o["row"], g, true);
      m.data = BitRow(g.cols, g.word_bits);
      JsonNode dv = o["data"];
      std::string why;
      if (dv.missing())
        dv.fail("hex of the full row, e.g. \"0x00ff\"");
      else if (!dv.is_string() || !m.data.from_hex(dv.value().get<std::string>(), why))
        dv.fail("hex of the full row (" + std::to_string(g.cols) + " bits)" + (why.empty() ? "" : ": " + why));
      if (m.dst == -1) m.dst = 0;
      return {"op", "row", "data"};
    }
    case OpCode::Read:
      m.a = row_of(o["row"], g, true);
      if (o.has("dst") && !(o["dst"].is_string() && o["dst"].value() == "out"))
        o["dst"].fail("\"out\" (a read goes to the output latch)");
      m.dst = kOut;
      return {"op", "row", "dst"};
    case OpCode::Shl:
    case OpCode::Shr:
      m.a = row_of(o["row"], g, true);
      m.dst = dst_of(o["dst"], g);
      m.k = (int)o["k"].integer(0, g.word_bits, 0, "a shift amount in [0, " + std::to_string(g.word_bits) + "]");
      return {"op", "row", "k", "dst"};
    case OpCode::Popcount:
      m.a = row_of(o["row"], g, true);
      m.dst = dst_of(o["dst"], g);
      if (o.has("mode")) {
        JsonNode mode = o["mode"];
        if (mode.value() == "row")
          m.whole_row = true;
        else if (mode.value() == "word")
          m.whole_row = false;
        else
          mode.fail("\"row\" (one count of the whole row) or \"word\" (a count per word)");
      }
      return {"op", "row", "mode", "dst"};
    case OpCode::Carry:
      m.dst = row_of(o["dst"], g, true);
      if (m.dst == -1) m.dst = 0;
      return {"op", "dst"};
    case OpCode::Tag:
      m.a = row_of(o["row"], g, true);
      m.dst = kOut;  // no destination: the tag latch
      return {"op", "row"};
    case OpCode::FAdd:
    case OpCode::FSub: {
      m.a = row_of(o["a"], g, true);
      m.b = row_of(o["b"], g, true);
      m.dst = row_of(o["dst"], g, true);
      if (m.dst == -1) m.dst = 0;
      JsonNode cin = o["cin"];
      if (cin.missing() || (cin.is_string() && cin.value().get<std::string>() == "carry"))
        m.cin = kCinLatch;
      else
        m.cin = (int)cin.integer(0, 1, kCinLatch, "\"carry\" (the carry latch, the default), 0 or 1");
      return {"op", "a", "b", "dst", "cin"};
    }
    default:
      m.a = row_of(o["a"], g, true);
      m.b = row_of(o["b"], g, true);
      m.dst = dst_of(o["dst"], g);
      return {"op", "a", "b", "dst"};
  }
}

}  // namespace

std::vector<MicroOp> parse_program(const json& j, const std::string& file, const Geometry& g, Diagnostics& d,
                                   RowPreload* preload) {
  std::vector<MicroOp> ops;
  JsonNode root(j, file, d);
  if (!root.expect_object("an object {\"ops\": [...]}")) return ops;
  root.only_keys({"ops", "description", "preload"},
                 "no such key (a program has \"ops\", optional \"preload\" and \"description\")");
  if (root.has("preload")) {
    JsonNode pl = root["preload"];
    if (pl.expect_list("a list of rows that hold data at the start: {\"row\": N, \"data\": \"0x...\"}"))
      for (size_t i = 0; i < pl.size(); ++i) {
        JsonNode e = pl[i];
        if (!e.expect_object("an object {\"row\": N, \"data\": \"0x...\"}")) continue;
        e.only_keys({"row", "data"});
        JsonNode rv = e["row"];
        const int r = (int)rv.integer(0, g.rows - 1, -1, "an array row in [0, " + std::to_string(g.rows - 1) + "]");
        BitRow v(g.cols, g.word_bits);
        JsonNode dv = e["data"];
        std::string why;
        if (!dv.is_string() || !v.from_hex(dv.value().get<std::string>(), why))
          dv.fail("hex of the full row (" + std::to_string(g.cols) + " bits)" + (why.empty() ? "" : ": " + why));
        else if (r >= 0 && preload) {
          bool twice = false;
          for (const auto& rv : *preload) twice |= rv.first == r;
          if (twice)
            rv.fail("a row not preloaded before (row " + std::to_string(r) + " is listed twice)");
          else
            preload->emplace_back(r, std::move(v));
        }
      }
  }
  JsonNode list = root["ops"];
  if (!list.expect_list("a non-empty list of micro-ops", 1)) return ops;
  for (size_t i = 0; i < list.size(); ++i) {
    JsonNode o = list[i];
    if (!o.expect_object("an object such as {\"op\":\"read\",\"row\":3}")) continue;
    JsonNode name = o["op"];
    if (!name.is_string()) {
      name.fail("an operation name");
      continue;
    }
    MicroOp m;
    if (!op_from_name(name.value().get<std::string>(), m.code)) {
      name.choice(op_names());
      continue;
    }
    if (!g.bit_serial && (is_bit_serial(m.code) || m.code == OpCode::Carry || m.code == OpCode::Tag))
      name.fail(std::string("an op of this macro ('") + op_name(m.code) +
                "' needs the per-column carry and tag latches: macro.bit_serial = true)");
    std::vector<std::string> keys = op_fields(o, g, m);
    if (m.code != OpCode::Read && m.code != OpCode::Tag) keys.push_back("pred");
    o.only_keys(keys, std::string("no such field for '") + op_name(m.code) + "'");
    if (o.has("pred")) {
      JsonNode pv = o["pred"];
      if (!pv.value().is_boolean())
        pv.fail("true (write only the columns whose tag bit is 1) or false");
      else
        m.pred = pv.value().get<bool>();
      if (m.pred && m.dst == kOut) pv.fail("false: a predicated op writes a row or an accumulator, not \"out\"");
      else if (m.pred && !g.bit_serial) pv.fail("false (predicated writes need the tag latch: macro.bit_serial = true)");
    }
    if (m.a == -1 && num_sources(m.code) >= 1) m.a = 0;
    if (m.b == -1 && num_sources(m.code) >= 2) m.b = 0;
    ops.push_back(std::move(m));
  }
  return ops;
}

json program_to_json(const std::vector<MicroOp>& ops) {
  auto rj = [](int r) { return is_acc(r) ? json("acc" + std::to_string(acc_index(r))) : json(r); };
  json arr = json::array();
  for (const auto& m : ops) {
    json o;
    o["op"] = op_name(m.code);
    switch (m.code) {
      case OpCode::Write:
        o["row"] = rj(m.dst);
        o["data"] = m.data.to_hex();
        break;
      case OpCode::Read: o["row"] = rj(m.a); break;
      case OpCode::Shl:
      case OpCode::Shr:
        o["row"] = rj(m.a);
        o["k"] = m.k;
        break;
      case OpCode::Popcount:
        o["row"] = rj(m.a);
        o["mode"] = m.whole_row ? "row" : "word";
        break;
      case OpCode::Carry: break;
      case OpCode::Tag: o["row"] = rj(m.a); break;
      default: o["a"] = rj(m.a); o["b"] = rj(m.b);
    }
    if (is_bit_serial(m.code) && m.cin != kCinLatch) o["cin"] = m.cin;
    if (m.code != OpCode::Write && m.code != OpCode::Read && m.code != OpCode::Tag) {
      if (m.dst == kOut)
        o["dst"] = "out";
      else
        o["dst"] = rj(m.dst);
    }
    if (m.pred) o["pred"] = true;
    arr.push_back(o);
  }
  return json{{"ops", arr}};
}

std::string program_to_text(const std::vector<MicroOp>& ops, const RowPreload* preload) {
  // Formatted into one buffer sized for the worst case of each line (the listing of a default run is written
  // at every design point; long programs have 10^5 to 10^6 ops): under 128 characters per op (the longest
  // line, a predicated fsub, has under 100), plus the hex digits of each write.
  size_t size = 32 + ops.size() * 128;
  for (const MicroOp& m : ops)
    if (m.code == OpCode::Write) size += (size_t)(m.data.cols() + 3) / 4 + 2;
  const bool with_preload = preload && !preload->empty();
  if (with_preload)
    for (const auto& rv : *preload) size += 48 + (size_t)(rv.second.cols() + 3) / 4;
  std::string out(size, '\0');
  char* p = out.data();
  auto lit = [&p](std::string_view t) {
    std::memcpy(p, t.data(), t.size());
    p += t.size();
  };
  auto num = [&p](int v) {
    if (is_acc(v)) {  // "accK"
      std::memcpy(p, "\"acc", 4);
      p = std::to_chars(p + 4, p + 15, acc_index(v)).ptr;
      *p++ = '"';
    } else {
      p = std::to_chars(p, p + 11, v).ptr;
    }
  };
  auto dst = [&](int d) {
    lit(", \"dst\": ");
    if (d == kOut)
      lit("\"out\"");
    else
      num(d);
  };
  if (with_preload) {
    lit("{\"preload\": [\n");
    for (size_t i = 0; i < preload->size(); ++i) {
      lit("  {\"row\": ");
      num((*preload)[i].first);
      lit(", \"data\": \"");
      lit((*preload)[i].second.to_hex());
      lit(i + 1 < preload->size() ? "\"},\n" : "\"}\n");
    }
    lit("],\n\"ops\": [\n");
  } else {
    lit("{\"ops\": [\n");
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const MicroOp& m = ops[i];
    lit("  {\"op\": \"");
    lit(op_name(m.code));
    *p++ = '"';
    switch (m.code) {
      case OpCode::Write:
        lit(", \"row\": ");
        num(m.dst);
        lit(", \"data\": \"");
        lit(m.data.to_hex());
        *p++ = '"';
        break;
      case OpCode::Read:
        lit(", \"row\": ");
        num(m.a);
        break;
      case OpCode::Shl:
      case OpCode::Shr:
        lit(", \"row\": ");
        num(m.a);
        lit(", \"k\": ");
        num(m.k);
        dst(m.dst);
        break;
      case OpCode::Popcount:
        lit(", \"row\": ");
        num(m.a);
        lit(m.whole_row ? ", \"mode\": \"row\"" : ", \"mode\": \"word\"");
        dst(m.dst);
        break;
      case OpCode::Carry: dst(m.dst); break;
      case OpCode::Tag:
        lit(", \"row\": ");
        num(m.a);
        break;
      default:
        lit(", \"a\": ");
        num(m.a);
        lit(", \"b\": ");
        num(m.b);
        dst(m.dst);
        if (is_bit_serial(m.code) && m.cin != kCinLatch) lit(m.cin ? ", \"cin\": 1" : ", \"cin\": 0");
    }
    if (m.pred) lit(", \"pred\": true");
    lit(i + 1 < ops.size() ? "},\n" : "}\n");
  }
  lit("]}\n");
  out.resize((size_t)(p - out.data()));
  return out;
}

}  // namespace tf::cim
