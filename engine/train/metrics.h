// Classification and regression metrics from accumulated counts and sums. Torch-free: the GUI
// and the store use the same definitions.
#pragma once

#include <cstdint>
#include <vector>

namespace layerlab::engine {

struct ClassificationReport {
  double accuracy = 0;
  std::vector<double> precision;  // per class; NaN when the class was never predicted
  std::vector<double> recall;     // per class; NaN when the class never occurs
  std::vector<double> f1;
  std::vector<int64_t> support;  // true samples per class
  double macroPrecision = 0;     // means over the classes where the value is defined
  double macroRecall = 0;
  double macroF1 = 0;
};

// `confusion` is row-major [true class][predicted class], classes × classes.
ClassificationReport classificationReport(const std::vector<int64_t>& confusion, int64_t classes);

struct RegressionReport {
  double mse = 0;
  double mae = 0;
  double r2 = 0;  // 1 - SSE / SST; NaN when the targets are constant
};

// From sums over n values: Σ(ŷ−y)², Σ|ŷ−y|, Σy, Σy².
RegressionReport regressionReport(double sumSquaredError, double sumAbsoluteError, double sumTarget,
                                  double sumTargetSquared, int64_t n);

}  // namespace layerlab::engine
