// The protobuf-free part of the ONNX importer's node interface (onnx_node.h), which the layer kinds call.
#include "onnx_node.h"

namespace tf::hlsgen {

std::string dims_text(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t k = 0; k < d.size(); ++k) s += (k ? ", " : "") + std::to_string(d[k]);
  return s + "]";
}

size_t OnnxNode::spatial_rank() {
  size_t nd = shape().size() - 1;
  if (nd < 1 || nd > 2) fail("expects a 1-D or 2-D spatial input");
  for (auto d : ints("dilations", std::vector<int64_t>(nd, 1)))
    if (d != 1) unsupported_value("dilations", dims_text(ints("dilations", {})), "all 1");
  return nd;
}

void OnnxNode::window(size_t nd, const std::vector<int64_t>& ks, const std::string& type, const std::string& kernel_key,
                      json& L) {
  std::string auto_pad = s("auto_pad", "NOTSET");
  if (ks.size() != nd) fail("kernel_shape must have " + std::to_string(nd) + " entries");
  std::vector<int64_t> st = ints("strides", std::vector<int64_t>(nd, 1));
  std::vector<int64_t> pads = ints("pads", std::vector<int64_t>(2 * nd, 0));
  if (st.size() != nd) unsupported_value("strides", dims_text(st), std::to_string(nd) + " entries");
  if (pads.size() != 2 * nd)
    unsupported_value("pads", dims_text(pads), std::to_string(2 * nd) + " entries (begins, then ends)");
  L["type"] = type;
  L[kernel_key] = ks;
  L["strides"] = st;
  if (auto_pad == "SAME_UPPER")
    L["padding"] = "same";
  else if (auto_pad == "VALID")
    L["padding"] = "valid";
  else if (auto_pad == "NOTSET") {
    json p = json::array();
    for (size_t d = 0; d < nd; ++d) p.push_back({pads[d], pads[d + nd]});
    L["padding"] = p;
  } else {
    unsupported_value("auto_pad", auto_pad, "NOTSET, SAME_UPPER or VALID");
  }
}

}  // namespace tf::hlsgen
