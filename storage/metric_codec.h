// How a metric value lives in the `metrics` table: finite values in `value`, NaN and the
// infinities as a NULL `value` plus their name in `special` (a bound NaN would silently become
// NULL and read back as 0).
#pragma once

namespace layerlab::storage {

class Statement;

// Binds `value` to the parameters for the `value` and `special` columns.
void bindMetricValue(Statement& statement, int valueIndex, int specialIndex, double value);

// Reads back what bindMetricValue() stored.
double readMetricValue(const Statement& statement, int valueColumn, int specialColumn);

}  // namespace layerlab::storage
