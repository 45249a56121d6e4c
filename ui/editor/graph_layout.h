// The automatic layout of a layer graph: layers in columns by their longest distance from the
// input (left to right, as data flows), nodes in a column ordered by the average row of what feeds
// them (which keeps edges from crossing in chains and residual blocks), the input at the left.
//
// Pure function: any thread.
#pragma once

#include <QPointF>

#include <map>
#include <string>

#include "engine/model/model_spec.h"

namespace layerlab::ui {

inline constexpr double kLayoutColumnWidth = 230.0;
inline constexpr double kLayoutRowHeight = 120.0;

// Positions (top-left of each node) for every node id and for engine::kInputName. A graph with a
// cycle still gets positions: nodes on the cycle go one column past their placed inputs.
std::map<std::string, QPointF> layeredLayout(const engine::ModelSpec& spec);

}  // namespace layerlab::ui
