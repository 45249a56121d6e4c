#include "ui/export/try_it_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "ui/worker.h"

namespace layerlab::ui {

// The request and what came back: a result or the error's text. Written on the worker, read on
// the GUI thread after the worker finished.
struct TryItPanel::Outcome {
  PredictRequest request;
  PredictionResult result;
  QString error;
};

namespace {

constexpr int kThumbnail = 56;
constexpr int kMaxSamples = 256;
const QColor kWrongBackground(250, 219, 216);

std::vector<double> softmax(const std::vector<float>& outputs) {
  const float top = *std::max_element(outputs.begin(), outputs.end());
  std::vector<double> p;
  double sum = 0;
  for (const float v : outputs) {
    p.push_back(std::exp(static_cast<double>(v) - top));
    sum += p.back();
  }
  for (double& v : p)
    v /= sum;
  return p;
}

QPixmap thumbnail(const PredictionResult& r, const PredictedSample& s) {
  const int64_t plane = r.height * r.width;
  if (static_cast<int64_t>(s.pixels.size()) < r.channels * plane) return {};
  QImage image(static_cast<int>(r.width), static_cast<int>(r.height), QImage::Format_RGB32);
  for (int64_t y = 0; y < r.height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(y)));
    for (int64_t x = 0; x < r.width; ++x) {
      const auto at = static_cast<size_t>(y * r.width + x);
      const int red = s.pixels[at];
      const int green = r.channels == 3 ? s.pixels[plane + at] : red;
      const int blue = r.channels == 3 ? s.pixels[2 * plane + at] : red;
      line[x] = qRgb(red, green, blue);
    }
  }
  return QPixmap::fromImage(
      image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::FastTransformation));
}

QString featureText(const std::vector<double>& values) {
  QStringList parts;
  for (const double v : values)
    parts << QString::number(v, 'g', 5);
  return parts.join(QStringLiteral(", "));
}

QTableWidgetItem* item(const QString& text, const QVariant& value = {}) {
  auto* cell = new QTableWidgetItem(text);
  if (value.isValid()) cell->setData(Qt::UserRole, value);
  return cell;
}

}  // namespace

std::vector<double> classProbabilities(const std::vector<float>& outputs) {
  if (outputs.empty()) return {};
  if (outputs.size() == 1) {
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(outputs[0])));
    return {1.0 - p, p};
  }
  return softmax(outputs);
}

TryItPanel::TryItPanel(RunTools& tools, QWidget* parent) : QWidget(parent), m_tools(tools) {
  setObjectName(QStringLiteral("tryItPanel"));
  auto* layout = new QVBoxLayout(this);
  buildChoices();
  layout->addLayout(buildControlRow());
  buildResultArea();
  layout->addWidget(m_busy);
  layout->addWidget(m_status);
  layout->addWidget(m_error);
  layout->addWidget(m_table, 1);
  connectButtons();
  showRun(0);
}

// What to predict: the part of the data, the weights, the range, and the two buttons.
void TryItPanel::buildChoices() {
  m_split = new QComboBox(this);
  m_split->setObjectName(QStringLiteral("trySplit"));
  m_split->addItem(tr("Test"), QStringLiteral("test"));
  m_split->addItem(tr("Validation"), QStringLiteral("val"));
  m_split->addItem(tr("Training"), QStringLiteral("train"));
  m_checkpoint = new QComboBox(this);
  m_checkpoint->setObjectName(QStringLiteral("tryCheckpoint"));
  m_checkpoint->addItem(tr("Best epoch"), QString());  // the last when the run has no best
  m_checkpoint->addItem(tr("Last epoch"), QString::fromLatin1(kLastCheckpoint));
  m_start = new QSpinBox(this);
  m_start->setObjectName(QStringLiteral("tryStart"));
  m_start->setRange(0, 9'999'999);
  m_count = new QSpinBox(this);
  m_count->setObjectName(QStringLiteral("tryCount"));
  m_count->setRange(1, kMaxSamples);
  m_count->setValue(16);
  m_predictButton = new QPushButton(tr("Predict"), this);
  m_predictButton->setObjectName(QStringLiteral("tryPredict"));
  m_randomButton = new QPushButton(tr("Random"), this);
  m_randomButton->setObjectName(QStringLiteral("tryRandom"));
  m_randomButton->setToolTip(tr("Predict as many samples as Count, drawn at random"));
}

// The choices in one row, each after its label.
QHBoxLayout* TryItPanel::buildControlRow() {
  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Data:"), this));
  controls->addWidget(m_split);
  controls->addWidget(new QLabel(tr("Weights:"), this));
  controls->addWidget(m_checkpoint);
  controls->addWidget(new QLabel(tr("From sample:"), this));
  controls->addWidget(m_start);
  controls->addWidget(new QLabel(tr("Count:"), this));
  controls->addWidget(m_count);
  controls->addWidget(m_predictButton);
  controls->addWidget(m_randomButton);
  controls->addStretch(1);
  return controls;
}

// The busy indicator, the status line, the error (hidden until there is one) and the results.
void TryItPanel::buildResultArea() {
  m_busy = new QProgressBar(this);
  m_busy->setRange(0, 0);
  m_busy->setMaximumHeight(12);
  m_busy->setTextVisible(false);
  m_busy->hide();
  m_status = new QLabel(this);
  m_status->setObjectName(QStringLiteral("tryStatus"));
  m_status->setWordWrap(true);
  m_error = new QLabel(this);
  m_error->setObjectName(QStringLiteral("tryError"));
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
  m_error->hide();
  m_table = new QTableWidget(0, 5, this);
  m_table->setObjectName(QStringLiteral("tryResults"));
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setIconSize(QSize(kThumbnail, kThumbnail));
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(true);
}

void TryItPanel::connectButtons() {
  connect(m_predictButton, &QPushButton::clicked, this,
          [this] { predictRange(m_start->value(), m_count->value()); });
  connect(m_randomButton, &QPushButton::clicked, this, [this] { predictRandom(m_count->value()); });
}

TryItPanel::~TryItPanel() = default;  // m_worker waits for predictions under way

void TryItPanel::showRun(qint64 runId) {
  m_runId = runId;
  m_result.reset();
  m_queued.reset();
  m_table->setRowCount(0);
  m_error->hide();
  m_start->setMaximum(9'999'999);
  for (QWidget* w : {static_cast<QWidget*>(m_predictButton), static_cast<QWidget*>(m_randomButton)})
    w->setEnabled(runId > 0);
  m_status->setText(runId > 0 ? tr("Run %1: choose samples and press Predict.").arg(runId)
                              : tr("Choose a run to try its trained model on samples."));
  m_firstPending = runId > 0;
  if (m_firstPending && isVisible()) predictRange(0, m_count->value());
}

void TryItPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_firstPending) predictRange(0, m_count->value());
}

bool TryItPanel::predictRange(int start, int count) {
  PredictRequest request;
  for (int i = 0; i < std::clamp(count, 1, kMaxSamples); ++i)
    request.indices.push_back(static_cast<int64_t>(start) + i);
  return this->start(std::move(request));
}

bool TryItPanel::predictRandom(int count) {
  PredictRequest request;
  request.randomCount = std::clamp(count, 1, kMaxSamples);
  request.seed = QRandomGenerator::global()->generate64();
  return start(std::move(request));
}

bool TryItPanel::start(PredictRequest request) {
  if (m_runId <= 0) return false;
  m_firstPending = false;
  request.runId = m_runId;
  request.split = m_split->currentData().toString().toStdString();
  request.checkpoint = m_checkpoint->currentData().toString().toStdString();
  m_busy->show();
  m_status->setText(tr("Predicting\u2026"));
  if (m_worker != nullptr) {
    m_queued = std::move(request);  // the newest wins; it starts when the current one ends
    return true;
  }
  auto outcome = std::make_shared<Outcome>();
  outcome->request = std::move(request);
  RunTools* tools = &m_tools;
  m_worker = std::make_unique<Worker>(
      this, [tools, outcome] { outcome->result = tools->predict(outcome->request); },
      QStringLiteral("the prediction failed for an unknown reason"),
      [this, outcome](const QString& error) {
        outcome->error = error;
        finish(outcome);
      });
  return true;
}

void TryItPanel::finish(const std::shared_ptr<Outcome>& outcome) {
  m_worker.reset();
  if (m_queued) {
    PredictRequest next = std::move(*m_queued);
    m_queued.reset();
    start(std::move(next));
    return;  // a newer request replaces this result
  }
  m_busy->hide();
  if (outcome->request.runId != m_runId) return;
  if (!outcome->error.isEmpty()) {
    showError(outcome->error);
  } else {
    showResult(outcome->result);
  }
  Q_EMIT predictionsShown();
}

QString TryItPanel::className(const PredictionResult& result, double index) const {
  const auto i = static_cast<size_t>(index);
  return i < result.classNames.size() ? QString::fromStdString(result.classNames[i])
                                      : QString::number(index);
}

void TryItPanel::showError(const QString& message) {
  m_result.reset();
  m_table->setRowCount(0);
  QString text = message;
  if (!text.isEmpty()) text[0] = text[0].toUpper();
  m_error->setText(text);
  m_error->show();
  m_status->setText(tr("Run %1: nothing predicted.").arg(m_runId));
}

void TryItPanel::showResult(const PredictionResult& r) {
  m_error->hide();
  m_start->setMaximum(static_cast<int>(std::max<int64_t>(0, r.splitSize - 1)));
  m_table->setRowCount(0);
  m_table->setHorizontalHeaderLabels(
      r.classification
          ? QStringList{tr("Sample"), tr("Predicted"), tr("Probability"), tr("True"), QString()}
          : QStringList{tr("Sample"), tr("Predicted"), tr("Error"), tr("True"), QString()});
  m_table->verticalHeader()->setDefaultSectionSize(r.images ? kThumbnail + 6 : 24);
  m_table->setRowCount(static_cast<int>(r.samples.size()));
  int right = 0;
  for (int row = 0; row < static_cast<int>(r.samples.size()); ++row) {
    const PredictedSample& s = r.samples[static_cast<size_t>(row)];
    QTableWidgetItem* sample = item(QStringLiteral("#%1").arg(s.index), qint64(s.index));
    if (r.images)
      sample->setData(Qt::DecorationRole, thumbnail(r, s));
    else
      sample->setText(sample->text() + QStringLiteral("  ") + featureText(s.features));
    m_table->setItem(row, SampleColumn, sample);
    if (r.classification)
      right += fillClassRow(row, r, s) ? 1 : 0;
    else
      fillValueRow(row, s);
  }
  m_table->resizeColumnsToContents();
  QString status =
      tr("%1 checkpoint (epoch %2) · %3 part of %4 · %5 samples")
          .arg(QString::fromStdString(r.checkpoint) == QLatin1String("best") ? tr("Best")
                                                                             : tr("Last"))
          .arg(r.checkpointEpoch)
          .arg(QString::fromStdString(r.split))
          .arg(QString::fromStdString(r.dataDescription))
          .arg(r.samples.size());
  if (r.classification) status += tr(" · %1 of %2 right").arg(right).arg(r.samples.size());
  m_status->setText(status);
  m_result = r;
}

bool TryItPanel::fillClassRow(int row, const PredictionResult& r, const PredictedSample& s) {
  const std::vector<double> p = classProbabilities(s.outputs);
  const auto predicted = static_cast<size_t>(s.predictedClass);
  const double probability = predicted < p.size() ? p[predicted] : 0.0;
  const bool hit = static_cast<double>(s.predictedClass) == s.target;
  m_table->setItem(
      row, PredictedColumn,
      item(className(r, static_cast<double>(s.predictedClass)), qint64(s.predictedClass)));
  m_table->setItem(row, ProbabilityColumn,
                   item(QStringLiteral("%1 %").arg(100 * probability, 0, 'f', 1), probability));
  m_table->setItem(row, TrueColumn, item(className(r, s.target), qint64(std::llround(s.target))));
  m_table->setItem(row, VerdictColumn,
                   item(hit ? QStringLiteral("\u2713") : tr("\u2717 wrong"), hit));
  if (!hit) {
    for (int column = 0; column < m_table->columnCount(); ++column)
      m_table->item(row, column)->setBackground(kWrongBackground);
  }
  return hit;
}

void TryItPanel::fillValueRow(int row, const PredictedSample& s) {
  m_table->setItem(row, PredictedColumn,
                   item(QString::number(s.predictedValue, 'g', 6), s.predictedValue));
  m_table->setItem(row, ProbabilityColumn,
                   item(QString::number(std::abs(s.predictedValue - s.target), 'g', 4)));
  m_table->setItem(row, TrueColumn, item(QString::number(s.target, 'g', 6), s.target));
}

}  // namespace layerlab::ui
