// The Keras-style summary table: Layer (type) · Output Shape · Param #, then the totals.
#pragma once

#include <string>

#include "engine/model/model_analysis.h"

namespace layerlab::engine {

// "101,770"
std::string formatThousands(int64_t value);

// "512 B", "1.5 KiB", "3.25 GiB" (binary units, three significant digits at most).
std::string formatBytes(int64_t bytes);

// The table for an analysed model — Layer (type) · Output Shape · Param # · MACs · Connected
// to — then the totals. Param # counts trainable and non-trainable values, as Keras does; MACs
// are multiply-adds per sample. Nodes whose shape is unknown show "?".
std::string formatSummary(const ModelSpec& spec, const ModelAnalysis& analysis);

// The memory estimate, one line per part, and a reminder that it is an estimate.
std::string formatMemoryEstimate(const MemoryEstimate& estimate);

}  // namespace layerlab::engine
