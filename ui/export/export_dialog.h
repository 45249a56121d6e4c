// Exports one stored run's trained model to an ONNX file: a file chooser (the run's name as the
// default file name), the checkpoint to take (best or last), and after the export a summary of
// the file: its inputs and outputs with their shapes, the opset, the size and where it is. The
// file is also kept with the run as an artifact of kind "onnx" (RunTools does that).
//
// The export runs on a worker thread, so the dialog stays responsive; errors (a layer ONNX cannot
// express, a folder that does not exist, a damaged checkpoint) appear in the dialog as the
// message the exporter gave.
//
// Threads: GUI thread only. `tools` must outlive the dialog; destroying the dialog during an
// export waits for it to finish.
#pragma once

#include <QDialog>
#include <QString>

#include <memory>

#include "ui/export/run_tools.h"

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace layerlab::ui {

class Worker;

class ExportDialog : public QDialog {
  Q_OBJECT

 public:
  ExportDialog(qint64 runId, const QString& runName, RunTools& tools, QWidget* parent = nullptr);
  ~ExportDialog() override;

  qint64 runId() const { return m_runId; }
  QString path() const;
  void setPath(const QString& path);
  // "best" or "last".
  QString checkpoint() const;
  void setCheckpoint(const QString& checkpoint);
  bool exporting() const { return m_worker != nullptr; }

  // "mlp (run 3)" → "mlp_run_3.onnx": letters, digits, '-', '_' and '.' only.
  static QString defaultFileName(const QString& runName, qint64 runId);

  // Starts the export (what the Export button does); false when one is running already or the
  // path is unusable (the dialog then shows why).
  bool startExport();

 Q_SIGNALS:
  // The file is written and recorded with the run: e.g. refresh the run's artifact list.
  void exported(qint64 runId, const QString& path);
  void exportFailed(qint64 runId, const QString& error);

 private:
  struct Outcome;

  QLabel* buildIntro(const QString& runName);
  QFormLayout* buildForm(const QString& runName);
  QHBoxLayout* buildFileRow(const QString& runName);
  void buildStatus();
  QDialogButtonBox* buildButtons();
  void chooseFile();
  void finishExport(const std::shared_ptr<Outcome>& outcome);
  void showError(const QString& message);
  void showSummary(const ExportResult& result);
  void growToFit();

  qint64 m_runId = 0;
  RunTools& m_tools;
  QLineEdit* m_path = nullptr;
  QComboBox* m_checkpoint = nullptr;
  QPushButton* m_exportButton = nullptr;
  QProgressBar* m_busy = nullptr;
  QLabel* m_status = nullptr;
  QLabel* m_error = nullptr;
  QLabel* m_summary = nullptr;
  std::unique_ptr<Worker> m_worker;  // while exporting
};

}  // namespace layerlab::ui
