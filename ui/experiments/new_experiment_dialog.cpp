#include "ui/experiments/new_experiment_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/model/model_spec.h"

namespace layerlab::ui {
namespace {

constexpr int kMaxLimit = 10'000'000;
constexpr int kMaxEpochs = 10'000;
const QStringList kKinds = {QStringLiteral("list"), QStringLiteral("int"), QStringLiteral("real")};
const QStringList kObjectives = {QStringLiteral("val_accuracy"), QStringLiteral("val_loss"),
                                 QStringLiteral("train_accuracy"), QStringLiteral("train_loss")};

}  // namespace

NewExperimentDialog::NewExperimentDialog(ExperimentBaseDocuments base, QWidget* parent)
    : QDialog(parent), m_base(std::move(base)) {
  setObjectName(QStringLiteral("newExperimentDialog"));
  setWindowTitle(tr("New Experiment"));
  m_estimate = new QLabel(this);
  m_estimate->setObjectName(QStringLiteral("experimentEstimate"));
  m_estimate->setWordWrap(true);
  m_error = new QLabel(this);
  m_error->setObjectName(QStringLiteral("experimentError"));
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color: #a02020;"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  QPushButton* create = buttons->addButton(tr("Create and Start"), QDialogButtonBox::AcceptRole);
  create->setObjectName(QStringLiteral("createExperimentButton"));
  disconnect(buttons, &QDialogButtonBox::accepted, nullptr, nullptr);
  connect(create, &QPushButton::clicked, this, &NewExperimentDialog::create);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(buildBaseBox());
  layout->addWidget(buildSpaceBox(), 1);
  layout->addWidget(buildSearchBox());
  layout->addWidget(m_estimate);
  layout->addWidget(m_error);
  layout->addWidget(buttons);
  resize(720, 640);
  updateEstimate();
}

QWidget* NewExperimentDialog::buildBaseBox() {
  auto* box = new QGroupBox(tr("Base run"), this);
  m_name = new QLineEdit(
      QString::fromStdString(m_base.model.value("name", "model")) + tr(" search"), box);
  m_name->setObjectName(QStringLiteral("experimentName"));
  m_modelLabel = new QLabel(box);
  m_modelLabel->setText(tr("%1 (the model open in the Model place)")
                            .arg(QString::fromStdString(m_base.model.value("name", "model"))));
  auto* file = new QPushButton(tr("Model File\u2026"), box);
  connect(file, &QPushButton::clicked, this, &NewExperimentDialog::chooseModelFile);
  auto* modelRow = new QHBoxLayout;
  modelRow->addWidget(m_modelLabel, 1);
  modelRow->addWidget(file);
  m_limit = new QSpinBox(box);
  m_limit->setObjectName(QStringLiteral("experimentLimit"));
  m_limit->setRange(0, kMaxLimit);
  m_limit->setSpecialValueText(tr("all"));
  m_limit->setValue(static_cast<int>(m_base.data.value("limit", 0)));
  m_epochs = new QSpinBox(box);
  m_epochs->setObjectName(QStringLiteral("experimentEpochs"));
  m_epochs->setRange(1, kMaxEpochs);
  m_epochs->setValue(m_base.train.value("epochs", 10));
  auto* form = new QFormLayout(box);
  form->addRow(tr("Name:"), m_name);
  form->addRow(tr("Model:"), modelRow);
  form->addRow(tr("Data:"), new QLabel(QString::fromStdString(
                                m_base.data.value("source", std::string("fashion-mnist")))));
  form->addRow(tr("Samples (0 = all):"), m_limit);
  form->addRow(tr("Epochs per trial:"), m_epochs);
  for (QSpinBox* spin : {m_limit, m_epochs})
    connect(spin, &QSpinBox::valueChanged, this, &NewExperimentDialog::updateEstimate);
  return box;
}

QWidget* NewExperimentDialog::buildSpaceBox() {
  auto* box = new QGroupBox(tr("Search space"), this);
  m_space = new QTableWidget(0, 5, box);
  m_space->setObjectName(QStringLiteral("searchSpaceTable"));
  m_space->setHorizontalHeaderLabels(
      {tr("Key"), tr("Kind"), tr("Values, or low"), tr("High"), tr("Log")});
  m_space->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_space->horizontalHeader()->setSectionResizeMode(KindColumn, QHeaderView::ResizeToContents);
  m_space->horizontalHeader()->setSectionResizeMode(LogColumn, QHeaderView::ResizeToContents);
  m_space->verticalHeader()->hide();
  m_space->setToolTip(
      tr("Keys: a training setting (lr, batch_size, weight_decay, …) or a "
         "layer's parameter as <node id>.<parameter> (fc1.units)."));
  connect(m_space, &QTableWidget::itemChanged, this, &NewExperimentDialog::updateEstimate);
  auto* add = new QPushButton(tr("Add Parameter"), box);
  add->setObjectName(QStringLiteral("addParameterButton"));
  connect(add, &QPushButton::clicked, this,
          [this] { addParameter(QString(), QStringLiteral("list"), QString()); });
  auto* remove = new QPushButton(tr("Remove Parameter"), box);
  connect(remove, &QPushButton::clicked, this, [this] {
    if (m_space->currentRow() >= 0) m_space->removeRow(m_space->currentRow());
    updateEstimate();
  });
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(remove);
  buttons->addStretch(1);
  auto* layout = new QVBoxLayout(box);
  layout->addWidget(m_space, 1);
  layout->addLayout(buttons);
  return box;
}

QWidget* NewExperimentDialog::buildSearchBox() {
  auto* box = new QGroupBox(tr("Search"), this);
  m_strategy = new QComboBox(box);
  m_strategy->setObjectName(QStringLiteral("experimentStrategy"));
  for (const char* strategy : engine::kExperimentStrategies)
    m_strategy->addItem(QString::fromLatin1(strategy));
  m_strategy->setCurrentText(QStringLiteral("random"));
  m_trials = new QSpinBox(box);
  m_trials->setObjectName(QStringLiteral("experimentTrials"));
  m_trials->setRange(1, engine::kMaxTrials);
  m_trials->setValue(10);
  m_parallel = new QSpinBox(box);
  m_parallel->setObjectName(QStringLiteral("experimentParallel"));
  m_parallel->setRange(1, engine::kMaxParallel);
  m_earlyStop = new QComboBox(box);
  m_earlyStop->setObjectName(QStringLiteral("experimentEarlyStop"));
  m_earlyStop->addItems({QStringLiteral("none"), QStringLiteral("asha"), QStringLiteral("median")});
  m_objective = new QComboBox(box);
  m_objective->setObjectName(QStringLiteral("experimentObjective"));
  m_objective->addItems(kObjectives);
  auto* form = new QFormLayout(box);
  form->addRow(tr("Strategy:"), m_strategy);
  form->addRow(tr("Trials:"), m_trials);
  form->addRow(tr("Side by side:"), m_parallel);
  form->addRow(tr("Early stop:"), m_earlyStop);
  form->addRow(tr("Objective:"), m_objective);
  for (QSpinBox* spin : {m_trials, m_parallel})
    connect(spin, &QSpinBox::valueChanged, this, &NewExperimentDialog::updateEstimate);
  connect(m_strategy, &QComboBox::currentIndexChanged, this, &NewExperimentDialog::updateEstimate);
  return box;
}

void NewExperimentDialog::addParameter(const QString& key, const QString& kind,
                                       const QString& valuesOrLow, const QString& high, bool log) {
  const QSignalBlocker blocker(m_space);
  const int row = m_space->rowCount();
  m_space->insertRow(row);
  m_space->setItem(row, KeyColumn, new QTableWidgetItem(key));
  auto* kinds = new QComboBox(m_space);
  kinds->addItems(kKinds);
  kinds->setCurrentText(kind);
  connect(kinds, &QComboBox::currentIndexChanged, this, &NewExperimentDialog::updateEstimate);
  m_space->setCellWidget(row, KindColumn, kinds);
  m_space->setItem(row, ValuesColumn, new QTableWidgetItem(valuesOrLow));
  m_space->setItem(row, HighColumn, new QTableWidgetItem(high));
  auto* logItem = new QTableWidgetItem;
  logItem->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  logItem->setCheckState(log ? Qt::Checked : Qt::Unchecked);
  m_space->setItem(row, LogColumn, logItem);
  updateEstimate();
}

void NewExperimentDialog::chooseModelFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Base model"), QString(),
                                                    tr("Models (*.layerlab.json *.json)"));
  if (path.isEmpty()) return;
  const engine::ModelParseResult parsed = engine::loadModelSpec(path.toStdString());
  if (!parsed.spec) {
    m_error->setText(tr("%1 is not a model: %2")
                         .arg(path, parsed.problems.empty()
                                        ? QString()
                                        : QString::fromStdString(parsed.problems[0].describe())));
    return;
  }
  m_base.model = engine::toJson(*parsed.spec);
  m_modelLabel->setText(path);
  updateEstimate();
}

}  // namespace layerlab::ui
