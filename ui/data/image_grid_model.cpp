#include "ui/data/image_grid_model.h"

#include <QImage>

#include "ui/data/data_preview.h"

namespace layerlab::ui {

void ImageGridModel::setPreview(std::shared_ptr<const DataPreview> preview) {
  beginResetModel();
  m_preview = std::move(preview);
  m_cache.clear();
  endResetModel();
}

int ImageGridModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_preview || !m_preview->images ? 0
                                                              : static_cast<int>(m_preview->count);
}

QVariant ImageGridModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || !m_preview) return {};
  const int row = index.row();
  const QString label =
      m_preview->classNames.value(static_cast<int>(m_preview->labels[static_cast<size_t>(row)]));
  if (role == Qt::DisplayRole) return label;
  if (role == Qt::ToolTipRole) return tr("#%1 · %2").arg(row + 1).arg(label);
  if (role != Qt::DecorationRole) return {};
  if (const QPixmap* cached = m_cache.object(row)) return *cached;
  auto* pixmap = new QPixmap(thumbnail(row));
  m_cache.insert(row, pixmap);
  return *pixmap;
}

QPixmap ImageGridModel::thumbnail(int row) const {
  const DataPreview& p = *m_preview;
  const int64_t plane = p.height * p.width;
  const uint8_t* pixels = p.pixels.data() + static_cast<size_t>(row) * p.channels * plane;
  QImage image(static_cast<int>(p.width), static_cast<int>(p.height), QImage::Format_RGB32);
  for (int64_t y = 0; y < p.height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(static_cast<int>(y)));
    for (int64_t x = 0; x < p.width; ++x) {
      const int64_t at = y * p.width + x;
      const int r = pixels[at];
      const int g = p.channels == 3 ? pixels[plane + at] : r;
      const int b = p.channels == 3 ? pixels[2 * plane + at] : r;
      line[x] = qRgb(r, g, b);
    }
  }
  return QPixmap::fromImage(
      image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::FastTransformation));
}

}  // namespace layerlab::ui
