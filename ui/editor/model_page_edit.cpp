// The Model place's edit actions: cut, copy, paste, duplicate, select all and the canvas's
// right-click menu.
#include <QApplication>
#include <QClipboard>
#include <QGraphicsItem>
#include <QMenu>
#include <QUndoStack>

#include "ui/editor/editor_model.h"
#include "ui/editor/graph_scene.h"
#include "ui/editor/model_page.h"
#include "ui/editor/node_clipboard.h"

namespace layerlab::ui {

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
                                         QPointF(GraphScene::kCardWidth + 40, 40),
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
  for (QAction* action :
       {m_cutAction, m_copyAction, m_pasteAction, m_duplicateAction, m_deleteAction})
    menu.addAction(action);
  menu.addSeparator();
  menu.addAction(m_selectAllAction);
  menu.exec(globalPos);
  for (QAction* action : {m_cutAction, m_copyAction, m_pasteAction, m_duplicateAction})
    action->setEnabled(true);
}

}  // namespace layerlab::ui
