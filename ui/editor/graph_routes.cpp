// How the canvas draws a connection: a smooth curve down from port to port, or a path along a
// lane beside the cards when a straight curve would pass behind them or has to go up (into the
// next fold of a long chain, or back to an earlier layer).
#include <QPainterPath>
#include <QPainterPathStroker>

#include <algorithm>

#include "ui/editor/graph_scene.h"

namespace layerlab::ui {

QPainterPath GraphScene::routeConnection(const NodeCard& source, const NodeCard& target) const {
  const QPointF a = source.outputPort(), b = target.inputPort();
  if (b.y() - a.y() >= 24) {
    const double bend = std::max(30.0, (b.y() - a.y()) / 2);
    QPainterPath down(a);
    down.cubicTo(a + QPointF(0, bend), b - QPointF(0, bend), b);
    if (!passesBehindCards(down, source, target)) return down;
    // A connection that skips layers would run behind the cards in between: it goes beside them.
    return aroundCards(a, b, std::max(source.pos().x(), target.pos().x()) + kCardWidth + 24);
  }
  // Upwards: into the next column of a folded chain, or back to an earlier layer.
  const double lane = b.x() > a.x() ? (source.pos().x() + kCardWidth + target.pos().x()) / 2
                                    : std::min(source.pos().x(), target.pos().x()) - 24;
  return aroundCards(a, b, lane);
}

bool GraphScene::passesBehindCards(const QPainterPath& path, const NodeCard& source,
                                   const NodeCard& target) const {
  QPainterPathStroker stroker;
  stroker.setWidth(2);
  const QPainterPath line = stroker.createStroke(path);
  for (const auto& [id, card] : m_cards) {
    if (card != &source && card != &target &&
        line.intersects(card->sceneBoundingRect().adjusted(-4, -4, 4, 4)))
      return true;
  }
  return false;
}

QPainterPath GraphScene::aroundCards(QPointF a, QPointF b, double laneX) {
  // Down out of the port, along a vertical lane clear of the cards, and down into the target.
  constexpr double kStub = 18, kRound = 12;
  const double below = a.y() + kStub, above = b.y() - kStub;
  const double towardsLane = laneX > a.x() ? kRound : -kRound;
  const double fromLane = b.x() > laneX ? kRound : -kRound;
  const double vertical = above < below ? -kRound : kRound;
  QPainterPath path(a);
  path.lineTo(a.x(), below - kRound);
  path.quadTo(a.x(), below, a.x() + towardsLane, below);
  path.lineTo(laneX - towardsLane, below);
  path.quadTo(laneX, below, laneX, below + vertical);
  path.lineTo(laneX, above - vertical);
  path.quadTo(laneX, above, laneX + fromLane, above);
  path.lineTo(b.x() - fromLane, above);
  path.quadTo(b.x(), above, b.x(), above + kRound);
  path.lineTo(b);
  return path;
}

}  // namespace layerlab::ui
