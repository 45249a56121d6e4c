#include "ui/editor/model_page.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QDrag>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGraphicsItem>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QResizeEvent>
#include <QSaveFile>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/model/layer_registry.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/node_clipboard.h"
#include "ui/editor/template_gallery.h"

namespace layerlab::ui {
namespace {

// The palette: layer types that start a drag carrying their name.
class PaletteTree : public QTreeWidget {
 public:
  using QTreeWidget::QTreeWidget;

 protected:
  QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override {
    if (items.isEmpty() || items.front()->childCount() > 0) return nullptr;
    auto* mime = new QMimeData();
    mime->setData(QString::fromLatin1(kLayerMimeType), items.front()->text(0).toUtf8());
    return mime;
  }
  QStringList mimeTypes() const override { return {QString::fromLatin1(kLayerMimeType)}; }
};

// The JSON text a parameter field shows.
QString fieldText(const nlohmann::json& value) {
  if (value.is_null()) return QString();
  if (value.is_string()) return QString::fromStdString(value.get<std::string>());
  return QString::fromStdString(value.dump());
}

}  // namespace

GraphView::GraphView(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
  setRenderHint(QPainter::Antialiasing);
  setDragMode(QGraphicsView::RubberBandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setAcceptDrops(true);
}

void GraphView::zoomBy(double factor) {
  const double next = zoom() * factor;
  if (next < 0.15 || next > 4.0) return;
  scale(factor, factor);
}

double GraphView::zoom() const {
  return transform().m11();
}

void GraphView::fitAll() {
  const QRectF bounds = scene()->itemsBoundingRect().adjusted(-30, -30, 30, 30);
  fitInView(bounds, Qt::KeepAspectRatio);
  // Readable cards first: a small graph is not blown up, a long one is scrolled rather than
  // shrunk past legibility (starting from its input at the left).
  const double wanted = std::clamp(zoom(), 0.5, 1.25);
  if (wanted != zoom()) {
    const double by = wanted / zoom();
    scale(by, by);
  }
  if (bounds.width() * wanted > viewport()->width())
    centerOn(QPointF(bounds.left() + viewport()->width() / (2 * wanted), bounds.center().y()));
}

void GraphView::fitWhenShown() {
  m_fitPending = true;
  if (isVisible() && viewport()->width() > 100) {
    m_fitPending = false;
    fitAll();
  }
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (m_fitPending && viewport()->width() > 100) {
    m_fitPending = false;
    fitAll();
  }
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
  QGraphicsView::contextMenuEvent(event);
  if (!event->isAccepted()) Q_EMIT editMenuWanted(event->globalPos(), mapToScene(event->pos()));
  event->accept();
}

void GraphView::wheelEvent(QWheelEvent* event) {
  zoomBy(event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
  event->accept();
}

ModelPage::ModelPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("modelPage"));
  m_model = new EditorModel(this);
  m_undo = new QUndoStack(this);
  m_scene = new GraphScene(*m_model, *m_undo, this);
  m_view = new GraphView(m_scene, this);
  m_view->setObjectName(QStringLiteral("graphView"));

  auto* toolbar = new QToolBar(this);
  // The gallery on a click; each template by name from the arrow's menu.
  auto* templates = new QToolButton(toolbar);
  templates->setObjectName(QStringLiteral("newFromTemplate"));
  templates->setText(tr("New from Template\u2026"));
  templates->setPopupMode(QToolButton::MenuButtonPopup);
  connect(templates, &QToolButton::clicked, this, &ModelPage::showTemplateGallery);
  auto* templateMenu = new QMenu(templates);
  for (const QFileInfo& file :
       QDir(QString::fromLatin1(kTemplateFolder))
           .entryInfoList({QStringLiteral("*.layerlab.json")}, QDir::Files, QDir::Name)) {
    templateMenu->addAction(file.fileName().section(QLatin1Char('.'), 0, 0), this,
                            [this, path = file.filePath()] { newFromTemplate(path); });
  }
  templates->setMenu(templateMenu);
  toolbar->addWidget(templates);
  toolbar->addAction(tr("Open\u2026"), this, &ModelPage::open);
  toolbar->addAction(tr("Save"), this, &ModelPage::save)->setShortcut(QKeySequence::Save);
  toolbar->addAction(tr("Save As\u2026"), this, &ModelPage::saveAs);
  toolbar->addSeparator();
  QAction* undo = m_undo->createUndoAction(this, tr("Undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = m_undo->createRedoAction(this, tr("Redo"));
  redo->setShortcut(QKeySequence::Redo);
  toolbar->addAction(undo);
  toolbar->addAction(redo);
  QAction* remove = toolbar->addAction(tr("Delete"), m_scene, &GraphScene::deleteSelection);
  remove->setShortcut(QKeySequence::Delete);
  remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  m_deleteAction = remove;
  auto editAction = [this](const QString& text, QKeySequence keys, void (ModelPage::*slot)()) {
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
  toolbar->addAction(m_duplicateAction);
  toolbar->addSeparator();
  toolbar->addAction(tr("Tidy Layout"), this, [this] {
    std::map<std::string, QPointF> to;
    EditorModel preview;
    preview.setSpec([this] {
      engine::ModelSpec spec = m_model->spec();
      spec.editor = nlohmann::json::object();
      return spec;
    }());
    for (const std::string& id : m_model->nodeIds())
      to[id] = preview.position(id);
    to[engine::kInputName] = preview.position(engine::kInputName);
    m_undo->push(new MoveNodesCommand(*m_model, to));
    m_view->fitAll();
  });
  toolbar->addAction(tr("Fit"), m_view, &GraphView::fitAll);
  toolbar->addSeparator();
  QAction* train = toolbar->addAction(tr("Train This Model"), this, &ModelPage::trainRequested);
  train->setObjectName(QStringLiteral("trainModelAction"));
  QAction* zoomIn = toolbar->addAction(tr("Zoom In"), this, [this] { m_view->zoomBy(1.2); });
  zoomIn->setShortcut(QKeySequence::ZoomIn);
  QAction* zoomOut = toolbar->addAction(tr("Zoom Out"), this, [this] { m_view->zoomBy(1 / 1.2); });
  zoomOut->setShortcut(QKeySequence::ZoomOut);
  addAction(remove);
  addAction(undo);
  addAction(redo);

  // The data warning: what does not fit and a button that fixes the input shape.
  m_warningBar = new QWidget(this);
  m_warningBar->setObjectName(QStringLiteral("inputWarningBar"));
  m_warningBar->setAttribute(Qt::WA_StyledBackground);
  m_warningBar->setStyleSheet(
      QStringLiteral("QWidget#inputWarningBar { background: #fdf2d8; border: 1px solid #e6c36a;"
                     " border-radius: 4px; }"));
  m_warning = new QLabel(m_warningBar);
  m_warning->setObjectName(QStringLiteral("inputWarning"));
  m_warning->setWordWrap(true);
  m_warning->setStyleSheet(QStringLiteral("color: #7a4f00;"));
  m_warningFix = new QPushButton(m_warningBar);
  m_warningFix->setObjectName(QStringLiteral("useDataShape"));
  connect(m_warningFix, &QPushButton::clicked, this, &ModelPage::useDataShape);
  auto* warningLayout = new QHBoxLayout(m_warningBar);
  warningLayout->setContentsMargins(8, 4, 8, 4);
  warningLayout->addWidget(m_warning, 1);
  warningLayout->addWidget(m_warningFix);
  m_warningBar->hide();
  m_footer = new QLabel(this);
  m_footer->setObjectName(QStringLiteral("modelFooter"));
  m_batchSize = new QSpinBox(this);
  m_batchSize->setRange(1, 1 << 16);
  m_batchSize->setValue(64);
  m_batchSize->setPrefix(tr("batch "));
  connect(m_batchSize, &QSpinBox::valueChanged, this, &ModelPage::refreshAnalysis);
  auto* footer = new QHBoxLayout();
  footer->addWidget(m_footer, 1);
  footer->addWidget(m_batchSize);

  auto* centre = new QWidget(this);
  auto* centreLayout = new QVBoxLayout(centre);
  centreLayout->setContentsMargins(0, 0, 0, 0);
  centreLayout->addWidget(m_warningBar);
  centreLayout->addWidget(m_view, 1);
  centreLayout->addLayout(footer);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(buildPalette());
  split->addWidget(centre);
  split->addWidget(buildSide());
  split->setStretchFactor(1, 1);
  split->setSizes({190, 700, 300});

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 4, 8, 8);
  layout->addWidget(toolbar);
  layout->addWidget(split, 1);

  connect(m_model, &EditorModel::changed, this, &ModelPage::refreshAnalysis);
  connect(m_scene, &QGraphicsScene::selectionChanged, this, &ModelPage::fillInspector);
  connect(m_scene, &GraphScene::rebuilt, this, &ModelPage::fillInspector);
  connect(m_view, &GraphView::editMenuWanted, this, &ModelPage::showEditMenu);
  newFromTemplate(QString::fromLatin1(kTemplateFolder) + QStringLiteral("/mlp.layerlab.json"));
}

ModelPage::~ModelPage() {
  disconnect(m_scene, nullptr, this, nullptr);
  disconnect(m_model, nullptr, this, nullptr);
}

QWidget* ModelPage::buildPalette() {
  auto* panel = new QWidget(this);
  auto* layout = new QVBoxLayout(panel);
  layout->setContentsMargins(0, 0, 0, 0);
  m_search = new QLineEdit(panel);
  m_search->setPlaceholderText(tr("Search layers"));
  m_search->setClearButtonEnabled(true);
  m_palette = new PaletteTree(panel);
  m_palette->setObjectName(QStringLiteral("palette"));
  m_palette->setHeaderHidden(true);
  m_palette->setDragEnabled(true);
  m_palette->setDragDropMode(QAbstractItemView::DragOnly);
  std::map<std::string, QTreeWidgetItem*> categories;
  for (const engine::LayerType& type : engine::layerRegistry().types()) {
    QTreeWidgetItem*& category = categories[type.category];
    if (category == nullptr) {
      category = new QTreeWidgetItem(m_palette, {QString::fromStdString(type.category)});
      category->setFlags(Qt::ItemIsEnabled);
    }
    auto* item = new QTreeWidgetItem(category, {QString::fromStdString(type.name)});
    item->setToolTip(0, QString::fromStdString(type.description));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  m_palette->expandAll();
  connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
    for (int c = 0; c < m_palette->topLevelItemCount(); ++c) {
      QTreeWidgetItem* category = m_palette->topLevelItem(c);
      bool any = false;
      for (int i = 0; i < category->childCount(); ++i) {
        QTreeWidgetItem* item = category->child(i);
        const bool match = item->text(0).contains(text, Qt::CaseInsensitive) ||
                           item->toolTip(0).contains(text, Qt::CaseInsensitive);
        item->setHidden(!match);
        any = any || match;
      }
      category->setHidden(!any);
    }
  });
  connect(m_palette, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
    if (item->childCount() > 0) return;
    const std::vector<std::string> selected = m_scene->selectedIds();
    const QPointF at = selected.size() == 1
                           ? m_model->position(selected.front()) + QPointF(230, 0)
                           : m_view->mapToScene(m_view->viewport()->rect().center());
    m_scene->addLayer(item->text(0), at);
  });
  layout->addWidget(m_search);
  layout->addWidget(m_palette, 1);
  panel->setMinimumWidth(150);
  return panel;
}

QWidget* ModelPage::buildSide() {
  auto* tabs = new QTabWidget(this);
  m_inspectorBox = new QWidget(tabs);
  auto* inspectorLayout = new QVBoxLayout(m_inspectorBox);
  m_inspectorTitle = new QLabel(m_inspectorBox);
  m_inspectorTitle->setWordWrap(true);
  QFont bold = m_inspectorTitle->font();
  bold.setBold(true);
  m_inspectorTitle->setFont(bold);
  m_inspector = new QFormLayout();
  inspectorLayout->addWidget(m_inspectorTitle);
  inspectorLayout->addLayout(m_inspector);
  inspectorLayout->addStretch(1);
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
  tabs->addTab(m_inspectorBox, tr("Inspector"));
  tabs->addTab(m_problems, tr("Problems"));
  tabs->addTab(m_summary, tr("Summary"));
  tabs->addTab(history, tr("History"));
  tabs->setMinimumWidth(260);
  return tabs;
}

void ModelPage::fillInspector() {
  while (m_inspector->rowCount() > 0)
    m_inspector->removeRow(0);
  const std::vector<std::string> selected = m_scene->selectedIds();
  if (selected.size() != 1) {
    m_inspectorTitle->setText(selected.empty() ? tr("Select a layer to see its parameters.")
                                               : tr("%1 layers selected").arg(selected.size()));
    return;
  }
  const std::string id = selected.front();
  const engine::NodeSpec* node = m_model->node(id);
  const engine::LayerType* type = engine::layerRegistry().find(node->type);
  m_inspectorTitle->setText(QStringLiteral("%1 · %2").arg(QString::fromStdString(node->type),
                                                          QString::fromStdString(id)));
  if (type == nullptr) return;
  for (const engine::ParamSpec& param : type->params) {
    const auto current = node->params.find(param.name);
    const nlohmann::json value = current == node->params.end() ? nlohmann::json() : *current;
    const QString name = QString::fromStdString(param.name);
    QWidget* field = nullptr;
    if (param.kind == engine::ParamKind::Bool) {
      auto* box = new QCheckBox(m_inspectorBox);
      box->setChecked(value.is_boolean()
                          ? value.get<bool>()
                          : param.defaultValue.is_boolean() && param.defaultValue.get<bool>());
      connect(box, &QCheckBox::toggled, this, [this, id, param](bool on) {
        m_undo->push(new SetParamCommand(*m_model, id, param.name, on));
      });
      field = box;
    } else if (param.kind == engine::ParamKind::Choice) {
      auto* combo = new QComboBox(m_inspectorBox);
      for (const std::string& choice : param.choices)
        combo->addItem(QString::fromStdString(choice));
      combo->setCurrentText(fieldText(value.is_null() ? param.defaultValue : value));
      connect(combo, &QComboBox::activated, this, [this, id, param, combo] {
        m_undo->push(
            new SetParamCommand(*m_model, id, param.name, combo->currentText().toStdString()));
      });
      field = combo;
    } else {
      // Numbers, lists and int-or-choice values as text, checked against the registry as typed.
      auto* edit = new QLineEdit(fieldText(value), m_inspectorBox);
      edit->setObjectName(QStringLiteral("param_") + name);
      edit->setPlaceholderText(param.defaultValue.is_null() ? tr("required")
                                                            : fieldText(param.defaultValue));
      auto parse = [param](const QString& text) -> std::optional<nlohmann::json> {
        if (text.trimmed().isEmpty()) return nlohmann::json();  // back to the default
        nlohmann::json parsed = nlohmann::json::parse(text.toStdString(), nullptr, false);
        if (parsed.is_discarded()) parsed = text.trimmed().toStdString();  // a choice word
        return parsed;
      };
      auto valid = [type, param, node](const std::optional<nlohmann::json>& candidate) {
        if (!candidate) return false;
        nlohmann::json params = node->params;
        if (candidate->is_null()) {
          params.erase(param.name);
        } else {
          params[param.name] = *candidate;
        }
        std::vector<std::string> problems;
        return engine::layerRegistry().resolveParams(*type, params, problems).has_value();
      };
      connect(edit, &QLineEdit::textEdited, this, [edit, parse, valid](const QString& text) {
        edit->setStyleSheet(valid(parse(text)) ? QString()
                                               : QStringLiteral("QLineEdit { color: #c0392b; }"));
      });
      connect(edit, &QLineEdit::editingFinished, this, [this, edit, id, param, parse, valid] {
        const std::optional<nlohmann::json> candidate = parse(edit->text());
        if (!valid(candidate)) return;  // marked red, not applied
        const engine::NodeSpec* now = m_model->node(id);
        const auto before = now ? now->params.find(param.name) : nlohmann::json::const_iterator();
        if (now && before != now->params.end() && *before == *candidate) return;
        if (now && before == now->params.end() && candidate->is_null()) return;
        m_undo->push(new SetParamCommand(*m_model, id, param.name, *candidate));
      });
      field = edit;
    }
    field->setToolTip(QString::fromStdString(param.description));
    m_inspector->addRow(name, field);
  }
  auto* output = new QCheckBox(tr("An output of the model"), m_inspectorBox);
  const std::vector<std::string> outputs = m_model->spec().outputs;
  output->setChecked(std::find(outputs.begin(), outputs.end(), id) != outputs.end());
  connect(output, &QCheckBox::toggled, this, [this, id](bool on) {
    std::vector<std::string> next = m_model->spec().outputs;
    next.erase(std::remove(next.begin(), next.end(), id), next.end());
    if (on) next.push_back(id);
    m_undo->push(new SetOutputsCommand(*m_model, next));
  });
  m_inspector->addRow(QString(), output);
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
  if (analysis.ok()) {
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
  const engine::ModelSpec spec = m_model->spec();
  m_summary->setPlainText(analysis.ok()
                              ? QString::fromStdString(engine::formatSummary(spec, analysis))
                              : tr("The summary appears when the model has no problems."));
  refreshWarning();
  Q_EMIT modelChanged();
}

engine::ModelSpec ModelPage::currentModel() const {
  return m_model->spec();
}

void ModelPage::setModel(const engine::ModelSpec& spec) {
  m_model->setSpec(spec);
  m_undo->clear();
  m_undo->setClean();
  m_scene->rebuild();
  m_view->fitWhenShown();
}

void ModelPage::newFromTemplate(const QString& path) {
  if (!confirmDiscard()) return;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return;
  const engine::ModelParseResult parsed = engine::parseModelSpec(file.readAll().toStdString());
  if (!parsed.spec) return;
  m_path.clear();
  engine::ModelSpec spec = *parsed.spec;
  // A template starts on the chosen data.
  if (!m_dataShape.empty()) spec.inputShape = m_dataShape;
  setModel(spec);
}

bool ModelPage::openModelFile(const QString& path) {
  const engine::ModelParseResult parsed = engine::loadModelSpec(path.toStdString());
  if (!parsed.spec) {
    QStringList problems;
    for (const engine::ModelProblem& problem : parsed.problems)
      problems << QString::fromStdString(problem.describe());
    QMessageBox::warning(
        this, tr("Open a model"),
        tr("%1 cannot be opened:\n%2").arg(path, problems.join(QLatin1Char('\n'))));
    return false;
  }
  m_path = path;
  setModel(*parsed.spec);
  return true;
}

bool ModelPage::openRunModel(qint64 runId, const QString& modelJson) {
  if (!confirmDiscard()) return false;
  const engine::ModelParseResult parsed = engine::parseModelSpec(modelJson.toStdString());
  if (!parsed.spec) {
    QStringList problems;
    for (const engine::ModelProblem& problem : parsed.problems)
      problems << QString::fromStdString(problem.describe());
    QMessageBox::warning(this, tr("Open a run's model"),
                         tr("The model of run %1 cannot be opened:\n%2")
                             .arg(runId)
                             .arg(problems.join(QLatin1Char('\n'))));
    return false;
  }
  m_path.clear();
  setModel(*parsed.spec);
  return true;
}

bool ModelPage::saveModelFile(const QString& path) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return false;
  file.write(QByteArray::fromStdString(engine::toJson(m_model->spec()).dump(2) + "\n"));
  if (!file.commit()) return false;
  m_path = path;
  m_undo->setClean();
  return true;
}

void ModelPage::save() {
  if (m_path.isEmpty()) {
    saveAs();
  } else if (!saveModelFile(m_path)) {
    QMessageBox::warning(this, tr("Save"), tr("Could not write %1.").arg(m_path));
  }
}

void ModelPage::saveAs() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save the model"), m_path,
                                                    tr("LayerLab models (*.layerlab.json)"));
  if (path.isEmpty()) return;
  if (!saveModelFile(path))
    QMessageBox::warning(this, tr("Save"), tr("Could not write %1.").arg(path));
}

void ModelPage::open() {
  if (!confirmDiscard()) return;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a model"), QString(),
                                                    tr("LayerLab models (*.layerlab.json *.json)"));
  if (!path.isEmpty()) openModelFile(path);
}

void ModelPage::setDataShape(const engine::Shape& shape, int classCount) {
  const bool changed = shape != m_dataShape;
  m_dataShape = shape;
  m_dataClasses = classCount;
  // New data: the model's input follows it, as a step the user can undo.
  if (changed && !shape.empty() && m_model->spec().inputShape != shape) useDataShape();
  refreshWarning();
}

void ModelPage::useDataShape() {
  if (m_dataShape.empty() || m_model->spec().inputShape == m_dataShape) return;
  m_undo->push(new SetInputShapeCommand(
      *m_model, m_dataShape,
      tr("Input %1 from the data").arg(QString::fromStdString(engine::formatShape(m_dataShape)))));
}

QString ModelPage::warningText() const {
  return m_warningBar->isVisibleTo(this) ? m_warning->text() : QString();
}

void ModelPage::refreshWarning() {
  const engine::ModelSpec spec = m_model->spec();
  const engine::ModelAnalysis& analysis = m_model->analysis();
  QString text;
  bool canFix = false;
  if (!m_dataShape.empty() && spec.inputShape != m_dataShape) {
    text = tr("The model expects input %1 but the chosen data gives %2.")
               .arg(QString::fromStdString(engine::formatShape(spec.inputShape)),
                    QString::fromStdString(engine::formatShape(m_dataShape)));
    canFix = true;
  } else if (m_dataClasses > 0 && analysis.ok() && spec.outputs.size() == 1) {
    const engine::NodeAnalysis* out = analysis.find(spec.outputs.front());
    if (out != nullptr && out->outputShape && !out->outputShape->empty() &&
        out->outputShape->back() != m_dataClasses) {
      text = tr("The output '%1' gives %2 values per sample but the chosen data has %3 classes: "
                "set its units to %3.")
                 .arg(QString::fromStdString(spec.outputs.front()))
                 .arg(out->outputShape->back())
                 .arg(m_dataClasses);
    }
  }
  m_warning->setText(text);
  m_warningFix->setText(tr("Use %1").arg(QString::fromStdString(engine::formatShape(m_dataShape))));
  m_warningFix->setVisible(canFix);
  m_warningBar->setVisible(!text.isEmpty());
}

void ModelPage::copySelection() {
  const std::vector<std::string> ids = m_scene->selectedIds();
  if (ids.empty()) return;
  QApplication::clipboard()->setMimeData(nodesMimeData(copyNodes(*m_model, ids)));
  m_pasteCount = 0;
}

void ModelPage::cutSelection() {
  if (m_scene->selectedIds().empty()) return;
  copySelection();
  m_scene->deleteSelection();
}

void ModelPage::paste() {
  const nlohmann::json copied = nodesFromMimeData(QApplication::clipboard()->mimeData());
  if (copied.is_null()) return;
  ++m_pasteCount;
  const double step = 40.0 * m_pasteCount;
  m_scene->selectAfterRebuild(
      pasteNodes(*m_model, *m_undo, copied, QPointF(step, step), /*keepOutsideInputs=*/false));
}

void ModelPage::duplicateSelection() {
  const std::vector<std::string> ids = m_scene->selectedIds();
  if (ids.empty()) return;
  m_scene->selectAfterRebuild(pasteNodes(*m_model, *m_undo, copyNodes(*m_model, ids),
                                         QPointF(40, GraphScene::kCardHeight + 30),
                                         /*keepOutsideInputs=*/true));
}

void ModelPage::selectAll() {
  m_scene->selectNodes(m_model->nodeIds());
}

void ModelPage::showEditMenu(QPoint globalPos, QPointF scenePos) {
  // A right click on an unselected card selects it first, as in any editor.
  for (QGraphicsItem* item : m_scene->items(scenePos)) {
    if (!(item->flags() & QGraphicsItem::ItemIsSelectable)) continue;
    if (!item->isSelected()) {
      m_scene->clearSelection();
      item->setSelected(true);
    }
    break;
  }
  const bool any = !m_scene->selectedIds().empty();
  m_cutAction->setEnabled(any);
  m_copyAction->setEnabled(any);
  m_duplicateAction->setEnabled(any);
  m_pasteAction->setEnabled(!nodesFromMimeData(QApplication::clipboard()->mimeData()).is_null());
  QMenu menu(this);
  menu.addAction(m_cutAction);
  menu.addAction(m_copyAction);
  menu.addAction(m_pasteAction);
  menu.addAction(m_duplicateAction);
  menu.addAction(m_deleteAction);
  menu.addSeparator();
  menu.addAction(m_selectAllAction);
  menu.exec(globalPos);
  for (QAction* action : {m_cutAction, m_copyAction, m_pasteAction, m_duplicateAction})
    action->setEnabled(true);
}

void ModelPage::showTemplateGallery() {
  TemplateGallery gallery(this);
  if (gallery.exec() == QDialog::Accepted && !gallery.chosenPath().isEmpty())
    newFromTemplate(gallery.chosenPath());
}

bool ModelPage::hasUnsavedChanges() const {
  return !m_undo->isClean();
}

bool ModelPage::confirmDiscard() {
  if (!hasUnsavedChanges()) return true;
  const auto answer = QMessageBox::question(
      this, tr("Unsaved changes"), tr("The model has changes that are not saved. Discard them?"),
      QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
  return answer == QMessageBox::Discard;
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
