// The Model place: the layer graph editor. A palette of every registered layer (by category,
// searchable, drag onto the canvas or double-click), the canvas (zoom with the wheel or Ctrl+/-,
// rubber-band selection, fit to view, automatic layout), an inspector with a typed field per
// parameter checked as the user types, a problems list that selects the node it names, a footer
// with total parameters, multiply-adds and the training-memory estimate for a batch size, the
// Keras-style summary, and the undo history. Documents: new from a template, open and save
// *.layerlab.json with node positions, and a prompt before unsaved changes are lost.
//
// Threads: GUI thread only.
#pragma once

#include <QGraphicsView>
#include <QString>
#include <QWidget>

#include "engine/model/model_spec.h"
#include "engine/model/shape.h"

class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
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

 protected:
  void wheelEvent(QWheelEvent* event) override;
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
  bool saveModelFile(const QString& path);
  // The input shape of the chosen data: a model expecting another one shows a warning.
  void setInputShape(const engine::Shape& shape);
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
  void save();
  void saveAs();
  void open();

  EditorModel* m_model = nullptr;
  QUndoStack* m_undo = nullptr;
  GraphScene* m_scene = nullptr;
  GraphView* m_view = nullptr;
  QString m_path;
  engine::Shape m_dataShape;
  QLineEdit* m_search = nullptr;
  QTreeWidget* m_palette = nullptr;
  QLabel* m_inspectorTitle = nullptr;
  QFormLayout* m_inspector = nullptr;
  QWidget* m_inspectorBox = nullptr;
  QListWidget* m_problems = nullptr;
  QLabel* m_footer = nullptr;
  QLabel* m_warning = nullptr;
  QSpinBox* m_batchSize = nullptr;
  QPlainTextEdit* m_summary = nullptr;
};

}  // namespace layerlab::ui
