// The Data place's image grid: one labelled thumbnail per previewed image, drawn only when the
// view asks for it and kept in a small cache, so paging through 60,000 images stays quick.
//
// Threads: GUI thread only.
#pragma once

#include <QAbstractListModel>
#include <QCache>
#include <QPixmap>

#include <memory>

namespace layerlab::ui {

struct DataPreview;

class ImageGridModel : public QAbstractListModel {
  Q_OBJECT

 public:
  static constexpr int kThumbnail = 56;

  using QAbstractListModel::QAbstractListModel;

  // Shows the images of `preview` (none for a table or nullptr).
  void setPreview(std::shared_ptr<const DataPreview> preview);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 private:
  QPixmap thumbnail(int row) const;

  std::shared_ptr<const DataPreview> m_preview;
  mutable QCache<int, QPixmap> m_cache{4000};
};

}  // namespace layerlab::ui
