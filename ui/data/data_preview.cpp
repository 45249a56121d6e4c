#include "ui/data/data_preview.h"

#include <QFileInfo>
#include <QObject>

#include <algorithm>
#include <cmath>

#include "engine/data/csv_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_folder.h"
#include "engine/model/model_summary.h"

namespace layerlab::ui {
namespace {

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

// IDX stores [N, H, W, C]; tensors and thumbnails want [N, C, H, W].
std::vector<uint8_t> toPlanar(const std::vector<uint8_t>& interleaved, const DataPreview& p) {
  std::vector<uint8_t> planar(interleaved.size());
  const int64_t plane = p.height * p.width;
  for (int64_t i = 0; i < p.count; ++i)
    for (int64_t at = 0; at < plane; ++at)
      for (int64_t c = 0; c < p.channels; ++c)
        planar[static_cast<size_t>((i * p.channels + c) * plane + at)] =
            interleaved[static_cast<size_t>((i * plane + at) * p.channels + c)];
  return planar;
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
  preview.count = preview.sourceSamples = pixels.dims[0];
  preview.height = pixels.dims[1];
  preview.width = pixels.dims[2];
  preview.channels = pixels.dims.size() > 3 ? pixels.dims[3] : 1;
  preview.pixels = preview.channels == 1 ? pixels.data : toPlanar(pixels.data, preview);
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

QString describeTable(const engine::CsvTable& table, size_t features, const QStringList& classes) {
  const QString label = QString::fromStdString(table.labelName);
  if (table.task == "classification") {
    return QObject::tr("%1 rows · %2 numeric features · %3 classes in '%4'")
        .arg(thousands(table.rows))
        .arg(features)
        .arg(classes.size())
        .arg(label);
  }
  QString text = QObject::tr(
                     "%1 rows · %2 numeric features · a number to predict in '%3' "
                     "(regression)")
                     .arg(thousands(table.rows))
                     .arg(features)
                     .arg(label);
  if (!table.targets.empty()) {
    const auto [low, high] = std::minmax_element(table.targets.begin(), table.targets.end());
    text += QObject::tr(" from %1 to %2").arg(*low).arg(*high);
  }
  return text;
}

DataPreview readCsvPreview(const engine::DatasetSpec& spec) {
  DataPreview preview;
  engine::CsvReadConfig config;
  config.options = spec.csv;
  const engine::CsvTable table = engine::readCsv(spec.path, config);
  preview.count = preview.sourceSamples = table.rows;
  preview.csv = engine::columnsByName(table, spec.csv);
  for (const std::string& name : table.featureNames)
    preview.columns << QString::fromStdString(name);
  preview.columns << QString::fromStdString(table.labelName);
  for (const std::string& name : table.classNames)
    preview.classNames << QString::fromStdString(name);
  const size_t features = table.featureNames.size();
  const int64_t shown = std::min<int64_t>(table.rows, kPreviewTableRows);
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
  preview.statistics = describeTable(table, features, preview.classNames);
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
  preview.sourceSamples = engine::readImageFolderHeader(spec.path, {spec.image, 0, 0, {}}).count;
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

DataPreview readSource(const engine::DatasetSpec& spec, const engine::LoadProgress& progress) {
  if (spec.source == engine::kFashionMnist) {
    const std::string dir = engine::fashionMnistDir() + "/";
    QStringList names;
    for (const std::string& name : engine::fashionMnistClassNames())
      names << QString::fromStdString(name);
    DataPreview preview = readIdxPreview(dir + "train-images-idx3-ubyte.gz",
                                         dir + "train-labels-idx1-ubyte.gz", names);
    preview.name = QObject::tr("Fashion-MNIST (training part)");
    return preview;
  }
  if (spec.source == engine::kIdxSource) return readIdxPreview(spec.path, spec.labelsPath, {});
  if (spec.source == engine::kCsvSource) return readCsvPreview(spec);
  return readFolderPreview(spec, progress);
}

}  // namespace

DataPreview readPreview(const engine::DatasetSpec& spec, const engine::LoadProgress& progress) {
  DataPreview preview;
  try {
    preview = readSource(spec, progress);
    if (preview.name.isEmpty())
      preview.name = QFileInfo(QString::fromStdString(spec.path)).fileName();
  } catch (const std::exception& error) {
    preview = DataPreview();
    preview.error = QString::fromUtf8(error.what());
  }
  return preview;
}

}  // namespace layerlab::ui
