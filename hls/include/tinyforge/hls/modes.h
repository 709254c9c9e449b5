// Quantization and overflow modes of the fixed-point types (shared by tinyforge's own types and the hooks
// that map them onto the vendor types).
#pragma once

namespace tinyforge {
namespace hls {

enum QuantMode { TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV };
enum OvfMode { WRAP, SAT, SAT_ZERO, SAT_SYM };

}  // namespace hls
}  // namespace tinyforge
