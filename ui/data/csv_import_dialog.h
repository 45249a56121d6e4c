// The CSV import dialog: the file's first lines as they are, and the reading options —
// delimiter, header, lines to skip, label column, missing values — with a live check of the
// result through the engine's own reader. The column types (number or text) and the classes
// are shown as the options change; a problem is shown with the engine's message, and its line
// is highlighted among the file's lines. OK is offered only while the preview reads cleanly.
//
// Threads: GUI thread only. The preview reads at most kPreviewBytes of the file.
#pragma once

#include <QDialog>
#include <QString>

#include "engine/data/dataset_spec.h"

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace layerlab::ui {

class CsvImportDialog : public QDialog {
  Q_OBJECT

 public:
  static constexpr qint64 kPreviewBytes = 1 << 20;
  static constexpr int kPreviewLines = 200;

  explicit CsvImportDialog(const QString& path, QWidget* parent = nullptr);

  // The options as chosen.
  engine::CsvOptions options() const;
  void setOptions(const engine::CsvOptions& options);

  // What the live check says: empty when the preview reads cleanly.
  QString errorText() const { return m_error; }
  // The 1-based line of the file the error names, or 0.
  int errorLine() const { return m_errorLine; }
  QString summaryText() const;
  bool acceptable() const;

 private:
  QFormLayout* buildOptionsForm();
  void buildLinesTable();
  void buildSummary();
  void buildButtons();
  void connectOptions();
  void recheck();
  void offerLabelColumns(const QStringList& all, bool hasHeader);
  void markErrorLine();
  void fillLabelChoices(const QStringList& names);

  QString m_path;
  QByteArray m_text;  // the first kPreviewBytes of the file
  QString m_error;
  int m_errorLine = 0;
  bool m_updatingLabels = false;
  QComboBox* m_delimiter = nullptr;
  QComboBox* m_header = nullptr;
  QSpinBox* m_skipRows = nullptr;
  QComboBox* m_label = nullptr;
  QComboBox* m_missing = nullptr;
  QTableWidget* m_lines = nullptr;
  QLabel* m_summary = nullptr;
  QLabel* m_columns = nullptr;
  QDialogButtonBox* m_buttons = nullptr;
};

}  // namespace layerlab::ui
