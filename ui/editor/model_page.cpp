#include "ui/editor/model_page.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGraphicsItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>

#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_layout.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/graph_view.h"
#include "ui/editor/layer_inspector.h"
#include "ui/editor/layer_palette.h"
#include "ui/editor/node_clipboard.h"
#include "ui/editor/template_gallery.h"

namespace layerlab::ui {

ModelPage::ModelPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("modelPage"));
  m_model = new EditorModel(this);
  m_undo = new QUndoStack(this);
  m_scene = new GraphScene(*m_model, *m_undo, this);
  m_view = new GraphView(m_scene, this);
  m_view->setObjectName(QStringLiteral("graphView"));
  buildToolbar();

  auto* palette = new LayerPalette(this);
  connect(palette, &LayerPalette::layerActivated, this, &ModelPage::addFromPalette);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(palette);
  split->addWidget(buildCentre());
  split->addWidget(buildSide());
  split->setStretchFactor(1, 1);
  split->setSizes({190, 700, 300});

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 4, 8, 8);
  layout->addWidget(m_toolbar);
  layout->addWidget(split, 1);

  connect(m_model, &EditorModel::changed, this, &ModelPage::refreshAnalysis);
  auto inspect = [this] { m_inspector->showSelection(m_scene->selectedIds()); };
  connect(m_scene, &QGraphicsScene::selectionChanged, this, inspect);
  connect(m_scene, &GraphScene::rebuilt, this, inspect);
  connect(m_view, &GraphView::editMenuWanted, this, &ModelPage::showEditMenu);
  connect(m_undo, &QUndoStack::cleanChanged, this, &ModelPage::documentTitleChanged);
  newFromTemplate(QString::fromLatin1(kTemplateFolder) + QStringLiteral("/mlp.layerlab.json"));
}

ModelPage::~ModelPage() {
  disconnect(m_scene, nullptr, this, nullptr);
  disconnect(m_model, nullptr, this, nullptr);
  disconnect(m_undo, nullptr, this, nullptr);
}

void ModelPage::buildToolbar() {
  m_toolbar = new QToolBar(this);
  m_toolbar->setObjectName(QStringLiteral("modelToolbar"));
  addDocumentActions();
  m_toolbar->addSeparator();
  addEditActions();
  m_toolbar->addSeparator();
  m_toolbar->addAction(tr("Tidy Layout"), this, &ModelPage::tidyLayout);
  m_toolbar->addAction(tr("Fit"), m_view, &GraphView::fitAll)
      ->setToolTip(tr("The whole model in view (zoom with the wheel, Ctrl++ and Ctrl+\u2212)"));
  // Zooming by keys; the wheel zooms too. Not on the toolbar, which must fit a 1280-pixel window
  // with Train This Model on it.
  auto* zoomIn = new QAction(tr("Zoom In"), this);
  zoomIn->setShortcut(QKeySequence::ZoomIn);
  connect(zoomIn, &QAction::triggered, this, [this] { m_view->zoomBy(1.2); });
  auto* zoomOut = new QAction(tr("Zoom Out"), this);
  zoomOut->setShortcut(QKeySequence::ZoomOut);
  connect(zoomOut, &QAction::triggered, this, [this] { m_view->zoomBy(1 / 1.2); });
  addAction(zoomIn);
  addAction(zoomOut);
  m_toolbar->addSeparator();
  QAction* train = m_toolbar->addAction(tr("Train This Model"), this, &ModelPage::trainRequested);
  train->setObjectName(QStringLiteral("trainModelAction"));
}

void ModelPage::addDocumentActions() {
  QAction* blank = m_toolbar->addAction(tr("New"), this, &ModelPage::newBlankModel);
  blank->setObjectName(QStringLiteral("newBlankModel"));
  blank->setToolTip(tr("A blank model with only its input"));
  // The gallery on a click; each template by name from the arrow's menu.
  auto* templates = new QToolButton(m_toolbar);
  templates->setObjectName(QStringLiteral("newFromTemplate"));
  templates->setText(tr("Templates\u2026"));
  templates->setToolTip(tr("A new model from a template"));
  templates->setPopupMode(QToolButton::MenuButtonPopup);
  connect(templates, &QToolButton::clicked, this, &ModelPage::showTemplateGallery);
  auto* menu = new QMenu(templates);
  for (const QFileInfo& file :
       QDir(QString::fromLatin1(kTemplateFolder))
           .entryInfoList({QStringLiteral("*.layerlab.json")}, QDir::Files, QDir::Name)) {
    menu->addAction(file.fileName().section(QLatin1Char('.'), 0, 0), this,
                    [this, path = file.filePath()] { newFromTemplate(path); });
  }
  templates->setMenu(menu);
  m_toolbar->addWidget(templates);
  m_toolbar->addAction(tr("Open\u2026"), this, &ModelPage::open);
  m_toolbar->addAction(tr("Save"), this, &ModelPage::save)->setShortcut(QKeySequence::Save);
  m_toolbar->addAction(tr("Save As\u2026"), this, &ModelPage::saveAs);
  m_name = new QLineEdit(m_toolbar);
  m_name->setObjectName(QStringLiteral("modelName"));
  m_name->setToolTip(tr("The model's name: runs of it are listed under this name"));
  m_name->setPlaceholderText(tr("model name"));
  m_name->setFixedWidth(fontMetrics().averageCharWidth() * 22);
  connect(m_name, &QLineEdit::editingFinished, this, &ModelPage::renameFromField);
  m_toolbar->addWidget(new QLabel(tr(" Name "), m_toolbar));
  m_toolbar->addWidget(m_name);
}

void ModelPage::addEditActions() {
  // Undo and Redo keep their short text (the step they would undo is in the tooltip), so the
  // toolbar does not reflow under the pointer after every edit.
  auto* undo = new QAction(tr("Undo"), this);
  undo->setObjectName(QStringLiteral("undoAction"));
  undo->setShortcut(QKeySequence::Undo);
  undo->setEnabled(false);
  connect(undo, &QAction::triggered, m_undo, &QUndoStack::undo);
  connect(m_undo, &QUndoStack::canUndoChanged, undo, &QAction::setEnabled);
  connect(m_undo, &QUndoStack::undoTextChanged, undo,
          [undo](const QString& text) { undo->setToolTip(tr("Undo %1").arg(text)); });
  auto* redo = new QAction(tr("Redo"), this);
  redo->setShortcut(QKeySequence::Redo);
  redo->setEnabled(false);
  connect(redo, &QAction::triggered, m_undo, &QUndoStack::redo);
  connect(m_undo, &QUndoStack::canRedoChanged, redo, &QAction::setEnabled);
  connect(m_undo, &QUndoStack::redoTextChanged, redo,
          [redo](const QString& text) { redo->setToolTip(tr("Redo %1").arg(text)); });
  m_toolbar->addAction(undo);
  m_toolbar->addAction(redo);
  m_deleteAction = m_toolbar->addAction(tr("Delete"), m_scene, &GraphScene::deleteSelection);
  m_deleteAction->setShortcut(QKeySequence::Delete);
  m_deleteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  auto editAction = [this](const QString& text, const QKeySequence& keys,
                           void (ModelPage::*slot)()) {
    auto* action = new QAction(text, this);
    action->setShortcut(keys);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(action, &QAction::triggered, this, slot);
    addAction(action);
    return action;
  };
  m_cutAction = editAction(tr("Cut"), QKeySequence::Cut, &ModelPage::cutSelection);
  m_copyAction = editAction(tr("Copy"), QKeySequence::Copy, &ModelPage::copySelection);
  m_pasteAction = editAction(tr("Paste"), QKeySequence::Paste, &ModelPage::paste);
  m_duplicateAction = editAction(tr("Duplicate"), QKeySequence(Qt::CTRL | Qt::Key_D),
                                 &ModelPage::duplicateSelection);
  m_selectAllAction = editAction(tr("Select All"), QKeySequence::SelectAll, &ModelPage::selectAll);
  addAction(m_deleteAction);
  addAction(undo);
  addAction(redo);
}

QWidget* ModelPage::buildCentre() {
  // Whether the model fits the data: always one line-pair tall, so the canvas below never jumps
  // when a warning comes or goes.
  m_warningBar = new QWidget(this);
  m_warningBar->setObjectName(QStringLiteral("inputWarningBar"));
  m_warningBar->setAttribute(Qt::WA_StyledBackground);
  m_warning = new QLabel(m_warningBar);
  m_warning->setObjectName(QStringLiteral("inputWarning"));
  m_warning->setWordWrap(true);
  m_warningFix = new QPushButton(m_warningBar);
  m_warningFix->setObjectName(QStringLiteral("useDataShape"));
  connect(m_warningFix, &QPushButton::clicked, this, &ModelPage::useDataShape);
  auto* warningLayout = new QHBoxLayout(m_warningBar);
  warningLayout->setContentsMargins(8, 2, 8, 2);
  warningLayout->addWidget(m_warning, 1);
  warningLayout->addWidget(m_warningFix);
  m_warningBar->setFixedHeight(
      std::max(2 * fontMetrics().lineSpacing(), m_warningFix->sizeHint().height()) + 8);
  m_footer = new QLabel(this);
  m_footer->setObjectName(QStringLiteral("modelFooter"));
  m_footer->setWordWrap(true);
  m_batchSize = new QSpinBox(this);
  m_batchSize->setRange(1, 1 << 16);
  m_batchSize->setValue(32);
  m_batchSize->setPrefix(tr("batch "));
  connect(m_batchSize, &QSpinBox::valueChanged, this, &ModelPage::refreshAnalysis);
  auto* footer = new QHBoxLayout();
  footer->addWidget(m_footer, 1);
  footer->addWidget(m_batchSize);
  auto* centre = new QWidget(this);
  auto* layout = new QVBoxLayout(centre);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_warningBar);
  layout->addWidget(m_view, 1);
  layout->addLayout(footer);
  return centre;
}

QWidget* ModelPage::buildSide() {
  auto* tabs = new QTabWidget(this);
  m_inspector = new LayerInspector(*m_model, *m_undo, tabs);
  m_problems = new QListWidget(tabs);
  m_problems->setObjectName(QStringLiteral("problems"));
  m_problems->setWordWrap(true);
  connect(m_problems, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    const std::string id = item->data(Qt::UserRole).toString().toStdString();
    if (!id.empty()) {
      m_scene->selectNode(id);
      m_view->centerOn(m_scene->cardCentre(id));
    }
  });
  m_summary = new QPlainTextEdit(tabs);
  m_summary->setReadOnly(true);
  m_summary->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_summary->setLineWrapMode(QPlainTextEdit::NoWrap);
  auto* history = new QUndoView(m_undo, tabs);
  history->setEmptyLabel(tr("Opened"));
  tabs->addTab(m_inspector, tr("Inspector"));
  tabs->addTab(m_problems, tr("Problems"));
  tabs->addTab(m_summary, tr("Summary"));
  tabs->addTab(history, tr("History"));
  // Wide enough for its four tab titles without scroll arrows.
  tabs->setMinimumWidth(tabs->tabBar()->sizeHint().width() + 8);
  return tabs;
}

void ModelPage::refreshAnalysis() {
  const engine::ModelAnalysis& analysis = m_model->analysis();
  m_problems->clear();
  for (const engine::ModelProblem& problem : analysis.problems) {
    auto* item = new QListWidgetItem(QString::fromStdString(problem.describe()), m_problems);
    item->setData(Qt::UserRole, QString::fromStdString(problem.nodeId));
    item->setForeground(QColor(192, 57, 43));
  }
  if (analysis.problems.empty()) {
    auto* item = new QListWidgetItem(tr("No problems: every layer fits."), m_problems);
    item->setFlags(Qt::ItemIsEnabled);
  }
  QString memory = tr("–");
  if (m_model->layersOk()) {
    const engine::MemoryEstimate estimate =
        engine::estimateTrainingMemory(analysis, m_batchSize->value(), "adam");
    memory = QString::fromStdString(engine::formatBytes(estimate.totalBytes));
  }
  m_footer->setText(
      tr("%1 parameters · %2 multiply-adds per sample · training memory %3 (adam)%4")
          .arg(QString::fromStdString(engine::formatThousands(analysis.totalParams)),
               QString::fromStdString(engine::formatThousands(analysis.totalMacs)), memory,
               analysis.ok()
                   ? QString()
                   : tr(" · %n problem(s)", nullptr, static_cast<int>(analysis.problems.size()))));
  m_summary->setPlainText(
      m_model->layersOk() ? QString::fromStdString(engine::formatSummary(m_model->spec(), analysis))
                          : tr("The summary appears when every layer fits."));
  refreshWarning();
  refreshName();
  Q_EMIT modelChanged();
}

void ModelPage::refreshWarning() {
  const engine::ModelSpec spec = m_model->spec();
  const engine::ModelAnalysis& analysis = m_model->analysis();
  QString text;
  const bool inputDiffers = !m_dataShape.empty() && spec.inputShape != m_dataShape;
  if (inputDiffers) {
    text = tr("The model expects input %1 but the chosen data gives %2.")
               .arg(QString::fromStdString(engine::formatShape(spec.inputShape)),
                    QString::fromStdString(engine::formatShape(m_dataShape)));
  } else if (!m_model->layersOk()) {
    text =
        tr("Some layers have problems (red cards, Problems tab); the model is checked against "
           "the data once they are mended.");
  } else if (!analysis.ok()) {
    text = tr("The output does not fit the chosen data: %1")
               .arg(QString::fromStdString(analysis.problems.back().describe()));
  }
  m_warningFix->setText(tr("Use %1").arg(QString::fromStdString(engine::formatShape(m_dataShape))));
  m_warningFix->setVisible(inputDiffers);
  m_warningBar->setProperty("warning", !text.isEmpty());
  if (text.isEmpty()) {
    text = m_dataShape.empty()
               ? tr("Choose data in the Data place to check the model against it.")
               : tr("\u2713 Fits the chosen data: input %1%2.")
                     .arg(QString::fromStdString(engine::formatShape(m_dataShape)),
                          m_dataClasses > 0 ? tr(", %1 classes").arg(m_dataClasses) : QString());
  }
  m_warning->setText(text);
  const bool warn = m_warningBar->property("warning").toBool();
  m_warningBar->setStyleSheet(
      warn ? QStringLiteral("QWidget#inputWarningBar { background: #fdf2d8; border: 1px solid "
                            "#e6c36a; border-radius: 4px; } QLabel { color: #6b4500; }")
           : QStringLiteral("QLabel { color: palette(window-text); }"));
}

QString ModelPage::warningText() const {
  return m_warningBar->property("warning").toBool() ? m_warning->text() : QString();
}

void ModelPage::setDataShape(const engine::Shape& shape, int classCount) {
  const bool changed = shape != m_dataShape;
  m_dataShape = shape;
  m_dataClasses = classCount;
  std::optional<engine::OutputTarget> target;
  if (classCount > 0)
    target = engine::OutputTarget{.classification = true, .classes = size_t(classCount)};
  m_model->setOutputTarget(target);
  // New data: the model's input follows it, as a step the user can undo. A document that was
  // not edited and has no file stays unedited: nothing of the user's would be lost.
  if (changed && !shape.empty() && m_model->spec().inputShape != shape) {
    const bool untouched = m_undo->isClean() && m_path.isEmpty();
    useDataShape();
    if (untouched) m_undo->setClean();
  }
  refreshWarning();
}

void ModelPage::useDataShape() {
  if (m_dataShape.empty() || m_model->spec().inputShape == m_dataShape) return;
  m_undo->push(new SetInputShapeCommand(
      *m_model, m_dataShape,
      tr("Input %1 from the data").arg(QString::fromStdString(engine::formatShape(m_dataShape)))));
}

void ModelPage::addFromPalette(const QString& type) {
  // A double-clicked layer grows the chain, as a user building one expects: after the selected
  // layer, else after the model's only output, else (a blank model) after the input.
  std::vector<std::string> selected = m_scene->selectedIds();
  const std::vector<std::string> outputs = m_model->spec().outputs;
  if (selected.empty() && outputs.size() == 1) selected = outputs;
  if (selected.empty() && m_model->nodeIds().empty()) selected = {engine::kInputName};
  if (selected.size() != 1) {
    m_scene->addLayer(type, m_view->mapToScene(m_view->viewport()->rect().center()));
    return;
  }
  if (selected.front() != engine::kInputName) m_scene->selectNode(selected.front());
  m_scene->addLayer(type, m_model->position(selected.front()) + QPointF(0, kLayoutRowHeight),
                    selected.front());
}

void ModelPage::tidyLayout() {
  EditorModel preview;
  engine::ModelSpec spec = m_model->spec();
  spec.editor = nlohmann::json::object();
  preview.setSpec(spec);
  std::map<std::string, QPointF> to;
  for (const std::string& id : m_model->nodeIds())
    to[id] = preview.position(id);
  to[engine::kInputName] = preview.position(engine::kInputName);
  m_undo->push(new MoveNodesCommand(*m_model, to));
  m_view->fitAll();
}

QString ModelPage::footerText() const {
  return m_footer->text();
}

QStringList ModelPage::problemTexts() const {
  QStringList texts;
  for (int i = 0; i < m_problems->count(); ++i) {
    if (!m_problems->item(i)->data(Qt::UserRole).isNull()) texts << m_problems->item(i)->text();
  }
  return texts;
}

}  // namespace layerlab::ui
