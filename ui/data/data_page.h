// The Data place: choose the data a run trains on and see it before training. Sources: the
// built-in Fashion-MNIST, an IDX pair, a CSV table (through the import dialog) or a folder of
// images with one sub-folder per class. The preview is a paged grid of labelled images or a
// table of rows, with a class histogram and basic statistics. Controls set normalisation,
// validation and test fractions, seed, stratification and augmentation. The result is an
// engine::DatasetSpec, which the Train place uses and every run keeps.
//
// Reading happens on a worker thread (the GUI stays responsive); the page shows progress and
// any error with the file and line it concerns.
//
// Threads: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include <memory>

#include "engine/data/dataset_spec.h"
#include "engine/model/shape.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListView;
class QProgressBar;
class QSpinBox;
class QStackedWidget;
class QTableWidget;
class QThread;

namespace layerlab::ui {

class ClassHistogram;
class ImageGridModel;
struct DataPreview;

class DataPage : public QWidget {
  Q_OBJECT

 public:
  // Rows of a table shown in the preview.
  static constexpr int kTableRows = 500;

  explicit DataPage(QWidget* parent = nullptr);
  ~DataPage() override;

  engine::DatasetSpec datasetSpec() const;

  // Opens a CSV (through the import dialog unless `csvOptions` are given), a folder of images,
  // or an IDX images file (its labels file is found beside it). False, with the reason shown in
  // the page, when it cannot.
  bool openPath(const QString& path);
  bool openCsv(const QString& path, const engine::CsvOptions& options);
  void showFashionMnist();

  // What the page shows, for tests and the screenshot script.
  bool loading() const { return m_worker != nullptr; }
  QString errorText() const { return m_error; }
  QString statisticsText() const;
  int previewCount() const;  // images in the grid or rows in the table
  QStringList classNames() const;
  std::vector<int64_t> classCounts() const;
  // The shape of one sample as a model reads it ([C, H, W] or [features]); empty before a preview.
  engine::Shape sampleShape() const;

 Q_SIGNALS:
  void datasetChanged(const layerlab::engine::DatasetSpec& spec);
  void fileOpened(const QString& path);
  // A preview finished loading (or failed: see errorText()).
  void previewReady();

 private:
  QWidget* buildControls();
  void load(const engine::DatasetSpec& spec);
  void showPreview(std::shared_ptr<DataPreview> preview);
  void controlsChanged();
  void showSpecInControls();
  void showError(const QString& message);

  engine::DatasetSpec m_spec;
  QString m_error;
  std::shared_ptr<DataPreview> m_preview;
  QThread* m_worker = nullptr;
  bool m_applying = false;

  QLabel* m_sourceLabel = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_errorLabel = nullptr;
  QStackedWidget* m_views = nullptr;
  QListView* m_grid = nullptr;
  ImageGridModel* m_gridModel = nullptr;
  QTableWidget* m_table = nullptr;
  ClassHistogram* m_histogram = nullptr;
  QLabel* m_stats = nullptr;
  QComboBox* m_normalize = nullptr;
  QDoubleSpinBox* m_valFraction = nullptr;
  QDoubleSpinBox* m_testFraction = nullptr;
  QSpinBox* m_seed = nullptr;
  QSpinBox* m_limit = nullptr;
  QCheckBox* m_stratify = nullptr;
  QCheckBox* m_flip = nullptr;
  QSpinBox* m_cropPadding = nullptr;
  QDoubleSpinBox* m_rotation = nullptr;
};

}  // namespace layerlab::ui
