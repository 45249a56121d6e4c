#include "ui/data/csv_import_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "engine/data/csv_reader.h"
#include "engine/data/idx_reader.h"

namespace layerlab::ui {
namespace {

// The line a reader message names ("… line 4, column 2: …"), or 0.
int lineIn(const QString& message) {
  static const QRegularExpression pattern(QStringLiteral("\\bline (\\d+)"));
  const QRegularExpressionMatch match = pattern.match(message);
  return match.hasMatch() ? match.captured(1).toInt() : 0;
}

QString delimiterName(char delimiter) {
  switch (delimiter) {
    case '\t':
      return QObject::tr("tab");
    case ';':
      return QObject::tr("semicolon");
    case ',':
      return QObject::tr("comma");
    default:
      return QString(QChar(delimiter));
  }
}

QStringList featureColumns(const engine::CsvTable& table) {
  QStringList columns;
  for (const std::string& feature : table.featureNames)
    columns << QString::fromStdString(feature);
  return columns;
}

// The summary line of a table that reads cleanly; `truncated` when only the first
// kPreviewBytes were read.
QString summaryOf(const engine::CsvTable& table, bool truncated) {
  QStringList classes;
  for (const std::string& c : table.classNames)
    classes << QString::fromStdString(c);
  return table.task == "classification"
             ? CsvImportDialog::tr(
                   "%1 rows%2 · %3 feature columns · delimiter: %4 · label '%5': %6 classes (%7)")
                   .arg(table.rows)
                   .arg(truncated ? CsvImportDialog::tr(" in the first MiB") : QString())
                   .arg(table.featureNames.size())
                   .arg(delimiterName(table.delimiter), QString::fromStdString(table.labelName))
                   .arg(classes.size())
                   .arg(classes.mid(0, 8).join(QStringLiteral(", ")) +
                        (classes.size() > 8 ? QStringLiteral(", …") : QString()))
             : CsvImportDialog::tr(
                   "%1 rows%2 · %3 feature columns · delimiter: %4 · label '%5': a number "
                   "(regression)")
                   .arg(table.rows)
                   .arg(truncated ? CsvImportDialog::tr(" in the first MiB") : QString())
                   .arg(table.featureNames.size())
                   .arg(delimiterName(table.delimiter), QString::fromStdString(table.labelName));
}

// The feature columns (the first twelve) and the label with its kind.
QString columnsOf(const engine::CsvTable& table, const QStringList& columns) {
  return CsvImportDialog::tr("Columns: %1 — numbers; %2 — the label (%3)")
      .arg(columns.mid(0, 12).join(QStringLiteral(", ")) +
               (columns.size() > 12 ? QStringLiteral(", …") : QString()),
           QString::fromStdString(table.labelName),
           table.task == "classification" ? CsvImportDialog::tr("classes")
                                          : CsvImportDialog::tr("number"));
}

}  // namespace

CsvImportDialog::CsvImportDialog(const QString& path, QWidget* parent)
    : QDialog(parent), m_path(path) {
  setObjectName(QStringLiteral("csvImportDialog"));
  setWindowTitle(tr("Import %1").arg(QFileInfo(path).fileName()));
  QFile file(path);
  if (file.open(QIODevice::ReadOnly)) m_text = file.read(kPreviewBytes);

  QFormLayout* form = buildOptionsForm();
  buildLinesTable();
  buildSummary();
  buildButtons();

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(m_lines, 1);
  layout->addWidget(m_summary);
  layout->addWidget(m_columns);
  layout->addWidget(m_buttons);
  resize(760, 560);

  connectOptions();
  recheck();
}

QFormLayout* CsvImportDialog::buildOptionsForm() {
  m_delimiter = new QComboBox(this);
  m_delimiter->addItem(tr("Detect"), QStringLiteral("auto"));
  m_delimiter->addItem(tr("Comma ( , )"), QStringLiteral(","));
  m_delimiter->addItem(tr("Semicolon ( ; )"), QStringLiteral(";"));
  m_delimiter->addItem(tr("Tab"), QStringLiteral("\t"));
  m_header = new QComboBox(this);
  m_header->addItem(tr("Detect"), QStringLiteral("auto"));
  m_header->addItem(tr("First line names the columns"), QStringLiteral("yes"));
  m_header->addItem(tr("No header"), QStringLiteral("no"));
  m_skipRows = new QSpinBox(this);
  m_skipRows->setRange(0, 1000);
  m_label = new QComboBox(this);
  m_label->setObjectName(QStringLiteral("labelColumn"));
  m_missing = new QComboBox(this);
  m_missing->addItem(tr("Are an error"), QStringLiteral("error"));
  m_missing->addItem(tr("Drop the row"), QStringLiteral("drop"));
  m_missing->addItem(tr("Fill with the training mean"), QStringLiteral("mean"));

  auto* form = new QFormLayout();
  form->addRow(tr("Delimiter"), m_delimiter);
  form->addRow(tr("Header"), m_header);
  form->addRow(tr("Lines to skip"), m_skipRows);
  form->addRow(tr("Label column"), m_label);
  form->addRow(tr("Missing values"), m_missing);
  return form;
}

void CsvImportDialog::buildLinesTable() {
  m_lines = new QTableWidget(this);
  m_lines->setObjectName(QStringLiteral("csvLines"));
  m_lines->setColumnCount(1);
  m_lines->setHorizontalHeaderLabels({tr("The file as it is")});
  m_lines->horizontalHeader()->setStretchLastSection(true);
  m_lines->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_lines->setSelectionBehavior(QAbstractItemView::SelectRows);
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  m_lines->setFont(mono);
  const QList<QByteArray> lines = m_text.split('\n');
  const int shown = std::min<int>(kPreviewLines, static_cast<int>(lines.size()));
  m_lines->setRowCount(shown);
  for (int i = 0; i < shown; ++i) {
    QString line = QString::fromUtf8(lines[i]);
    line.remove(QLatin1Char('\r'));
    m_lines->setItem(i, 0, new QTableWidgetItem(line));
  }
}

void CsvImportDialog::buildSummary() {
  m_summary = new QLabel(this);
  m_summary->setObjectName(QStringLiteral("csvSummary"));
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_columns = new QLabel(this);
  m_columns->setWordWrap(true);
}

void CsvImportDialog::buildButtons() {
  m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void CsvImportDialog::connectOptions() {
  for (QComboBox* combo : {m_delimiter, m_header, m_label, m_missing})
    connect(combo, &QComboBox::currentIndexChanged, this, [this] {
      if (!m_updatingLabels) recheck();
    });
  connect(m_skipRows, &QSpinBox::valueChanged, this, &CsvImportDialog::recheck);
}

engine::CsvOptions CsvImportDialog::options() const {
  engine::CsvOptions options;
  options.delimiter = m_delimiter->currentData().toString().toStdString();
  options.header = m_header->currentData().toString().toStdString();
  options.skipRows = m_skipRows->value();
  options.missing = m_missing->currentData().toString().toStdString();
  const QVariant label = m_label->currentData();
  if (label.typeId() == QMetaType::QString) {
    options.label = label.toString().toStdString();
  } else if (label.isValid()) {
    options.label = static_cast<int64_t>(label.toLongLong());
  }
  return options;
}

void CsvImportDialog::setOptions(const engine::CsvOptions& options) {
  m_updatingLabels = true;
  m_delimiter->setCurrentIndex(
      std::max(0, m_delimiter->findData(QString::fromStdString(options.delimiter))));
  m_header->setCurrentIndex(
      std::max(0, m_header->findData(QString::fromStdString(options.header))));
  m_skipRows->setValue(static_cast<int>(options.skipRows));
  m_missing->setCurrentIndex(
      std::max(0, m_missing->findData(QString::fromStdString(options.missing))));
  m_updatingLabels = false;
  recheck();
  if (const auto* name = std::get_if<std::string>(&options.label)) {
    const QString column = QString::fromStdString(*name);
    if (m_label->findData(column) < 0) m_label->addItem(column, column);
    m_label->setCurrentIndex(m_label->findData(column));
  } else {
    const int index =
        m_label->findData(QVariant::fromValue<qlonglong>(std::get<int64_t>(options.label)));
    if (index >= 0) m_label->setCurrentIndex(index);
  }
}

void CsvImportDialog::fillLabelChoices(const QStringList& names) {
  const QVariant chosen = m_label->currentData();
  m_updatingLabels = true;
  m_label->clear();
  m_label->addItem(tr("The last column"), QVariant::fromValue<qlonglong>(-1));
  for (int i = 0; i < names.size(); ++i)
    m_label->addItem(tr("%1 (column %2)").arg(names[i]).arg(i + 1), names[i]);
  const int index = chosen.isValid() ? m_label->findData(chosen) : 0;
  m_label->setCurrentIndex(std::max(0, index));
  m_updatingLabels = false;
}

void CsvImportDialog::recheck() {
  m_error.clear();
  m_errorLine = 0;
  engine::CsvReadConfig config;
  config.options = options();
  const std::string name = QFileInfo(m_path).fileName().toStdString();
  try {
    const engine::CsvTable table = engine::parseCsv(
        std::string_view(m_text.constData(), static_cast<size_t>(m_text.size())), name, config);
    const QStringList columns = featureColumns(table);
    QStringList all = columns;
    all << QString::fromStdString(table.labelName);
    offerLabelColumns(all, table.hasHeader);
    const bool truncated = m_text.size() >= kPreviewBytes;
    m_summary->setText(summaryOf(table, truncated));
    m_summary->setStyleSheet(QString());
    m_columns->setText(columnsOf(table, columns));
  } catch (const engine::DataError& error) {
    m_error = QString::fromUtf8(error.what());
    m_errorLine = lineIn(m_error);
    m_summary->setText(m_error);
    m_summary->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
    m_columns->clear();
  }
  markErrorLine();
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(acceptable());
}

// Names the columns once: by the header when there is one, else by number. Later checks keep
// the choices, so a chosen label survives changes of the other options.
void CsvImportDialog::offerLabelColumns(const QStringList& all, bool hasHeader) {
  if (m_label->count() <= 1 && hasHeader) {
    fillLabelChoices(all);
  } else if (m_label->count() == 0) {
    QStringList numbered;
    for (int i = 0; i < all.size(); ++i)
      numbered << tr("column %1").arg(i + 1);
    m_updatingLabels = true;
    m_label->addItem(tr("The last column"), QVariant::fromValue<qlonglong>(-1));
    for (int i = 0; i < all.size(); ++i)
      m_label->addItem(numbered[i], QVariant::fromValue<qlonglong>(i));
    m_updatingLabels = false;
  }
}

// Marks the line the error names among the file's lines and scrolls to it; clears the mark of
// a line that is no longer wrong.
void CsvImportDialog::markErrorLine() {
  for (int row = 0; row < m_lines->rowCount(); ++row) {
    QTableWidgetItem* item = m_lines->item(row, 0);
    const bool bad = row + 1 == m_errorLine;
    item->setBackground(bad ? QColor(231, 76, 60, 90) : QBrush());
    item->setToolTip(bad ? m_error : QString());
  }
  if (m_errorLine > 0 && m_errorLine <= m_lines->rowCount()) {
    m_lines->selectRow(m_errorLine - 1);
    m_lines->scrollToItem(m_lines->item(m_errorLine - 1, 0));
  }
  m_lines->verticalHeader()->setVisible(true);
}

bool CsvImportDialog::acceptable() const {
  return m_error.isEmpty() && !m_text.isEmpty();
}

QString CsvImportDialog::summaryText() const {
  return m_summary->text();
}

}  // namespace layerlab::ui
