// ONNX import (Debian's libonnx + protobuf) into the model IR. Supported: Gemm, MatMul + Add, Relu,
// LeakyRelu, Sigmoid, Tanh, Softmax, Conv (1D, 2D), BatchNormalization (folded), MaxPool, AveragePool,
// Flatten, Reshape (to flat), Identity and Dropout (removed). Channels-first tensors become channels last;
// the dense layer after a Flatten gets its weight rows permuted to match. Precision comes from a side JSON.
#pragma once
#include <string>

#include "model.h"

namespace tf::hlsgen {

// PRECISION_FILE (may be ""): {"input": "fixed<..>", "default": {weight, bias, accum, result, table},
// "layers": {"<node name>": {...}}, "strategy": ..., "reuse_factor": ...}.
// The importer lives in the module tinyforge-onnx.so (loaded on first use) unless linked in (tf_onnx).
Model import_onnx(const std::string& file, const std::string& precision_file);
// The importer itself (onnx_import.cpp, in tf_onnx).
Model import_onnx_protobuf(const std::string& file, const std::string& precision_file);

}  // namespace tf::hlsgen
