// Which way a metric improves, and when one value beats another. The one list every part of
// LayerLab asks: the trainer for its monitor, the store for best-value columns and sorting, the
// charts for their best markers.
//
// Threads: pure functions, any thread.
#pragma once

#include <string_view>

namespace layerlab::series {

// True when a larger value of `metric` is better: accuracy, F1, R², precision and recall, in any
// split ("val_accuracy", "accuracy" and "train_f1" all are). Everything else (losses, errors) is
// better lower.
bool higherIsBetter(std::string_view metric);

// True when `value` beats `best` by more than `minDelta` in the metric's direction. Only finite
// values compete (the store keeps NaN and the infinities out of its best columns), so a
// non-finite `value` never beats anything and any finite value beats a non-finite `best`.
bool beats(double value, double best, bool higherIsBetter, double minDelta = 0.0);

}  // namespace layerlab::series
