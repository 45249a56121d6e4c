#include "ui/editor/graph_scene.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneDragDropEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QSignalBlocker>
#include <QStyle>
#include <QStyleOptionGraphicsItem>
#include <QUndoStack>

#include <limits>

#include "engine/model/layer_registry.h"
#include "engine/model/model_summary.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/node_card.h"

namespace layerlab::ui {

GraphScene::GraphScene(EditorModel& model, QUndoStack& undo, QObject* parent)
    : QGraphicsScene(parent), m_model(model), m_undo(undo) {
  // Rebuilt after the event that changed the model has finished: a card may be in the middle of
  // its own mouse handler when its edit lands.
  connect(&m_model, &EditorModel::changed, this, [this] {
    if (m_rebuildPending) return;
    m_rebuildPending = true;
    QMetaObject::invokeMethod(this, &GraphScene::rebuild, Qt::QueuedConnection);
  });
  rebuild();
}

GraphScene::~GraphScene() {
  // QGraphicsScene's destructor deletes the cards; nobody should hear about it.
  m_cards.clear();
  blockSignals(true);
}

NodeCard* GraphScene::card(const std::string& id) const {
  const auto found = m_cards.find(id);
  return found == m_cards.end() ? nullptr : found->second;
}

QPointF GraphScene::cardCentre(const std::string& id) const {
  const NodeCard* c = card(id);
  return c == nullptr ? QPointF() : c->pos() + QPointF(kCardWidth / 2, kCardHeight / 2);
}

std::vector<std::string> GraphScene::selectedIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, card] : m_cards) {
    if (card->isSelected() && id != engine::kInputName) ids.push_back(id);
  }
  return ids;
}

void GraphScene::selectNode(const std::string& id) {
  selectNodes({id});
}

void GraphScene::selectNodes(const std::vector<std::string>& ids) {
  clearSelection();
  for (const std::string& id : ids) {
    if (NodeCard* c = card(id)) c->setSelected(true);
  }
}

std::vector<std::pair<std::string, std::string>> GraphScene::selectedConnections() const {
  std::vector<std::pair<std::string, std::string>> connections;
  for (QGraphicsItem* item : selectedItems()) {
    if (auto* edge = dynamic_cast<EdgeItem*>(item))
      connections.emplace_back(edge->from(), edge->to());
  }
  return connections;
}

QPointF GraphScene::connectionMidpoint(const std::string& from, const std::string& to) const {
  for (QGraphicsItem* item : items()) {
    if (auto* edge = dynamic_cast<EdgeItem*>(item);
        edge && edge->from() == from && edge->to() == to)
      return edge->path().pointAtPercent(0.5);
  }
  return QPointF();
}

namespace {

QString shapeText(const std::optional<engine::Shape>& shape) {
  return shape ? QString::fromStdString(engine::formatShape(*shape)) : QStringLiteral("?");
}

}  // namespace

void GraphScene::rebuild() {
  m_rebuildPending = false;
  const std::vector<std::string> selected = selectedIds();
  m_rubberLine = nullptr;
  m_cards.clear();
  {
    // Deleting selected cards would report a selection change about cards already gone.
    const QSignalBlocker quiet(this);
    clear();
  }
  m_edgeCount = 0;
  const engine::ModelSpec spec = m_model.spec();
  addCards(spec);
  for (const engine::NodeSpec& node : spec.nodes) {
    for (const std::string& from : node.inputs)
      addConnection(spec, from, node.id);
  }
  for (const std::string& id : selected) {
    if (NodeCard* c = card(id)) c->setSelected(true);
  }
  if (!m_selectAfterRebuild.empty()) {
    selectNodes(m_selectAfterRebuild);
    m_selectAfterRebuild.clear();
  }
  Q_EMIT rebuilt();
}

void GraphScene::addCard(NodeCard* card) {
  card->setPos(m_model.position(card->id()));
  addItem(card);
  m_cards[card->id()] = card;
}

void GraphScene::addCards(const engine::ModelSpec& spec) {
  const engine::ModelAnalysis& analysis = m_model.analysis();
  addCard(new NodeCard(
      *this, engine::kInputName,
      {.title = tr("Input"),
       .subtitle = QString::fromStdString(spec.inputDtype),
       .detail = tr("shape %1").arg(QString::fromStdString(engine::formatShape(spec.inputShape)))},
      false));
  std::map<std::string, QString> problems;
  for (const engine::ModelProblem& problem : analysis.problems) {
    QString& text = problems[problem.nodeId];
    text += (text.isEmpty() ? QString() : QStringLiteral("\n")) +
            QString::fromStdString(problem.message);
  }
  for (const engine::NodeSpec& node : spec.nodes) {
    const engine::NodeAnalysis* info = analysis.find(node.id);
    const QString detail =
        info ? tr("%1 · %2 params")
                   .arg(shapeText(info->outputShape),
                        QString::fromStdString(engine::formatThousands(info->paramCount)))
             : QString();
    const bool output =
        std::find(spec.outputs.begin(), spec.outputs.end(), node.id) != spec.outputs.end();
    addCard(new NodeCard(
        *this, node.id,
        {.title = QString::fromStdString(node.type),
         .subtitle = QString::fromStdString(node.id) + (output ? tr(" · output") : QString()),
         .detail = detail,
         .problem = problems[node.id]},
        output));
  }
}

// A connection, labelled with the shape it carries.
void GraphScene::addConnection(const engine::ModelSpec& spec, const std::string& from,
                               const std::string& to) {
  NodeCard* source = card(from);
  NodeCard* target = card(to);
  if (source == nullptr || target == nullptr) return;
  const QPainterPath path = routeConnection(*source, *target);
  auto* edge = new EdgeItem(*this, from, to, path);
  addItem(edge);
  QString carried = tr("[?]");
  if (from == engine::kInputName) {
    carried = QString::fromStdString(engine::formatShape(spec.inputShape));
  } else if (const engine::NodeAnalysis* info = m_model.analysis().find(from)) {
    carried = shapeText(info->outputShape);
  }
  auto* label = addSimpleText(carried);
  label->setFont(canvasFont(kTextPixels));
  label->setBrush(QColor(85, 85, 85));
  label->setPos(path.pointAtPercent(0.5) + QPointF(8, -label->boundingRect().height() / 2));
  edge->setToolTip(
      tr("%1 → %2: %3").arg(QString::fromStdString(from), QString::fromStdString(to), carried));
  ++m_edgeCount;
}

std::string GraphScene::addLayer(const QString& type, QPointF at, const std::string& from) {
  const std::string typeName = type.toStdString();
  engine::NodeSpec node{.id = m_model.freshId(typeName),
                        .type = typeName,
                        .inputs = {},
                        .params = EditorModel::startingParams(typeName)};
  const std::vector<std::string> selected = selectedIds();
  if (!from.empty()) {
    node.inputs = {from};
  } else if (selected.size() == 1) {
    node.inputs = {selected.front()};
  }
  // The output follows a chain as it grows: a layer added after the model's only output (or to
  // a model without one) becomes the output.
  const std::vector<std::string> outputs = m_model.spec().outputs;
  const bool takesOutput = outputs.empty() || (outputs.size() == 1 && node.inputs.size() == 1 &&
                                               outputs.front() == node.inputs.front());
  m_undo.beginMacro(tr("Add %1").arg(QString::fromStdString(node.id)));
  m_undo.push(new AddNodeCommand(m_model, node, at));
  if (takesOutput) m_undo.push(new SetOutputsCommand(m_model, {node.id}));
  m_undo.endMacro();
  m_selectAfterRebuild = {node.id};
  return node.id;
}

std::string GraphScene::insertLayerOn(const std::string& from, const std::string& to,
                                      const QString& type) {
  const engine::NodeSpec* target = m_model.node(to);
  if (target == nullptr ||
      std::find(target->inputs.begin(), target->inputs.end(), from) == target->inputs.end())
    return {};
  const std::string typeName = type.toStdString();
  engine::NodeSpec node{.id = m_model.freshId(typeName),
                        .type = typeName,
                        .inputs = {from},
                        .params = EditorModel::startingParams(typeName)};
  std::vector<std::string> inputs = target->inputs;
  std::replace(inputs.begin(), inputs.end(), from, node.id);
  // Between the two cards, and the cards from `to` down moved one row lower to make room when
  // they are too close.
  const QPointF a = m_model.position(from), b = m_model.position(to);
  QPointF at((a.x() + b.x()) / 2, (a.y() + b.y()) / 2);
  m_undo.beginMacro(tr("Insert %1 between %2 and %3")
                        .arg(QString::fromStdString(node.id), QString::fromStdString(from),
                             QString::fromStdString(to)));
  if (b.y() > a.y() && b.y() - a.y() < 2 * kCardHeight + 40) {
    std::map<std::string, QPointF> shifted;
    const double by = 2 * kCardHeight + 80 - (b.y() - a.y());
    for (const std::string& id : m_model.nodeIds()) {
      const QPointF p = m_model.position(id);
      if (p.y() >= b.y() - 1) shifted[id] = p + QPointF(0, by);
    }
    m_undo.push(new MoveNodesCommand(m_model, shifted));
    at = QPointF(a.x(), a.y() + kCardHeight + 40);
  }
  m_undo.push(new AddNodeCommand(m_model, node, at));
  m_undo.push(new SetInputsCommand(m_model, to, inputs, QString()));
  m_undo.endMacro();
  m_selectAfterRebuild = {node.id};
  return node.id;
}

void GraphScene::removeConnection(const std::string& from, const std::string& to) {
  const engine::NodeSpec* target = m_model.node(to);
  if (target == nullptr) return;
  std::vector<std::string> inputs = target->inputs;
  const auto found = std::find(inputs.begin(), inputs.end(), from);
  if (found == inputs.end()) return;
  inputs.erase(found);
  m_undo.push(new SetInputsCommand(
      m_model, to, inputs,
      tr("Disconnect %1 → %2").arg(QString::fromStdString(from), QString::fromStdString(to))));
}

void GraphScene::selectAfterRebuild(std::vector<std::string> ids) {
  m_selectAfterRebuild = std::move(ids);
}

void GraphScene::connectNodes(const std::string& from, const std::string& to) {
  const engine::NodeSpec* target = m_model.node(to);
  if (target == nullptr || from == to) return;
  std::vector<std::string> inputs = target->inputs;
  if (std::find(inputs.begin(), inputs.end(), from) != inputs.end()) return;
  inputs.push_back(from);
  m_undo.push(new SetInputsCommand(
      m_model, to, inputs,
      tr("Connect %1 → %2").arg(QString::fromStdString(from), QString::fromStdString(to))));
}

void GraphScene::deleteSelection() {
  const std::vector<std::string> ids = selectedIds();
  std::vector<std::pair<std::string, std::string>> connections;
  for (const auto& [from, to] : selectedConnections()) {
    // A connection of a deleted node goes with it.
    if (std::find(ids.begin(), ids.end(), from) == ids.end() &&
        std::find(ids.begin(), ids.end(), to) == ids.end())
      connections.emplace_back(from, to);
  }
  if (ids.empty() && connections.empty()) return;
  m_undo.beginMacro(
      ids.empty() ? tr("Remove %n connection(s)", nullptr, static_cast<int>(connections.size()))
      : ids.size() == 1 ? tr("Delete %1").arg(QString::fromStdString(ids.front()))
                        : tr("Delete %1 layers").arg(ids.size()));
  for (const auto& [from, to] : connections)
    removeConnection(from, to);
  for (const std::string& id : ids)
    m_undo.push(new RemoveNodeCommand(m_model, id));
  m_undo.endMacro();
}

void GraphScene::beginConnection(const std::string& from, QPointF at) {
  m_connectFrom = from;
  m_rubberLine =
      addPath(QPainterPath(at), QPen(QPalette().color(QPalette::Highlight), 2, Qt::DashLine));
  m_rubberLine->setZValue(2);
  dragConnection(at);
}

void GraphScene::dragConnection(QPointF at) {
  if (m_rubberLine == nullptr) return;
  NodeCard* source = card(m_connectFrom);
  if (source == nullptr) return;
  QPainterPath path(source->outputPort());
  path.lineTo(at);
  m_rubberLine->setPath(path);
}

void GraphScene::endConnection(QPointF at) {
  const std::string from = m_connectFrom;
  m_connectFrom.clear();
  if (m_rubberLine != nullptr) {
    removeItem(m_rubberLine);
    delete m_rubberLine;
    m_rubberLine = nullptr;
  }
  for (QGraphicsItem* item : items(at)) {
    if (auto* target = dynamic_cast<NodeCard*>(item)) {
      if (target->id() != engine::kInputName) connectNodes(from, target->id());
      return;
    }
  }
}

void GraphScene::commitMoves() {
  std::map<std::string, QPointF> moved;
  for (const auto& [id, c] : m_cards) {
    if (c->pos() != m_model.position(id)) moved[id] = c->pos();
  }
  if (!moved.empty()) m_undo.push(new MoveNodesCommand(m_model, moved, ++m_dragId));
}

void GraphScene::dragEnterEvent(QGraphicsSceneDragDropEvent* event) {
  event->setAccepted(event->mimeData()->hasFormat(QString::fromLatin1(kLayerMimeType)));
}

void GraphScene::dragMoveEvent(QGraphicsSceneDragDropEvent* event) {
  event->setAccepted(event->mimeData()->hasFormat(QString::fromLatin1(kLayerMimeType)));
}

void GraphScene::dropEvent(QGraphicsSceneDragDropEvent* event) {
  const QByteArray type = event->mimeData()->data(QString::fromLatin1(kLayerMimeType));
  if (type.isEmpty()) return;
  event->acceptProposedAction();
  // Dropped on a connection: inserted into it. Anywhere else: a new card there.
  for (QGraphicsItem* item : items(event->scenePos())) {
    if (dynamic_cast<NodeCard*>(item)) break;
    if (auto* edge = dynamic_cast<EdgeItem*>(item)) {
      insertLayerOn(edge->from(), edge->to(), QString::fromUtf8(type));
      return;
    }
  }
  addLayer(QString::fromUtf8(type), event->scenePos() - QPointF(kCardWidth / 2, kCardHeight / 2));
}

}  // namespace layerlab::ui
