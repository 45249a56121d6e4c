#include "ui/data/data_page.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QListView>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>

#include "engine/data/idx_reader.h"
#include "engine/model/model_summary.h"
#include "engine/train/train_config.h"
#include "ui/data/class_histogram.h"
#include "ui/data/csv_import_dialog.h"
#include "ui/data/image_grid_model.h"
#include "ui/data/preparation_form.h"
#include "ui/data/source_picker.h"

namespace layerlab::ui {

DataPage::DataPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("dataPage"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  m_picker = new SourcePicker(this);
  connect(m_picker, &SourcePicker::fashionMnistRequested, this, &DataPage::showFashionMnist);
  connect(m_picker, &SourcePicker::pathChosen, this, &DataPage::openPath);
  m_progress = new QProgressBar(this);
  m_progress->setMaximumHeight(16);
  m_progress->setTextVisible(false);
  m_progress->hide();
  m_errorLabel = new QLabel(this);
  m_errorLabel->setObjectName(QStringLiteral("dataError"));
  m_errorLabel->setWordWrap(true);
  m_errorLabel->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
  m_errorLabel->hide();

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(buildViews());
  split->addWidget(buildSide());
  split->setStretchFactor(0, 1);
  split->setChildrenCollapsible(false);

  layout->addWidget(m_picker);
  layout->addWidget(m_progress);
  layout->addWidget(m_errorLabel);
  layout->addWidget(split, 1);
  m_form->showSpec(m_spec);
  showFashionMnist();
}

DataPage::~DataPage() {
  stopWorker();
}

QWidget* DataPage::buildViews() {
  m_views = new QStackedWidget(this);
  m_gridModel = new ImageGridModel(this);
  m_grid = new QListView(m_views);
  m_grid->setObjectName(QStringLiteral("imageGrid"));
  m_grid->setViewMode(QListView::IconMode);
  m_grid->setResizeMode(QListView::Adjust);
  m_grid->setMovement(QListView::Static);
  m_grid->setUniformItemSizes(true);
  m_grid->setLayoutMode(QListView::Batched);
  m_grid->setBatchSize(500);
  const int thumbnail = ImageGridModel::kThumbnail;
  m_grid->setIconSize(QSize(thumbnail, thumbnail));
  m_grid->setGridSize(QSize(thumbnail + 30, thumbnail + 24));
  m_grid->setModel(m_gridModel);
  m_table = new QTableWidget(m_views);
  m_table->setObjectName(QStringLiteral("dataTable"));
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_views->addWidget(m_grid);
  m_views->addWidget(m_table);
  return m_views;
}

QWidget* DataPage::buildSide() {
  auto* side = new QWidget(this);
  side->setObjectName(QStringLiteral("dataSide"));
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 0, 0);
  m_stats = new QLabel(side);
  m_stats->setObjectName(QStringLiteral("dataStatistics"));
  m_stats->setWordWrap(true);
  m_histogram = new ClassHistogram(side);
  auto* balance = new QGroupBox(tr("Classes"), side);
  auto* balanceLayout = new QVBoxLayout(balance);
  balanceLayout->addWidget(m_histogram);
  m_form = new PreparationForm(side);
  connect(m_form, &PreparationForm::changed, this, &DataPage::controlsChanged);
  sideLayout->addWidget(m_stats);
  sideLayout->addWidget(balance);
  sideLayout->addWidget(m_form);
  sideLayout->addStretch(1);
  side->setMinimumWidth(330);
  side->setMaximumWidth(420);
  return side;
}

engine::DatasetSpec DataPage::datasetSpec() const {
  return m_spec;
}

void DataPage::controlsChanged() {
  const engine::ImageOptions before = m_spec.image;
  m_form->applyTo(m_spec);
  Q_EMIT datasetChanged(m_spec);
  // Another size changes what the images look like and the model's input: read them again.
  if (m_spec.image != before) load(m_spec);
}

void DataPage::showFashionMnist() {
  openDataSet(engine::DatasetSpec{});
}

bool DataPage::openPath(const QString& path) {
  const QFileInfo info(path);
  if (!info.exists()) {
    showError(tr("%1 does not exist.").arg(path));
    return false;
  }
  engine::DatasetSpec spec;
  if (info.isDir()) {
    spec.source = engine::kImageFolderSource;
    spec.path = info.absoluteFilePath().toStdString();
  } else if (engine::isIdxFile(path.toStdString())) {
    QString labels = info.absoluteFilePath();
    labels.replace(QStringLiteral("images-idx3"), QStringLiteral("labels-idx1"));
    if (labels == info.absoluteFilePath() || !QFileInfo::exists(labels)) {
      labels = QFileDialog::getOpenFileName(this, tr("Open the labels of %1").arg(info.fileName()),
                                            info.absolutePath());
      if (labels.isEmpty()) return false;
    }
    spec.source = engine::kIdxSource;
    spec.path = info.absoluteFilePath().toStdString();
    spec.labelsPath = QFileInfo(labels).absoluteFilePath().toStdString();
  } else {
    CsvImportDialog dialog(path, this);
    if (dialog.exec() != QDialog::Accepted) return false;
    return openCsv(path, dialog.options());
  }
  openDataSet(spec);
  Q_EMIT fileOpened(info.absoluteFilePath());
  return true;
}

bool DataPage::openCsv(const QString& path, const engine::CsvOptions& options) {
  const QFileInfo info(path);
  if (!info.isFile()) {
    showError(tr("%1 is not a file.").arg(path));
    return false;
  }
  engine::DatasetSpec spec;
  spec.source = engine::kCsvSource;
  spec.path = info.absoluteFilePath().toStdString();
  spec.csv = options;
  openDataSet(spec);
  Q_EMIT fileOpened(info.absoluteFilePath());
  return true;
}

// Another data set: the preparation carries over, what belonged to the last data set (its
// sample limit, CSV columns and image size) does not. A limit of 150 rows chosen for one table
// would otherwise quietly cut the next one.
void DataPage::openDataSet(engine::DatasetSpec spec) {
  spec.normalize = m_spec.normalize;
  spec.seed = m_spec.seed;
  spec.stratify = m_spec.stratify;
  spec.augment = m_spec.augment;
  spec.valFraction = m_spec.valFraction;
  spec.testFraction = m_spec.testFraction;
  m_form->setOwnImageSize(0, 0);
  m_form->showSpec(spec);
  load(spec);
}

void DataPage::stopWorker() {
  if (m_worker == nullptr) return;
  m_worker->requestInterruption();
  m_worker->wait();
  delete m_worker;
  m_worker = nullptr;
}

void DataPage::load(const engine::DatasetSpec& spec) {
  stopWorker();
  m_spec = spec;
  m_error.clear();
  m_errorLabel->hide();
  m_picker->setSourceText(tr("Reading\u2026"));
  m_progress->setRange(0, 0);
  m_progress->show();
  auto result = std::make_shared<DataPreview>();
  QThread* worker = QThread::create([spec, result, bar = m_progress] {
    QThread* self = QThread::currentThread();
    const engine::LoadProgress progress = [bar, self](int64_t done, int64_t total) {
      QMetaObject::invokeMethod(
          bar,
          [bar, done, total] {
            bar->setRange(0, static_cast<int>(std::min<int64_t>(total, 1 << 30)));
            bar->setValue(static_cast<int>(std::min<int64_t>(done, 1 << 30)));
          },
          Qt::QueuedConnection);
      return !self->isInterruptionRequested();
    };
    *result = readPreview(spec, progress);
  });
  m_worker = worker;
  connect(worker, &QThread::finished, this, [this, worker, result] {
    if (worker != m_worker) return;  // a later load replaced it
    m_worker->deleteLater();
    m_worker = nullptr;
    showPreview(result);
  });
  worker->start();
  Q_EMIT datasetChanged(m_spec);
}

void DataPage::clearPreview() {
  m_gridModel->setPreview(nullptr);
  m_table->clear();
  m_table->setRowCount(0);
  m_histogram->setCounts({}, {});
  m_stats->clear();
}

void DataPage::showPreview(const std::shared_ptr<DataPreview>& preview) {
  m_progress->hide();
  m_preview = preview;
  const bool folder = m_spec.source == engine::kImageFolderSource;
  m_form->setSourceKind(preview->images || folder, folder);
  if (!preview->error.isEmpty()) {
    showError(preview->error);
    clearPreview();
    Q_EMIT previewReady();
    return;
  }
  m_picker->setSourceText(preview->name);
  m_stats->setText(preview->statistics);
  m_histogram->setCounts(preview->classNames, preview->classCounts);
  if (preview->images) {
    m_gridModel->setPreview(preview);
    m_views->setCurrentWidget(m_grid);
  } else {
    showTable(*preview);
  }
  if (folder && m_spec.image.height == 0) m_form->setOwnImageSize(preview->height, preview->width);
  m_form->showSpec(m_spec);
  if (m_spec.source == engine::kCsvSource && preview->csv != m_spec.csv) {
    m_spec.csv = preview->csv;
    Q_EMIT datasetChanged(m_spec);
  }
  Q_EMIT previewReady();
}

void DataPage::showTable(const DataPreview& preview) {
  m_gridModel->setPreview(nullptr);
  m_table->clear();
  m_table->setColumnCount(static_cast<int>(preview.columns.size()));
  m_table->setHorizontalHeaderLabels(preview.columns);
  m_table->setRowCount(static_cast<int>(preview.rows.size()));
  for (int r = 0; r < static_cast<int>(preview.rows.size()); ++r) {
    const QStringList& cells = preview.rows[static_cast<size_t>(r)];
    for (int c = 0; c < cells.size(); ++c)
      m_table->setItem(r, c, new QTableWidgetItem(cells[c]));
  }
  m_views->setCurrentWidget(m_table);
}

void DataPage::showError(const QString& message) {
  m_error = message;
  m_errorLabel->setText(message);
  m_errorLabel->show();
  m_picker->setSourceText(tr("No data loaded"));
}

int64_t DataPage::trainingRows() const {
  if (loading() || !m_preview || !m_preview->error.isEmpty()) return 0;
  int64_t samples = m_preview->sourceSamples;
  if (m_spec.limit > 0) samples = std::min(samples, m_spec.limit);
  return engine::splitCounts(m_spec, samples).train;
}

int64_t DataPage::suggestedBatchSize() const {
  return engine::suggestedBatchSize(trainingRows());
}

QString DataPage::batchSizeHint() const {
  const int64_t rows = trainingRows();
  if (rows <= 0) return {};
  return tr("%1 — suits %2 training rows")
      .arg(suggestedBatchSize())
      .arg(QString::fromStdString(engine::formatThousands(rows)));
}

QString DataPage::statisticsText() const {
  return m_stats->text();
}

int DataPage::previewCount() const {
  if (!m_preview || !m_preview->error.isEmpty()) return 0;
  return m_preview->images ? m_gridModel->rowCount() : m_table->rowCount();
}

engine::Shape DataPage::sampleShape() const {
  if (!m_preview || !m_preview->error.isEmpty()) return {};
  if (m_preview->images)
    return engine::Shape({m_preview->channels, m_preview->height, m_preview->width});
  return engine::Shape({static_cast<int64_t>(m_preview->columns.size()) - 1});
}

QStringList DataPage::classNames() const {
  return m_preview ? m_preview->classNames : QStringList();
}

std::vector<int64_t> DataPage::classCounts() const {
  return m_preview ? m_preview->classCounts : std::vector<int64_t>();
}

}  // namespace layerlab::ui
