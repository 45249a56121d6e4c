#include "engine/data/dataset.h"

#include <cstdio>

#include "engine/data/idx_reader.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

const std::vector<std::string> kFashionMnistClasses = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// FNV-1a, 64 bits: cheap, stable across platforms, enough to tell data sets apart.
class Fingerprint {
 public:
  void add(const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i)
      m_hash = (m_hash ^ bytes[i]) * 0x100000001b3ULL;
  }
  void add(const std::string& text) { add(text.data(), text.size()); }
  std::string hex() const {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(m_hash));
    return buffer;
  }

 private:
  uint64_t m_hash = 0xcbf29ce484222325ULL;
};

void addTensor(Fingerprint& fingerprint, const torch::Tensor& tensor) {
  const torch::Tensor contiguous = tensor.contiguous();
  fingerprint.add(contiguous.data_ptr(), contiguous.numel() * contiguous.element_size());
}

TensorDataset select(const TensorDataset& data, const torch::Tensor& indices) {
  return {data.inputs.index_select(0, indices).contiguous(),
          data.targets.index_select(0, indices).contiguous()};
}

// Per-channel statistics of the training part; every part is then prepared with them.
Preprocessing fitPreprocessing(const std::string& method, const torch::Tensor& train) {
  Preprocessing out{.scale = 1.0 / 255.0};
  const int64_t channels = train.size(1);
  const torch::Tensor perChannel = train.transpose(0, 1).reshape({channels, -1});
  for (int64_t c = 0; c < channels; ++c) {
    const torch::Tensor values = perChannel[c];
    double mean = 0, std = 1;
    if (method == "zscore") {
      mean = values.mean().item<double>();
      std = values.std().item<double>();
    } else if (method == "minmax") {
      mean = values.min().item<double>();
      std = values.max().item<double>() - mean;
    }
    out.mean.push_back(mean);
    out.std.push_back(std > 1e-12 ? std : 1.0);  // a constant channel stays as it is
  }
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

}  // namespace

TensorDataset TensorDataset::to(const torch::Device& device) const {
  if (!inputs.defined()) return *this;
  return {inputs.to(device), targets.to(device)};
}

TensorDataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath,
                          int64_t limit) {
  IdxArray images = readIdx(imagesPath, limit);
  IdxArray labels = readIdx(labelsPath, limit);
  if (images.dims.size() != 3) {
    throw DataError(imagesPath + ": expected images of shape [N, height, width], the file has " +
                    std::to_string(images.dims.size()) + " dimensions");
  }
  if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0]) {
    throw DataError(labelsPath + ": expected " + std::to_string(images.dims[0]) +
                    " labels to match " + imagesPath);
  }
  const int64_t n = images.dims[0], h = images.dims[1], w = images.dims[2];
  TensorDataset data;
  data.inputs = torch::from_blob(images.data.data(), {n, 1, h, w}, torch::kUInt8)
                    .to(torch::kFloat32)
                    .div_(255.0F);
  data.targets = torch::from_blob(labels.data.data(), {n}, torch::kUInt8).to(torch::kInt64);
  return data;
}

LoadedData loadDataset(const DatasetSpec& spec, const std::string& fashionMnistFolder) {
  if (spec.source != kFashionMnist) {
    throw DataError("unknown data source '" + spec.source + "' (this version knows " +
                    kFashionMnist + ")");
  }
  const std::string dir = fashionMnistFolder + "/";
  TensorDataset all = loadIdxPair(dir + "train-images-idx3-ubyte.gz",
                                  dir + "train-labels-idx1-ubyte.gz", spec.limit);
  LoadedData out;
  out.test = loadIdxPair(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz");
  const int64_t valCount = static_cast<int64_t>(static_cast<double>(all.size()) * spec.valFraction);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(spec.seed);
  const torch::Tensor order = torch::randperm(all.size(), generator, torch::kInt64);
  out.val = select(all, order.slice(0, 0, valCount));
  out.train = select(all, std::get<0>(order.slice(0, valCount).sort()));
  out.preprocessing = fitPreprocessing(spec.normalize, out.train.inputs);
  for (TensorDataset* part : {&out.train, &out.val, &out.test}) {
    applyPreprocessing(out.preprocessing, part->inputs);
  }
  out.inputShape = {all.inputs.size(1), all.inputs.size(2), all.inputs.size(3)};
  out.classNames = kFashionMnistClasses;
  Fingerprint fingerprint;
  addTensor(fingerprint, all.inputs);
  addTensor(fingerprint, all.targets);
  fingerprint.add(toJson(spec).dump());
  out.fingerprint = fingerprint.hex();
  out.description = spec.source + ": " + formatThousands(out.train.size()) + " train / " +
                    formatThousands(out.val.size()) + " val / " + formatThousands(out.test.size()) +
                    " test";
  return out;
}

}  // namespace layerlab::engine
