#include "ui/runs/runs_filter_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

#include <algorithm>
#include <stdexcept>

#include "ui/runs/run_format.h"

namespace layerlab::ui {
namespace {

bool sameStoreFilter(const storage::RunFilter& a, const storage::RunFilter& b) {
  return a.statuses == b.statuses && a.tags == b.tags && a.params.size() == b.params.size() &&
         std::equal(a.params.begin(), a.params.end(), b.params.begin(),
                    [](const auto& x, const auto& y) {
                      return x.key == y.key && x.op == y.op && x.value == y.value;
                    });
}

}  // namespace

RunsFilterBar::RunsFilterBar(QWidget* parent) : QWidget(parent) {
  auto* title = new QLabel(tr("Runs"), this);
  QFont font = title->font();
  font.setPointSizeF(font.pointSizeF() * 1.6);
  font.setBold(true);
  title->setFont(font);
  m_count = new QLabel(this);
  m_count->setObjectName(QStringLiteral("runsCount"));
  m_count->setForegroundRole(QPalette::PlaceholderText);

  m_filter = new QLineEdit(this);
  m_filter->setObjectName(QStringLiteral("runsFilter"));
  m_filter->setPlaceholderText(
      tr("Filter: text, status:failed, tag:baseline, lr<0.01, optimizer=adam"));
  m_tip =
      tr("Words filter the rows by any column. status:NAME[,NAME] and tag:NAME select by "
         "status and tag; KEY OP VALUE (= != < <= > >= ~) compares a parameter, e.g. lr<0.01, "
         "optimizer=adam, batch_size>=64, dataset.source=csv.");
  m_filter->setToolTip(m_tip);
  m_filter->setClearButtonEnabled(true);
  m_filter->setMinimumWidth(380);
  connect(m_filter, &QLineEdit::textChanged, this, &RunsFilterBar::applyText);

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addWidget(title, 0, Qt::AlignBaseline);
  layout->addWidget(m_count, 0, Qt::AlignBaseline);
  layout->addStretch(1);
  layout->addWidget(m_filter);
}

void RunsFilterBar::setCounts(int shown, int64_t all) {
  // With nothing to filter or count, the empty state speaks for itself.
  m_filter->setVisible(all > 0);
  m_count->setVisible(all > 0);
  const QString total = all == 1 ? tr("1 run") : tr("%1 runs").arg(all);
  m_count->setText(shown == all ? total : tr("%1 of %2").arg(shown).arg(total));
}

void RunsFilterBar::hideFilter() {
  m_count->hide();
  m_filter->hide();
}

void RunsFilterBar::applyText() {
  storage::RunFilter filter;
  try {
    filter = storage::parseRunFilterText(m_filter->text().toStdString());
    m_error.clear();
    m_filter->setStyleSheet(QString());
    m_filter->setToolTip(m_tip);
  } catch (const std::invalid_argument& error) {
    // Half a condition filters nothing: the list stays whole until the expression reads.
    showError(QString::fromUtf8(error.what()));
    filter = {};
  }
  const QString text = QString::fromStdString(filter.text);
  filter.text.clear();
  const bool storeChanged = !sameStoreFilter(filter, m_storeFilter);
  m_storeFilter = std::move(filter);
  m_textFilter = text;
  Q_EMIT filterChanged(storeChanged);
}

void RunsFilterBar::showError(const QString& message) {
  m_error = message;
  m_filter->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid %1; }")
                              .arg(runStatusColor(storage::RunStatus::Failed).name()));
  m_filter->setToolTip(tr("This filter is incomplete, so every run is shown: %1").arg(message));
}

}  // namespace layerlab::ui
