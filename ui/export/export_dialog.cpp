#include "ui/export/export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "ui/worker.h"

namespace layerlab::ui {

// What the worker hands back: a result or the error's text. Written on the worker, read on the
// GUI thread after the worker finished.
struct ExportDialog::Outcome {
  ExportResult result;
  QString error;
};

namespace {

QString problemWithPath(const QString& path) {
  if (path.trimmed().isEmpty()) return ExportDialog::tr("Choose the file to write.");
  const QFileInfo info(path);
  if (info.isDir()) {
    return ExportDialog::tr("%1 is a folder; give a file name such as model.onnx.").arg(path);
  }
  if (!info.absoluteDir().exists()) {
    return ExportDialog::tr("The folder %1 does not exist.")
        .arg(QDir::toNativeSeparators(info.absolutePath()));
  }
  return {};
}

QString valueRows(const QString& role, const std::vector<ExportedValue>& values) {
  QString rows;
  for (const ExportedValue& value : values) {
    rows += QStringLiteral("<tr><td>%1</td><td><b>%2</b></td><td>%3</td><td>%4</td></tr>")
                .arg(role, QString::fromStdString(value.name).toHtmlEscaped(),
                     QString::fromStdString(value.type),
                     QString::fromStdString(value.shape).toHtmlEscaped());
  }
  return rows;
}

}  // namespace

ExportDialog::ExportDialog(qint64 runId, const QString& runName, RunTools& tools, QWidget* parent)
    : QDialog(parent), m_runId(runId), m_tools(tools) {
  setObjectName(QStringLiteral("exportDialog"));
  setWindowTitle(tr("Export run %1 to ONNX").arg(runId));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(buildIntro(runName));
  layout->addLayout(buildForm(runName));
  buildStatus();
  for (QWidget* w : {static_cast<QWidget*>(m_busy), static_cast<QWidget*>(m_status),
                     static_cast<QWidget*>(m_error), static_cast<QWidget*>(m_summary)})
    layout->addWidget(w);
  layout->addStretch(1);
  layout->addWidget(buildButtons());
  resize(560, sizeHint().height());
}

QLabel* ExportDialog::buildIntro(const QString& runName) {
  auto* intro = new QLabel(tr("Writes the trained model of <b>%1</b> (run %2) as an ONNX file "
                              "(opset 17) and keeps a copy with the run.")
                               .arg(runName.toHtmlEscaped())
                               .arg(m_runId),
                           this);
  intro->setWordWrap(true);
  return intro;
}

// The file to write and the checkpoint to take.
QFormLayout* ExportDialog::buildForm(const QString& runName) {
  auto* form = new QFormLayout();
  form->addRow(tr("File:"), buildFileRow(runName));
  m_checkpoint = new QComboBox(this);
  m_checkpoint->setObjectName(QStringLiteral("exportCheckpoint"));
  m_checkpoint->addItem(tr("Best epoch"), QString::fromLatin1(kBestCheckpoint));
  m_checkpoint->addItem(tr("Last epoch"), QString::fromLatin1(kLastCheckpoint));
  m_checkpoint->setToolTip(
      tr("The weights to export: those of the epoch with the best "
         "validation result, or those of the last epoch trained"));
  form->addRow(tr("Checkpoint:"), m_checkpoint);
  return form;
}

// The path, suggested from the run's name, and the Browse button that changes it.
QHBoxLayout* ExportDialog::buildFileRow(const QString& runName) {
  auto* fileRow = new QHBoxLayout();
  m_path = new QLineEdit(this);
  m_path->setObjectName(QStringLiteral("exportPath"));
  // The documents folder when there is one; many machines have none, and a suggestion of a
  // folder that does not exist would fail on Export.
  QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (folder.isEmpty() || !QDir(folder).exists()) folder = QDir::homePath();
  m_path->setText(QDir(folder).filePath(defaultFileName(runName, m_runId)));
  auto* browse = new QPushButton(tr("Browse\u2026"), this);
  browse->setObjectName(QStringLiteral("exportBrowse"));
  fileRow->addWidget(m_path, 1);
  fileRow->addWidget(browse);
  connect(browse, &QPushButton::clicked, this, &ExportDialog::chooseFile);
  return fileRow;
}

// The busy indicator, the status line, the error and the summary of the file written; all but
// the status line stay hidden until an export shows them.
void ExportDialog::buildStatus() {
  m_busy = new QProgressBar(this);
  m_busy->setRange(0, 0);  // no steps to count: a busy indicator
  m_busy->setMaximumHeight(12);
  m_busy->setTextVisible(false);
  m_busy->hide();
  m_status = new QLabel(this);
  m_status->setObjectName(QStringLiteral("exportStatus"));
  m_error = new QLabel(this);
  m_error->setObjectName(QStringLiteral("exportError"));
  m_error->setWordWrap(true);
  m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_error->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
  m_error->hide();
  m_summary = new QLabel(this);
  m_summary->setObjectName(QStringLiteral("exportSummary"));
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_summary->hide();
}

QDialogButtonBox* ExportDialog::buildButtons() {
  auto* buttons = new QDialogButtonBox(this);
  m_exportButton = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
  m_exportButton->setObjectName(QStringLiteral("exportButton"));
  m_exportButton->setDefault(true);
  QPushButton* close = buttons->addButton(QDialogButtonBox::Close);
  close->setObjectName(QStringLiteral("exportClose"));
  connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::startExport);
  connect(close, &QPushButton::clicked, this, &QDialog::reject);
  return buttons;
}

ExportDialog::~ExportDialog() = default;  // m_worker waits for an export under way

QString ExportDialog::path() const {
  return m_path->text();
}

void ExportDialog::setPath(const QString& path) {
  m_path->setText(path);
}

QString ExportDialog::checkpoint() const {
  return m_checkpoint->currentData().toString();
}

void ExportDialog::setCheckpoint(const QString& checkpoint) {
  const int index = m_checkpoint->findData(checkpoint);
  if (index >= 0) m_checkpoint->setCurrentIndex(index);
}

QString ExportDialog::defaultFileName(const QString& runName, qint64 runId) {
  QString name;
  for (const QChar c : runName.trimmed()) {
    const bool plain = (c.isLetterOrNumber() && c.unicode() < 128) || c == u'-' || c == u'_';
    if (plain)
      name += c;
    else if (!name.endsWith(u'_'))
      name += u'_';
  }
  while (name.endsWith(u'_'))
    name.chop(1);
  if (name.isEmpty()) name = QStringLiteral("run_%1").arg(runId);
  return name + QStringLiteral(".onnx");
}

void ExportDialog::chooseFile() {
  const QString chosen = QFileDialog::getSaveFileName(this, tr("Export to ONNX"), path(),
                                                      tr("ONNX models (*.onnx);;All files (*)"));
  if (!chosen.isEmpty()) setPath(chosen);
}

bool ExportDialog::startExport() {
  if (m_worker != nullptr) return false;
  QString target = path().trimmed();
  if (!target.isEmpty() && !QFileInfo(target).isDir() && QFileInfo(target).suffix().isEmpty())
    target += QStringLiteral(".onnx");
  if (const QString problem = problemWithPath(target); !problem.isEmpty()) {
    showError(problem);
    return false;
  }
  target = QFileInfo(target).absoluteFilePath();
  setPath(target);
  m_error->hide();
  m_summary->hide();
  m_busy->show();
  m_status->setText(tr("Exporting\u2026"));
  m_exportButton->setEnabled(false);

  auto outcome = std::make_shared<Outcome>();
  RunTools* tools = &m_tools;
  m_worker = std::make_unique<Worker>(
      this,
      [tools, outcome, runId = m_runId, file = target.toStdString(),
       weights = checkpoint().toStdString()] {
        outcome->result = tools->exportOnnx(runId, file, weights);
      },
      QStringLiteral("the export failed for an unknown reason"),
      [this, outcome](const QString& error) {
        outcome->error = error;
        finishExport(outcome);
      });
  return true;
}

void ExportDialog::finishExport(const std::shared_ptr<Outcome>& outcome) {
  m_worker.reset();
  m_busy->hide();
  m_exportButton->setEnabled(true);
  if (!outcome->error.isEmpty()) {
    showError(outcome->error);
    Q_EMIT exportFailed(m_runId, outcome->error);
    return;
  }
  showSummary(outcome->result);
  Q_EMIT exported(m_runId, QString::fromStdString(outcome->result.path));
}

void ExportDialog::showError(const QString& message) {
  m_status->setText(tr("The model was not exported."));
  QString text = message;
  if (!text.isEmpty()) text[0] = text[0].toUpper();
  m_error->setText(text);
  m_error->show();
  m_summary->hide();
  growToFit();
}

void ExportDialog::showSummary(const ExportResult& r) {
  const QLocale locale;
  m_status->setText(tr("Exported the %1 checkpoint (epoch %2).")
                        .arg(QString::fromStdString(r.checkpoint))
                        .arg(r.checkpointEpoch));
  QString html = QStringLiteral("<table cellspacing=\"4\">") + valueRows(tr("Input"), r.inputs) +
                 valueRows(tr("Output"), r.outputs) + QStringLiteral("</table>");
  html += tr("<p>ONNX IR %1, opset %2 · %3 nodes · %4 initializers</p>")
              .arg(r.irVersion)
              .arg(r.opset)
              .arg(locale.toString(r.nodeCount))
              .arg(locale.toString(r.initializerCount));
  html += tr("<p>File size: %1 (%2 bytes)<br>File: %3<br>Kept with the run as %4 "
             "(SHA-256 %5…)</p>")
              .arg(locale.formattedDataSize(r.fileBytes), locale.toString(r.fileBytes),
                   QDir::toNativeSeparators(QString::fromStdString(r.path)).toHtmlEscaped(),
                   QString::fromStdString(r.artifactPath).toHtmlEscaped(),
                   QString::fromStdString(r.sha256.substr(0, 12)));
  m_summary->setText(html);
  m_summary->show();
  growToFit();
}

// Word-wrapped labels do not raise a window's minimum height, so the dialog grows by itself.
void ExportDialog::growToFit() {
  const int needed = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                   : layout()->totalSizeHint().height();
  if (needed > height()) resize(width(), needed);
}

}  // namespace layerlab::ui
