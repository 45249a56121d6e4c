// The automatic layout of a layer graph, top to bottom as data flows: layers in rows by their
// longest distance from the input, nodes in a row ordered by the average place of what feeds them
// (which keeps edges from crossing in chains and residual blocks), the input at the top. A chain
// too long for a landscape view is folded into side-by-side columns, each read top to bottom, so
// that a fit to the view keeps the cards readable.
//
// Pure function: any thread.
#pragma once

#include <QPointF>

#include <map>
#include <string>

#include "engine/model/model_spec.h"

namespace layerlab::ui {

inline constexpr double kLayoutColumnWidth = 230.0;  // card and gap, side by side in a row
inline constexpr double kLayoutRowHeight = 100.0;    // card, gap and the shape label between
inline constexpr double kLayoutFoldGap = 80.0;       // between the folds of a long chain
// The view the folding aims at: a little wider than tall, as the Model place's canvas between its
// palette and inspector (about 650×480 in a 1280×720 window, 1300×850 at 1920×1080).
inline constexpr double kLayoutAspect = 1.4;
// A chain this tall or shorter is never folded (four layers and the input).
inline constexpr double kLayoutUnfoldedHeight = 500.0;

// Positions (top-left of each node) for every node id and for engine::kInputName. A graph with a
// cycle still gets positions: nodes on the cycle go one row past their placed inputs.
std::map<std::string, QPointF> layeredLayout(const engine::ModelSpec& spec);

}  // namespace layerlab::ui
