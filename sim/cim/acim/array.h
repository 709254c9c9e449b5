// The analog SRAM compute-in-memory array of `tinyforge sim acim`: an integer layer mapped onto arrays of
// rows x cols cells, computed through the analog path conversion by conversion (docs/acim.md).
//
// Mapping (weight-stationary). An integer weight w (w_bits) is stored offset-encoded, w_u = w + 2^(w_bits-1)
// for signed weights (w_u = w for unsigned), in ceil(w_bits / cell_bits) adjacent columns of cell_bits each
// (the slice k holds bits [k*cell_bits, (k+1)*cell_bits)). Inputs are offset-encoded the same way and applied
// in slices of dac_bits (dac_bits = 1: bit-serial). A layer of n inputs and m outputs takes
// ceil(n / rows) x ceil(m / outputs per array) arrays (tiles), each holding its own weights; within an array
// `rows_active` rows are summed per conversion, so a column is read ceil(rows used / rows_active) times per
// input slice. Each read is one ADC conversion.
//
// One conversion. The column's ideal analog value is A = sum_r xs_r * ws_r (xs: input slice, ws: weight
// slice, in unit steps; full scale FS = rows_active (2^dac_bits - 1)(2^cell_bits - 1)). The column settles to
//   A' = g_c (sum_r xs_r ws_r (1 + e_rc)) (1 - ir (A / FS)) + o_c LSB + N(0, sigma_thermal^2 + (sigma_read LSB)^2)
// with e_rc the cell's static mismatch, g_c and o_c the column's gain and offset (all drawn once per chip
// instance from the chip seed), ir the IR-drop compression at full scale (current domain) and one Gaussian
// draw per conversion for kT/C and the ADC's input-referred noise. The ADC returns
//   code = clamp(round(A' / LSB), 0, 2^adc_bits - 1),   LSB = 2^lsb_log2 unit steps,
// a power of two so that the digital recombination is shifts; its range (2^adc_bits - 1) LSB is the smallest
// such range that covers the configured full scale or the range calibrated from data. The periphery adds
// code * LSB << (slice shifts) per output and removes the offset encoding exactly:
//   y = P - o_w sum_r x_u,r - o_x sum_r w_u,r + n o_x o_w.
// With every non-ideality off and lsb_log2 = 0 (2^adc_bits - 1 >= FS), y = W x exactly.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace tf::acim {

struct Geometry {
  int rows = 64, cols = 64, rows_active = 64;
  int cell_bits = 1, dac_bits = 1, adc_bits = 8, adc_share = 1;
  int full_scale() const { return rows_active * ((1 << dac_bits) - 1) * ((1 << cell_bits) - 1); }
  int adcs() const { return cols / adc_share; }
};

// Non-idealities, in the array's own units; the model resolves them from physical parameters.
struct Variation {
  double mismatch = 0;     // sigma of a cell's relative weight error e_rc (static per chip)
  double gain = 0;         // sigma of a column's relative gain error (static per chip)
  double offset_lsb = 0;   // sigma of a column's offset, in ADC LSB (static per chip)
  double thermal = 0;      // sigma of the per-conversion thermal noise, in unit steps
  double read_lsb = 0;     // sigma of the ADC's input-referred noise, in LSB (per conversion)
  double ir_drop = 0;      // relative loss at full scale (A' scaled by 1 - ir A / FS)
  bool any_static() const { return mismatch > 0 || gain > 0 || offset_lsb > 0; }
  bool any_noise() const { return thermal > 0 || read_lsb > 0; }
};

struct IntLayer {
  int n = 0, m = 0, w_bits = 8, x_bits = 8;
  bool w_signed = true, x_signed = false;
  std::vector<int64_t> w;  // [n][m], row-major
};

// What the mapped layer did, summed over every call (the model prices it).
struct Activity {
  uint64_t conversions = 0;    // ADC conversions
  uint64_t clipped = 0;        // conversions whose value lay above the ADC range
  uint64_t unit_charges = 0;   // sum over conversions of the ideal analog value (unit charges moved)
  uint64_t row_drives = 0;     // (row, input slice, array) with a nonzero input slice
  uint64_t row_pulses = 0;     // the same weighted by the slice's value: wordline pulses of a temporal DAC
  uint64_t dac_conversions = 0;  // (row, input slice, array): every row's DAC, when dac_bits > 1
  uint64_t output_words = 0;   // outputs recombined (one per output per vector)
  uint64_t vectors = 0;
};

// One ADC conversion of an analog value V (unit steps): code = clamp(round(V / 2^lsb_log2), 0, 2^bits - 1).
// CLIPPED is set when V lies above the top of the range (V / LSB > 2^bits - 1 + 1/2).
int64_t adc_code(double v, int lsb_log2, int bits, bool& clipped);

class MappedLayer {
 public:
  MappedLayer(const Geometry& g, const IntLayer& layer);
  const Geometry& geometry() const { return g_; }
  const IntLayer& layer() const { return L_; }
  int weight_slices() const { return ws_; }
  int input_slices() const { return xs_; }
  int outputs_per_array() const { return g_.cols / ws_; }
  int row_tiles() const { return (L_.n + g_.rows - 1) / g_.rows; }
  int col_tiles() const { return (L_.m + outputs_per_array() - 1) / outputs_per_array(); }
  int arrays() const { return row_tiles() * col_tiles(); }
  // Conversions of one column per input slice in row tile T (rows used / rows_active, rounded up).
  int groups(int t) const;
  int max_groups() const;
  // Columns used in the widest array (for the ADC serialisation of one step).
  int max_columns_used() const;

  // Static variation of one chip instance, drawn from CHIP_SEED (same seed, same chip). Without a call
  // (or with V.any_static() false) the chip is ideal.
  void draw_chip(const Variation& v, uint64_t chip_seed);
  const std::vector<double>& cell_errors() const { return eps_; }  // [n][ws*m]: e_rc
  // The largest ideal analog value of any conversion over X (inputs [vectors][n], in range): the range a
  // calibrated ADC covers. PERCENTILE in (0, 100]: that percentile of all conversion values instead.
  double conversion_range(const std::vector<std::vector<int64_t>>& x, double percentile) const;
  // LSB = 2^k: the smallest k >= 0 whose range (2^adc_bits - 1) 2^k covers RANGE unit steps.
  static int lsb_for_range(double range, int adc_bits);
  void set_lsb_log2(int k) { lsb_log2_ = k; }
  int lsb_log2() const { return lsb_log2_; }

  // Y = W X through the analog path for every vector of X ([vectors][n]); per-conversion noise from RNG.
  // Results are [vectors][m]. ACT accumulates the activity. Vectors go in passes of bounded memory
  // (chunk_vectors()); the noise is drawn pass by pass, tile by tile, group by group, so the pass size is part of
  // which draws a noisy result gets: changing it changes noisy results (same seed, same bits, for a given size).
  // An input outside its precision or of the wrong length throws std::invalid_argument (as does a bad layer).
  std::vector<std::vector<int64_t>> run(const std::vector<std::vector<int64_t>>& x, std::mt19937_64& rng,
                                        Activity& act) const;
  // The exact integer result W x (the software reference).
  std::vector<std::vector<int64_t>> exact(const std::vector<std::vector<int64_t>>& x) const;

 private:
  Geometry g_;
  IntLayer L_;
  int ws_ = 1, xs_ = 1;      // weight slices (columns per weight), input slices
  int64_t ow_ = 0, ox_ = 0;  // offsets of the encoding
  std::vector<double> wsl_;  // [n][ws*m]: weight slice values (column c = j * ws + k)
  std::vector<double> geff_;  // the same with the cells' mismatch
  std::vector<double> eps_;   // [n][ws*m]: the cells' relative errors
  std::vector<double> gain_, offset_;  // [row_tiles][ws*m]
  std::vector<int64_t> wsum_;  // [m]: sum_r w_u,r
  Variation v_;
  int lsb_log2_ = 0;
  // Input slices of vectors [B0, B1) of X: [(B1 - B0) * xs][n] (slice s of vector b in row (b - B0) * xs + s),
  // as doubles. Checks each vector's length and range.
  std::vector<double> slices(const std::vector<std::vector<int64_t>>& x, size_t b0, size_t b1) const;
  // Vectors per pass of run() and conversion_range() (bounded memory).
  size_t chunk_vectors() const;
};

}  // namespace tf::acim
