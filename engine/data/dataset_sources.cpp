#include "engine/data/dataset_sources.h"

#include <filesystem>

#include "engine/data/content_hash.h"
#include "engine/data/csv_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_folder.h"

namespace layerlab::engine {
namespace {

constexpr float kByteScale = 1.0F / 255.0F;

struct IdxPair {
  IdxArray images;
  IdxArray labels;
};

IdxPair readIdxPair(const std::string& imagesPath, const std::string& labelsPath, int64_t limit) {
  IdxPair pair{readIdx(imagesPath, limit), readIdx(labelsPath, limit)};
  const std::vector<int64_t>& dims = pair.images.dims;
  const bool hwc = dims.size() == 4 && (dims[3] == 1 || dims[3] == 3);
  if (dims.size() != 3 && !hwc) {
    throw DataError(imagesPath + ": expected images of shape [N, height, width] (or [N, height, " +
                    "width, 1 or 3]), the file has " + std::to_string(dims.size()) + " dimensions");
  }
  if (pair.labels.dims.size() != 1 || pair.labels.dims[0] != dims[0]) {
    throw DataError(labelsPath + ": expected " + std::to_string(dims[0]) +
                    " labels (one per image) to match " + imagesPath);
  }
  return pair;
}

TensorDataset idxTensors(IdxPair& pair) {
  const std::vector<int64_t>& dims = pair.images.dims;
  const int64_t n = dims[0], h = dims[1], w = dims[2], c = dims.size() == 4 ? dims[3] : 1;
  TensorDataset data;
  data.inputs = torch::from_blob(pair.images.data.data(), {n, h, w, c}, torch::kUInt8)
                    .permute({0, 3, 1, 2})
                    .to(torch::kFloat32)
                    .mul_(kByteScale)
                    .contiguous();
  data.targets = torch::from_blob(pair.labels.data.data(), {n}, torch::kUInt8).to(torch::kInt64);
  return data;
}

void hashIdx(ContentHash& hash, const IdxPair& pair) {
  for (const IdxArray* array : {&pair.images, &pair.labels}) {
    for (int64_t dim : array->dims)
      hash.add(dim);
    hash.add(array->data.data(), array->data.size());
  }
}

// The last part of a path, also for a folder given with a trailing slash.
std::string fileName(const std::string& path) {
  std::filesystem::path normal = std::filesystem::path(path).lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();
  return normal.filename().string();
}

SourceData readIdxSource(const std::string& images, const std::string& labels,
                         const std::string& testImages, const std::string& testLabels,
                         int64_t limit) {
  SourceData out;
  out.images = true;
  out.scale = 1.0 / 255.0;
  ContentHash hash;
  IdxPair train = readIdxPair(images, labels, limit);
  hashIdx(hash, train);
  out.all = idxTensors(train);
  if (!testImages.empty()) {
    IdxPair test = readIdxPair(testImages, testLabels, 0);
    if (std::vector(test.images.dims.begin() + 1, test.images.dims.end()) !=
        std::vector(train.images.dims.begin() + 1, train.images.dims.end())) {
      throw DataError(testImages + ": the test images are not the size of those in " + images);
    }
    hashIdx(hash, test);
    out.test = idxTensors(test);
  }
  out.contentHash = hash.hex();
  out.name = fileName(images);
  return out;
}

SourceData readFashionMnist(const DatasetSpec& spec, const std::string& folder) {
  const std::string dir = folder + "/";
  SourceData out = readIdxSource(
      dir + "train-images-idx3-ubyte.gz", dir + "train-labels-idx1-ubyte.gz",
      dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz", spec.limit);
  out.classNames = fashionMnistClassNames();
  out.name = kFashionMnist;
  return out;
}

SourceData readIdxFiles(const DatasetSpec& spec) {
  SourceData out =
      readIdxSource(spec.path, spec.labelsPath, spec.testPath, spec.testLabelsPath, spec.limit);
  int64_t classes = out.all.targets.numel() > 0 ? out.all.targets.max().item<int64_t>() + 1 : 0;
  if (out.test.size() > 0) {
    classes = std::max(classes, out.test.targets.max().item<int64_t>() + 1);
  }
  for (int64_t i = 0; i < classes; ++i)
    out.classNames.push_back(std::to_string(i));
  return out;
}

// A seeded choice of `limit` rows, kept in file order (tables are often sorted by class, so the
// first rows would not do).
TensorDataset chooseRows(const TensorDataset& all, int64_t limit, uint64_t seed) {
  if (limit <= 0 || limit >= all.size()) return all;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor rows =
      std::get<0>(torch::randperm(all.size(), generator, torch::kInt64).slice(0, 0, limit).sort());
  return {all.inputs.index_select(0, rows), all.targets.index_select(0, rows)};
}

SourceData readCsvSource(const DatasetSpec& spec, const LoadProgress& progress) {
  CsvTable table = readCsv(spec.path, {spec.csv, progress});
  if (table.cancelled) throw LoadCancelled(spec.path + ": loading was cancelled");
  SourceData out;
  const auto features = static_cast<int64_t>(table.featureNames.size());
  TensorDataset all;
  all.inputs =
      torch::from_blob(table.features.data(), {table.rows, features}, torch::kFloat32).clone();
  if (table.task == kRegression) {
    all.targets = torch::from_blob(table.targets.data(), {table.rows, 1}, torch::kFloat32).clone();
  } else {
    all.targets = torch::from_blob(table.classes.data(), {table.rows}, torch::kInt64).clone();
  }
  out.all = chooseRows(all, spec.limit, spec.seed);
  out.task = table.task;
  out.classNames = std::move(table.classNames);
  out.featureNames = std::move(table.featureNames);
  out.contentHash = table.contentHash;
  out.warnings = std::move(table.warnings);
  out.name = fileName(spec.path);
  return out;
}

SourceData readImageSource(const DatasetSpec& spec, const LoadProgress& progress) {
  ImageFolderData folder =
      readImageFolder(spec.path, {spec.image, spec.limit, spec.seed, progress});
  if (folder.cancelled) throw LoadCancelled(spec.path + ": loading was cancelled");
  SourceData out;
  out.images = true;
  out.scale = 1.0 / 255.0;
  out.all.inputs =
      torch::from_blob(folder.pixels.data(),
                       {folder.count, folder.channels, folder.height, folder.width}, torch::kUInt8)
          .to(torch::kFloat32)
          .mul_(kByteScale);
  out.all.targets = torch::from_blob(folder.labels.data(), {folder.count}, torch::kInt64).clone();
  out.classNames = std::move(folder.classNames);
  out.contentHash = folder.contentHash;
  out.warnings = std::move(folder.warnings);
  out.name = fileName(spec.path);
  return out;
}

}  // namespace

TensorDataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath,
                          int64_t limit) {
  IdxPair pair = readIdxPair(imagesPath, labelsPath, limit);
  return idxTensors(pair);
}

SourceData readSource(const DatasetSpec& spec, const std::string& fashionMnistFolder,
                      const LoadProgress& progress) {
  if (spec.source == kFashionMnist) return readFashionMnist(spec, fashionMnistFolder);
  if (spec.source == kIdxSource) return readIdxFiles(spec);
  if (spec.source == kCsvSource) return readCsvSource(spec, progress);
  if (spec.source == kImageFolderSource) return readImageSource(spec, progress);
  throw DataError("unknown data source '" + spec.source + "' (one of " + kFashionMnist + ", " +
                  kCsvSource + ", " + kImageFolderSource + ", " + kIdxSource + ")");
}

}  // namespace layerlab::engine
