#include "engine/data/dataset.h"

#include "engine/data/content_hash.h"
#include "engine/data/csv_tokenizer.h"
#include "engine/data/dataset_sources.h"
#include "engine/data/idx_reader.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

TensorDataset select(const TensorDataset& data, const torch::Tensor& indices) {
  return {data.inputs.index_select(0, indices).contiguous(),
          data.targets.index_select(0, indices).contiguous()};
}

// Every sample's index in the order the parts are cut from: random, or — stratified — so that
// any prefix holds the classes in their overall proportions. Each class is shuffled and its
// samples get evenly spread keys (k + jitter) / count; sorting by key interleaves the classes.
torch::Tensor splitOrder(const torch::Tensor& targets, bool stratify, at::Generator& generator) {
  const int64_t n = targets.size(0);
  const torch::Tensor order = torch::randperm(n, generator, torch::kInt64);
  if (!stratify || n == 0) return order;
  const torch::Tensor shuffled = targets.index_select(0, order);
  const auto [classOf, byClass] = torch::sort(shuffled, /*stable=*/true, 0, false);
  const torch::Tensor counts = torch::bincount(classOf);
  const torch::Tensor starts = counts.cumsum(0) - counts;
  const torch::Tensor rank = torch::arange(n, torch::kInt64) - starts.index_select(0, classOf);
  const torch::Tensor jitter = torch::rand({n}, generator, torch::kFloat64);
  const torch::Tensor key =
      (rank.to(torch::kFloat64) + jitter) / counts.index_select(0, classOf).to(torch::kFloat64);
  const torch::Tensor byKey = std::get<1>(torch::sort(key, /*stable=*/true, 0, false));
  return order.index_select(0, byClass.index_select(0, byKey));
}

torch::Tensor sortedPart(const torch::Tensor& order, int64_t from, int64_t to) {
  return std::get<0>(order.slice(0, from, to).sort());
}

struct Parts {
  TensorDataset train, val, test;
};

Parts split(const SourceData& source, const DatasetSpec& spec, std::vector<std::string>& warnings) {
  const int64_t n = source.all.size();
  const bool ownTest = hasOwnTestPart(spec);
  if (ownTest && spec.testFraction.value_or(0) > 0) {
    warnings.push_back(spec.source + " has its own test part: test_fraction is not used");
  }
  const SplitCounts counts = splitCounts(spec, n);
  const int64_t valCount = counts.val;
  const int64_t testCount = counts.test;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(spec.seed);
  const bool stratify = spec.stratify && source.task == kClassification;
  const torch::Tensor order = splitOrder(source.all.targets, stratify, generator);
  Parts parts;
  parts.val = select(source.all, sortedPart(order, 0, valCount));
  parts.test =
      ownTest ? source.test : select(source.all, sortedPart(order, valCount, valCount + testCount));
  parts.train = select(source.all, sortedPart(order, valCount + testCount, n));
  if (parts.train.size() == 0) {
    throw DataError(source.name + ": the training part is empty (" + std::to_string(n) +
                    " samples); use more data or smaller val_fraction and test_fraction");
  }
  return parts;
}

// Missing table values (NaN, csv.missing = mean) take the training part's column means.
void fillMissing(const SourceData& source, Parts& parts) {
  bool missing = false;
  for (const TensorDataset* part : {&parts.train, &parts.val, &parts.test})
    missing = missing || part->inputs.isnan().any().item<bool>();
  if (!missing) return;
  const torch::Tensor means = torch::nanmean(parts.train.inputs, 0);
  const torch::Tensor empty = means.isnan().nonzero();
  if (empty.numel() > 0) {
    const int64_t column = empty[0][0].item<int64_t>();
    throw DataError(source.name + ": column " + quoteCell(source.featureNames.at(column)) +
                    " has no values in the training part, so it has no mean to fill in with; "
                    "drop the column (csv.ignore) or the rows (csv.missing = drop)");
  }
  for (TensorDataset* part : {&parts.train, &parts.val, &parts.test}) {
    if (part->size() == 0) continue;
    part->inputs = torch::where(part->inputs.isnan(), means.expand_as(part->inputs), part->inputs);
  }
}

// Per-channel (images) or per-feature (tables) statistics of the training part.
Preprocessing fitPreprocessing(const std::string& method, const torch::Tensor& train,
                               double scale) {
  Preprocessing out{.scale = scale};
  const int64_t channels = train.size(1);
  const torch::Tensor perChannel = train.transpose(0, 1).reshape({channels, -1});
  torch::Tensor mean = torch::zeros({channels}, torch::kFloat64);
  torch::Tensor std = torch::ones({channels}, torch::kFloat64);
  if (method == "zscore") {
    mean = perChannel.mean({1}, false, torch::kFloat64);
    std = perChannel.std(1).to(torch::kFloat64);
  } else if (method == "minmax") {
    mean = std::get<0>(perChannel.min(1)).to(torch::kFloat64);
    std = std::get<0>(perChannel.max(1)).to(torch::kFloat64) - mean;
  }
  // A constant channel (or a single sample) stays as it is instead of dividing by zero.
  std = torch::where(std.isnan().logical_or(std.le(1e-12)), torch::ones_like(std), std);
  out.mean = std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + channels);
  out.std = std::vector<double>(std.data_ptr<double>(), std.data_ptr<double>() + channels);
  return out;
}

void applyPreprocessing(const Preprocessing& p, torch::Tensor& inputs) {
  if (!inputs.defined() || inputs.numel() == 0) return;
  const auto options = torch::TensorOptions(torch::kFloat32);
  Shape broadcast(static_cast<size_t>(inputs.dim()), 1);
  broadcast[1] = static_cast<int64_t>(p.mean.size());
  inputs.sub_(torch::tensor(p.mean, options).reshape(broadcast))
      .div_(torch::tensor(p.std, options).reshape(broadcast));
}

// Where the data lives is not part of what it is: the same file elsewhere, prepared the same
// way, has the same fingerprint.
std::string fingerprintOf(const SourceData& source, const DatasetSpec& spec) {
  nlohmann::json preparation = toJson(spec);
  for (const char* key : {"path", "labels_path", "test_path", "test_labels_path"})
    preparation.erase(key);
  ContentHash hash;
  hash.add(source.contentHash);
  hash.add(preparation.dump());
  return hash.hex();
}

std::string describe(const SourceData& source, const LoadedData& data) {
  std::string text = source.name + ": " + formatThousands(data.train.size()) + " train / " +
                     formatThousands(data.val.size()) + " val / " +
                     formatThousands(data.test.size()) + " test";
  if (source.images) return text;
  text += " · " + std::to_string(data.inputShape.front()) + " features · ";
  if (!data.classification()) return text + "regression";
  return text + std::to_string(data.classNames.size()) + " classes";
}

void checkSpec(const DatasetSpec& spec) {
  if (spec.augment.enabled() && spec.source == kCsvSource) {
    throw DataError(spec.path +
                    ": augmentation (flip, crop, rotation) works on images, and a CSV "
                    "table has none; turn it off");
  }
}

}  // namespace

TensorDataset TensorDataset::to(const torch::Device& device) const {
  if (!inputs.defined()) return *this;
  return {inputs.to(device), targets.to(device)};
}

LoadedData loadDataset(const DatasetSpec& spec, const std::string& fashionMnistFolder,
                       const LoadProgress& progress) {
  checkSpec(spec);
  SourceData source = readSource(spec, fashionMnistFolder, progress);
  LoadedData out;
  out.warnings = std::move(source.warnings);
  Parts parts = split(source, spec, out.warnings);
  if (!source.images) fillMissing(source, parts);  // before the statistics that use the means
  out.preprocessing = fitPreprocessing(spec.normalize, parts.train.inputs, source.scale);
  for (TensorDataset* part : {&parts.train, &parts.val, &parts.test})
    applyPreprocessing(out.preprocessing, part->inputs);
  out.train = std::move(parts.train);
  out.val = std::move(parts.val);
  out.test = std::move(parts.test);
  const torch::IntArrayRef sizes = source.all.inputs.sizes();
  out.inputShape = Shape(sizes.begin() + 1, sizes.end());
  out.task = source.task;
  out.classNames = std::move(source.classNames);
  out.outputs = out.classification() ? static_cast<int64_t>(out.classNames.size()) : 1;
  out.augment = spec.augment;
  out.fingerprint = fingerprintOf(source, spec);
  out.description = describe(source, out);
  return out;
}

}  // namespace layerlab::engine
