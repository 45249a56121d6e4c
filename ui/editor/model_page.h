// The Model place: the layer graph editor. A palette of every registered layer (by category,
// searchable, drag onto the canvas or double-click), the canvas (zoom with the wheel or Ctrl+/-,
// rubber-band selection, fit to view, automatic layout), an inspector with a typed field per
// parameter checked as the user types, a problems list that selects the node it names, a footer
// with total parameters, multiply-adds and the training-memory estimate for a batch size, the
// Keras-style summary, and the undo history. Cut, copy, paste and duplicate of layers (Ctrl+X,
// Ctrl+C, Ctrl+V, Ctrl+D), and a layer inserted on a connection. Documents: new from a template
// gallery with a thumbnail of each graph, open and save *.layerlab.json with node positions, and
// a prompt before unsaved changes are lost. The input shape follows the Data place.
//
// Threads: GUI thread only.
#pragma once

#include <QGraphicsView>
#include <QString>
#include <QWidget>

#include "engine/model/model_spec.h"
#include "engine/model/shape.h"

class QAction;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTreeWidget;
class QUndoStack;

namespace layerlab::ui {

class EditorModel;
class GraphScene;

// The canvas view: wheel zoom around the cursor, rubber-band selection, fit to view.
class GraphView : public QGraphicsView {
  Q_OBJECT

 public:
  explicit GraphView(QGraphicsScene* scene, QWidget* parent = nullptr);
  void zoomBy(double factor);
  void fitAll();
  double zoom() const;
  // Fits the graph once the view has its real size (a new document, before it is shown).
  void fitWhenShown();

 Q_SIGNALS:
  // A right click that no card or connection took: the page shows its edit menu.
  void editMenuWanted(QPoint globalPos, QPointF scenePos);

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  bool m_fitPending = false;
};

class ModelPage : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPage(QWidget* parent = nullptr);
  ~ModelPage() override;

  engine::ModelSpec currentModel() const;
  void setModel(const engine::ModelSpec& spec);
  bool openModelFile(const QString& path);
  // Opens the model a run trained, exactly as stored with it (asks about unsaved changes first).
  bool openRunModel(qint64 runId, const QString& modelJson);
  bool saveModelFile(const QString& path);
  // The shape of one sample of the chosen data and its class count (0: regression or unknown).
  // The model's input follows the data (one undo step); a model opened later that expects
  // another shape, or whose output does not match the classes, shows a warning with the fix.
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
  // Asks what to do with unsaved changes; false when the user cancels.
  bool confirmDiscard();

  EditorModel& editorModel() const { return *m_model; }
  GraphScene& scene() const { return *m_scene; }
  GraphView& view() const { return *m_view; }
  QUndoStack& undoStack() const { return *m_undo; }
  QString footerText() const;
  QStringList problemTexts() const;

 Q_SIGNALS:
  void modelChanged();
  // The user asked to train the model being drawn.
  void trainRequested();

 private:
  QWidget* buildPalette();
  QWidget* buildSide();
  void fillInspector();
  void refreshAnalysis();
  void newFromTemplate(const QString& path);
  void showTemplateGallery();
  void showEditMenu(QPoint globalPos, QPointF scenePos);
  void refreshWarning();
  void save();
  void saveAs();
  void open();

  EditorModel* m_model = nullptr;
  QUndoStack* m_undo = nullptr;
  GraphScene* m_scene = nullptr;
  GraphView* m_view = nullptr;
  QString m_path;
  engine::Shape m_dataShape;
  int m_dataClasses = 0;
  int m_pasteCount = 0;
  QPushButton* m_warningFix = nullptr;
  QWidget* m_warningBar = nullptr;
  QLineEdit* m_search = nullptr;
  QTreeWidget* m_palette = nullptr;
  QLabel* m_inspectorTitle = nullptr;
  QFormLayout* m_inspector = nullptr;
  QWidget* m_inspectorBox = nullptr;
  QListWidget* m_problems = nullptr;
  QLabel* m_footer = nullptr;
  QLabel* m_warning = nullptr;
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
