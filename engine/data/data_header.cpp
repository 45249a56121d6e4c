#include "engine/data/data_header.h"

#include <algorithm>

#include "engine/data/csv_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_folder.h"

namespace layerlab::engine {
namespace {

// [C, H, W] for images stored as [N, H, W] or [N, H, W, C]; nullopt for other layouts, which
// the reader refuses with its own message.
std::optional<Shape> idxImageShape(const std::vector<int64_t>& dims) {
  if (dims.size() == 3) return Shape{1, dims[1], dims[2]};
  if (dims.size() == 4 && (dims[3] == 1 || dims[3] == 3)) return Shape{dims[3], dims[1], dims[2]};
  return std::nullopt;
}

// The train images (limited) and the test images together must fit the budget.
DataHeader idxHeader(const std::string& images, const std::string& testImages, int64_t limit) {
  const std::vector<int64_t> dims = readIdxDims(images);
  int64_t items = limit > 0 ? std::min(limit, dims[0]) : dims[0];
  if (!testImages.empty()) items = saturatingAdd(items, readIdxDims(testImages)[0]);
  int64_t itemValues = 1;
  for (size_t i = 1; i < dims.size(); ++i)
    itemValues = saturatingMul(itemValues, dims[i]);
  checkFloatBudget(images, items, itemValues);
  return {idxImageShape(dims), images};
}

}  // namespace

DataHeader readDataHeader(const DatasetSpec& spec, const std::string& fashionMnistFolder) {
  if (spec.source == kFashionMnist) {
    const std::string dir = fashionMnistFolder + "/";
    return idxHeader(dir + "train-images-idx3-ubyte.gz", dir + "t10k-images-idx3-ubyte.gz",
                     spec.limit);
  }
  if (spec.source == kIdxSource) return idxHeader(spec.path, spec.testPath, spec.limit);
  if (spec.source == kImageFolderSource) {
    const ImageFolderData folder =
        readImageFolderHeader(spec.path, {spec.image, spec.limit, spec.seed, {}});
    return {Shape{folder.channels, folder.height, folder.width}, spec.path};
  }
  return {};  // tables (and unknown sources, which loadDataset names)
}

int64_t countTrainingSamples(const DatasetSpec& spec, const std::string& fashionMnistFolder) {
  int64_t samples = 0;
  if (spec.source == kFashionMnist) {
    samples = readIdxDims(fashionMnistFolder + "/train-images-idx3-ubyte.gz")[0];
  } else if (spec.source == kIdxSource) {
    samples = readIdxDims(spec.path)[0];
  } else if (spec.source == kImageFolderSource) {
    samples = readImageFolderHeader(spec.path, {spec.image, spec.limit, spec.seed, {}}).count;
  } else if (spec.source == kCsvSource) {
    samples = readCsv(spec.path, {spec.csv, {}}).rows;
  }
  if (spec.limit > 0) samples = std::min(samples, spec.limit);
  return splitCounts(spec, samples).train;
}

}  // namespace layerlab::engine
