#include "cim/digital/mapper.h"

#include <algorithm>

namespace tf::cim {

int auto_interleave(const PipelineParams& pp) {
  int lmax = *std::max_element(pp.latency.begin(), pp.latency.end());
  int until = 0;  // cycles from bitline start until the result can be consumed
  int last = pp.forwarding ? 4 : 5;
  for (int s = 1; s <= last; ++s) until += pp.latency[s];
  return std::max(1, (until + lmax - 1) / lmax);
}

bool mvm_fits_word(const MvmLayer& l, int word_bits, std::string* why) {
  // Extreme products and their sums over n inputs, exactly in 128-bit integers.
  __int128 wl = min_of(l.w_bits, l.w_signed), wh = max_of(l.w_bits, l.w_signed);
  __int128 xl = min_of(l.x_bits, l.x_signed), xh = max_of(l.x_bits, l.x_signed);
  __int128 p[4] = {wl * xl, wl * xh, wh * xl, wh * xh};
  __int128 pmin = *std::min_element(p, p + 4), pmax = *std::max_element(p, p + 4);
  __int128 ymin = pmin * l.n, ymax = pmax * l.n;
  bool sgn = l.w_signed || l.x_signed;
  __int128 lim_lo = sgn ? -(__int128(1) << (word_bits - 1)) : 0;
  __int128 lim_hi = sgn ? (__int128(1) << (word_bits - 1)) - 1 : (__int128(1) << word_bits) - 1;
  bool ok = ymin >= lim_lo && ymax <= lim_hi;
  if (!ok && why) {
    *why = "results range over [" + std::to_string((long long)ymin) + ", " + std::to_string((long long)ymax) +
           "], which does not fit a " + std::string(sgn ? "signed " : "unsigned ") + std::to_string(word_bits) +
           "-bit word";
  }
  return ok;
}

static MicroOp mk(OpCode c, int a, int b, int dst) {
  MicroOp m;
  m.code = c;
  m.a = a;
  m.b = b;
  m.dst = dst;
  return m;
}

static MicroOp mk_write(int row, BitRow data) {
  MicroOp m;
  m.code = OpCode::Write;
  m.dst = row;
  m.data = std::move(data);
  return m;
}

void map_mvm(const MvmLayer& l, const Geometry& g, int P, bool skip_zero_bits, std::vector<MicroOp>& ops) {
  const int N = l.n;
  const int ZERO = N, ONES = N + 1, T0 = N + 2, A0 = N + 2 + P;
  BitRow zero(g.cols, g.word_bits), ones(g.cols, g.word_bits);
  ones.fill(true);
  // At most: the writes, per input bit P shifts and two ops per input, the reduction and the read.
  // Grown geometrically: an exact reserve per layer would copy the whole program at every layer (quadratic in
  // the layer count).
  const size_t need = ops.size() + (size_t)(N + 2 + P) + (size_t)l.x_bits * (size_t)(P + 2 * N) + (size_t)P + 1;
  if (need > ops.capacity()) ops.reserve(std::max(need, 2 * ops.capacity()));
  std::vector<int> group;  // chains whose input bit is issued
  group.reserve(P);
  for (int j = 0; j < N; ++j) {
    BitRow r(g.cols, g.word_bits);
    for (int i = 0; i < l.m; ++i) r.set_word(i, (uint64_t)l.w[i][j]);  // two's complement, truncated to the word
    ops.push_back(mk_write(j, r));
  }
  ops.push_back(mk_write(ZERO, zero));
  ops.push_back(mk_write(ONES, ones));
  for (int p = 0; p < P; ++p) ops.push_back(mk_write(A0 + p, zero));
  // Horner's scheme over the input bits, most significant first: ACC = (ACC << 1) +/- sum_j x_j[b] * W_j.
  // The sign bit of a signed input has weight -2^(x_bits-1), so its partial sum is subtracted.
  for (int b = l.x_bits - 1; b >= 0; --b) {
    bool negative = l.x_signed && b == l.x_bits - 1;
    if (b < l.x_bits - 1)
      for (int p = 0; p < P; ++p) {
        MicroOp s = mk(OpCode::Shl, A0 + p, -1, A0 + p);
        s.k = 1;
        ops.push_back(s);
      }
    for (int j0 = 0; j0 < N; j0 += P) {
      group.clear();
      for (int p = 0; p < P && j0 + p < N; ++p) {
        int j = j0 + p;
        bool bit = ((uint64_t)l.x[j] >> b) & 1;
        if (skip_zero_bits && !bit) continue;
        group.push_back(p);
        ops.push_back(mk(OpCode::And, j, bit ? ONES : ZERO, T0 + p));  // the input bit gates the weight row
      }
      for (int p : group) ops.push_back(mk(negative ? OpCode::Sub : OpCode::Add, A0 + p, T0 + p, A0 + p));
    }
  }
  // Reduce the P partial accumulators pairwise into A0.
  for (int h = 1; h < P; h *= 2)
    for (int p = 0; p + h < P; p += 2 * h) ops.push_back(mk(OpCode::Add, A0 + p, A0 + p + h, A0 + p));
  ops.push_back(mk(OpCode::Read, A0, -1, kOut));
}

void map_mvm_direct(const MvmLayer& l, const Geometry& g, int interleave, std::vector<MicroOp>& ops,
                    Preload* resident) {
  const int N = l.n, P = mvm_chains_direct(interleave, g);
  auto chain = [&](int p) { return g.accumulators > 0 ? acc_row(p) : N + p; };
  // At most: the writes, per input bit P shifts and one op per input, the reduction and the read.
  const size_t need = ops.size() + (size_t)(N + P) + (size_t)l.x_bits * (size_t)(P + N) + (size_t)P + 1;
  if (need > ops.capacity()) ops.reserve(std::max(need, 2 * ops.capacity()));
  for (int j = 0; j < N; ++j) {
    BitRow r(g.cols, g.word_bits);
    for (int i = 0; i < l.m; ++i) r.set_word(i, (uint64_t)l.w[i][j]);  // two's complement, truncated to the word
    if (resident)
      resident->emplace_back(j, std::move(r));
    else
      ops.push_back(mk_write(j, r));
  }
  const BitRow zero(g.cols, g.word_bits);
  if (!resident)  // resident: the program starts on the zeroed array
    for (int p = 0; p < P; ++p) ops.push_back(mk_write(chain(p), zero));
  std::vector<char> touched(P, 0);  // the chain's sum may be non-zero
  // Horner's scheme over the input bits, most significant first: S = (S << 1) +/- sum_{j: x_j[b] = 1} W_j.
  // The sign bit of a signed input has weight -2^(x_bits-1): its weight rows are subtracted (from a zero sum).
  for (int b = l.x_bits - 1; b >= 0; --b) {
    const bool negative = l.x_signed && b == l.x_bits - 1;
    if (b < l.x_bits - 1)
      for (int p = 0; p < P; ++p)
        if (touched[p]) {
          MicroOp s = mk(OpCode::Shl, chain(p), -1, chain(p));
          s.k = 1;
          ops.push_back(s);
        }
    int k = 0;  // round robin over the chains: consecutive adds are independent
    for (int j = 0; j < N; ++j) {
      if (!(((uint64_t)l.x[j] >> b) & 1)) continue;
      const int p = k++ % P;
      ops.push_back(mk(negative ? OpCode::Sub : OpCode::Add, chain(p), j, chain(p)));
      touched[p] = 1;
    }
  }
  std::vector<int> live;  // chains to reduce
  for (int p = 0; p < P; ++p)
    if (touched[p]) live.push_back(chain(p));
  if (live.empty()) live.push_back(chain(0));  // every input zero: the result is the zeroed chain
  for (size_t h = 1; h < live.size(); h *= 2)
    for (size_t q = 0; q + h < live.size(); q += 2 * h) ops.push_back(mk(OpCode::Add, live[q], live[q + h], live[q]));
  ops.push_back(mk(OpCode::Read, live[0], -1, kOut));
}

std::vector<int64_t> decode_mvm(const MvmLayer& l, const BitRow& result) {
  std::vector<int64_t> y(l.m);
  bool sgn = l.w_signed || l.x_signed;
  for (int i = 0; i < l.m; ++i) y[i] = sgn ? result.word_signed(i) : (int64_t)result.word(i);
  return y;
}

void map_bnn(const BnnLayer& l, const Geometry& g, int P, std::vector<MicroOp>& ops) {
  const int X = l.m, T0 = l.m + 1;
  for (int i = 0; i < l.m; ++i) {
    BitRow r(g.cols, g.word_bits);  // unused columns 0
    for (int j = 0; j < l.n; ++j) r.set_bit(j, l.w[i][j] > 0);
    ops.push_back(mk_write(i, r));
  }
  BitRow x(g.cols, g.word_bits);
  x.fill(true);  // unused columns 1, so xnor with a 0 weight column gives 0
  for (int j = 0; j < l.n; ++j) x.set_bit(j, l.x[j] > 0);
  ops.push_back(mk_write(X, x));
  for (int i0 = 0; i0 < l.m; i0 += P) {
    int cnt = std::min(P, l.m - i0);
    for (int p = 0; p < cnt; ++p) ops.push_back(mk(OpCode::Xnor, i0 + p, X, T0 + p));
    for (int p = 0; p < cnt; ++p) {
      MicroOp c = mk(OpCode::Popcount, T0 + p, -1, kOut);
      c.whole_row = true;
      ops.push_back(c);
    }
  }
}

void map_hdc(const HdcQuery& q, const Geometry& g, int P, std::vector<MicroOp>& ops) {
  const int K = q.classes, V = K + 1, Q = K + 2, T0 = K + 3;
  auto row_of = [&](const std::vector<uint8_t>& bits) {
    BitRow r(g.cols, g.word_bits);
    for (int d = 0; d < q.dim; ++d) r.set_bit(d, bits[d]);
    return r;
  };
  for (int c = 0; c < q.classes; ++c) ops.push_back(mk_write(c, row_of(q.prototypes[c])));
  ops.push_back(mk_write(K, row_of(q.key)));
  ops.push_back(mk_write(V, row_of(q.value)));
  ops.push_back(mk(OpCode::Xor, K, V, Q));
  ops.push_back(mk(OpCode::Read, Q, -1, kOut));
  for (int c0 = 0; c0 < q.classes; c0 += P) {
    int cnt = std::min(P, q.classes - c0);
    for (int p = 0; p < cnt; ++p) ops.push_back(mk(OpCode::Xor, Q, c0 + p, T0 + p));
    for (int p = 0; p < cnt; ++p) {
      MicroOp c = mk(OpCode::Popcount, T0 + p, -1, kOut);
      c.whole_row = true;
      ops.push_back(c);
    }
  }
}


void random_vector(VectorJob& v, std::mt19937_64& rng) {
  const uint64_t mask = v.bits >= 64 ? ~0ULL : (1ULL << v.bits) - 1;
  v.a.resize((size_t)v.elements);
  v.b.resize((size_t)v.elements);
  for (int e = 0; e < v.elements; ++e) {
    v.a[(size_t)e] = rng() & mask;
    v.b[(size_t)e] = rng() & mask;
  }
}

std::vector<uint64_t> vector_reference(const VectorJob& v) {
  std::vector<uint64_t> r((size_t)v.elements);
  for (size_t e = 0; e < r.size(); ++e) r[e] = v.mul ? v.a[e] * v.b[e] : v.a[e] + v.b[e];
  return r;
}

void map_vector(const VectorJob& v, const Geometry& g, std::vector<MicroOp>& ops, Preload* resident) {
  const int n = v.bits, A = 0, B = n, R = vector_result_row(v);  // rows: A bits, B bits, result bits
  auto bit_row = [&](const std::vector<uint64_t>& x, int i) {
    BitRow r(g.cols, g.word_bits);
    for (int e = 0; e < v.elements; ++e) r.set_bit(e, (x[(size_t)e] >> i) & 1);
    return r;
  };
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) {
      BitRow r = bit_row(k == 0 ? v.a : v.b, i);
      const int row = (k == 0 ? A : B) + i;
      if (resident)
        resident->emplace_back(row, std::move(r));
      else
        ops.push_back(mk_write(row, std::move(r)));
    }
  auto fadd = [&](int a, int b, int dst, int cin, bool pred) {
    MicroOp m = mk(OpCode::FAdd, a, b, dst);
    m.cin = cin;
    m.pred = pred;
    ops.push_back(m);
  };
  auto carry = [&](int dst, bool pred) {
    MicroOp m = mk(OpCode::Carry, -1, -1, dst);
    m.pred = pred;
    ops.push_back(m);
  };
  for (int rep = 0; rep < v.repeat; ++rep) {  // each repetition recomputes the same result rows
    if (!v.mul) {
      for (int i = 0; i < n; ++i) fadd(A + i, B + i, R + i, i == 0 ? 0 : kCinLatch, false);
      carry(R + n, false);
    } else {
      for (int i = 0; i < n; ++i) ops.push_back(mk(OpCode::And, A + i, B, R + i));  // A x bit 0 of B
      // The upper half starts at zero (predicated writes keep what a column does not write).
      for (int i = n; i < 2 * n; ++i) ops.push_back(mk_write(R + i, BitRow(g.cols, g.word_bits)));
      for (int j = 1; j < n; ++j) {
        ops.push_back(mk(OpCode::Tag, B + j, -1, kOut));
        for (int i = 0; i < n; ++i) fadd(R + j + i, A + i, R + j + i, i == 0 ? 0 : kCinLatch, true);
        carry(R + j + n, true);
      }
    }
  }
  if (!resident)
    for (int i = 0; i < vector_result_bits(v); ++i) ops.push_back(mk(OpCode::Read, R + i, -1, kOut));
}

std::vector<uint64_t> decode_vector(const VectorJob& v, const std::vector<BitRow>& rows) {
  std::vector<uint64_t> r((size_t)v.elements, 0);
  for (size_t i = 0; i < rows.size() && i < 64; ++i)
    for (int e = 0; e < v.elements; ++e) r[(size_t)e] |= (uint64_t)rows[i].bit(e) << i;
  return r;
}

std::vector<uint64_t> decode_vector(const VectorJob& v, const std::vector<OpResult>& reads) {
  std::vector<BitRow> rows;
  for (const auto& r : reads) rows.push_back(r.value);
  return decode_vector(v, rows);
}

}  // namespace tf::cim
