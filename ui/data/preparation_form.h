// The Data place's settings: normalisation, the validation and test parts, the split seed, a
// sample limit, stratification, the image size (image folders) and augmentation (images). It
// shows a DatasetSpec and writes the user's choices back into one; which settings carry over
// to another data set is the page's decision, not the form's.
//
// Threads: GUI thread only. changed() fires on the GUI thread when the user edits a setting,
// never while showSpec() fills the form.
#pragma once

#include <QWidget>

#include <cstdint>

#include "engine/data/dataset_spec.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QSpinBox;

namespace layerlab::ui {

class PreparationForm : public QWidget {
  Q_OBJECT

 public:
  explicit PreparationForm(QWidget* parent = nullptr);

  void showSpec(const engine::DatasetSpec& spec);
  // Writes every setting of the form into `spec`; the source fields are left alone. An image
  // size equal to the images' own size is written as "keep the own size" (0 × 0), the way a
  // spec without a stated size reads.
  void applyTo(engine::DatasetSpec& spec) const;

  // What the shown source can use: augmentation needs images, a new size an image folder.
  void setSourceKind(bool images, bool imageFolder);
  // The size the folder's images have (from its preview), shown while no size is stated.
  void setOwnImageSize(int64_t height, int64_t width);

 Q_SIGNALS:
  void changed();

 private:
  void addSplitRows(QFormLayout* form);
  void addImageRows(QFormLayout* form);
  void connectEdits();
  void showImageSize(const engine::ImageOptions& image, bool imageFolder);

  bool m_filling = false;
  int64_t m_ownHeight = 0, m_ownWidth = 0;
  QComboBox* m_normalize = nullptr;
  QDoubleSpinBox* m_valFraction = nullptr;
  QDoubleSpinBox* m_testFraction = nullptr;
  QSpinBox* m_seed = nullptr;
  QSpinBox* m_limit = nullptr;
  QCheckBox* m_stratify = nullptr;
  QSpinBox* m_imageWidth = nullptr;
  QSpinBox* m_imageHeight = nullptr;
  QCheckBox* m_flip = nullptr;
  QSpinBox* m_cropPadding = nullptr;
  QDoubleSpinBox* m_rotation = nullptr;
};

}  // namespace layerlab::ui
