// The emulator's conversions, shared by the layer kinds' emulate(): exact values into a format, counting
// the values that overflow handling changed (LayerStats).
#pragma once
#include "emulate.h"

namespace tf::hlsgen {

// Converts an exact value (FSRC fraction bits) into F; reports whether overflow handling changed it (CHANGED).
i128 convert(const FixedFormat& f, i128 v, int fsrc, bool& changed);
// A dense/conv output: accumulator conversion then result conversion, counted once.
i128 acc_to_result(const FixedFormat& A, const FixedFormat& R, i128 acc, LayerStats& st);
// Converts an exact value into F, counting it once (and as wrapped or saturated when overflow handling
// changed it).
i128 to_fmt(const FixedFormat& f, i128 v, int fsrc, LayerStats& st);
// Product quantized to accum's fraction bits without overflow handling (as the templates' term_t).
i128 term(i128 prod, int fprod, const FixedFormat& acc);
// The accumulation mode "hls4ml": ACC (in A) plus the product PROD (FPROD fraction bits) converted into A, the
// sum converted into A; counts the additions whose overflow handling changed a value (as saturated/wrapped,
// not as values).
i128 add_each(const FixedFormat& A, i128 acc, i128 prod, int fprod, LayerStats& st);

}  // namespace tf::hlsgen
