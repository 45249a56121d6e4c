// What a long run costs the Train place's charts: a MetricChart (offscreen, 900×400) holding
// 1,000,000 training points and 100 validation points. Times, as medians of several rounds:
//   - a full refresh (reduce the whole history, replace the series) followed by a paint;
//   - a live refresh: 500 new points appended (about one drain of a fast run), refresh, paint.
// Prints `chart_points=…`, `chart_full_refresh_ms=…` and `chart_live_refresh_ms=…`.
//
//   chart_bench [--points N] [--rounds N]
#include <QApplication>
#include <QElapsedTimer>
#include <QPainter>
#include <QPixmap>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "ui/charts/metric_chart.h"

namespace {

using layerlab::storage::SeriesPoint;
using layerlab::ui::MetricChart;

constexpr int kStepsPerEpoch = 10000;
constexpr int64_t kLiveBatch = 500;

// A loss-like curve with noise: falling, never flat, so the reduction has real work to do.
SeriesPoint lossPoint(int64_t step) {
  const double noise = std::sin(static_cast<double>(step) * 12.9898) * 0.05;
  return {.step = step,
          .epoch = static_cast<int>(step / kStepsPerEpoch) + 1,
          .wallTime = static_cast<double>(step) * 1e-3,
          .value = 2.3 / (1.0 + static_cast<double>(step) * 1e-4) + noise};
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// Milliseconds for refresh() plus a paint of the chart into a pixmap.
double refreshAndPaint(MetricChart& chart, QPixmap& canvas) {
  QElapsedTimer timer;
  timer.start();
  chart.refresh();
  QPainter painter(&canvas);
  chart.render(&painter);
  return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  int64_t points = 1000000;
  int rounds = 7;
  const QStringList args = QCoreApplication::arguments();
  for (int i = 1; i + 1 < args.size(); i += 2) {
    if (args[i] == QStringLiteral("--points")) points = args[i + 1].toLongLong();
    if (args[i] == QStringLiteral("--rounds")) rounds = args[i + 1].toInt();
  }

  MetricChart chart(QStringLiteral("loss"), false);
  chart.resize(900, 400);
  chart.show();
  chart.setStepsPerEpoch(kStepsPerEpoch);
  QPixmap canvas(chart.size());

  std::vector<SeriesPoint> history;
  history.reserve(static_cast<size_t>(points));
  for (int64_t step = 1; step <= points; ++step)
    history.push_back(lossPoint(step));
  std::vector<SeriesPoint> validation;
  for (int epoch = 1; epoch <= 100; ++epoch)
    validation.push_back({.step = static_cast<int64_t>(epoch) * (points / 100),
                          .epoch = epoch,
                          .value = 2.0 / epoch});

  std::vector<double> full, live;
  for (int round = 0; round < rounds; ++round) {
    chart.clear();
    chart.appendTraining(history);
    chart.appendValidation(validation);
    chart.setBestEpoch(100);
    full.push_back(refreshAndPaint(chart, canvas));
  }
  int64_t next = points + 1;
  for (int round = 0; round < rounds; ++round) {
    std::vector<SeriesPoint> burst;
    for (int64_t i = 0; i < kLiveBatch; ++i)
      burst.push_back(lossPoint(next++));
    chart.appendTraining(burst);
    live.push_back(refreshAndPaint(chart, canvas));
  }
  std::printf("chart_points=%lld\n", static_cast<long long>(points));
  std::printf("chart_full_refresh_ms=%.2f\n", median(full));
  std::printf("chart_live_refresh_ms=%.2f\n", median(live));
  return 0;
}
