#include "ui/training/train_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/data/stored_dataset.h"
#include "engine/model/json_document.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"
#include "series/duration.h"
#include "storage/run_query.h"
#include "ui/charts/confusion_matrix_view.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/test_results_view.h"
#include "ui/training/lr_preview.h"

// Qt resources of a static library are registered by name, outside any namespace.
static void registerTemplateResources() {
  Q_INIT_RESOURCE(templates);
}

namespace layerlab::ui {
namespace {

constexpr int kSettingsWidth = 330;
constexpr int kClockIntervalMs = 500;
constexpr int kFashionMnistTrainSamples = 54000;  // for the lr preview before a run

QString describeData(const engine::DatasetSpec& spec) {
  if (spec.source == engine::kFashionMnist) {
    return spec.limit > 0 ? QObject::tr("Fashion-MNIST, first %1 samples").arg(spec.limit)
                          : QObject::tr("Fashion-MNIST (built in)");
  }
  const QString name = QFileInfo(QString::fromStdString(spec.path)).fileName();
  return QStringLiteral("%1: %2").arg(QString::fromStdString(spec.source), name);
}

QComboBox* makeCombo(const QStringList& items, QWidget* parent) {
  auto* combo = new QComboBox(parent);
  combo->addItems(items);
  return combo;
}

}  // namespace

TrainPage::TrainPage(QWidget* parent) : QWidget(parent) {
  registerTemplateResources();
  setObjectName(QStringLiteral("trainPage"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->addWidget(buildSettings());
  splitter->addWidget(buildMonitor());
  splitter->setStretchFactor(1, 1);
  splitter->setChildrenCollapsible(false);
  layout->addWidget(splitter);

  m_clock = new QTimer(this);
  m_clock->setInterval(kClockIntervalMs);
  connect(m_clock, &QTimer::timeout, this, &TrainPage::refreshElapsed);

  loadTemplates();
  setDataset(engine::DatasetSpec{});
  updateLrPreview();
  updateButtons();
}

TrainPage::~TrainPage() = default;

QWidget* TrainPage::buildSettings() {
  auto* content = new QWidget();
  auto* column = new QVBoxLayout(content);
  column->setContentsMargins(0, 0, 6, 0);

  auto* modelBox = new QGroupBox(tr("Model"), content);
  auto* modelLayout = new QVBoxLayout(modelBox);
  auto* modelRow = new QHBoxLayout();
  m_modelCombo = new QComboBox(modelBox);
  m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
  auto* openModel = new QPushButton(tr("Open\u2026"), modelBox);
  openModel->setToolTip(tr("Train a model saved as a *.layerlab.json file"));
  modelRow->addWidget(m_modelCombo, 1);
  modelRow->addWidget(openModel);
  modelLayout->addLayout(modelRow);
  m_modelInfo = new QLabel(modelBox);
  m_modelInfo->setWordWrap(true);
  m_modelInfo->setObjectName(QStringLiteral("modelInfo"));
  modelLayout->addWidget(m_modelInfo);
  connect(m_modelCombo, &QComboBox::activated, this, [this](int index) {
    const QString path = m_modelCombo->itemData(index).toString();
    if (path == QLatin1String(kEditorEntry)) {
      if (m_editorModel) setModel(*m_editorModel, tr("the Model place"));
    } else if (!path.isEmpty()) {
      openModelFile(path);
    }
  });
  connect(openModel, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a model"), QString(), tr("LayerLab models (*.layerlab.json *.json)"));
    if (!path.isEmpty()) openModelFile(path);
  });

  auto* dataBox = new QGroupBox(tr("Data"), content);
  auto* dataLayout = new QVBoxLayout(dataBox);
  m_dataInfo = new QLabel(dataBox);
  m_dataInfo->setWordWrap(true);
  dataLayout->addWidget(m_dataInfo);

  auto* trainBox = new QGroupBox(tr("Training"), content);
  auto* form = new QFormLayout(trainBox);
  m_optimizer = makeCombo({"adam", "adamw", "sgd", "rmsprop"}, trainBox);
  m_lr = new QDoubleSpinBox(trainBox);
  m_lr->setDecimals(6);
  m_lr->setRange(1e-6, 10.0);
  m_lr->setSingleStep(0.0001);
  m_lr->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  m_schedule = makeCombo({"constant", "step", "cosine", "plateau"}, trainBox);
  m_lrPreview = new LrPreview(trainBox);
  m_batchSize = new QSpinBox(trainBox);
  m_batchSize->setRange(1, 1 << 16);
  m_epochsSpin = new QSpinBox(trainBox);
  m_epochsSpin->setRange(1, 100000);
  m_loss = makeCombo({"cross_entropy", "bce_with_logits", "mse", "l1", "huber"}, trainBox);
  m_weightDecay = new QDoubleSpinBox(trainBox);
  m_weightDecay->setDecimals(6);
  m_weightDecay->setRange(0, 1);
  m_weightDecay->setSingleStep(0.0001);
  m_patience = new QSpinBox(trainBox);
  m_patience->setRange(0, 10000);
  m_patience->setSpecialValueText(tr("off"));
  m_monitor = makeCombo({"val_loss", "val_accuracy", "train_loss", "train_accuracy"}, trainBox);
  m_seed = new QSpinBox(trainBox);
  m_seed->setRange(0, 2147483647);
  m_device = new QComboBox(trainBox);
  m_device->setObjectName(QStringLiteral("deviceChoice"));
  m_runName = new QLineEdit(trainBox);
  m_runName->setPlaceholderText(tr("the model's name"));
  form->addRow(tr("Optimiser"), m_optimizer);
  form->addRow(tr("Learning rate"), m_lr);
  form->addRow(tr("Schedule"), m_schedule);
  form->addRow(QString(), m_lrPreview);
  m_batchHint = new QLabel(trainBox);
  m_batchHint->setObjectName(QStringLiteral("batchSizeHint"));
  auto* batchRow = new QHBoxLayout();
  batchRow->addWidget(m_batchSize);
  batchRow->addWidget(m_batchHint, 1);
  form->addRow(tr("Batch size"), batchRow);
  form->addRow(tr("Epochs"), m_epochsSpin);
  form->addRow(tr("Loss"), m_loss);
  form->addRow(tr("Weight decay"), m_weightDecay);
  form->addRow(tr("Early stopping"), m_patience);
  form->addRow(tr("Monitor"), m_monitor);
  form->addRow(tr("Seed"), m_seed);
  form->addRow(tr("Device"), m_device);
  form->addRow(tr("Run name"), m_runName);
  m_patience->setToolTip(tr("Stop after this many epochs without improvement of the monitor"));

  fillDevices({});
  setTrainConfig(engine::TrainConfig{});
  for (QDoubleSpinBox* spin : {m_lr, m_weightDecay})
    connect(spin, &QDoubleSpinBox::valueChanged, this, &TrainPage::updateLrPreview);
  for (QSpinBox* spin : {m_batchSize, m_epochsSpin})
    connect(spin, &QSpinBox::valueChanged, this, &TrainPage::updateLrPreview);
  connect(m_schedule, &QComboBox::currentIndexChanged, this, &TrainPage::updateLrPreview);

  auto* buttons = new QHBoxLayout();
  m_start = new QPushButton(tr("Start"), content);
  m_start->setObjectName(QStringLiteral("startButton"));
  m_start->setDefault(true);
  m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  m_pause = new QPushButton(tr("Pause"), content);
  m_pause->setObjectName(QStringLiteral("pauseButton"));
  m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
  m_stop = new QPushButton(tr("Stop"), content);
  m_stop->setObjectName(QStringLiteral("stopButton"));
  m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
  buttons->addWidget(m_start);
  buttons->addWidget(m_pause);
  buttons->addWidget(m_stop);
  connect(m_start, &QPushButton::clicked, this, [this] { startTraining(); });
  connect(m_pause, &QPushButton::clicked, this, &TrainPage::togglePause);
  connect(m_stop, &QPushButton::clicked, this, &TrainPage::requestStop);

  column->addWidget(modelBox);
  column->addWidget(dataBox);
  column->addWidget(trainBox);
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

QWidget* TrainPage::buildMonitor() {
  auto* monitor = new QWidget();
  auto* layout = new QVBoxLayout(monitor);
  layout->setContentsMargins(6, 0, 0, 0);

  m_status = new QLabel(tr("Ready. Choose a model and press Start."), monitor);
  m_status->setObjectName(QStringLiteral("trainStatus"));
  QFont strong = m_status->font();
  strong.setBold(true);
  m_status->setFont(strong);
  m_status->setWordWrap(true);
  m_progress = new QProgressBar(monitor);
  m_progress->setObjectName(QStringLiteral("trainProgress"));
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(tr("not started"));
  m_timing = new QLabel(monitor);
  m_timing->setObjectName(QStringLiteral("trainTiming"));

  auto* chartBar = new QHBoxLayout();
  chartBar->addWidget(new QLabel(tr("X axis"), monitor));
  m_xAxis = makeCombo({tr("Step"), tr("Epoch"), tr("Wall time")}, monitor);
  m_logScale = new QCheckBox(tr("Log scale (loss)"), monitor);
  chartBar->addWidget(m_xAxis);
  chartBar->addSpacing(12);
  chartBar->addWidget(m_logScale);
  chartBar->addStretch(1);

  auto* charts = new QHBoxLayout();
  m_lossChart = new MetricChart(tr("Loss"), false, monitor);
  m_lossChart->setObjectName(QStringLiteral("lossChart"));
  m_accuracyChart = new MetricChart(tr("Accuracy"), true, monitor);
  m_accuracyChart->setObjectName(QStringLiteral("accuracyChart"));
  charts->addWidget(m_lossChart);
  charts->addWidget(m_accuracyChart);
  connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this](int index) {
    for (MetricChart* chart : {m_lossChart, m_accuracyChart})
      chart->setXAxis(static_cast<ChartXAxis>(index));
  });
  connect(m_logScale, &QCheckBox::toggled, m_lossChart, &MetricChart::setLogScale);

  m_tabs = new QTabWidget(monitor);
  m_log = new QPlainTextEdit(m_tabs);
  m_log->setReadOnly(true);
  m_log->setObjectName(QStringLiteral("trainLog"));
  m_log->setMaximumBlockCount(5000);
  m_log->setPlaceholderText(tr("Each epoch and every message of the run is logged here."));
  m_results = new TestResultsView(m_tabs);
  m_tabs->addTab(m_log, tr("Log"));
  m_tabs->addTab(m_results, tr("Results"));

  auto* split = new QSplitter(Qt::Vertical, monitor);
  auto* chartArea = new QWidget(split);
  auto* chartLayout = new QVBoxLayout(chartArea);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  chartLayout->addLayout(chartBar);
  chartLayout->addLayout(charts, 1);
  split->addWidget(chartArea);
  split->addWidget(m_tabs);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);

  layout->addWidget(m_status);
  layout->addWidget(m_progress);
  layout->addWidget(m_timing);
  layout->addWidget(split, 1);
  return monitor;
}

void TrainPage::loadTemplates() {
  m_modelCombo->clear();
  m_modelCombo->addItem(tr("The model in the Model place"), QString::fromLatin1(kEditorEntry));
  const QDir folder(QString::fromLatin1(kTemplateFolder));
  for (const QFileInfo& file :
       folder.entryInfoList({QStringLiteral("*.layerlab.json")}, QDir::Files, QDir::Name)) {
    const QString name = file.fileName().section(QLatin1Char('.'), 0, 0);
    m_modelCombo->addItem(tr("Template: %1").arg(name), file.filePath());
  }
  if (!selectTemplate(QStringLiteral("mlp")) && m_modelCombo->count() > 1)
    openModelFile(m_modelCombo->itemData(1).toString());
}

void TrainPage::setEditorModel(const engine::ModelSpec& model) {
  m_editorModel = model;
  if (m_modelCombo->currentData().toString() == QLatin1String(kEditorEntry) && !trainingActive())
    setModel(model, tr("the Model place"));
}

void TrainPage::useEditorModel() {
  m_modelCombo->setCurrentIndex(m_modelCombo->findData(QString::fromLatin1(kEditorEntry)));
  if (m_editorModel) setModel(*m_editorModel, tr("the Model place"));
}

bool TrainPage::selectTemplate(const QString& name) {
  for (int i = 0; i < m_modelCombo->count(); ++i) {
    const QString path = m_modelCombo->itemData(i).toString();
    if (QFileInfo(path).fileName() == name + QStringLiteral(".layerlab.json")) {
      m_modelCombo->setCurrentIndex(i);
      return openModelFile(path);
    }
  }
  return false;
}

bool TrainPage::openModelFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    m_modelValid = false;
    m_modelInfo->setText(tr("Cannot read %1: %2").arg(path, file.errorString()));
    updateButtons();
    return false;
  }
  const engine::ModelParseResult parsed = engine::parseModelSpec(file.readAll().toStdString());
  if (!parsed.spec) {
    m_modelValid = false;
    QStringList problems;
    for (const auto& problem : parsed.problems)
      problems << QString::fromStdString(problem.describe());
    m_modelInfo->setText(tr("%1 cannot be used:\n%2")
                             .arg(QFileInfo(path).fileName(), problems.join(QLatin1Char('\n'))));
    updateButtons();
    return false;
  }
  if (!path.startsWith(QLatin1Char(':'))) {
    const int index = m_modelCombo->findData(path);
    if (index < 0) m_modelCombo->addItem(tr("File: %1").arg(QFileInfo(path).fileName()), path);
    m_modelCombo->setCurrentIndex(m_modelCombo->findData(path));
  }
  setModel(*parsed.spec, path);
  return m_modelValid;
}

void TrainPage::setModel(const engine::ModelSpec& model, const QString& origin) {
  Q_UNUSED(origin);
  m_model = model;
  showModelInfo();
  updateLrPreview();
  updateButtons();
}

void TrainPage::showModelInfo() {
  const engine::ModelAnalysis analysis = engine::analyzeModel(m_model);
  m_modelValid = analysis.ok();
  if (!m_modelValid) {
    QStringList problems;
    for (const auto& problem : analysis.problems)
      problems << QString::fromStdString(problem.describe());
    m_modelInfo->setText(tr("This model has problems:\n%1").arg(problems.join(QLatin1Char('\n'))));
    return;
  }
  m_modelInfo->setText(
      tr("%1 · input %2 · %3 parameters · %4 layers")
          .arg(QString::fromStdString(m_model.name.empty() ? std::string("model") : m_model.name),
               QString::fromStdString(engine::formatShape(m_model.inputShape)),
               QString::fromStdString(engine::formatThousands(analysis.totalParams)))
          .arg(m_model.nodes.size()));
}

void TrainPage::setBackend(TrainingBackend* backend) {
  if (m_backend != nullptr) disconnect(m_backend, nullptr, this, nullptr);
  m_backend = backend;
  if (m_backend != nullptr) {
    connect(m_backend, &TrainingBackend::started, this, &TrainPage::onStarted);
    connect(m_backend, &TrainingBackend::updated, this, &TrainPage::onUpdated);
    connect(m_backend, &TrainingBackend::finished, this, &TrainPage::onFinished);
    connect(m_backend, &QObject::destroyed, this, [this] {
      m_backend = nullptr;
      updateButtons();
    });
  }
  fillDevices(m_backend != nullptr ? m_backend->devices() : std::vector<DeviceChoice>{});
  updateButtons();
}

void TrainPage::fillDevices(const std::vector<DeviceChoice>& choices) {
  const QString selected = m_device->currentData().toString();
  m_device->clear();
  if (choices.empty()) {
    // Without a backend nothing trains; the choices a config can name still show.
    m_device->addItem(tr("Automatic (GPU when there is one)"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
  }
  for (const DeviceChoice& choice : choices)
    m_device->addItem(choice.label, choice.device);
  m_device->setCurrentIndex(std::max(0, m_device->findData(selected)));
}

void TrainPage::setDataset(const engine::DatasetSpec& spec) {
  m_dataset = spec;
  m_dataInfo->setText(describeData(spec) +
                      tr("\nnormalisation: %1 · seed %2 · change it in the Data place")
                          .arg(QString::fromStdString(spec.normalize))
                          .arg(spec.seed));
  updateLrPreview();
}

void TrainPage::setSuggestedBatchSize(int64_t batch, const QString& hint) {
  m_batchHint->setText(hint);
  if (m_batchSize->value() == m_suggestedBatch) m_batchSize->setValue(static_cast<int>(batch));
  m_suggestedBatch = batch;
}

void TrainPage::setStorePath(const QString& path) {
  m_storePath = path;
}

void TrainPage::setRunName(const QString& name) {
  m_runName->setText(name);
}

engine::TrainConfig TrainPage::trainConfig() const {
  engine::TrainConfig c = m_baseConfig;
  c.optimizer = m_optimizer->currentText().toStdString();
  c.learningRate = m_lr->value();
  c.schedule.type = m_schedule->currentText().toStdString();
  c.batchSize = m_batchSize->value();
  c.epochs = m_epochsSpin->value();
  c.loss = m_loss->currentText().toStdString();
  c.weightDecay = m_weightDecay->value();
  c.earlyStopping.patience = m_patience->value();
  c.monitor = m_monitor->currentText().toStdString();
  c.seed = static_cast<uint64_t>(m_seed->value());
  c.device = m_device->currentData().toString().toStdString();
  return c;
}

void TrainPage::setTrainConfig(const engine::TrainConfig& c) {
  m_baseConfig = c;
  m_optimizer->setCurrentText(QString::fromStdString(c.optimizer));
  m_lr->setValue(c.learningRate);
  m_schedule->setCurrentText(QString::fromStdString(c.schedule.type));
  m_batchSize->setValue(static_cast<int>(c.batchSize));
  m_epochsSpin->setValue(c.epochs);
  m_loss->setCurrentText(QString::fromStdString(c.loss));
  m_weightDecay->setValue(c.weightDecay);
  m_patience->setValue(c.earlyStopping.patience);
  m_monitor->setCurrentText(QString::fromStdString(c.monitor));
  m_seed->setValue(static_cast<int>(c.seed));
  m_device->setCurrentIndex(std::max(0, m_device->findData(QString::fromStdString(c.device))));
}

void TrainPage::updateLrPreview() {
  if (m_lrPreview == nullptr || m_batchSize == nullptr) return;
  const int64_t samples = m_dataset.source == engine::kFashionMnist && m_dataset.limit > 0
                              ? static_cast<int64_t>(m_dataset.limit * 0.9)
                              : kFashionMnistTrainSamples;
  m_lrPreview->setSchedule(trainConfig(),
                           (samples + m_batchSize->value() - 1) / m_batchSize->value());
}

bool TrainPage::trainingActive() const {
  return m_backend != nullptr && m_backend->active();
}

bool TrainPage::trainingPaused() const {
  return m_backend != nullptr && m_backend->paused();
}

void TrainPage::updateButtons() {
  const bool active = trainingActive();
  m_start->setEnabled(!active && m_backend != nullptr && m_modelValid);
  m_pause->setEnabled(active);
  m_stop->setEnabled(active);
  m_pause->setText(trainingPaused() ? tr("Resume") : tr("Pause"));
  m_pause->setIcon(
      style()->standardIcon(trainingPaused() ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
  if (m_backend == nullptr) m_start->setToolTip(tr("This build has no training engine attached"));
  for (QWidget* field : std::initializer_list<QWidget*>{
           m_modelCombo, m_optimizer, m_lr, m_schedule, m_batchSize, m_epochsSpin, m_loss,
           m_weightDecay, m_patience, m_monitor, m_seed, m_device, m_runName})
    field->setEnabled(!active);
}

bool TrainPage::startTraining() {
  return begin(0);
}

bool TrainPage::rerun(qint64 runId, const QString& modelJson, const QString& datasetJson,
                      const QString& configJson, bool resume) {
  if (trainingActive()) {
    m_status->setText(tr("A run is training; stop it first."));
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
    setModel(*model.spec, tr("run %1").arg(runId));
    setDataset(dataset);
    setTrainConfig(config);
  } catch (const std::exception& error) {
    m_status->setText(tr("Run %1 cannot be %2: %3")
                          .arg(runId)
                          .arg(resume ? tr("resumed") : tr("run again"))
                          .arg(QString::fromUtf8(error.what())));
    return false;
  }
  return begin(resume ? runId : 0);
}

bool TrainPage::begin(qint64 resumeRunId) {
  if (m_backend == nullptr || trainingActive()) return false;
  if (!m_modelValid) {
    m_status->setText(tr("The model has problems; fix them before training."));
    return false;
  }
  const engine::TrainConfig config = trainConfig();
  if (const std::vector<std::string> problems = config.validate(); !problems.empty()) {
    m_status->setText(tr("Cannot start: %1").arg(QString::fromStdString(problems.front())));
    return false;
  }
  TrainingRequest request{m_model, m_dataset, config, m_runName->text(), m_storePath, resumeRunId};
  m_lossChart->clear();
  m_accuracyChart->clear();
  m_log->clear();
  m_results->clear();
  m_tabs->setCurrentIndex(0);
  m_runId = 0;
  m_epochs = config.epochs;
  m_stepsPerEpoch = 0;
  m_lastStep = 0;
  m_samplesPerSecond = 0;
  m_pausedMs = 0;
  m_progress->setRange(0, 0);  // busy until the data is loaded
  m_progress->setFormat(tr("loading data"));
  m_status->setText(tr("Loading the data and building the model\u2026"));
  m_timing->clear();
  if (!m_backend->start(request)) return false;
  m_elapsed.start();
  m_clock->start();
  appendLog(
      tr("Starting %1 on %2.").arg(QString::fromStdString(m_model.name), describeData(m_dataset)));
  updateButtons();
  return true;
}

void TrainPage::togglePause() {
  if (!trainingActive()) return;
  if (m_backend->paused()) {
    m_backend->resume();
    if (m_pausedSince.isValid()) m_pausedMs += m_pausedSince.elapsed();
    m_pausedSince.invalidate();
    appendLog(tr("Resumed."));
  } else {
    m_backend->pause();
    m_pausedSince.start();
    appendLog(tr("Paused after the current batch."));
    m_status->setText(tr("Paused"));
  }
  updateButtons();
}

void TrainPage::requestStop() {
  if (!trainingActive()) return;
  m_backend->stop();
  appendLog(tr("Stopping after the current batch\u2026"));
  m_status->setText(tr("Stopping\u2026"));
  m_stop->setEnabled(false);
}

void TrainPage::onStarted(qint64 runId, const QString& device, const QString& data, qint64 samples,
                          qint64 params) {
  m_runId = runId;
  m_stepsPerEpoch = (samples + m_batchSize->value() - 1) / m_batchSize->value();
  for (MetricChart* chart : {m_lossChart, m_accuracyChart})
    chart->setStepsPerEpoch(static_cast<double>(m_stepsPerEpoch));
  m_progress->setRange(0, static_cast<int>(std::max<int64_t>(1, m_stepsPerEpoch * m_epochs)));
  m_progress->setValue(0);
  m_progress->setFormat(tr("epoch 1/%1 · step 0/%2").arg(m_epochs).arg(m_stepsPerEpoch));
  m_status->setText(tr("Run %1 training on %2").arg(runId).arg(device));
  appendLog(tr("Run %1 · %2 · %3 · %4 parameters")
                .arg(runId)
                .arg(device, data, QString::fromStdString(engine::formatThousands(params))));
  Q_EMIT trainingStarted(runId);
}

void TrainPage::onUpdated(const TrainingUpdate& update) {
  std::vector<storage::SeriesPoint> loss, accuracy;
  for (const engine::BatchProgress& p : update.batches) {
    loss.push_back({.step = p.step, .epoch = p.epoch, .wallTime = p.wallSeconds, .value = p.loss});
    accuracy.push_back(
        {.step = p.step, .epoch = p.epoch, .wallTime = p.wallSeconds, .value = p.accuracy});
    m_lastStep = p.step;
    m_samplesPerSecond = p.samplesPerSecond;
    if (p.batchesPerEpoch > 0 && p.batchesPerEpoch != m_stepsPerEpoch) {
      m_stepsPerEpoch = p.batchesPerEpoch;
      m_progress->setRange(0, static_cast<int>(m_stepsPerEpoch * p.epochs));
      for (MetricChart* chart : {m_lossChart, m_accuracyChart})
        chart->setStepsPerEpoch(static_cast<double>(m_stepsPerEpoch));
    }
    m_progress->setValue(static_cast<int>(p.step));
    m_progress->setFormat(tr("epoch %1/%2 · step %3/%4")
                              .arg(p.epoch)
                              .arg(p.epochs)
                              .arg(p.batch)
                              .arg(p.batchesPerEpoch));
  }
  m_lossChart->appendTraining(loss);
  m_accuracyChart->appendTraining(accuracy);
  std::vector<storage::SeriesPoint> valLoss, valAccuracy;
  for (const engine::EpochSummary& s : update.epochs) {
    valLoss.push_back(
        {.step = s.step, .epoch = s.epoch, .wallTime = s.wallSeconds, .value = s.valLoss});
    valAccuracy.push_back(
        {.step = s.step, .epoch = s.epoch, .wallTime = s.wallSeconds, .value = s.valAccuracy});
    m_lossChart->setBestEpoch(s.bestEpoch);
    m_accuracyChart->setBestEpoch(s.bestEpoch);
    appendLog(tr("Epoch %1/%2 · loss %3 · accuracy %4 · val_loss %5 · val_accuracy %6 · %7 s · "
                 "%8 samples/s%9")
                  .arg(s.epoch)
                  .arg(s.epochs)
                  .arg(s.trainLoss, 0, 'f', 4)
                  .arg(s.trainAccuracy, 0, 'f', 4)
                  .arg(s.valLoss, 0, 'f', 4)
                  .arg(s.valAccuracy, 0, 'f', 4)
                  .arg(s.seconds, 0, 'f', 1)
                  .arg(static_cast<qint64>(s.samplesPerSecond))
                  .arg(s.improved ? tr(" · best so far") : QString()));
  }
  m_lossChart->appendValidation(valLoss);
  m_accuracyChart->appendValidation(valAccuracy);
  for (const QString& line : update.logLines)
    appendLog(line);
  m_lossChart->refresh();
  m_accuracyChart->refresh();
  if (!trainingPaused() && m_runId > 0) m_status->setText(tr("Run %1 training").arg(m_runId));
  refreshElapsed();
}

void TrainPage::refreshElapsed() {
  if (!m_elapsed.isValid()) return;
  qint64 pausedMs = m_pausedMs + (m_pausedSince.isValid() ? m_pausedSince.elapsed() : 0);
  const double seconds = (m_elapsed.elapsed() - pausedMs) / 1000.0;
  const int64_t total = m_stepsPerEpoch * m_epochs;
  QString eta = QStringLiteral("–");
  if (m_lastStep > 0 && total > m_lastStep)
    eta = QString::fromStdString(
        series::formatDuration(seconds / static_cast<double>(m_lastStep) * (total - m_lastStep)));
  m_timing->setText(tr("elapsed %1 · ETA %2 · %3 samples/s")
                        .arg(QString::fromStdString(series::formatDuration(seconds)), eta,
                             QString::fromStdString(engine::formatThousands(
                                 static_cast<int64_t>(m_samplesPerSecond)))));
}

void TrainPage::onFinished(const TrainingResult& result) {
  m_clock->stop();
  refreshElapsed();
  m_elapsed.invalidate();
  m_pausedSince.invalidate();
  m_progress->setRange(0, 1);
  m_progress->setValue(result.status == QLatin1String("completed") ? 1 : 0);
  if (result.status == QLatin1String("completed")) {
    m_progress->setFormat(tr("completed"));
    m_status->setText(
        result.stoppedEarly
            ? tr("Run %1 completed: stopped early after %2 epochs, best epoch %3")
                  .arg(result.runId)
                  .arg(result.epochsDone)
                  .arg(result.bestEpoch)
            : tr("Run %1 completed after %2 epochs").arg(result.runId).arg(result.epochsDone));
  } else if (result.status == QLatin1String("cancelled")) {
    m_progress->setFormat(tr("stopped"));
    m_status->setText(tr("Run %1 stopped: stored as cancelled after %2 complete epoch(s)")
                          .arg(result.runId)
                          .arg(result.epochsDone));
  } else {
    m_progress->setFormat(result.status);
    m_status->setText(result.runId > 0 ? tr("Run %1 failed: %2").arg(result.runId).arg(result.error)
                                       : tr("Could not start: %1").arg(result.error));
  }
  appendLog(m_status->text());
  showResults(result);
  updateButtons();
  Q_EMIT trainingFinished(result.runId, result.status);
}

void TrainPage::showResults(const TrainingResult& result) {
  m_results->setMetrics(result.finalMetrics);
  if (result.runId <= 0 || m_storePath.isEmpty() || result.finalMetrics.empty()) return;
  try {
    const storage::RunQuery query(m_storePath.toStdString());
    for (const storage::ConfusionMatrix& matrix : query.confusionMatrices(result.runId)) {
      if (matrix.split == "test") m_results->setMatrix(matrix);
    }
  } catch (const std::exception& error) {
    appendLog(tr("The confusion matrix could not be read: %1").arg(error.what()));
  }
  m_tabs->setCurrentIndex(1);
}

void TrainPage::appendLog(const QString& line) {
  m_log->appendPlainText(line);
}

ConfusionMatrixView* TrainPage::confusionView() const {
  return m_results->confusionView();
}

QString TrainPage::statusText() const {
  return m_status->text();
}

QString TrainPage::logText() const {
  return m_log->toPlainText();
}

}  // namespace layerlab::ui
