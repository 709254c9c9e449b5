// Type hooks for generated projects. By default the layer library and the generated code use tinyforge's own
// fixed-point types; define TINYFORGE_USE_AP_TYPES (and put the vendor's ap_fixed.h on the include path) to
// compile the same project against the vendor HLS types instead, unchanged.
//
//   TF_FIXED(W, I, Q, O)   signed fixed point, e.g. TF_FIXED(16, 6, RND, SAT)
//   TF_UFIXED(W, I, Q, O)  unsigned
// Q: TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV; O: WRAP, SAT, SAT_ZERO, SAT_SYM.
#pragma once

#ifdef TINYFORGE_USE_AP_TYPES
#include <ap_fixed.h>
#define TF_FIXED(W, I, Q, O) ap_fixed<W, I, AP_##Q, AP_##O>
#define TF_UFIXED(W, I, Q, O) ap_ufixed<W, I, AP_##Q, AP_##O>
#define TF_TO_DOUBLE(x) ((x).to_double())
#else
#include "tinyforge/hls/fixed.h"
#define TF_FIXED(W, I, Q, O) ::tinyforge::hls::fixed<W, I, ::tinyforge::hls::Q, ::tinyforge::hls::O>
#define TF_UFIXED(W, I, Q, O) ::tinyforge::hls::ufixed<W, I, ::tinyforge::hls::Q, ::tinyforge::hls::O>
#define TF_TO_DOUBLE(x) ((x).to_double())
#endif
