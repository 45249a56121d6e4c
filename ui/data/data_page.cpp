#include "ui/data/data_page.h"

#include <QAbstractListModel>
#include <QCache>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QListView>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "engine/data/csv_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_folder.h"
#include "engine/model/model_summary.h"
#include "ui/data/csv_import_dialog.h"

namespace layerlab::ui {

// What the worker read for the preview. Immutable once handed to the GUI thread.
struct DataPreview {
  bool images = false;
  QString name;
  int64_t count = 0;
  int64_t channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // count × channels × height × width
  std::vector<int64_t> labels;
  QStringList classNames;
  std::vector<int64_t> classCounts;
  QStringList columns;            // tables: every column, the label last
  std::vector<QStringList> rows;  // tables: the first kTableRows rows
  QString statistics;
  QString error;
};

namespace {

constexpr int kThumbnail = 56;
constexpr int kImageFolderPreview = 3000;  // images decoded for a folder's preview

QString thousands(int64_t n) {
  return QString::fromStdString(engine::formatThousands(n));
}

void countClasses(DataPreview& preview) {
  preview.classCounts.assign(static_cast<size_t>(preview.classNames.size()), 0);
  for (int64_t label : preview.labels) {
    if (label >= 0 && label < static_cast<int64_t>(preview.classCounts.size()))
      ++preview.classCounts[static_cast<size_t>(label)];
  }
}

void describeImages(DataPreview& preview, const QString& note) {
  double sum = 0, squares = 0;
  for (uint8_t v : preview.pixels) {
    const double x = v / 255.0;
    sum += x;
    squares += x * x;
  }
  const double n = std::max<double>(1, static_cast<double>(preview.pixels.size()));
  const double mean = sum / n;
  preview.statistics =
      QObject::tr("%1 images%2 · %3×%4 %5 · %6 classes · pixel mean %7, std %8 (on 0–1)")
          .arg(thousands(preview.count), note)
          .arg(preview.height)
          .arg(preview.width)
          .arg(preview.channels == 1 ? QObject::tr("grayscale") : QObject::tr("RGB"))
          .arg(preview.classNames.size())
          .arg(mean, 0, 'f', 3)
          .arg(std::sqrt(std::max(0.0, squares / n - mean * mean)), 0, 'f', 3);
}

DataPreview readIdxPreview(const std::string& images, const std::string& labels,
                           const QStringList& names) {
  DataPreview preview;
  preview.images = true;
  const engine::IdxArray pixels = engine::readIdx(images);
  const engine::IdxArray classes = engine::readIdx(labels);
  if (pixels.dims.size() < 3 || classes.dims.empty() || pixels.dims[0] != classes.dims[0]) {
    throw engine::DataError(images + " and " + labels +
                            " do not belong together: different numbers of items");
  }
  preview.count = pixels.dims[0];
  preview.height = pixels.dims[1];
  preview.width = pixels.dims[2];
  preview.channels = pixels.dims.size() > 3 ? pixels.dims[3] : 1;
  if (preview.channels == 1) {
    preview.pixels = pixels.data;
  } else {  // [N, H, W, C] → [N, C, H, W]
    preview.pixels.resize(pixels.data.size());
    const int64_t plane = preview.height * preview.width;
    for (int64_t i = 0; i < preview.count; ++i)
      for (int64_t p = 0; p < plane; ++p)
        for (int64_t c = 0; c < preview.channels; ++c)
          preview.pixels[static_cast<size_t>((i * preview.channels + c) * plane + p)] =
              pixels.data[static_cast<size_t>((i * plane + p) * preview.channels + c)];
  }
  int64_t top = 0;
  for (uint8_t label : classes.data) {
    preview.labels.push_back(label);
    top = std::max<int64_t>(top, label);
  }
  preview.classNames = names;
  for (int64_t c = preview.classNames.size(); c <= top; ++c)
    preview.classNames << QString::number(c);
  countClasses(preview);
  describeImages(preview, QString());
  return preview;
}

DataPreview readCsvPreview(const engine::DatasetSpec& spec) {
  DataPreview preview;
  engine::CsvReadConfig config;
  config.options = spec.csv;
  const engine::CsvTable table = engine::readCsv(spec.path, config);
  preview.count = table.rows;
  for (const std::string& name : table.featureNames)
    preview.columns << QString::fromStdString(name);
  preview.columns << QString::fromStdString(table.labelName);
  for (const std::string& name : table.classNames)
    preview.classNames << QString::fromStdString(name);
  const size_t features = table.featureNames.size();
  const int64_t shown = std::min<int64_t>(table.rows, DataPage::kTableRows);
  for (int64_t row = 0; row < shown; ++row) {
    QStringList cells;
    for (size_t f = 0; f < features; ++f)
      cells << QString::number(table.features[static_cast<size_t>(row) * features + f], 'g', 6);
    cells << (table.task == "classification"
                  ? preview.classNames.value(
                        static_cast<int>(table.classes[static_cast<size_t>(row)]))
                  : QString::number(table.targets[static_cast<size_t>(row)], 'g', 6));
    preview.rows.push_back(cells);
  }
  preview.labels = table.classes;
  countClasses(preview);
  preview.statistics = table.task == "classification"
                           ? QObject::tr("%1 rows · %2 numeric features · %3 classes in '%4'")
                                 .arg(thousands(table.rows))
                                 .arg(features)
                                 .arg(preview.classNames.size())
                                 .arg(QString::fromStdString(table.labelName))
                           : QObject::tr(
                                 "%1 rows · %2 numeric features · a number to predict "
                                 "in '%3' (regression)")
                                 .arg(thousands(table.rows))
                                 .arg(features)
                                 .arg(QString::fromStdString(table.labelName));
  if (table.task != "classification" && !table.targets.empty()) {
    const auto [low, high] = std::minmax_element(table.targets.begin(), table.targets.end());
    preview.statistics += QObject::tr(" from %1 to %2").arg(*low).arg(*high);
  }
  return preview;
}

DataPreview readFolderPreview(const engine::DatasetSpec& spec,
                              const engine::LoadProgress& progress) {
  engine::ImageFolderConfig config;
  config.options = spec.image;
  config.limit = kImageFolderPreview;
  config.seed = spec.seed;
  config.progress = progress;
  const engine::ImageFolderData folder = engine::readImageFolder(spec.path, config);
  DataPreview preview;
  preview.images = true;
  preview.count = folder.count;
  preview.channels = folder.channels;
  preview.height = folder.height;
  preview.width = folder.width;
  preview.pixels = folder.pixels;
  preview.labels = folder.labels;
  for (const std::string& name : folder.classNames)
    preview.classNames << QString::fromStdString(name);
  countClasses(preview);
  describeImages(preview, folder.count >= kImageFolderPreview
                              ? QObject::tr(" (a seeded sample for the preview)")
                              : QString());
  return preview;
}

DataPreview readPreview(const engine::DatasetSpec& spec, const engine::LoadProgress& progress) {
  DataPreview preview;
  try {
    if (spec.source == engine::kFashionMnist) {
      const std::string dir = engine::fashionMnistDir() + "/";
      QStringList names;
      for (const std::string& name : engine::fashionMnistClassNames())
        names << QString::fromStdString(name);
      preview = readIdxPreview(dir + "train-images-idx3-ubyte.gz",
                               dir + "train-labels-idx1-ubyte.gz", names);
      preview.name = QObject::tr("Fashion-MNIST (training part)");
    } else if (spec.source == engine::kIdxSource) {
      preview = readIdxPreview(spec.path, spec.labelsPath, {});
    } else if (spec.source == engine::kCsvSource) {
      preview = readCsvPreview(spec);
    } else {
      preview = readFolderPreview(spec, progress);
    }
    if (preview.name.isEmpty())
      preview.name = QFileInfo(QString::fromStdString(spec.path)).fileName();
  } catch (const std::exception& error) {
    preview.error = QString::fromUtf8(error.what());
  }
  return preview;
}

}  // namespace

// Labelled thumbnails made when the view asks for them, kept in a small cache.
class ImageGridModel : public QAbstractListModel {
 public:
  using QAbstractListModel::QAbstractListModel;

  void setPreview(std::shared_ptr<DataPreview> preview) {
    beginResetModel();
    m_preview = std::move(preview);
    m_cache.clear();
    endResetModel();
  }

  int rowCount(const QModelIndex& parent = {}) const override {
    return parent.isValid() || !m_preview || !m_preview->images
               ? 0
               : static_cast<int>(m_preview->count);
  }

  QVariant data(const QModelIndex& index, int role) const override {
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

 private:
  QPixmap thumbnail(int row) const {
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

  std::shared_ptr<DataPreview> m_preview;
  mutable QCache<int, QPixmap> m_cache{4000};
};

// One bar per class with its name and count.
class ClassHistogram : public QWidget {
 public:
  static constexpr int kRowHeight = 20;

  explicit ClassHistogram(QWidget* parent = nullptr) : QWidget(parent) { setFixedHeight(120); }
  void setCounts(const QStringList& names, const std::vector<int64_t>& counts) {
    m_names = names;
    m_counts = counts;
    setFixedHeight(counts.empty() ? 120 : kRowHeight * static_cast<int>(counts.size()) + 8);
    update();
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter painter(this);
    const QPalette& pal = palette();
    if (m_counts.empty()) {
      painter.setPen(pal.color(QPalette::PlaceholderText));
      painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                       tr("The balance of classes shows here for classification data."));
      return;
    }
    const int64_t top = *std::max_element(m_counts.begin(), m_counts.end());
    const int rowHeight = kRowHeight;
    const int nameWidth = 96, countWidth = 56;
    const int barRoom = std::max(20, width() - nameWidth - countWidth - 12);
    for (size_t i = 0; i < m_counts.size(); ++i) {
      const int y = 4 + static_cast<int>(i) * rowHeight;
      painter.setPen(pal.color(QPalette::Text));
      painter.drawText(QRect(0, y, nameWidth - 6, rowHeight), Qt::AlignRight | Qt::AlignVCenter,
                       fontMetrics().elidedText(m_names.value(static_cast<int>(i)), Qt::ElideRight,
                                                nameWidth - 8));
      const int bar = top > 0 ? static_cast<int>(barRoom * m_counts[i] / top) : 0;
      painter.fillRect(QRect(nameWidth, y + 3, std::max(1, bar), rowHeight - 6),
                       pal.color(QPalette::Highlight));
      painter.drawText(QRect(nameWidth + bar + 4, y, countWidth + 40, rowHeight),
                       Qt::AlignLeft | Qt::AlignVCenter, thousands(m_counts[i]));
    }
  }

 private:
  QStringList m_names;
  std::vector<int64_t> m_counts;
};

DataPage::DataPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("dataPage"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);

  auto* sources = new QHBoxLayout();
  auto* fashion = new QPushButton(tr("Fashion-MNIST"), this);
  fashion->setToolTip(tr("The built-in set: 70,000 images of clothing in 10 classes"));
  auto* csv = new QPushButton(tr("Open CSV\u2026"), this);
  auto* folder = new QPushButton(tr("Open Image Folder\u2026"), this);
  auto* idx = new QPushButton(tr("Open IDX\u2026"), this);
  for (QPushButton* b : {fashion, csv, folder, idx})
    sources->addWidget(b);
  sources->addSpacing(12);
  m_sourceLabel = new QLabel(this);
  m_sourceLabel->setObjectName(QStringLiteral("dataSource"));
  QFont strong = m_sourceLabel->font();
  strong.setBold(true);
  m_sourceLabel->setFont(strong);
  sources->addWidget(m_sourceLabel, 1);
  connect(fashion, &QPushButton::clicked, this, &DataPage::showFashionMnist);
  connect(csv, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open a CSV table"), QString(),
                                     tr("Tables (*.csv *.tsv *.txt *.gz);;All files (*)"));
    if (!path.isEmpty()) openPath(path);
  });
  connect(folder, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getExistingDirectory(
        this, tr("Open a folder with one sub-folder of images per class"));
    if (!path.isEmpty()) openPath(path);
  });
  connect(idx, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open an IDX images file"), QString(),
                                     tr("IDX files (*idx3* *.gz);;All files (*)"));
    if (!path.isEmpty()) openPath(path);
  });

  m_progress = new QProgressBar(this);
  m_progress->setMaximumHeight(16);
  m_progress->setTextVisible(false);
  m_progress->hide();
  m_errorLabel = new QLabel(this);
  m_errorLabel->setObjectName(QStringLiteral("dataError"));
  m_errorLabel->setWordWrap(true);
  m_errorLabel->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
  m_errorLabel->hide();

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
  m_grid->setIconSize(QSize(kThumbnail, kThumbnail));
  m_grid->setGridSize(QSize(kThumbnail + 30, kThumbnail + 24));
  m_grid->setModel(m_gridModel);
  m_table = new QTableWidget(m_views);
  m_table->setObjectName(QStringLiteral("dataTable"));
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_views->addWidget(m_grid);
  m_views->addWidget(m_table);

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
  sideLayout->addWidget(m_stats);
  sideLayout->addWidget(balance);
  sideLayout->addWidget(buildControls());
  sideLayout->addStretch(1);
  side->setMinimumWidth(330);
  side->setMaximumWidth(420);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(m_views);
  split->addWidget(side);
  split->setStretchFactor(0, 1);
  split->setChildrenCollapsible(false);

  layout->addLayout(sources);
  layout->addWidget(m_progress);
  layout->addWidget(m_errorLabel);
  layout->addWidget(split, 1);
  showSpecInControls();
  showFashionMnist();
}

DataPage::~DataPage() {
  if (m_worker != nullptr) {
    m_worker->requestInterruption();
    m_worker->wait();
  }
}

QWidget* DataPage::buildControls() {
  auto* box = new QGroupBox(tr("Preparation"));
  auto* form = new QFormLayout(box);
  m_normalize = new QComboBox(box);
  m_normalize->addItem(tr("z-score (mean 0, std 1)"), QStringLiteral("zscore"));
  m_normalize->addItem(tr("min-max (to 0–1)"), QStringLiteral("minmax"));
  m_normalize->addItem(tr("none"), QStringLiteral("none"));
  m_normalize->setToolTip(tr("Statistics come from the training part only"));
  m_valFraction = new QDoubleSpinBox(box);
  m_valFraction->setRange(0.0, 0.9);
  m_valFraction->setSingleStep(0.05);
  m_valFraction->setSpecialValueText(tr("source default"));
  m_testFraction = new QDoubleSpinBox(box);
  m_testFraction->setRange(0.0, 0.9);
  m_testFraction->setSingleStep(0.05);
  m_testFraction->setSpecialValueText(tr("source default"));
  m_seed = new QSpinBox(box);
  m_seed->setRange(0, 2147483647);
  m_limit = new QSpinBox(box);
  m_limit->setRange(0, 100000000);
  m_limit->setSpecialValueText(tr("all"));
  m_stratify = new QCheckBox(tr("Keep class proportions in every part"), box);
  m_flip = new QCheckBox(tr("Mirror left-right at random"), box);
  m_cropPadding = new QSpinBox(box);
  m_cropPadding->setRange(0, 64);
  m_cropPadding->setSuffix(tr(" px"));
  m_cropPadding->setSpecialValueText(tr("off"));
  m_rotation = new QDoubleSpinBox(box);
  m_rotation->setRange(0, 180);
  m_rotation->setSuffix(QStringLiteral("°"));
  m_rotation->setSpecialValueText(tr("off"));
  form->addRow(tr("Normalise"), m_normalize);
  form->addRow(tr("Validation part"), m_valFraction);
  form->addRow(tr("Test part"), m_testFraction);
  form->addRow(tr("Split seed"), m_seed);
  form->addRow(tr("Samples"), m_limit);
  form->addRow(QString(), m_stratify);
  form->addRow(tr("Augment"), m_flip);
  form->addRow(tr("Random crop"), m_cropPadding);
  form->addRow(tr("Rotation"), m_rotation);
  m_cropPadding->setToolTip(tr("Pad by this many pixels, then crop back at a random place"));
  for (QComboBox* c : {m_normalize})
    connect(c, &QComboBox::currentIndexChanged, this, &DataPage::controlsChanged);
  for (QDoubleSpinBox* s : {m_valFraction, m_testFraction, m_rotation})
    connect(s, &QDoubleSpinBox::valueChanged, this, &DataPage::controlsChanged);
  for (QSpinBox* s : {m_seed, m_limit, m_cropPadding})
    connect(s, &QSpinBox::valueChanged, this, &DataPage::controlsChanged);
  for (QCheckBox* c : {m_stratify, m_flip})
    connect(c, &QCheckBox::toggled, this, &DataPage::controlsChanged);
  return box;
}

engine::DatasetSpec DataPage::datasetSpec() const {
  return m_spec;
}

void DataPage::controlsChanged() {
  if (m_applying) return;
  m_spec.normalize = m_normalize->currentData().toString().toStdString();
  m_spec.valFraction =
      m_valFraction->value() > 0 ? std::optional<double>(m_valFraction->value()) : std::nullopt;
  m_spec.testFraction =
      m_testFraction->value() > 0 ? std::optional<double>(m_testFraction->value()) : std::nullopt;
  m_spec.seed = static_cast<uint64_t>(m_seed->value());
  m_spec.limit = m_limit->value();
  m_spec.stratify = m_stratify->isChecked();
  m_spec.augment.flip = m_flip->isChecked();
  m_spec.augment.cropPadding = m_cropPadding->value();
  m_spec.augment.rotationDegrees = m_rotation->value();
  Q_EMIT datasetChanged(m_spec);
}

void DataPage::showFashionMnist() {
  engine::DatasetSpec spec;
  spec.source = engine::kFashionMnist;
  load(spec);
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
  load(spec);
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
  load(spec);
  Q_EMIT fileOpened(info.absoluteFilePath());
  return true;
}

void DataPage::load(const engine::DatasetSpec& source) {
  if (m_worker != nullptr) {
    m_worker->requestInterruption();
    m_worker->wait();
    delete m_worker;
    m_worker = nullptr;
  }
  // Preparation choices carry over from one source to the next.
  engine::DatasetSpec spec = source;
  spec.normalize = m_spec.normalize;
  spec.seed = m_spec.seed;
  spec.limit = m_spec.limit;
  spec.stratify = m_spec.stratify;
  spec.augment = m_spec.augment;
  spec.valFraction = m_spec.valFraction;
  spec.testFraction = m_spec.testFraction;
  m_spec = spec;
  m_error.clear();
  m_errorLabel->hide();
  m_sourceLabel->setText(tr("Reading\u2026"));
  m_progress->setRange(0, 0);
  m_progress->show();
  auto result = std::make_shared<DataPreview>();
  QThread* worker = QThread::create([spec, result, this] {
    QThread* self = QThread::currentThread();
    const engine::LoadProgress progress = [this, self](int64_t done, int64_t total) {
      QMetaObject::invokeMethod(
          m_progress,
          [bar = m_progress, done, total] {
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

void DataPage::showPreview(std::shared_ptr<DataPreview> preview) {
  m_progress->hide();
  m_preview = preview;
  if (!preview->error.isEmpty()) {
    showError(preview->error);
    m_gridModel->setPreview(nullptr);
    m_table->clear();
    m_table->setRowCount(0);
    m_histogram->setCounts({}, {});
    m_stats->clear();
    Q_EMIT previewReady();
    return;
  }
  m_sourceLabel->setText(preview->name);
  m_stats->setText(preview->statistics);
  m_histogram->setCounts(preview->classNames, preview->classCounts);
  if (preview->images) {
    m_gridModel->setPreview(preview);
    m_views->setCurrentWidget(m_grid);
  } else {
    m_gridModel->setPreview(nullptr);
    m_table->clear();
    m_table->setColumnCount(static_cast<int>(preview->columns.size()));
    m_table->setHorizontalHeaderLabels(preview->columns);
    m_table->setRowCount(static_cast<int>(preview->rows.size()));
    for (int r = 0; r < static_cast<int>(preview->rows.size()); ++r) {
      for (int c = 0; c < preview->rows[static_cast<size_t>(r)].size(); ++c)
        m_table->setItem(r, c, new QTableWidgetItem(preview->rows[static_cast<size_t>(r)][c]));
    }
    m_views->setCurrentWidget(m_table);
  }
  showSpecInControls();
  // Augmentation changes images only.
  for (QWidget* w : std::initializer_list<QWidget*>{m_flip, m_cropPadding, m_rotation})
    w->setEnabled(preview->images);
  Q_EMIT previewReady();
}

void DataPage::showSpecInControls() {
  m_applying = true;
  m_normalize->setCurrentIndex(
      std::max(0, m_normalize->findData(QString::fromStdString(m_spec.normalize))));
  m_seed->setValue(static_cast<int>(m_spec.seed));
  m_limit->setValue(static_cast<int>(m_spec.limit));
  m_stratify->setChecked(m_spec.stratify);
  m_flip->setChecked(m_spec.augment.flip);
  m_cropPadding->setValue(static_cast<int>(m_spec.augment.cropPadding));
  m_rotation->setValue(m_spec.augment.rotationDegrees);
  m_valFraction->setValue(m_spec.valFraction.value_or(0));
  m_testFraction->setValue(m_spec.testFraction.value_or(0));
  m_applying = false;
}

void DataPage::showError(const QString& message) {
  m_error = message;
  m_errorLabel->setText(message);
  m_errorLabel->show();
  m_sourceLabel->setText(tr("No data loaded"));
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
