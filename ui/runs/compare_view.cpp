#include "ui/runs/compare_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <set>

#include "series/metric_direction.h"
#include "storage/run_filter.h"
#include "ui/runs/compare_chart.h"
#include "ui/runs/run_catalog.h"
#include "ui/runs/run_format.h"
#include "ui/worker.h"

namespace layerlab::ui {
namespace {

// Twenty colours that stay apart from each other on a light background.
const QColor kRunColours[] = {
    {31, 119, 180}, {214, 39, 40},  {44, 160, 44},   {148, 103, 189}, {255, 127, 14},
    {23, 190, 207}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
    {57, 59, 121},  {173, 73, 74},  {99, 121, 57},   {123, 65, 115},  {231, 150, 156},
    {82, 84, 163},  {140, 162, 82}, {189, 158, 57},  {132, 60, 57},   {107, 110, 207},
};

}  // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("compareView"));
  m_banner = new QLabel(this);
  m_banner->setObjectName(QStringLiteral("compareBanner"));
  m_banner->setWordWrap(true);
  m_banner->setStyleSheet(
      QStringLiteral("QLabel { background: #fdf2d8; border: 1px solid #e6c36a; border-radius: 4px;"
                     " padding: 4px 8px; color: #7a4f00; }"));
  m_banner->hide();

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(buildChartSide());
  split->addWidget(buildTables());
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({640, 420});

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 6, 0, 0);
  layout->addWidget(m_banner);
  layout->addWidget(split, 1);
  connectControls();
}

QWidget* CompareView::buildChartSide() {
  m_metric = new QComboBox(this);
  m_metric->setObjectName(QStringLiteral("compareMetric"));
  m_metric->setMinimumContentsLength(16);
  m_axis = new QComboBox(this);
  m_axis->setObjectName(QStringLiteral("compareAxis"));
  m_axis->addItem(tr("Step"), static_cast<int>(XAxis::Step));
  m_axis->addItem(tr("Epoch"), static_cast<int>(XAxis::Epoch));
  m_axis->addItem(tr("Wall time (s)"), static_cast<int>(XAxis::WallTime));
  m_smoothSlider = new QSlider(Qt::Horizontal, this);
  m_smoothSlider->setObjectName(QStringLiteral("compareSmoothing"));
  m_smoothSlider->setRange(0, 99);
  m_smoothSlider->setValue(static_cast<int>(std::lround(m_smoothing * 100)));
  m_smoothSlider->setMinimumWidth(90);
  m_smoothSlider->setMaximumWidth(160);
  m_smoothLabel = new QLabel(this);
  m_log = new QCheckBox(tr("Log scale"), this);
  m_log->setObjectName(QStringLiteral("compareLog"));
  m_readout = new QLabel(this);
  m_readout->setObjectName(QStringLiteral("compareReadout"));
  m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_legend = new QLabel(this);
  m_legend->setObjectName(QStringLiteral("compareLegend"));
  m_legend->setWordWrap(true);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Metric"), this));
  controls->addWidget(m_metric);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("X axis"), this));
  controls->addWidget(m_axis);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("Smoothing"), this));
  controls->addWidget(m_smoothSlider);
  controls->addWidget(m_smoothLabel);
  controls->addSpacing(8);
  controls->addWidget(m_log);
  controls->addStretch(1);

  m_chart = new CompareChart(this);
  m_chart->setObjectName(QStringLiteral("compareChart"));
  m_chart->onHover = [this](double x) {
    m_readout->setText(readoutAt(x));
    Q_EMIT readoutChanged(m_readout->text());
  };
  m_chart->onResize = [this] { redraw(); };

  auto* chartSide = new QWidget(this);
  auto* chartLayout = new QVBoxLayout(chartSide);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  chartLayout->addLayout(controls);
  chartLayout->addWidget(m_chart, 1);
  chartLayout->addWidget(m_legend);
  chartLayout->addWidget(m_readout);
  return chartSide;
}

QWidget* CompareView::buildTables() {
  auto table = [this](const char* name) {
    auto* t = new QTableWidget(this);
    t->setObjectName(QString::fromLatin1(name));
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(false);
    return t;
  };
  m_parameters = table("compareParameters");
  m_architecture = table("compareArchitecture");
  m_finals = table("compareFinals");
  m_confusion = table("compareConfusion");
  m_onlyDifferences = new QCheckBox(tr("Differences only"), this);
  m_onlyDifferences->setObjectName(QStringLiteral("compareDifferencesOnly"));
  m_onlyDifferences->setChecked(m_differencesOnly);
  auto* parameterPage = new QWidget(this);
  auto* parameterLayout = new QVBoxLayout(parameterPage);
  parameterLayout->setContentsMargins(0, 4, 0, 0);
  parameterLayout->addWidget(m_onlyDifferences);
  parameterLayout->addWidget(m_parameters, 1);

  m_tabs = new QTabWidget(this);
  m_tabs->setObjectName(QStringLiteral("compareTabs"));
  m_tabs->addTab(parameterPage, tr("Hyperparameters"));
  m_tabs->addTab(m_architecture, tr("Architecture"));
  m_tabs->addTab(m_finals, tr("Final metrics"));
  // The difference is only readable when it says which run is taken from which.
  m_confusionCaption = new QLabel(this);
  m_confusionCaption->setObjectName(QStringLiteral("compareConfusionCaption"));
  m_confusionCaption->setWordWrap(true);
  auto* confusionPage = new QWidget(this);
  auto* confusionLayout = new QVBoxLayout(confusionPage);
  confusionLayout->setContentsMargins(0, 4, 0, 0);
  confusionLayout->addWidget(m_confusionCaption);
  confusionLayout->addWidget(m_confusion, 1);
  m_tabs->addTab(confusionPage, tr("Confusion A \u2212 B"));
  return m_tabs;
}

void CompareView::connectControls() {
  connect(m_metric, &QComboBox::currentIndexChanged, this, [this] { loadCurves(); });
  connect(m_axis, &QComboBox::currentIndexChanged, this, [this] {
    m_xAxis = static_cast<XAxis>(m_axis->currentData().toInt());
    loadCurves();
  });
  connect(m_smoothSlider, &QSlider::valueChanged, this, [this](int value) {
    m_smoothing = value / 100.0;
    smoothAndDraw();
  });
  connect(m_log, &QCheckBox::toggled, this, [this](bool on) {
    m_logScale = on;
    redraw();
  });
  connect(m_onlyDifferences, &QCheckBox::toggled, this, [this](bool on) {
    m_differencesOnly = on;
    if (m_query) m_params = m_query->paramDiff(m_ids, !m_differencesOnly);
    fillParameters();
  });
}

CompareView::~CompareView() = default;  // m_reading's worker stops and is waited for

void CompareView::showRuns(const RunReader& query, const std::vector<int64_t>& runIds) {
  m_ids = runIds;
  m_loaded.clear();
  m_readAs.clear();
  m_readError.clear();
  m_reading.reset();  // a read for the runs shown before stops between runs
  refresh(query);
}

void CompareView::refresh(const RunReader& query) {
  m_query = &query;
  readRuns(query);
  // Series already read stay while their run is as it was: a run training beside 19 finished
  // ones is read again alone.
  for (const Run& run : m_runs) {
    const storage::RunSummary& summary = run.detail.summary;
    const ReadAs now{summary.status, summary.attempt, summary.epochsDone, summary.heartbeatAt};
    const auto [at, added] = m_readAs.try_emplace(summary.id, now);
    if (added || at->second == now) continue;
    at->second = now;
    for (auto& [metric, perRun] : m_loaded)
      perRun.erase(summary.id);
  }
  m_params = query.paramDiff(m_ids, !m_differencesOnly);
  fillMetricChoices(query);
  fillParameters();
  fillArchitecture();
  fillFinals();
  fillConfusion(query);
  fillBanner();
  QStringList legend;
  for (size_t i = 0; i < m_runs.size(); ++i) {
    legend << QStringLiteral("<span style='color:%1'>\u25a0</span> %2")
                  .arg(runColour(i).name(), runLabel(m_runs[i].detail.summary).toHtmlEscaped());
  }
  m_legend->setText(legend.join(QStringLiteral(" &nbsp; ")));
  loadCurves();
}

std::vector<int64_t> CompareView::runIds() const {
  std::vector<int64_t> ids;
  for (const Run& run : m_runs)
    ids.push_back(run.detail.summary.id);
  return ids;
}

QColor CompareView::runColour(size_t run) const {
  return kRunColours[run % std::size(kRunColours)];
}

void CompareView::readRuns(const RunReader& query) {
  m_runs.clear();
  std::vector<int64_t> found;
  for (const int64_t id : m_ids) {
    std::optional<storage::RunDetail> detail = query.run(id);
    if (!detail) continue;
    m_runs.push_back(Run{std::move(*detail), query.epochs(id)});
    found.push_back(id);
  }
  m_ids = found;
}

void CompareView::fillMetricChoices(const RunReader& query) {
  const QVariant current = m_metric->currentData();
  std::set<std::pair<std::string, std::string>> keys;
  m_batchKeys.clear();
  for (const int64_t id : m_ids) {
    for (const storage::MetricKind kind :
         {storage::MetricKind::Epoch, storage::MetricKind::Batch}) {
      for (const storage::MetricKey& key : query.metricKeys(id, kind)) {
        if (key.split == "test") continue;
        keys.insert({key.split, key.name});
        if (kind == storage::MetricKind::Batch)
          m_batchKeys.insert(QString::fromStdString(key.split + "/" + key.name));
      }
    }
  }
  const QSignalBlocker quiet(m_metric);
  m_metric->clear();
  for (const auto& [split, name] : keys) {
    const QString data = QString::fromStdString(split + "/" + name);
    m_metric->addItem(QString::fromStdString(split + " " + name), data);
  }
  int index = m_metric->findData(current);
  if (index < 0) index = m_metric->findData(QStringLiteral("val/loss"));
  m_metric->setCurrentIndex(std::max(index, 0));
}

void CompareView::setMetric(const QString& split, const QString& name) {
  const int index = m_metric->findData(split + QLatin1Char('/') + name);
  if (index >= 0) m_metric->setCurrentIndex(index);
}

QString CompareView::metricSplit() const {
  return m_metric->currentData().toString().section(QLatin1Char('/'), 0, 0);
}

QString CompareView::metricName() const {
  return m_metric->currentData().toString().section(QLatin1Char('/'), 1);
}

void CompareView::setXAxis(XAxis axis) {
  m_axis->setCurrentIndex(m_axis->findData(static_cast<int>(axis)));
}

void CompareView::setSmoothing(double weight) {
  m_smoothSlider->setValue(static_cast<int>(std::lround(std::clamp(weight, 0.0, 0.99) * 100)));
}

void CompareView::setLogScale(bool on) {
  m_log->setChecked(on);
}

void CompareView::setDifferencesOnly(bool on) {
  m_onlyDifferences->setChecked(on);
}

}  // namespace layerlab::ui
