#include "ui/charts/training_charts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "series/best_epoch.h"
#include "storage/run_query.h"

namespace layerlab::ui {
namespace {

double epochValue(const storage::EpochMetrics& epoch, const std::string& key) {
  const auto found = epoch.values.find(key);
  return found == epoch.values.end() ? std::numeric_limits<double>::quiet_NaN() : found->second;
}

std::vector<series::EpochValue> valuesOf(const std::vector<storage::EpochMetrics>& epochs,
                                         const std::string& key) {
  std::vector<series::EpochValue> values;
  for (const storage::EpochMetrics& epoch : epochs) {
    if (!epoch.superseded) values.push_back({epoch.epoch, epochValue(epoch, key)});
  }
  return values;
}

bool anyFinite(const std::vector<series::EpochValue>& values) {
  return std::any_of(values.begin(), values.end(),
                     [](const series::EpochValue& one) { return std::isfinite(one.value); });
}

}  // namespace

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent) {
  m_xAxis = new QComboBox(this);
  m_xAxis->setObjectName(QStringLiteral("chartXAxis"));
  m_xAxis->addItems({tr("Step"), tr("Epoch"), tr("Wall time")});
  m_logScale = new QCheckBox(tr("Log scale (loss)"), this);
  m_logScale->setObjectName(QStringLiteral("chartLogScale"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("X axis"), this));
  bar->addWidget(m_xAxis);
  bar->addSpacing(12);
  bar->addWidget(m_logScale);
  bar->addStretch(1);

  m_loss = new MetricChart(tr("Loss"), false, this);
  m_loss->setObjectName(QStringLiteral("lossChart"));
  m_accuracy = new MetricChart(tr("Accuracy"), true, this);
  m_accuracy->setObjectName(QStringLiteral("accuracyChart"));
  auto* charts = new QHBoxLayout;
  charts->addWidget(m_loss);
  charts->addWidget(m_accuracy);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addLayout(charts, 1);

  connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this](int index) {
    m_loss->setXAxis(static_cast<ChartXAxis>(index));
    m_accuracy->setXAxis(static_cast<ChartXAxis>(index));
  });
  connect(m_logScale, &QCheckBox::toggled, m_loss, &MetricChart::setLogScale);
}

void TrainingCharts::clear() {
  m_loss->clear();
  m_accuracy->clear();
}

void TrainingCharts::showStoredRun(const storage::RunQuery& query, int64_t runId) {
  const storage::SeriesRequest batches{.runIds = {runId},
                                       .metrics = {{"train", "loss"}, {"train", "accuracy"}},
                                       .kind = storage::MetricKind::Batch,
                                       .maxPoints = kStoredCurvePoints};
  const storage::SeriesRequest perEpoch{.runIds = {runId},
                                        .metrics = {{"val", "loss"}, {"val", "accuracy"}},
                                        .kind = storage::MetricKind::Epoch};
  std::vector<storage::MetricSeries> series = query.series(batches);
  for (storage::MetricSeries& validation : query.series(perEpoch))
    series.push_back(std::move(validation));
  const std::optional<storage::RunDetail> run = query.run(runId);
  showCurves(query.epochs(runId), series,
             run ? monitorOf(run->configJson) : std::string(kDefaultMonitor));
}

void TrainingCharts::showCurves(const std::vector<storage::EpochMetrics>& epochs,
                                const std::vector<storage::MetricSeries>& series,
                                std::string_view monitor) {
  clear();
  if (!epochs.empty() && epochs.front().epoch > 0 && epochs.front().step > 0)
    setStepsPerEpoch(static_cast<double>(epochs.front().step) / epochs.front().epoch);
  for (const storage::MetricSeries& one : series) {
    if (one.metric.name != "loss" && one.metric.name != "accuracy") continue;
    MetricChart* chart = one.metric.name == "loss" ? m_loss : m_accuracy;
    if (one.kind == storage::MetricKind::Batch) {
      chart->appendTraining(one.points);
    } else if (one.metric.split == "val") {
      chart->appendValidation(one.points);
    }
  }
  setBestEpoch(bestEpochOf(epochs, monitor));
  refresh();
}

int TrainingCharts::bestEpochOf(const std::vector<storage::EpochMetrics>& epochs,
                                std::string_view monitor) {
  std::string key(monitor);
  std::vector<series::EpochValue> values = valuesOf(epochs, key);
  if (!anyFinite(values) && key.starts_with("val_")) {
    key = "train_" + key.substr(4);
    values = valuesOf(epochs, key);
  }
  return series::bestEpochOf(values, key);
}

std::string TrainingCharts::monitorOf(std::string_view configJson) {
  const nlohmann::json config = nlohmann::json::parse(configJson, nullptr, false);
  if (config.is_object()) {
    const auto found = config.find("monitor");
    if (found != config.end() && found->is_string() && !found->get<std::string>().empty())
      return found->get<std::string>();
  }
  return std::string(kDefaultMonitor);
}

void TrainingCharts::setStepsPerEpoch(double steps) {
  m_loss->setStepsPerEpoch(steps);
  m_accuracy->setStepsPerEpoch(steps);
}

void TrainingCharts::setBestEpoch(int epoch) {
  m_loss->setBestEpoch(epoch);
  m_accuracy->setBestEpoch(epoch);
}

void TrainingCharts::refresh() {
  m_loss->refresh();
  m_accuracy->refresh();
}

void TrainingCharts::setXAxis(ChartXAxis axis) {
  // The chooser and the charts are kept in step: an unchanged choice needs nothing.
  m_xAxis->setCurrentIndex(static_cast<int>(axis));
}

void TrainingCharts::setLogScale(bool on) {
  m_logScale->setChecked(on);
}

}  // namespace layerlab::ui
