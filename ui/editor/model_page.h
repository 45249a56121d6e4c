// The Model place: the layer graph editor. A palette of every registered layer (layer_palette.h),
// the canvas drawn top to bottom (graph_scene.h, graph_view.h: zoom with the wheel or Ctrl+/-,
// rubber-band selection, a fit that fits, automatic layout that folds long chains), an inspector
// (layer_inspector.h), a problems list that selects the node it names, a line that says whether
// the model fits the chosen data (and a button that fixes the input), a footer with total
// parameters, multiply-adds and the training-memory estimate for a batch size, the Keras-style
// summary, and the undo history. Cut, copy, paste and duplicate of layers (Ctrl+X, Ctrl+C,
// Ctrl+V, Ctrl+D), and a layer inserted on a connection.
//
// Documents (model_page_files.cpp): a blank model, a model from a template gallery, open and save
// *.layerlab.json with node positions, a model name the user can change, the name and file in
// documentTitle() with an unsaved mark, and a Save / Discard / Cancel prompt before unsaved
// changes are lost. The input shape follows the Data place.
//
// Threads: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include "engine/model/model_spec.h"
#include "engine/model/shape.h"

class QAction;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QToolBar;
class QUndoStack;

namespace layerlab::ui {

class EditorModel;
class GraphScene;
class GraphView;
class LayerInspector;

class ModelPage : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPage(QWidget* parent = nullptr);
  ~ModelPage() override;

  engine::ModelSpec currentModel() const;
  // Replaces the document (no prompt) and starts a clean undo history.
  void setModel(const engine::ModelSpec& spec);
  // A model with only its input, named "untitled" (asks about unsaved changes first).
  bool newBlankModel();
  bool openModelFile(const QString& path);
  // Opens the model a run trained, exactly as stored with it (asks about unsaved changes first).
  bool openRunModel(qint64 runId, const QString& modelJson);
  // Writes the document; a path without an extension gets ".layerlab.json". A model still named
  // as it was opened takes the file's name.
  bool saveModelFile(const QString& path);
  QString filePath() const { return m_path; }
  // "name — file.layerlab.json[*]" ("not saved" for a model never saved); the [*] is Qt's
  // window-modified placeholder, shown as "*" while there are unsaved changes.
  QString documentTitle() const;
  // The shape of one sample of the chosen data and its class count (0: regression or unknown).
  // The model's input follows the data (one undo step); a model whose input or output does not
  // fit gets a problem with the fix, by the rule training applies.
  void setDataShape(const engine::Shape& shape, int classCount);
  QString warningText() const;
  // Makes the model's input the data's shape (the warning's button).
  void useDataShape();

  // Clipboard and selection: the edit menu's actions.
  void copySelection();
  void cutSelection();
  void paste();
  void duplicateSelection();
  void selectAll();
  bool hasUnsavedChanges() const;
  // Asks what to do with unsaved changes (Save, Discard, Cancel); false when the user cancels
  // or the save fails.
  bool confirmDiscard();

  EditorModel& editorModel() const { return *m_model; }
  GraphScene& scene() const { return *m_scene; }
  GraphView& view() const { return *m_view; }
  QUndoStack& undoStack() const { return *m_undo; }
  QToolBar& toolbar() const { return *m_toolbar; }
  QString footerText() const;
  QStringList problemTexts() const;

 Q_SIGNALS:
  void modelChanged();
  // The user asked to train the model being drawn.
  void trainRequested();
  // documentTitle() or the unsaved state changed.
  void documentTitleChanged();

 private:
  void buildToolbar();
  void addDocumentActions();
  void addEditActions();
  QWidget* buildCentre();
  QWidget* buildSide();
  void refreshAnalysis();
  void refreshWarning();
  void refreshName();
  void newFromTemplate(const QString& path);
  void showTemplateGallery();
  void showEditMenu(QPoint globalPos, QPointF scenePos);
  void addFromPalette(const QString& type);
  void tidyLayout();
  void renameFromField();
  bool save();
  bool saveAs();
  void open();
  void startDocument(const engine::ModelSpec& spec, const QString& path);

  EditorModel* m_model = nullptr;
  QUndoStack* m_undo = nullptr;
  GraphScene* m_scene = nullptr;
  GraphView* m_view = nullptr;
  QToolBar* m_toolbar = nullptr;
  QString m_path;
  // The name the document was opened with: while it is unchanged, Save As names the model after
  // the file.
  std::string m_openedName;
  engine::Shape m_dataShape;
  int m_dataClasses = 0;
  int m_pasteCount = 0;
  QLineEdit* m_name = nullptr;
  QPushButton* m_warningFix = nullptr;
  QWidget* m_warningBar = nullptr;
  QLabel* m_warning = nullptr;
  LayerInspector* m_inspector = nullptr;
  QListWidget* m_problems = nullptr;
  QLabel* m_footer = nullptr;
  QAction* m_copyAction = nullptr;
  QAction* m_cutAction = nullptr;
  QAction* m_pasteAction = nullptr;
  QAction* m_duplicateAction = nullptr;
  QAction* m_selectAllAction = nullptr;
  QAction* m_deleteAction = nullptr;
  QSpinBox* m_batchSize = nullptr;
  QPlainTextEdit* m_summary = nullptr;
};

}  // namespace layerlab::ui
