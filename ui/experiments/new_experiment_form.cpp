// The New Experiment dialog's form read back as an engine::ExperimentSpec, its check and its
// estimate.
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>

#include <cmath>

#include "ui/experiments/experiment_estimate.h"
#include "ui/experiments/new_experiment_dialog.h"

namespace layerlab::ui {
namespace {

QString cellText(const QTableWidget* table, int row, int column) {
  const QTableWidgetItem* item = table->item(row, column);
  return item ? item->text().trimmed() : QString();
}

QString formatDuration(double seconds) {
  if (seconds < 90) return NewExperimentDialog::tr("%1 s").arg(std::ceil(seconds));
  if (seconds < 5400) return NewExperimentDialog::tr("%1 min").arg(std::ceil(seconds / 60));
  return NewExperimentDialog::tr("%1 h").arg(seconds / 3600, 0, 'f', 1);
}

}  // namespace

QString NewExperimentDialog::experimentName() const {
  return m_name->text().trimmed();
}

QString NewExperimentDialog::errorText() const {
  return m_error->text();
}

QString NewExperimentDialog::estimateText() const {
  return m_estimate->text();
}

// One row as the CLI's --param flag would say it, read by the engine's own parser.
std::optional<engine::ParamDomain> NewExperimentDialog::rowDomain(int row, QString* error) const {
  const QString key = cellText(m_space, row, KeyColumn);
  const QString values = cellText(m_space, row, ValuesColumn);
  const QString high = cellText(m_space, row, HighColumn);
  const auto* kindBox = qobject_cast<QComboBox*>(m_space->cellWidget(row, KindColumn));
  const QString kind = kindBox ? kindBox->currentText() : QStringLiteral("list");
  const bool log =
      m_space->item(row, LogColumn) && m_space->item(row, LogColumn)->checkState() == Qt::Checked;
  if (key.isEmpty()) {
    *error = tr("Row %1 has no key.").arg(row + 1);
    return std::nullopt;
  }
  QString flag = key + QLatin1Char('=');
  if (kind == QStringLiteral("list")) {
    flag += values;
  } else {
    if (kind == QStringLiteral("int")) flag += QStringLiteral("int:");
    if (log) flag += QStringLiteral("log:");
    flag += values + QStringLiteral("..") + high;
  }
  try {
    return engine::parseParamFlag(flag.toStdString());
  } catch (const std::exception& refusal) {
    *error = QString::fromUtf8(refusal.what());
    return std::nullopt;
  }
}

std::optional<engine::ExperimentSpec> NewExperimentDialog::draftSpec(QString* error) const {
  engine::ExperimentSpec spec;
  spec.base.model = m_base.model;
  spec.base.train = m_base.train;
  spec.base.train["epochs"] = m_epochs->value();
  spec.data = m_base.data;
  spec.data["limit"] = m_limit->value();
  for (int row = 0; row < m_space->rowCount(); ++row) {
    std::optional<engine::ParamDomain> domain = rowDomain(row, error);
    if (!domain) return std::nullopt;
    spec.space.params.push_back(std::move(*domain));
  }
  if (spec.space.params.empty()) {
    *error = tr("Add at least one parameter to search.");
    return std::nullopt;
  }
  spec.strategy = m_strategy->currentText().toStdString();
  spec.trials = m_trials->value();
  spec.parallel = m_parallel->value();
  spec.earlyStop.rule = m_earlyStop->currentText().toStdString();
  spec.objective.metric = m_objective->currentText().toStdString();
  spec.objective.direction = m_objective->currentText().endsWith(QStringLiteral("loss"))
                                 ? engine::Direction::Minimize
                                 : engine::Direction::Maximize;
  return spec;
}

std::optional<engine::ExperimentSpec> NewExperimentDialog::spec(QString* error) const {
  std::optional<engine::ExperimentSpec> draft = draftSpec(error);
  if (!draft) return std::nullopt;
  try {
    // The engine's own reading: every key is tried on the base, so a typo is named here.
    return engine::experimentSpecFromJson(engine::toJson(*draft));
  } catch (const std::exception& refusal) {
    *error = QString::fromUtf8(refusal.what());
    return std::nullopt;
  }
}

void NewExperimentDialog::updateEstimate() {
  QString error;
  const std::optional<engine::ExperimentSpec> draft = draftSpec(&error);
  if (!draft) {
    m_estimate->setText(tr("Trials and time: %1").arg(error));
    return;
  }
  const int trials = engine::trialBudget(*draft);
  const std::optional<double> seconds =
      estimateExperimentSeconds(*draft, std::max(1, QThread::idealThreadCount()));
  m_estimate->setText(
      seconds ? tr("%1 trials; an estimate of the whole experiment's time: about %2 (from the "
                   "model's multiply-adds per sample, the samples and the epochs; early stopping "
                   "makes it shorter).")
                    .arg(trials)
                    .arg(formatDuration(*seconds))
              : tr("%1 trials; no time estimate (the data's size is known once it is read).")
                    .arg(trials));
}

void NewExperimentDialog::create() {
  QString error;
  const std::optional<engine::ExperimentSpec> checked = spec(&error);
  m_error->setText(error);
  if (!checked) return;
  if (experimentName().isEmpty()) {
    m_error->setText(tr("The experiment needs a name."));
    return;
  }
  Q_EMIT createRequested(experimentName(), QString::fromStdString(engine::toJson(*checked).dump()));
  accept();
}

}  // namespace layerlab::ui
