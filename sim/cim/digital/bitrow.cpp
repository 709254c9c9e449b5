#include "cim/digital/bitrow.h"

#include <algorithm>

namespace tf::cim {

static inline uint64_t mask_bits(int n) { return n >= 64 ? ~0ULL : ((1ULL << n) - 1); }

BitRow::BitRow(int cols, int word_bits) : cols_(cols), wb_(word_bits), limbs_((cols + 63) / 64, 0) {}

void BitRow::set_bit(int c, bool v) {
  if (v)
    limbs_[c >> 6] |= 1ULL << (c & 63);
  else
    limbs_[c >> 6] &= ~(1ULL << (c & 63));
}

uint64_t BitRow::word(int k) const {
  int pos = k * wb_;
  int li = pos >> 6, off = pos & 63;
  uint64_t v = limbs_[li] >> off;
  if (off + wb_ > 64 && li + 1 < (int)limbs_.size()) v |= limbs_[li + 1] << (64 - off);
  return v & mask_bits(wb_);
}

void BitRow::set_word(int k, uint64_t v) {
  v &= mask_bits(wb_);
  int pos = k * wb_;
  int li = pos >> 6, off = pos & 63;
  uint64_t m = mask_bits(wb_) << off;
  limbs_[li] = (limbs_[li] & ~m) | (v << off);
  if (off + wb_ > 64) {
    int spill = off + wb_ - 64;
    uint64_t m2 = mask_bits(spill);
    limbs_[li + 1] = (limbs_[li + 1] & ~m2) | (v >> (64 - off));
  }
}

int64_t BitRow::word_signed(int k) const {
  uint64_t v = word(k);
  if (wb_ < 64 && (v >> (wb_ - 1)) & 1) v |= ~mask_bits(wb_);
  return (int64_t)v;
}

void BitRow::fill(bool v) {
  for (auto& l : limbs_) l = v ? ~0ULL : 0;
  clear_tail();
}

void BitRow::clear_tail() {
  int r = cols_ & 63;
  if (r) limbs_.back() &= mask_bits(r);
}

BitRow BitRow::op_and(const BitRow& a, const BitRow& b) {
  BitRow r = a;
  for (size_t i = 0; i < r.limbs_.size(); ++i) r.limbs_[i] &= b.limbs_[i];
  return r;
}
BitRow BitRow::op_or(const BitRow& a, const BitRow& b) {
  BitRow r = a;
  for (size_t i = 0; i < r.limbs_.size(); ++i) r.limbs_[i] |= b.limbs_[i];
  return r;
}
BitRow BitRow::op_xor(const BitRow& a, const BitRow& b) {
  BitRow r = a;
  for (size_t i = 0; i < r.limbs_.size(); ++i) r.limbs_[i] ^= b.limbs_[i];
  return r;
}
BitRow BitRow::inverted() const {
  BitRow r = *this;
  for (auto& l : r.limbs_) l = ~l;
  r.clear_tail();
  return r;
}

AddStage1 BitRow::add_stage1(const BitRow& a, const BitRow& b, bool cin, int lo_bits) {
  AddStage1 s{BitRow(a.cols_, a.wb_), std::vector<uint8_t>(a.words(), 0)};
  uint64_t m = mask_bits(lo_bits);
  for (int k = 0; k < a.words(); ++k) {
    uint64_t x = a.word(k) & m, y = b.word(k) & m;
    // lo_bits <= 32 keeps the sum inside 64 bits; for wider low halves use 128-bit arithmetic
    unsigned __int128 sum = (unsigned __int128)x + y + (cin ? 1 : 0);
    s.low.set_word(k, (uint64_t)sum & m);
    s.carry[k] = (uint8_t)((sum >> lo_bits) & 1);
  }
  return s;
}

BitRow BitRow::add_stage2(const BitRow& a, const BitRow& b, const AddStage1& s1, int lo_bits) {
  BitRow r(a.cols_, a.wb_);
  int hi_bits = a.wb_ - lo_bits;
  for (int k = 0; k < a.words(); ++k) {
    uint64_t hi = 0;
    if (hi_bits > 0) {
      uint64_t x = a.word(k) >> lo_bits, y = b.word(k) >> lo_bits;
      hi = (x + y + s1.carry[k]) & mask_bits(hi_bits);
    }
    uint64_t lo = s1.low.word(k);
    r.set_word(k, hi_bits > 0 ? (hi << lo_bits) | lo : lo);
  }
  return r;
}

BitRow BitRow::shl(int k) const {
  BitRow r(cols_, wb_);
  if (k >= wb_) return r;
  for (int w = 0; w < words(); ++w) r.set_word(w, word(w) << k);
  return r;
}

BitRow BitRow::shr(int k) const {
  BitRow r(cols_, wb_);
  if (k >= wb_) return r;
  for (int w = 0; w < words(); ++w) r.set_word(w, word(w) >> k);
  return r;
}

BitRow BitRow::popcount_words() const {
  BitRow r(cols_, wb_);
  for (int w = 0; w < words(); ++w) r.set_word(w, (uint64_t)__builtin_popcountll(word(w)));
  return r;
}

uint64_t BitRow::popcount() const {
  uint64_t n = 0;
  for (auto l : limbs_) n += __builtin_popcountll(l);
  return n;
}

uint64_t BitRow::repeat_word(uint64_t v) const { return (~0ULL / mask_bits(wb_)) * v; }

void BitRow::assign(const BitRow& a) {
  if (limbs_.size() != a.limbs_.size()) {
    *this = a;
    return;
  }
  cols_ = a.cols_;
  wb_ = a.wb_;
  std::copy(a.limbs_.begin(), a.limbs_.end(), limbs_.begin());
}

void BitRow::assign_and(const BitRow& a, const BitRow& b, bool invert) {
  const uint64_t x = invert ? ~0ULL : 0;
  for (size_t i = 0; i < limbs_.size(); ++i) limbs_[i] = (a.limbs_[i] & b.limbs_[i]) ^ x;
  if (invert) clear_tail();
}

void BitRow::assign_or(const BitRow& a, const BitRow& b, bool invert) {
  const uint64_t x = invert ? ~0ULL : 0;
  for (size_t i = 0; i < limbs_.size(); ++i) limbs_[i] = (a.limbs_[i] | b.limbs_[i]) ^ x;
  if (invert) clear_tail();
}

void BitRow::assign_xor(const BitRow& a, const BitRow& b, bool invert) {
  const uint64_t x = invert ? ~0ULL : 0;
  for (size_t i = 0; i < limbs_.size(); ++i) limbs_[i] = (a.limbs_[i] ^ b.limbs_[i]) ^ x;
  if (invert) clear_tail();
}

void BitRow::assign_full_add(const BitRow& a, const BitRow& b, BitRow& carry, bool invert_b) {
  const uint64_t x = invert_b ? ~0ULL : 0;
  for (size_t i = 0; i < limbs_.size(); ++i) {
    const uint64_t p = a.limbs_[i], q = b.limbs_[i] ^ x, c = carry.limbs_[i];
    limbs_[i] = p ^ q ^ c;
    carry.limbs_[i] = (p & q) | (c & (p ^ q));
  }
  if (invert_b) {
    clear_tail();
    carry.clear_tail();
  }
}

void BitRow::assign_where(const BitRow& tag, const BitRow& v) {
  for (size_t i = 0; i < limbs_.size(); ++i) limbs_[i] = (v.limbs_[i] & tag.limbs_[i]) | (limbs_[i] & ~tag.limbs_[i]);
}

void BitRow::clear_partial_word() {
  for (int c = words() * wb_; c < cols_; ++c) set_bit(c, false);
}

void BitRow::assign_add(const BitRow& a, const BitRow& b, bool subtract) {
  if (words_tile_limbs()) {
    // Word-parallel: the top bit of every word is added separately so that no carry (or borrow) crosses a
    // word boundary.
    const uint64_t H = repeat_word(1ULL << (wb_ - 1));
    for (size_t i = 0; i < limbs_.size(); ++i) {
      const uint64_t x = a.limbs_[i], y = b.limbs_[i];
      limbs_[i] = subtract ? ((x | H) - (y & ~H)) ^ ((x ^ ~y) & H) : ((x & ~H) + (y & ~H)) ^ ((x ^ y) & H);
    }
    clear_tail();
    return;
  }
  for (int k = 0; k < words(); ++k) {
    const uint64_t x = a.word(k), y = b.word(k);
    set_word(k, subtract ? x - y : x + y);
  }
  clear_partial_word();
}

void BitRow::assign_shl(const BitRow& a, int k) {
  if (k >= wb_) {
    fill(false);
    return;
  }
  if (words_tile_limbs()) {
    const uint64_t keep = repeat_word((mask_bits(wb_) << k) & mask_bits(wb_));
    for (size_t i = 0; i < limbs_.size(); ++i) limbs_[i] = (a.limbs_[i] << k) & keep;
    clear_tail();
    return;
  }
  for (int w = 0; w < words(); ++w) set_word(w, a.word(w) << k);
  clear_partial_word();
}

void BitRow::assign_shr(const BitRow& a, int k) {
  if (k >= wb_) {
    fill(false);
    return;
  }
  if (words_tile_limbs()) {
    const uint64_t keep = repeat_word(mask_bits(wb_) >> k);
    for (size_t i = 0; i < limbs_.size(); ++i) limbs_[i] = (a.limbs_[i] >> k) & keep;
    clear_tail();
    return;
  }
  for (int w = 0; w < words(); ++w) set_word(w, a.word(w) >> k);
  clear_partial_word();
}

void BitRow::assign_popcount_words(const BitRow& a) {
  for (int w = 0; w < words(); ++w) set_word(w, (uint64_t)__builtin_popcountll(a.word(w)));
  clear_partial_word();
}

void BitRow::assign_uint(uint64_t v) {
  std::fill(limbs_.begin(), limbs_.end(), 0);
  if (!limbs_.empty()) limbs_[0] = cols_ >= 64 ? v : v & mask_bits(cols_);
}

std::string BitRow::to_hex() const {
  static const char* hx = "0123456789abcdef";
  int digits = (cols_ + 3) / 4;
  std::string s(2 + digits, '0');
  s[1] = 'x';
  for (int d = 0; d < digits; ++d) {
    const int c = d * 4;  // a nibble never straddles two 64-bit limbs
    int v = (int)((limbs_[c >> 6] >> (c & 63)) & 0xF);
    if (c + 4 > cols_) v &= (1 << (cols_ - c)) - 1;  // columns past the row's width read as 0
    s[2 + digits - 1 - d] = hx[v];
  }
  return s;
}

bool BitRow::from_hex(const std::string& in, std::string& why) {
  std::string s = in;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s.substr(2);
  std::string digits;
  for (char c : s)
    if (c != '_') digits += c;
  if (digits.empty()) {
    why = "no hex digits";
    return false;
  }
  fill(false);
  int n = (int)digits.size();
  for (int d = 0; d < n; ++d) {
    char c = digits[n - 1 - d];
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else {
      why = std::string("'") + c + "' is not a hex digit";
      return false;
    }
    for (int b = 0; b < 4; ++b) {
      if (!((v >> b) & 1)) continue;
      int col = d * 4 + b;
      if (col >= cols_) {
        why =
            "value has bit " + std::to_string(col) + " set but the row has only " + std::to_string(cols_) + " columns";
        return false;
      }
      set_bit(col, true);
    }
  }
  return true;
}

BitRow BitRow::from_uint(int cols, int word_bits, uint64_t v) {
  BitRow r(cols, word_bits);
  for (int c = 0; c < cols && c < 64; ++c) r.set_bit(c, (v >> c) & 1);
  return r;
}

}  // namespace tf::cim
