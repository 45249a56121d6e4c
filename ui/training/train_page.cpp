#include "ui/training/train_page.h"

#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QVBoxLayout>

#include <stdexcept>

#include "engine/data/stored_dataset.h"
#include "engine/model/json_document.h"
#include "ui/charts/test_results_view.h"
#include "ui/training/train_monitor.h"

// Qt resources of a static library are registered by name, outside any namespace.
static void registerTemplateResources() {
  Q_INIT_RESOURCE(templates);
}

namespace layerlab::ui {
namespace {

constexpr int kSettingsWidth = 330;

QPushButton* controlButton(const QString& text, const char* name, QStyle::StandardPixmap icon,
                           QWidget* parent) {
  auto* button = new QPushButton(text, parent);
  button->setObjectName(QString::fromLatin1(name));
  button->setIcon(parent->style()->standardIcon(icon));
  return button;
}

}  // namespace

TrainPage::TrainPage(QWidget* parent) : QWidget(parent) {
  registerTemplateResources();
  setObjectName(QStringLiteral("trainPage"));
  m_monitor = new TrainMonitor(this);
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->addWidget(buildSettingsColumn());
  splitter->addWidget(m_monitor);
  splitter->setStretchFactor(1, 1);
  splitter->setChildrenCollapsible(false);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->addWidget(splitter);
  connect(m_settings, &TrainSettings::modelChanged, this, &TrainPage::updateButtons);
  updateButtons();
}

TrainPage::~TrainPage() = default;

QWidget* TrainPage::buildSettingsColumn() {
  auto* content = new QWidget();
  m_settings = new TrainSettings(content);
  m_start = controlButton(tr("Start"), "startButton", QStyle::SP_MediaPlay, content);
  m_start->setDefault(true);
  m_pause = controlButton(tr("Pause"), "pauseButton", QStyle::SP_MediaPause, content);
  m_stop = controlButton(tr("Stop"), "stopButton", QStyle::SP_MediaStop, content);
  connect(m_start, &QPushButton::clicked, this, [this] { startTraining(); });
  connect(m_pause, &QPushButton::clicked, this, &TrainPage::togglePause);
  connect(m_stop, &QPushButton::clicked, this, &TrainPage::requestStop);
  auto* buttons = new QHBoxLayout();
  for (QPushButton* button : {m_start, m_pause, m_stop})
    buttons->addWidget(button);
  auto* column = new QVBoxLayout(content);
  column->setContentsMargins(0, 0, 6, 0);
  column->addWidget(m_settings);
  column->addLayout(buttons);
  column->addStretch(1);
  auto* scroll = new QScrollArea();
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(kSettingsWidth);
  scroll->setMaximumWidth(kSettingsWidth + 80);
  return scroll;
}

void TrainPage::setEditorModel(const engine::ModelSpec& model) {
  m_settings->setEditorModel(model, !trainingActive());
}

void TrainPage::useEditorModel() {
  m_settings->useEditorModel();
}

bool TrainPage::selectTemplate(const QString& name) {
  return m_settings->selectTemplate(name);
}

bool TrainPage::openModelFile(const QString& path) {
  return m_settings->openModelFile(path);
}

void TrainPage::setModel(const engine::ModelSpec& model, const QString& origin) {
  Q_UNUSED(origin);
  m_settings->setModel(model);
}

const engine::ModelSpec& TrainPage::model() const {
  return m_settings->model();
}

void TrainPage::setBackend(TrainingBackend* backend) {
  if (m_backend != nullptr) disconnect(m_backend, nullptr, this, nullptr);
  m_backend = backend;
  if (m_backend != nullptr) {
    connect(m_backend, &TrainingBackend::started, this, &TrainPage::onStarted);
    connect(m_backend, &TrainingBackend::updated, m_monitor, &TrainMonitor::update);
    connect(m_backend, &TrainingBackend::finished, this, &TrainPage::onFinished);
    connect(m_backend, &QObject::destroyed, this, [this] {
      m_backend = nullptr;
      updateButtons();
    });
  }
  m_settings->fillDevices(m_backend != nullptr ? m_backend->devices()
                                               : std::vector<DeviceChoice>{});
  updateButtons();
}

void TrainPage::setDataset(const engine::DatasetSpec& spec) {
  m_settings->setDataset(spec);
  // The charts of a run on other data are not about what the next Start will train.
  if (!trainingActive() && m_shownDataset && !(*m_shownDataset == spec)) {
    m_shownDataset.reset();
    m_monitor->reset(
        tr("Ready. The data changed: press Start to train on %1.").arg(describeData(spec)));
  }
}

engine::DatasetSpec TrainPage::dataset() const {
  return m_settings->dataset();
}

void TrainPage::setSuggestedBatchSize(int64_t batch, const QString& hint) {
  m_settings->setSuggestedBatchSize(batch, hint);
}

void TrainPage::setStorePath(const QString& path) {
  m_storePath = path;
}

void TrainPage::setRunName(const QString& name) {
  m_settings->setRunName(name);
}

engine::TrainConfig TrainPage::trainConfig() const {
  return m_settings->trainConfig();
}

void TrainPage::setTrainConfig(const engine::TrainConfig& config) {
  m_settings->setTrainConfig(config);
}

bool TrainPage::trainingActive() const {
  return m_backend != nullptr && m_backend->active();
}

bool TrainPage::trainingPaused() const {
  return m_backend != nullptr && m_backend->paused();
}

void TrainPage::updateButtons() {
  const bool active = trainingActive();
  m_start->setEnabled(!active && m_backend != nullptr && m_settings->modelValid());
  m_pause->setEnabled(active);
  m_stop->setEnabled(active);
  m_pause->setText(trainingPaused() ? tr("Resume") : tr("Pause"));
  m_pause->setIcon(
      style()->standardIcon(trainingPaused() ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
  if (m_backend == nullptr) m_start->setToolTip(tr("This build has no training engine attached"));
  m_settings->setEditable(!active);
}

bool TrainPage::startTraining() {
  return begin(0);
}

bool TrainPage::rerun(qint64 runId, const QString& modelJson, const QString& datasetJson,
                      const QString& configJson, bool resume) {
  if (trainingActive()) {
    m_monitor->setStatus(tr("A run is training; stop it first."));
    return false;
  }
  try {
    const engine::ModelParseResult model = engine::parseModelSpec(modelJson.toStdString());
    if (!model.spec)
      throw std::invalid_argument(model.problems.empty() ? std::string("its model cannot be read")
                                                         : model.problems.front().describe());
    const engine::DatasetSpec dataset =
        engine::readStoredDataset(
            engine::parseJsonDocument(datasetJson.toStdString(), "its dataset document"))
            .spec;
    const engine::TrainConfig config = engine::trainConfigFromJson(
        engine::parseJsonDocument(configJson.toStdString(), "its training config"));
    m_settings->setModel(*model.spec);
    setDataset(dataset);
    m_settings->setTrainConfig(config);
  } catch (const std::exception& error) {
    m_monitor->setStatus(tr("Run %1 cannot be %2: %3")
                             .arg(runId)
                             .arg(resume ? tr("resumed") : tr("run again"))
                             .arg(QString::fromUtf8(error.what())));
    return false;
  }
  return begin(resume ? runId : 0);
}

bool TrainPage::begin(qint64 resumeRunId) {
  if (m_backend == nullptr || trainingActive()) return false;
  if (!m_settings->modelValid()) {
    m_monitor->setStatus(tr("The model has problems; fix them before training."));
    return false;
  }
  const engine::TrainConfig config = m_settings->trainConfig();
  if (const std::vector<std::string> problems = config.validate(); !problems.empty()) {
    m_monitor->setStatus(tr("Cannot start: %1").arg(QString::fromStdString(problems.front())));
    return false;
  }
  const TrainingRequest request{m_settings->model(),   m_settings->dataset(), config,
                                m_settings->runName(), m_storePath,           resumeRunId};
  m_batchSize = config.batchSize;
  m_monitor->begin(config.epochs, tr("Starting %1 on %2.")
                                      .arg(QString::fromStdString(request.model.name),
                                           describeData(request.dataset)));
  if (!m_backend->start(request)) return false;
  m_shownDataset = request.dataset;
  // The next run is named after its model again unless the user names it: a name belongs to one
  // run.
  m_settings->setRunName(QString());
  updateButtons();
  return true;
}

void TrainPage::togglePause() {
  if (!trainingActive()) return;
  const bool pausing = !m_backend->paused();
  if (pausing) {
    m_backend->pause();
  } else {
    m_backend->resume();
  }
  m_monitor->setPaused(pausing);
  updateButtons();
}

void TrainPage::requestStop() {
  if (!trainingActive()) return;
  m_backend->stop();
  m_monitor->stopping();
  m_stop->setEnabled(false);
}

void TrainPage::onStarted(qint64 runId, const QString& device, const QString& data, qint64 samples,
                          qint64 params) {
  const int64_t batch = std::max<int64_t>(1, m_batchSize);
  m_monitor->started(runId, (samples + batch - 1) / batch, device, data, params);
  Q_EMIT trainingStarted(runId);
}

void TrainPage::onFinished(const TrainingResult& result) {
  m_monitor->finished(result, result.testMatrix ? &*result.testMatrix : nullptr);
  updateButtons();
  Q_EMIT trainingFinished(result.runId, result.status);
}

MetricChart* TrainPage::lossChart() const {
  return m_monitor->lossChart();
}

MetricChart* TrainPage::accuracyChart() const {
  return m_monitor->accuracyChart();
}

QProgressBar* TrainPage::progressBar() const {
  return m_monitor->progressBar();
}

ConfusionMatrixView* TrainPage::confusionView() const {
  return m_monitor->results()->confusionView();
}

QString TrainPage::statusText() const {
  return m_monitor->statusText();
}

QString TrainPage::logText() const {
  return m_monitor->logText();
}

qint64 TrainPage::currentRunId() const {
  return m_monitor->runId();
}

}  // namespace layerlab::ui
