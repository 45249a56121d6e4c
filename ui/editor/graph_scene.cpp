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

namespace layerlab::ui {

namespace {

constexpr double kPortRadius = 6;
const QColor kProblemColour(200, 55, 45);

QPalette appPalette() {
  return QPalette();
}

}  // namespace

// One node (or the model's input) as a card.
class NodeCard : public QGraphicsItem {
 public:
  NodeCard(GraphScene& scene, std::string id, QString title, QString subtitle, QString detail,
           QString problem, bool output)
      : m_scene(scene),
        m_id(std::move(id)),
        m_title(std::move(title)),
        m_subtitle(std::move(subtitle)),
        m_detail(std::move(detail)),
        m_problem(std::move(problem)),
        m_output(output) {
    const bool isInput = m_id == engine::kInputName;
    setFlag(ItemIsSelectable, !isInput);
    setFlag(ItemIsMovable);
    setFlag(ItemSendsGeometryChanges);
    setAcceptHoverEvents(true);
    setToolTip(m_problem.isEmpty() ? m_detail : m_problem);
    setZValue(1);
  }

  const std::string& id() const { return m_id; }
  bool hasProblem() const { return !m_problem.isEmpty(); }
  QPointF inputPort() const { return pos() + QPointF(0, GraphScene::kCardHeight / 2); }
  QPointF outputPort() const {
    return pos() + QPointF(GraphScene::kCardWidth, GraphScene::kCardHeight / 2);
  }

  QRectF boundingRect() const override {
    return QRectF(-kPortRadius, -2, GraphScene::kCardWidth + 2 * kPortRadius,
                  GraphScene::kCardHeight + 4);
  }

  void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override {
    const QPalette pal = appPalette();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF card(0, 0, GraphScene::kCardWidth, GraphScene::kCardHeight);
    QColor border = hasProblem() ? kProblemColour : pal.color(QPalette::Mid);
    if (isSelected()) border = pal.color(QPalette::Highlight);
    painter->setPen(QPen(border, isSelected() || hasProblem() ? 2.4 : 1.2));
    painter->setBrush(
        pal.color(m_id == engine::kInputName ? QPalette::AlternateBase : QPalette::Base));
    painter->drawRoundedRect(card, 8, 8);
    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(hasProblem() ? kProblemColour : pal.color(QPalette::Text));
    painter->drawText(card.adjusted(10, 6, -10, 0), Qt::AlignLeft | Qt::AlignTop, m_title);
    QFont normal = painter->font();
    normal.setBold(false);
    normal.setPointSizeF(normal.pointSizeF() * 0.9);
    painter->setFont(normal);
    painter->setPen(pal.color(QPalette::PlaceholderText));
    painter->drawText(card.adjusted(10, 26, -10, 0), Qt::AlignLeft | Qt::AlignTop, m_subtitle);
    painter->setPen(hasProblem() ? kProblemColour : pal.color(QPalette::Text));
    const QString detail = hasProblem() ? QStringLiteral("\u26a0 ") + m_problem : m_detail;
    painter->drawText(card.adjusted(10, 46, -10, -4), Qt::AlignLeft | Qt::AlignTop,
                      painter->fontMetrics().elidedText(detail, Qt::ElideRight,
                                                        static_cast<int>(card.width() - 20)));
    // Ports: input on the left (not for the model input), output on the right.
    painter->setPen(QPen(pal.color(QPalette::Mid), 1));
    painter->setBrush(m_output ? QColor(44, 160, 44) : pal.color(QPalette::Button));
    if (m_id != engine::kInputName)
      painter->drawEllipse(QPointF(0, card.height() / 2), kPortRadius, kPortRadius);
    painter->drawEllipse(QPointF(card.width(), card.height() / 2), kPortRadius, kPortRadius);
  }

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override {
    const QPointF port(GraphScene::kCardWidth, GraphScene::kCardHeight / 2);
    if (event->button() == Qt::LeftButton &&
        QLineF(event->pos(), port).length() <= kPortRadius + 3) {
      m_connecting = true;
      m_scene.beginConnection(m_id, event->scenePos());
      event->accept();
      return;
    }
    QGraphicsItem::mousePressEvent(event);
  }
  void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override {
    if (m_connecting) {
      m_scene.dragConnection(event->scenePos());
      return;
    }
    QGraphicsItem::mouseMoveEvent(event);
    m_moved = true;
  }
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override {
    if (m_connecting) {
      m_connecting = false;
      m_scene.endConnection(event->scenePos());
      return;
    }
    QGraphicsItem::mouseReleaseEvent(event);
    if (m_moved) {
      m_moved = false;
      m_scene.commitMoves();
    }
  }

 private:
  GraphScene& m_scene;
  std::string m_id;
  QString m_title, m_subtitle, m_detail, m_problem;
  bool m_output = false;
  bool m_connecting = false;
  bool m_moved = false;
};

// One connection: a curve from an output port to an input port. Selectable (Delete removes it),
// wider to the mouse than it looks, highlighted under the pointer; its context menu removes it or
// inserts a layer on it, and a layer dropped on it from the palette is inserted there.
class EdgeItem : public QGraphicsPathItem {
 public:
  EdgeItem(GraphScene& scene, std::string from, std::string to, const QPainterPath& path)
      : QGraphicsPathItem(path), m_scene(scene), m_from(std::move(from)), m_to(std::move(to)) {
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(0);
    restyle();
  }

  const std::string& from() const { return m_from; }
  const std::string& to() const { return m_to; }

  QPainterPath shape() const override {
    QPainterPathStroker stroker;
    stroker.setWidth(12);
    return stroker.createStroke(path());
  }

  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override {
    restyle();
    QStyleOptionGraphicsItem plain(*option);
    plain.state &= ~QStyle::State_Selected;  // the colour shows selection, not a dashed box
    QGraphicsPathItem::paint(painter, &plain, widget);
  }

 protected:
  void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override {
    m_hovered = true;
    update();
    QGraphicsPathItem::hoverEnterEvent(event);
  }
  void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override {
    m_hovered = false;
    update();
    QGraphicsPathItem::hoverLeaveEvent(event);
  }
  void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override {
    QMenu menu;
    QMenu* insert = menu.addMenu(QObject::tr("Insert Layer"));
    std::map<std::string, QMenu*> categories;
    for (const engine::LayerType& type : engine::layerRegistry().types()) {
      if (type.minInputs <= 1) {
        QMenu*& category = categories[type.category];
        if (category == nullptr) category = insert->addMenu(QString::fromStdString(type.category));
        category->addAction(QString::fromStdString(type.name),
                            [scene = &m_scene, from = m_from, to = m_to, name = type.name] {
                              scene->insertLayerOn(from, to, QString::fromStdString(name));
                            });
      }
    }
    menu.addAction(QObject::tr("Remove Connection"), [scene = &m_scene, from = m_from, to = m_to] {
      scene->removeConnection(from, to);
    });
    menu.exec(event->screenPos());
    event->accept();
  }

 private:
  void restyle() {
    const QPalette pal = appPalette();
    const bool strong = isSelected() || m_hovered;
    const QPen wanted(pal.color(strong ? QPalette::Highlight : QPalette::Mid), strong ? 2.6 : 1.6);
    if (pen() != wanted) setPen(wanted);
  }

  GraphScene& m_scene;
  std::string m_from, m_to;
  bool m_hovered = false;
};

QPainterPath GraphScene::routeConnection(const NodeCard& source, const NodeCard& target) const {
  const QPointF a = source.outputPort(), b = target.inputPort();
  QPainterPath direct(a);
  const double bend = std::max(40.0, (b.x() - a.x()) / 2);
  direct.cubicTo(a + QPointF(bend, 0), b - QPointF(bend, 0), b);
  // A connection that skips layers would run behind the cards in between: it goes over them.
  QPainterPathStroker stroker;
  stroker.setWidth(2);
  const QPainterPath line = stroker.createStroke(direct);
  double lane = std::numeric_limits<double>::max();
  for (const auto& [id, card] : m_cards) {
    if (card == &source || card == &target) continue;
    const QRectF box = card->sceneBoundingRect().adjusted(-4, -4, 4, 4);
    if (box.left() > std::min(a.x(), b.x()) && box.right() < std::max(a.x(), b.x()) &&
        line.intersects(box))
      lane = std::min(lane, box.top());
  }
  if (lane == std::numeric_limits<double>::max()) return direct;
  for (const auto& [id, card] : m_cards) {  // clear of every card the lane passes
    const QRectF box = card->sceneBoundingRect();
    if (card != &source && card != &target && box.left() < std::max(a.x(), b.x()) &&
        box.right() > std::min(a.x(), b.x()) && box.top() < lane && box.bottom() > lane - 30)
      lane = std::min(lane, box.top());
  }
  lane -= 22;
  QPainterPath over(a);
  const double rise = 36;
  over.cubicTo(a + QPointF(rise, 0), QPointF(a.x() + rise, lane), QPointF(a.x() + 2 * rise, lane));
  over.lineTo(b.x() - 2 * rise, lane);
  over.cubicTo(QPointF(b.x() - rise, lane), b - QPointF(rise, 0), b);
  return over;
}

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
  const engine::ModelAnalysis& analysis = m_model.analysis();
  auto shapeText = [](const std::optional<engine::Shape>& shape) {
    return shape ? QString::fromStdString(engine::formatShape(*shape)) : QStringLiteral("?");
  };
  // The model's input.
  auto* input =
      new NodeCard(*this, engine::kInputName, tr("Input"), QString::fromStdString(spec.inputDtype),
                   tr("shape %1").arg(QString::fromStdString(engine::formatShape(spec.inputShape))),
                   QString(), false);
  input->setPos(m_model.position(engine::kInputName));
  addItem(input);
  m_cards[engine::kInputName] = input;
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
    auto* card =
        new NodeCard(*this, node.id, QString::fromStdString(node.type),
                     QString::fromStdString(node.id) + (output ? tr(" · output") : QString()),
                     detail, problems[node.id], output);
    card->setPos(m_model.position(node.id));
    addItem(card);
    m_cards[node.id] = card;
  }
  // Connections, labelled with the shape they carry.
  const QPalette pal = appPalette();
  for (const engine::NodeSpec& node : spec.nodes) {
    for (const std::string& from : node.inputs) {
      NodeCard* source = card(from);
      NodeCard* target = card(node.id);
      if (source == nullptr || target == nullptr) continue;
      const QPainterPath path = routeConnection(*source, *target);
      auto* edge = new EdgeItem(*this, from, node.id, path);
      addItem(edge);
      QString carried = tr("[?]");
      if (from == engine::kInputName) {
        carried = QString::fromStdString(engine::formatShape(spec.inputShape));
      } else if (const engine::NodeAnalysis* info = analysis.find(from)) {
        carried = shapeText(info->outputShape);
      }
      auto* label = addSimpleText(carried);
      QFont small = label->font();
      small.setPointSizeF(small.pointSizeF() * 0.8);
      label->setFont(small);
      label->setBrush(pal.color(QPalette::PlaceholderText));
      label->setPos(path.pointAtPercent(0.5) + QPointF(-label->boundingRect().width() / 2, -16));
      edge->setToolTip(
          tr("%1 → %2: %3")
              .arg(QString::fromStdString(from), QString::fromStdString(node.id), carried));
      ++m_edgeCount;
    }
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

std::string GraphScene::addLayer(const QString& type, QPointF at) {
  const std::string typeName = type.toStdString();
  engine::NodeSpec node{.id = m_model.freshId(typeName),
                        .type = typeName,
                        .inputs = {},
                        .params = EditorModel::startingParams(typeName)};
  const std::vector<std::string> selected = selectedIds();
  if (selected.size() == 1) node.inputs = {selected.front()};
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
  // Between the two cards, and the cards from `to` on moved one column right to make room when
  // they are too close.
  const QPointF a = m_model.position(from), b = m_model.position(to);
  QPointF at((a.x() + b.x()) / 2, (a.y() + b.y()) / 2);
  m_undo.beginMacro(tr("Insert %1 between %2 and %3")
                        .arg(QString::fromStdString(node.id), QString::fromStdString(from),
                             QString::fromStdString(to)));
  if (b.x() - a.x() < 2 * kCardWidth + 40) {
    std::map<std::string, QPointF> shifted;
    const double by = 2 * kCardWidth + 80 - (b.x() - a.x());
    for (const std::string& id : m_model.nodeIds()) {
      const QPointF p = m_model.position(id);
      if (p.x() >= b.x() - 1) shifted[id] = p + QPointF(by, 0);
    }
    m_undo.push(new MoveNodesCommand(m_model, shifted));
    at = QPointF(a.x() + kCardWidth + 40, (a.y() + b.y()) / 2);
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
      addPath(QPainterPath(at), QPen(appPalette().color(QPalette::Highlight), 2, Qt::DashLine));
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
