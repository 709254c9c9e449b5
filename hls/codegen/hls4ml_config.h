// hls4ml configuration import (`tinyforge hls MODEL --hls4ml-config FILE`, docs/hls.md): an hls4ml configuration
// in its YAML / dict form (the HLSConfig of an hls4ml project file, or its Model / LayerName mapping alone) mapped
// onto a model in tinyforge's native JSON, with the hls4ml compatibility modes switched on.
#pragma once
#include <string>
#include <vector>

#include "core/util.h"

namespace tf::hlsgen {

// Applies FILE to MODEL (native JSON, layers named): Model.Precision / ReuseFactor / Strategy become the model's
// defaults, LayerName.<layer> entries the layers' own; accumulation "hls4ml" and softmax "hls4ml_stable" (hls4ml's
// default implementation) are switched on. Keys that cannot be honoured are returned in NOTES with their path;
// bad values and unknown layer names are errors naming the file, the key path, the value and what was expected
// (InputError).
void apply_hls4ml_config(const std::string& file, json& model, std::vector<std::string>& notes);

}  // namespace tf::hlsgen
