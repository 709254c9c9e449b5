// A row of the CIM array: COLS bits, grouped into words of WORD_BITS (word 0 = columns 0..w-1 = the least
// significant bits). All word-wise arithmetic is modulo 2^WORD_BITS.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tf::cim {

struct AddStage1;

class BitRow {
 public:
  BitRow() = default;
  BitRow(int cols, int word_bits);

  int cols() const { return cols_; }
  int word_bits() const { return wb_; }
  int words() const { return cols_ / wb_; }

  bool bit(int c) const { return (limbs_[c >> 6] >> (c & 63)) & 1; }
  void set_bit(int c, bool v);
  uint64_t word(int k) const;        // raw word_bits-bit value of word K
  void set_word(int k, uint64_t v);  // V truncated to word_bits
  int64_t word_signed(int k) const;  // word K as two's complement
  void fill(bool v);
  bool operator==(const BitRow& o) const { return cols_ == o.cols_ && limbs_ == o.limbs_; }
  bool operator!=(const BitRow& o) const { return !(*this == o); }

  // Bitwise (whole row).
  static BitRow op_and(const BitRow& a, const BitRow& b);
  static BitRow op_or(const BitRow& a, const BitRow& b);
  static BitRow op_xor(const BitRow& a, const BitRow& b);
  BitRow inverted() const;

  // Two-stage ripple-carry add, word-wise: stage 1 adds the low LO_BITS of each word (with carry-in CIN),
  // stage 2 the remaining high bits with stage 1's carries.
  static AddStage1 add_stage1(const BitRow& a, const BitRow& b, bool cin, int lo_bits);
  static BitRow add_stage2(const BitRow& a, const BitRow& b, const AddStage1& s1, int lo_bits);

  BitRow shl(int k) const;  // logical, within each word
  BitRow shr(int k) const;
  BitRow popcount_words() const;  // each word replaced by its popcount
  uint64_t popcount() const;      // whole row

  // Hex of the whole row as one number (column 0 = least significant bit), "0x" + ceil(cols/4) digits.
  std::string to_hex() const;
  // Parses "0x..." (or without prefix); returns false with a reason if malformed or wider than the row.
  bool from_hex(const std::string& s, std::string& why);
  static BitRow from_uint(int cols, int word_bits, uint64_t v);

  // In-place forms for hot loops (the fast evaluator): no allocation. The operands have this row's geometry
  // and may be this row itself. Same results as the forms above (the two adder stages together are a
  // word-wise add modulo 2^word_bits).
  void assign(const BitRow& a);
  void assign_and(const BitRow& a, const BitRow& b, bool invert);    // invert: nand
  void assign_or(const BitRow& a, const BitRow& b, bool invert);     // invert: nor
  void assign_xor(const BitRow& a, const BitRow& b, bool invert);    // invert: xnor
  void assign_add(const BitRow& a, const BitRow& b, bool subtract);  // word-wise a + b, or a - b
  void assign_shl(const BitRow& a, int k);
  void assign_shr(const BitRow& a, int k);
  void assign_popcount_words(const BitRow& a);
  void assign_uint(uint64_t v);  // as from_uint
  // Bit-serial full add, column by column (every column is its own 1-bit adder): this = A ^ B' ^ CARRY and
  // CARRY = majority(A, B', CARRY), where B' = B, or ~B when INVERT_B (subtract). CARRY is the periphery's
  // per-column carry latch, read and updated.
  void assign_full_add(const BitRow& a, const BitRow& b, BitRow& carry, bool invert_b);
  // A predicated write: per column, V where TAG is 1, else this row's bit unchanged.
  void assign_where(const BitRow& tag, const BitRow& v);

  const std::vector<uint64_t>& limbs() const { return limbs_; }
  uint64_t low64() const { return limbs_.empty() ? 0 : limbs_[0]; }  // columns 0..63 as a number

 private:
  void clear_tail();
  // Whole words tile each 64-bit limb (word_bits divides 64 and cols): word-parallel (SWAR) arithmetic applies.
  bool words_tile_limbs() const { return 64 % wb_ == 0 && cols_ % wb_ == 0; }
  // V (at most word_bits wide) repeated in every word of a limb; only when words_tile_limbs().
  uint64_t repeat_word(uint64_t v) const;
  void clear_partial_word();  // columns past the last whole word (cols not a multiple of word_bits)
  int cols_ = 0, wb_ = 1;
  std::vector<uint64_t> limbs_;
};

struct AddStage1 {
  BitRow low;                  // low sums, high bits zero
  std::vector<uint8_t> carry;  // carry out of the low part, per word
};

}  // namespace tf::cim
