#include "engine/train/metrics.h"

#include <cmath>
#include <limits>

namespace layerlab::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(int64_t numerator, int64_t denominator) {
  return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator) : kNaN;
}

// The mean of the defined (non-NaN) values; NaN when there is none.
double definedMean(const std::vector<double>& values) {
  double sum = 0;
  int count = 0;
  for (double value : values) {
    if (!std::isnan(value)) {
      sum += value;
      ++count;
    }
  }
  return count > 0 ? sum / count : kNaN;
}

}  // namespace

ClassificationReport classificationReport(const std::vector<int64_t>& confusion, int64_t classes) {
  ClassificationReport report;
  int64_t correct = 0, total = 0;
  for (int64_t c = 0; c < classes; ++c) {
    int64_t predicted = 0, actual = 0;
    for (int64_t k = 0; k < classes; ++k) {
      predicted += confusion[k * classes + c];
      actual += confusion[c * classes + k];
    }
    const int64_t truePositives = confusion[c * classes + c];
    correct += truePositives;
    total += actual;
    const double precision = ratio(truePositives, predicted);
    const double recall = ratio(truePositives, actual);
    double f1 = kNaN;
    if (!std::isnan(precision) && !std::isnan(recall)) {
      f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    }
    report.precision.push_back(precision);
    report.recall.push_back(recall);
    report.f1.push_back(f1);
    report.support.push_back(actual);
  }
  report.accuracy = ratio(correct, total);
  report.macroPrecision = definedMean(report.precision);
  report.macroRecall = definedMean(report.recall);
  report.macroF1 = definedMean(report.f1);
  return report;
}

RegressionReport regressionReport(double sumSquaredError, double sumAbsoluteError, double sumTarget,
                                  double sumTargetSquared, int64_t n) {
  if (n == 0) return {kNaN, kNaN, kNaN};
  const double count = static_cast<double>(n);
  const double totalSquares = sumTargetSquared - sumTarget * sumTarget / count;
  return {sumSquaredError / count, sumAbsoluteError / count,
          totalSquares > 0 ? 1.0 - sumSquaredError / totalSquares : kNaN};
}

}  // namespace layerlab::engine
