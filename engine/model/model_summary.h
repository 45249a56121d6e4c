// The Keras-style summary table: Layer (type) · Output Shape · Param #, then the totals.
#pragma once

#include <string>

#include "engine/model/model_analysis.h"

namespace layerlab::engine {

// "101,770"
std::string formatThousands(int64_t value);

// The table for an analysed model. Nodes whose shape is unknown show "?".
std::string formatSummary(const ModelSpec& spec, const ModelAnalysis& analysis);

}  // namespace layerlab::engine
