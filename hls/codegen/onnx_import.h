// ONNX import (Debian's libonnx + protobuf) into the model IR. Supported: Gemm, MatMul + Add, Relu,
// LeakyRelu, Sigmoid, Tanh, Softmax, Conv (1D, 2D), BatchNormalization (folded), MaxPool, AveragePool,
// Flatten, Reshape (to flat), Identity and Dropout (removed). Channels-first tensors become channels last;
// the dense layer after a Flatten gets its weight rows permuted to match. Precision comes from a side JSON.
#pragma once
#include <string>
#include <vector>

#include "model.h"

namespace tf::hlsgen {

// PRECISION_FILE (may be ""): {"input": "fixed<..>", "default": {weight, bias, accum, result, table},
// "layers": {"<node name>": {...}}, "strategy": ..., "reuse_factor": ...}.
// HLS4ML_CONFIG (may be ""): an hls4ml configuration applied after the precision file (hls4ml_config.h); its
// notes (keys not honoured) are appended to NOTES.
// The importer lives in the module tinyforge-onnx.so (loaded on first use) unless linked in (tf_onnx).
Model import_onnx(const std::string& file, const std::string& precision_file, const std::string& hls4ml_config = "",
                  std::vector<std::string>* notes = nullptr);
// The importer itself (onnx_import.cpp, in tf_onnx).
Model import_onnx_protobuf(const std::string& file, const std::string& precision_file,
                           const std::string& hls4ml_config, std::vector<std::string>* notes);

}  // namespace tf::hlsgen
