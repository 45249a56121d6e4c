// The template gallery behind "New from Template": every model template shipped with LayerLab
// as a card with a thumbnail of its graph (drawn by the editor's own scene), its name, what it is
// for, its input shape and its parameter count. Double-click or Create opens one.
//
// Threads: GUI thread only.
#pragma once

#include <QDialog>
#include <QPixmap>
#include <QString>

class QListWidget;

namespace layerlab::engine {
struct ModelSpec;
}

namespace layerlab::ui {

// The folder of the templates in the application's resources.
inline constexpr const char* kTemplateFolder = ":/layerlab/templates";

// A picture of `spec`'s graph as the editor draws it, scaled to fit `size`.
QPixmap graphThumbnail(const engine::ModelSpec& spec, QSize size);

class TemplateGallery : public QDialog {
  Q_OBJECT

 public:
  explicit TemplateGallery(QWidget* parent = nullptr);

  // The chosen template's file, empty before a choice.
  QString chosenPath() const;
  QListWidget& list() const { return *m_list; }

 private:
  QListWidget* m_list = nullptr;
};

}  // namespace layerlab::ui
