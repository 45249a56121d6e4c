#include "ui/experiments/experiment_charts.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace layerlab::ui {
namespace {

QChartView* makeChartView(QWidget* parent) {
  auto* chart = new QChart;
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(160);
  return view;
}

// Replaces the chart's axes with `x` and `y` and attaches every series to them.
void setAxes(QChart* chart, QAbstractAxis* x, QAbstractAxis* y) {
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* series : chart->series()) {
    series->attachAxis(x);
    series->attachAxis(y);
  }
}

QPen trialPen(const TrialEntry& trial, bool best) {
  if (trial.row.status == storage::TrialStatus::StoppedEarly)
    return QPen(QColor(0x99, 0x99, 0x99), 1.2, Qt::DashLine);
  if (best) return QPen(QColor(0xd0, 0x60, 0x00), 2.6);
  return QPen(QColor(0x30, 0x70, 0xb0, 170), 1.4);
}

// A parameter value as a number on the plot's x axis: numbers as they are, booleans 0 and 1,
// other choices by their position in the domain's list.
std::optional<double> plotValue(const engine::ParamDomain& domain, const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  for (size_t i = 0; i < domain.choices.size(); ++i)
    if (domain.choices[i] == value) return static_cast<double>(i);
  return std::nullopt;
}

}  // namespace

ExperimentCharts::ExperimentCharts(QWidget* parent) : QWidget(parent) {
  m_tabs = new QTabWidget(this);
  m_tabs->setObjectName(QStringLiteral("experimentChartTabs"));
  m_tabs->setDocumentMode(true);
  m_curves = makeChartView(this);
  m_curves->setObjectName(QStringLiteral("curvesChart"));
  m_tabs->addTab(m_curves, tr("Curves"));
  m_tabs->addTab(buildScatterTab(), tr("Objective vs parameter"));
  m_tabs->addTab(buildImportanceTab(), tr("Importance"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_tabs);
}

QWidget* ExperimentCharts::buildScatterTab() {
  auto* tab = new QWidget(this);
  m_parameter = new QComboBox(tab);
  m_parameter->setObjectName(QStringLiteral("scatterParameter"));
  m_parameter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(m_parameter, &QComboBox::currentIndexChanged, this, [this] { drawScatter(); });
  m_scatter = makeChartView(tab);
  m_scatter->setObjectName(QStringLiteral("scatterChart"));
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Parameter:"), tab));
  row->addWidget(m_parameter);
  row->addStretch(1);
  auto* layout = new QVBoxLayout(tab);
  layout->setContentsMargins(4, 4, 4, 0);
  layout->addLayout(row);
  layout->addWidget(m_scatter, 1);
  return tab;
}

QWidget* ExperimentCharts::buildImportanceTab() {
  auto* tab = new QWidget(this);
  m_importance = makeChartView(tab);
  m_importance->setObjectName(QStringLiteral("importanceChart"));
  m_importanceNote = new QLabel(tab);
  m_importanceNote->setObjectName(QStringLiteral("importanceMethod"));
  m_importanceNote->setWordWrap(true);
  m_importanceNote->setText(tr("Method: %1").arg(QString::fromUtf8(engine::kImportanceMethod)));
  auto* layout = new QVBoxLayout(tab);
  layout->setContentsMargins(4, 4, 4, 0);
  layout->addWidget(m_importance, 1);
  layout->addWidget(m_importanceNote);
  return tab;
}

QChart* ExperimentCharts::curvesChart() const {
  return m_curves->chart();
}
QChart* ExperimentCharts::scatterChart() const {
  return m_scatter->chart();
}
QChart* ExperimentCharts::importanceChart() const {
  return m_importance->chart();
}

std::vector<std::pair<QString, QImage>> ExperimentCharts::grabPlots() {
  std::vector<std::pair<QString, QImage>> plots;
  const int shown = m_tabs->currentIndex();
  for (int tab = 0; tab < m_tabs->count(); ++tab) {
    m_tabs->setCurrentIndex(tab);  // a tab lays out its chart only when it is current
    plots.emplace_back(m_tabs->tabText(tab), m_tabs->widget(tab)->grab().toImage());
  }
  m_tabs->setCurrentIndex(shown);
  return plots;
}

void ExperimentCharts::setSnapshot(const ExperimentSnapshot& snapshot) {
  m_snapshot = snapshot;
  const int64_t id = snapshot.selected ? snapshot.selected->id : 0;
  if (id != m_shownId) {
    m_shownId = id;
    m_curves->chart()->removeAllSeries();
    m_curveSeries.clear();
    const QString chosen = m_parameter->currentText();
    QSignalBlocker blocker(m_parameter);
    m_parameter->clear();
    if (snapshot.spec)
      for (const engine::ParamDomain& domain : snapshot.spec->space.params)
        m_parameter->addItem(QString::fromStdString(domain.key));
    if (m_parameter->findText(chosen) >= 0) m_parameter->setCurrentText(chosen);
  }
  drawCurves();
  drawScatter();
  drawImportance();
}

void ExperimentCharts::drawCurves() {
  QChart* chart = m_curves->chart();
  int maxEpochs = 1;
  double low = INFINITY, high = -INFINITY;
  for (const TrialEntry& trial : m_snapshot.trials) {
    QList<QPointF> points;
    for (size_t e = 0; e < trial.curve.size(); ++e) {
      if (!std::isfinite(trial.curve[e])) continue;
      points.append(QPointF(static_cast<double>(e + 1), trial.curve[e]));
      low = std::min(low, trial.curve[e]);
      high = std::max(high, trial.curve[e]);
    }
    maxEpochs = std::max({maxEpochs, trial.epochs, static_cast<int>(trial.curve.size())});
    QLineSeries*& series = m_curveSeries[trial.row.number];
    if (!series) {
      series = new QLineSeries(chart);
      chart->addSeries(series);
    }
    series->setPen(trialPen(trial, m_snapshot.bestNumber == trial.row.number));
    series->replace(points);  // one replace per refresh, not an append per point
  }
  auto* x = new QValueAxis;
  x->setRange(1, std::max(2, maxEpochs));
  x->setLabelFormat(QStringLiteral("%d"));
  x->setTickCount(std::min(maxEpochs, 10) + (maxEpochs < 2 ? 1 : 0));
  x->setTitleText(tr("epoch"));
  auto* y = new QValueAxis;
  if (low <= high) y->setRange(low - 0.02 * (high - low + 1e-9), high + 0.02 * (high - low + 1e-9));
  y->setTitleText(m_snapshot.spec ? QString::fromStdString(m_snapshot.spec->objective.metric)
                                  : QString());
  setAxes(chart, x, y);
}

void ExperimentCharts::drawScatter() {
  QChart* chart = m_scatter->chart();
  chart->removeAllSeries();
  if (!m_snapshot.spec) return;
  const engine::ParamDomain* domain =
      m_snapshot.spec->space.find(m_parameter->currentText().toStdString());
  if (!domain) return;
  auto* series = new QScatterSeries(chart);
  series->setMarkerSize(9);
  double low = INFINITY, high = -INFINITY;
  for (const TrialEntry& trial : m_snapshot.trials) {
    const auto found = trial.params.find(domain->key);
    if (found == trial.params.end() || !trial.row.objective) continue;
    const std::optional<double> x = plotValue(*domain, *found);
    if (!x || (domain->log && *x <= 0)) continue;
    series->append(*x, *trial.row.objective);
    low = std::min(low, *x);
    high = std::max(high, *x);
  }
  chart->addSeries(series);
  QAbstractAxis* xAxis = nullptr;
  if (domain->log) {
    auto* axis = new QLogValueAxis;
    axis->setRange(domain->low, domain->high);
    axis->setLabelFormat(QStringLiteral("%.0e"));
    xAxis = axis;
  } else {
    auto* axis = new QValueAxis;
    if (low <= high) axis->setRange(low - 0.05 * (high - low + 1), high + 0.05 * (high - low + 1));
    xAxis = axis;
  }
  xAxis->setTitleText(QString::fromStdString(engine::describe(*domain)));
  auto* yAxis = new QValueAxis;
  yAxis->setTitleText(QString::fromStdString(m_snapshot.spec->objective.metric));
  setAxes(chart, xAxis, yAxis);
  if (series->count() > 0) {
    double yLow = INFINITY, yHigh = -INFINITY;
    for (const QPointF& p : series->points()) {
      yLow = std::min(yLow, p.y());
      yHigh = std::max(yHigh, p.y());
    }
    const double pad = 0.05 * (yHigh - yLow) + 1e-3;
    yAxis->setRange(yLow - pad, yHigh + pad);
  }
}

void ExperimentCharts::drawImportance() {
  QChart* chart = m_importance->chart();
  chart->removeAllSeries();
  if (!m_snapshot.spec) return;
  std::vector<engine::TrialResult> results;
  for (const TrialEntry& trial : m_snapshot.trials)
    if (storage::isFinished(trial.row.status))
      results.push_back({trial.params, trial.row.objective});
  const auto shares = engine::parameterImportance(m_snapshot.spec->space, results);
  auto* set = new QBarSet(tr("share"));
  QStringList keys;
  // Largest on top: a horizontal bar chart draws its first category at the bottom.
  for (auto it = shares.rbegin(); it != shares.rend(); ++it) {
    keys << QString::fromStdString(it->first);
    set->append(it->second);
  }
  auto* series = new QHorizontalBarSeries(chart);
  series->append(set);
  series->setLabelsVisible(true);
  series->setLabelsFormat(QStringLiteral("@value"));
  chart->addSeries(series);
  auto* y = new QBarCategoryAxis;
  y->append(keys);
  auto* x = new QValueAxis;
  x->setRange(0, 1);
  x->setLabelFormat(QStringLiteral("%.1f"));
  x->setTitleText(tr("share of importance"));
  setAxes(chart, x, y);
  chart->setTitle(results.size() < 4 ? tr("Needs at least 4 finished trials") : QString());
}

}  // namespace layerlab::ui
