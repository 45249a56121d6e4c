#include "ui/data/preparation_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace layerlab::ui {
namespace {

// The bounds the dataset document accepts for image.size (dataset_spec.cpp).
constexpr int kMaxImageSize = 4096;
// Shown before a folder's images say their own size.
constexpr int kFallbackImageSize = 32;

QDoubleSpinBox* fractionBox(QWidget* parent, const char* name) {
  auto* box = new QDoubleSpinBox(parent);
  box->setObjectName(QString::fromLatin1(name));
  box->setRange(0.0, 0.9);
  box->setSingleStep(0.05);
  box->setSpecialValueText(PreparationForm::tr("source default"));
  return box;
}

QSpinBox* imageSideBox(QWidget* parent, const char* name) {
  auto* box = new QSpinBox(parent);
  box->setObjectName(QString::fromLatin1(name));
  box->setRange(1, kMaxImageSize);
  box->setSuffix(PreparationForm::tr(" px"));
  // 1 px stands for "not set here": IDX files and Fashion-MNIST keep their own size.
  box->setSpecialValueText(PreparationForm::tr("\u2014"));
  // A new size re-reads the folder: only once the number is typed, not at every digit.
  box->setKeyboardTracking(false);
  return box;
}

}  // namespace

PreparationForm::PreparationForm(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* box = new QGroupBox(tr("Preparation"), this);
  outer->addWidget(box);
  auto* form = new QFormLayout(box);
  m_normalize = new QComboBox(box);
  m_normalize->setObjectName(QStringLiteral("normalize"));
  m_normalize->addItem(tr("z-score (mean 0, std 1)"), QStringLiteral("zscore"));
  m_normalize->addItem(tr("min-max (to 0–1)"), QStringLiteral("minmax"));
  m_normalize->addItem(tr("none"), QStringLiteral("none"));
  m_normalize->setToolTip(tr("Statistics come from the training part only"));
  form->addRow(tr("Normalise"), m_normalize);
  addSplitRows(form);
  addImageRows(form);
  connectEdits();
}

void PreparationForm::addSplitRows(QFormLayout* form) {
  QWidget* box = form->parentWidget();
  m_valFraction = fractionBox(box, "valFraction");
  m_testFraction = fractionBox(box, "testFraction");
  m_seed = new QSpinBox(box);
  m_seed->setObjectName(QStringLiteral("splitSeed"));
  m_seed->setRange(0, 2147483647);
  m_limit = new QSpinBox(box);
  m_limit->setObjectName(QStringLiteral("sampleLimit"));
  m_limit->setRange(0, 100000000);
  m_limit->setSpecialValueText(tr("all"));
  m_limit->setToolTip(
      tr("Keep only this many samples of this data set; a new data set "
         "starts again with all of its own"));
  m_stratify = new QCheckBox(tr("Keep class proportions in every part"), box);
  form->addRow(tr("Validation part"), m_valFraction);
  form->addRow(tr("Test part"), m_testFraction);
  form->addRow(tr("Split seed"), m_seed);
  form->addRow(tr("Samples"), m_limit);
  form->addRow(QString(), m_stratify);
}

void PreparationForm::addImageRows(QFormLayout* form) {
  QWidget* box = form->parentWidget();
  auto* size = new QWidget(box);
  auto* sizeLayout = new QHBoxLayout(size);
  sizeLayout->setContentsMargins(0, 0, 0, 0);
  m_imageWidth = imageSideBox(size, "imageWidth");
  m_imageHeight = imageSideBox(size, "imageHeight");
  sizeLayout->addWidget(m_imageWidth);
  sizeLayout->addWidget(new QLabel(QStringLiteral("×"), size));
  sizeLayout->addWidget(m_imageHeight);
  size->setToolTip(
      tr("Width × height every image is resized to (stretched, not cropped); "
         "the images' own size by default"));
  m_flip = new QCheckBox(tr("Mirror left-right at random"), box);
  m_cropPadding = new QSpinBox(box);
  m_cropPadding->setRange(0, 64);
  m_cropPadding->setSuffix(tr(" px"));
  m_cropPadding->setSpecialValueText(tr("off"));
  m_cropPadding->setToolTip(tr("Pad by this many pixels, then crop back at a random place"));
  m_rotation = new QDoubleSpinBox(box);
  m_rotation->setRange(0, 180);
  m_rotation->setSuffix(QStringLiteral("°"));
  m_rotation->setSpecialValueText(tr("off"));
  form->addRow(tr("Image size"), size);
  form->addRow(tr("Augment"), m_flip);
  form->addRow(tr("Random crop"), m_cropPadding);
  form->addRow(tr("Rotation"), m_rotation);
}

void PreparationForm::connectEdits() {
  const auto edited = [this] {
    if (!m_filling) Q_EMIT changed();
  };
  connect(m_normalize, &QComboBox::currentIndexChanged, this, edited);
  for (QDoubleSpinBox* s : {m_valFraction, m_testFraction, m_rotation})
    connect(s, &QDoubleSpinBox::valueChanged, this, edited);
  for (QSpinBox* s : {m_seed, m_limit, m_cropPadding, m_imageWidth, m_imageHeight})
    connect(s, &QSpinBox::valueChanged, this, edited);
  for (QCheckBox* c : {m_stratify, m_flip})
    connect(c, &QCheckBox::toggled, this, edited);
}

void PreparationForm::showSpec(const engine::DatasetSpec& spec) {
  m_filling = true;
  m_normalize->setCurrentIndex(
      std::max(0, m_normalize->findData(QString::fromStdString(spec.normalize))));
  m_seed->setValue(static_cast<int>(spec.seed));
  m_limit->setValue(static_cast<int>(spec.limit));
  m_stratify->setChecked(spec.stratify);
  m_flip->setChecked(spec.augment.flip);
  m_cropPadding->setValue(static_cast<int>(spec.augment.cropPadding));
  m_rotation->setValue(spec.augment.rotationDegrees);
  m_valFraction->setValue(spec.valFraction.value_or(0));
  m_testFraction->setValue(spec.testFraction.value_or(0));
  showImageSize(spec.image, spec.source == engine::kImageFolderSource);
  m_filling = false;
}

void PreparationForm::showImageSize(const engine::ImageOptions& image, bool imageFolder) {
  if (!imageFolder) {  // the data's own size: a dash, not a made-up number
    m_imageHeight->setValue(m_imageHeight->minimum());
    m_imageWidth->setValue(m_imageWidth->minimum());
    return;
  }
  const bool stated = image.height > 0 && image.width > 0;
  const int64_t fallback = kFallbackImageSize;
  m_imageHeight->setValue(
      static_cast<int>(stated ? image.height : (m_ownHeight > 0 ? m_ownHeight : fallback)));
  m_imageWidth->setValue(
      static_cast<int>(stated ? image.width : (m_ownWidth > 0 ? m_ownWidth : fallback)));
}

void PreparationForm::applyTo(engine::DatasetSpec& spec) const {
  spec.normalize = m_normalize->currentData().toString().toStdString();
  spec.valFraction =
      m_valFraction->value() > 0 ? std::optional<double>(m_valFraction->value()) : std::nullopt;
  spec.testFraction =
      m_testFraction->value() > 0 ? std::optional<double>(m_testFraction->value()) : std::nullopt;
  spec.seed = static_cast<uint64_t>(m_seed->value());
  spec.limit = m_limit->value();
  spec.stratify = m_stratify->isChecked();
  spec.augment.flip = m_flip->isChecked();
  spec.augment.cropPadding = m_cropPadding->value();
  spec.augment.rotationDegrees = m_rotation->value();
  if (spec.source != engine::kImageFolderSource) return;
  const int64_t height = m_imageHeight->value(), width = m_imageWidth->value();
  const bool own = height == m_ownHeight && width == m_ownWidth;
  spec.image.height = own ? 0 : height;
  spec.image.width = own ? 0 : width;
}

void PreparationForm::setSourceKind(bool images, bool imageFolder) {
  for (QWidget* w : std::initializer_list<QWidget*>{m_flip, m_cropPadding, m_rotation})
    w->setEnabled(images);
  for (QSpinBox* box : {m_imageWidth, m_imageHeight}) {
    box->setEnabled(imageFolder);
    box->setToolTip(imageFolder ? tr("Every image is resized to this size")
                                : tr("This data keeps its own image size"));
  }
}

void PreparationForm::setOwnImageSize(int64_t height, int64_t width) {
  m_ownHeight = height;
  m_ownWidth = width;
}

}  // namespace layerlab::ui
