#include "ui/editor/layer_palette.h"

#include <QLineEdit>
#include <QMimeData>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

#include "engine/model/layer_registry.h"
#include "ui/editor/graph_scene.h"

namespace layerlab::ui {
namespace {

// Layer types that start a drag carrying their name.
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

}  // namespace

LayerPalette::LayerPalette(QWidget* parent) : QWidget(parent) {
  m_search = new QLineEdit(this);
  m_search->setPlaceholderText(tr("Search layers"));
  m_search->setClearButtonEnabled(true);
  m_tree = new PaletteTree(this);
  m_tree->setObjectName(QStringLiteral("palette"));
  m_tree->setHeaderHidden(true);
  m_tree->setDragEnabled(true);
  m_tree->setDragDropMode(QAbstractItemView::DragOnly);
  std::map<std::string, QTreeWidgetItem*> categories;
  for (const engine::LayerType& type : engine::layerRegistry().types()) {
    QTreeWidgetItem*& category = categories[type.category];
    if (category == nullptr) {
      category = new QTreeWidgetItem(m_tree, {QString::fromStdString(type.category)});
      category->setFlags(Qt::ItemIsEnabled);
    }
    auto* item = new QTreeWidgetItem(category, {QString::fromStdString(type.name)});
    item->setToolTip(0, QString::fromStdString(type.description));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  m_tree->expandAll();
  connect(m_search, &QLineEdit::textChanged, this, &LayerPalette::filter);
  connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item) {
    if (item->childCount() == 0) Q_EMIT layerActivated(item->text(0));
  });
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_search);
  layout->addWidget(m_tree, 1);
  setMinimumWidth(150);
}

void LayerPalette::filter(const QString& text) {
  for (int c = 0; c < m_tree->topLevelItemCount(); ++c) {
    QTreeWidgetItem* category = m_tree->topLevelItem(c);
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
}

}  // namespace layerlab::ui
