// The Data place: choose the data a run trains on and see it before training. Sources: the
// built-in Fashion-MNIST, an IDX pair, a CSV table (through the import dialog) or a folder of
// images with one sub-folder per class. The preview is a paged grid of labelled images or a
// table of rows, with a class histogram and basic statistics; the settings form sets
// normalisation, the split, a sample limit, the image size and augmentation. The result is an
// engine::DatasetSpec, which the Train place uses and every run keeps.
//
// The page is the frame: SourcePicker (the buttons), readPreview (data_preview.h, on a worker
// thread so the GUI stays responsive), ImageGridModel, ClassHistogram and PreparationForm do the
// work. Settings of the preparation (normalisation, split, seed, augmentation) carry over to the
// next data set; settings of one data set (the sample limit, the CSV columns, the image size)
// do not. A CSV column is stored by its header name, as `layerlab-cli train` stores it, so the
// same file makes the same spec (and the same data fingerprint) from either front end.
//
// Threads: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include <memory>

#include "engine/data/dataset_spec.h"
#include "engine/model/shape.h"
#include "ui/data/data_preview.h"

class QLabel;
class QListView;
class QProgressBar;
class QStackedWidget;
class QTableWidget;
class QThread;

namespace layerlab::ui {

class ClassHistogram;
class ImageGridModel;
class PreparationForm;
class SourcePicker;

class DataPage : public QWidget {
  Q_OBJECT

 public:
  // Rows of a table shown in the preview.
  static constexpr int kTableRows = kPreviewTableRows;

  explicit DataPage(QWidget* parent = nullptr);
  ~DataPage() override;

  engine::DatasetSpec datasetSpec() const;

  // Opens a CSV (through the import dialog unless `csvOptions` are given), a folder of images,
  // or an IDX images file (its labels file is found beside it). False, with the reason shown in
  // the page, when it cannot.
  bool openPath(const QString& path);
  bool openCsv(const QString& path, const engine::CsvOptions& options);
  void showFashionMnist();

  // The samples the training part of the current spec holds (limit and split applied); 0 while
  // a preview is loading or when it failed.
  int64_t trainingRows() const;
  // engine::suggestedBatchSize for trainingRows(), and a line saying why for the batch field:
  // "8 — suits 106 training rows" (empty while the rows are not known).
  int64_t suggestedBatchSize() const;
  QString batchSizeHint() const;

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
  // The spec changed: another source, a setting, or the preview named the CSV columns.
  void datasetChanged(const layerlab::engine::DatasetSpec& spec);
  void fileOpened(const QString& path);
  // A preview finished loading (or failed: see errorText()); trainingRows() is known now.
  void previewReady();

 private:
  QWidget* buildViews();
  QWidget* buildSide();
  void openDataSet(engine::DatasetSpec spec);
  void load(const engine::DatasetSpec& spec);
  void stopWorker();
  void showPreview(const std::shared_ptr<DataPreview>& preview);
  void showTable(const DataPreview& preview);
  void clearPreview();
  void controlsChanged();
  void showError(const QString& message);

  engine::DatasetSpec m_spec;
  QString m_error;
  std::shared_ptr<DataPreview> m_preview;
  QThread* m_worker = nullptr;

  SourcePicker* m_picker = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_errorLabel = nullptr;
  QStackedWidget* m_views = nullptr;
  QListView* m_grid = nullptr;
  ImageGridModel* m_gridModel = nullptr;
  QTableWidget* m_table = nullptr;
  ClassHistogram* m_histogram = nullptr;
  QLabel* m_stats = nullptr;
  PreparationForm* m_form = nullptr;
};

}  // namespace layerlab::ui
