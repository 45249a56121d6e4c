#include "ui/training/train_settings.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"
#include "ui/training/lr_preview.h"

namespace layerlab::ui {
namespace {

constexpr int64_t kFashionMnistTrainSamples = 54000;  // for the lr preview before a run

QComboBox* makeCombo(const QStringList& items, QWidget* parent) {
  auto* combo = new QComboBox(parent);
  combo->addItems(items);
  return combo;
}

QString problemLines(const std::vector<engine::ModelProblem>& problems) {
  QStringList lines;
  for (const engine::ModelProblem& problem : problems)
    lines << QString::fromStdString(problem.describe());
  return lines.join(QLatin1Char('\n'));
}

}  // namespace

QString describeData(const engine::DatasetSpec& spec) {
  if (spec.source == engine::kFashionMnist) {
    return spec.limit > 0 ? QObject::tr("Fashion-MNIST, first %1 samples").arg(spec.limit)
                          : QObject::tr("Fashion-MNIST (built in)");
  }
  const QString name = QFileInfo(QString::fromStdString(spec.path)).fileName();
  return QStringLiteral("%1: %2").arg(QString::fromStdString(spec.source), name);
}

TrainSettings::TrainSettings(QWidget* parent) : QWidget(parent) {
  auto* dataBox = new QGroupBox(tr("Data"), this);
  auto* dataLayout = new QVBoxLayout(dataBox);
  m_dataInfo = new QLabel(dataBox);
  m_dataInfo->setWordWrap(true);
  dataLayout->addWidget(m_dataInfo);
  auto* column = new QVBoxLayout(this);
  column->setContentsMargins(0, 0, 0, 0);
  column->addWidget(buildModelBox());
  column->addWidget(dataBox);
  column->addWidget(buildTrainingBox());
  fillDevices({});
  setTrainConfig(engine::TrainConfig{});
  for (QDoubleSpinBox* spin : {m_lr, m_weightDecay})
    connect(spin, &QDoubleSpinBox::valueChanged, this, &TrainSettings::updateLrPreview);
  for (QSpinBox* spin : {m_batchSize, m_epochsSpin})
    connect(spin, &QSpinBox::valueChanged, this, &TrainSettings::updateLrPreview);
  connect(m_schedule, &QComboBox::currentIndexChanged, this, &TrainSettings::updateLrPreview);
  loadTemplates();
  setDataset(engine::DatasetSpec{});
}

QWidget* TrainSettings::buildModelBox() {
  auto* box = new QGroupBox(tr("Model"), this);
  auto* layout = new QVBoxLayout(box);
  auto* row = new QHBoxLayout();
  m_modelCombo = new QComboBox(box);
  m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
  auto* open = new QPushButton(tr("Open\u2026"), box);
  open->setToolTip(tr("Train a model saved as a *.layerlab.json file"));
  row->addWidget(m_modelCombo, 1);
  row->addWidget(open);
  layout->addLayout(row);
  m_modelInfo = new QLabel(box);
  m_modelInfo->setWordWrap(true);
  m_modelInfo->setObjectName(QStringLiteral("modelInfo"));
  layout->addWidget(m_modelInfo);
  connect(m_modelCombo, &QComboBox::activated, this, [this](int index) {
    const QString path = m_modelCombo->itemData(index).toString();
    if (path == QLatin1String(kEditorEntry)) {
      if (m_editorModel) setModel(*m_editorModel);
    } else if (!path.isEmpty()) {
      openModelFile(path);
    }
  });
  connect(open, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a model"), QString(), tr("LayerLab models (*.layerlab.json *.json)"));
    if (!path.isEmpty()) openModelFile(path);
  });
  return box;
}

QWidget* TrainSettings::buildTrainingBox() {
  auto* box = new QGroupBox(tr("Training"), this);
  m_optimizer = makeCombo({"adam", "adamw", "sgd", "rmsprop"}, box);
  m_lr = new QDoubleSpinBox(box);
  m_lr->setDecimals(6);
  m_lr->setRange(1e-6, 10.0);
  m_lr->setSingleStep(0.0001);
  m_lr->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
  m_schedule = makeCombo({"constant", "step", "cosine", "plateau"}, box);
  m_lrPreview = new LrPreview(box);
  m_batchSize = new QSpinBox(box);
  m_batchSize->setRange(1, 1 << 16);
  m_batchHint = new QLabel(box);
  m_batchHint->setObjectName(QStringLiteral("batchSizeHint"));
  m_batchHint->setWordWrap(true);
  m_epochsSpin = new QSpinBox(box);
  m_epochsSpin->setRange(1, 100000);
  m_loss = makeCombo({"cross_entropy", "bce_with_logits", "mse", "l1", "huber"}, box);
  m_weightDecay = new QDoubleSpinBox(box);
  m_weightDecay->setDecimals(6);
  m_weightDecay->setRange(0, 1);
  m_weightDecay->setSingleStep(0.0001);
  m_patience = new QSpinBox(box);
  m_patience->setRange(0, 10000);
  m_patience->setSpecialValueText(tr("off"));
  m_patience->setToolTip(tr("Stop after this many epochs without improvement of the monitor"));
  m_monitor = makeCombo({"val_loss", "val_accuracy", "train_loss", "train_accuracy"}, box);
  m_seed = new QSpinBox(box);
  m_seed->setRange(0, 2147483647);
  m_device = new QComboBox(box);
  m_device->setObjectName(QStringLiteral("deviceChoice"));
  m_runName = new QLineEdit(box);
  m_runName->setObjectName(QStringLiteral("runName"));
  addRows(new QFormLayout(box));
  return box;
}

void TrainSettings::addRows(QFormLayout* form) {
  form->addRow(tr("Optimiser"), m_optimizer);
  form->addRow(tr("Learning rate"), m_lr);
  form->addRow(tr("Schedule"), m_schedule);
  form->addRow(QString(), m_lrPreview);
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
}

void TrainSettings::loadTemplates() {
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

void TrainSettings::setEditorModel(const engine::ModelSpec& model, bool follow) {
  m_editorModel = model;
  if (follow && m_modelCombo->currentData().toString() == QLatin1String(kEditorEntry))
    setModel(model);
}

void TrainSettings::useEditorModel() {
  m_modelCombo->setCurrentIndex(m_modelCombo->findData(QString::fromLatin1(kEditorEntry)));
  if (m_editorModel) setModel(*m_editorModel);
}

bool TrainSettings::selectTemplate(const QString& name) {
  for (int i = 0; i < m_modelCombo->count(); ++i) {
    const QString path = m_modelCombo->itemData(i).toString();
    if (QFileInfo(path).fileName() == name + QStringLiteral(".layerlab.json")) {
      m_modelCombo->setCurrentIndex(i);
      return openModelFile(path);
    }
  }
  return false;
}

bool TrainSettings::openModelFile(const QString& path) {
  QFile file(path);
  const engine::ModelParseResult parsed = file.open(QIODevice::ReadOnly)
                                              ? engine::parseModelSpec(file.readAll().toStdString())
                                              : engine::ModelParseResult{};
  if (!parsed.spec) {
    m_modelValid = false;
    m_modelInfo->setText(parsed.problems.empty()
                             ? tr("Cannot read %1: %2").arg(path, file.errorString())
                             : tr("%1 cannot be used:\n%2")
                                   .arg(QFileInfo(path).fileName(), problemLines(parsed.problems)));
    Q_EMIT modelChanged();
    return false;
  }
  if (!path.startsWith(QLatin1Char(':'))) {
    if (m_modelCombo->findData(path) < 0)
      m_modelCombo->addItem(tr("File: %1").arg(QFileInfo(path).fileName()), path);
    m_modelCombo->setCurrentIndex(m_modelCombo->findData(path));
  }
  setModel(*parsed.spec);
  return m_modelValid;
}

void TrainSettings::setModel(const engine::ModelSpec& model) {
  m_model = model;
  applySuggestedTraining();
  showModelInfo();
  // A run is named after its model unless the user names it.
  m_runName->setPlaceholderText(
      tr("%1 (the model's name)").arg(QString::fromStdString(m_model.name)));
  updateLrPreview();
  Q_EMIT modelChanged();
}

void TrainSettings::applySuggestedTraining() {
  if (m_model.suggestedTraining.is_null() || m_model.suggestedTraining == m_appliedSuggestions)
    return;
  m_appliedSuggestions = m_model.suggestedTraining;
  try {
    setTrainConfig(engine::withSuggestions(trainConfig(), m_model.suggestedTraining));
  } catch (const std::invalid_argument&) {
    // The parser checked them; a config the form cannot show keeps the form as it is.
  }
}

void TrainSettings::showModelInfo() {
  const engine::ModelAnalysis analysis = engine::analyzeModel(m_model);
  m_modelValid = analysis.ok();
  if (!m_modelValid) {
    m_modelInfo->setText(tr("This model has problems:\n%1").arg(problemLines(analysis.problems)));
    return;
  }
  QString text =
      tr("%1 · input %2 · %3 parameters · %4 layers")
          .arg(QString::fromStdString(m_model.name.empty() ? std::string("model") : m_model.name),
               QString::fromStdString(engine::formatShape(m_model.inputShape)),
               QString::fromStdString(engine::formatThousands(analysis.totalParams)))
          .arg(m_model.nodes.size());
  if (!m_model.suggestedTraining.is_null())
    text += tr("\nThe settings below start from the model's suggested training.");
  m_modelInfo->setText(text);
}

void TrainSettings::fillDevices(const std::vector<DeviceChoice>& choices) {
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

void TrainSettings::setDataset(const engine::DatasetSpec& spec) {
  m_dataset = spec;
  m_dataInfo->setText(describeData(spec) +
                      tr("\nnormalisation: %1 · seed %2 · change it in the Data place")
                          .arg(QString::fromStdString(spec.normalize))
                          .arg(spec.seed));
  updateLrPreview();
}

void TrainSettings::setSuggestedBatchSize(int64_t batch, const QString& hint) {
  m_batchHint->setText(hint);
  if (m_batchSize->value() == m_suggestedBatch) m_batchSize->setValue(static_cast<int>(batch));
  m_suggestedBatch = batch;
}

QString TrainSettings::runName() const {
  return m_runName->text().trimmed();
}

void TrainSettings::setRunName(const QString& name) {
  m_runName->setText(name);
}

engine::TrainConfig TrainSettings::trainConfig() const {
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

void TrainSettings::setTrainConfig(const engine::TrainConfig& c) {
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

void TrainSettings::updateLrPreview() {
  if (m_lrPreview == nullptr || m_batchSize == nullptr) return;
  const int64_t samples = m_dataset.source == engine::kFashionMnist && m_dataset.limit > 0
                              ? static_cast<int64_t>(m_dataset.limit * 0.9)
                              : kFashionMnistTrainSamples;
  m_lrPreview->setSchedule(trainConfig(),
                           (samples + m_batchSize->value() - 1) / m_batchSize->value());
}

void TrainSettings::setEditable(bool editable) {
  for (QWidget* field : std::initializer_list<QWidget*>{
           m_modelCombo, m_optimizer, m_lr, m_schedule, m_batchSize, m_epochsSpin, m_loss,
           m_weightDecay, m_patience, m_monitor, m_seed, m_device, m_runName})
    field->setEnabled(editable);
}

}  // namespace layerlab::ui
