// loadDataset on tables, image folders and IDX pairs that the tests write: the split, the
// stratification, statistics from the training part only, missing values, regression targets
// and the fingerprint.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "engine/data/dataset.h"
#include "tests/engine/test_images.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

// 200 rows, 150 of class "big" and 50 of class "small", sorted by class as tables often are.
std::string imbalancedTable() {
  std::string text = "x,y,kind\n";
  for (int i = 0; i < 200; ++i) {
    const bool small = i >= 150;
    text += std::to_string(i) + "," + std::to_string((small ? 10 : 0) + i % 7) + "," +
            (small ? "small" : "big") + "\n";
  }
  return text;
}

DatasetSpec csvSpec(const std::string& path) {
  return DatasetSpec{.source = kCsvSource, .path = path};
}

int64_t countOf(const torch::Tensor& targets, int64_t label) {
  return targets.eq(label).sum().item<int64_t>();
}

TEST(TableData, SplitsStratifiedAndNormalisesWithTrainingStatistics) {
  test::TempDir dir;
  std::ofstream(dir.file("t.csv")) << imbalancedTable();
  const LoadedData data = loadDataset(csvSpec(dir.file("t.csv")));
  EXPECT_EQ(data.train.size(), 140);
  EXPECT_EQ(data.val.size(), 30);
  EXPECT_EQ(data.test.size(), 30);
  EXPECT_EQ(data.inputShape, (Shape{2}));
  EXPECT_EQ(data.task, kClassification);
  EXPECT_EQ(data.classNames, (std::vector<std::string>{"big", "small"}));
  EXPECT_EQ(data.outputs, 2);
  EXPECT_EQ(data.train.targets.dtype(), torch::kInt64);
  // A quarter of every part is "small", within one sample.
  EXPECT_NEAR(countOf(data.val.targets, 1), 7.5, 1.0);
  EXPECT_NEAR(countOf(data.test.targets, 1), 7.5, 1.0);
  EXPECT_NEAR(countOf(data.train.targets, 1), 35, 1.0);
  // Every row lands in exactly one part.
  EXPECT_EQ(
      countOf(data.train.targets, 1) + countOf(data.val.targets, 1) + countOf(data.test.targets, 1),
      50);
  // z-score per feature with the training part's statistics.
  const torch::Tensor mean = data.train.inputs.mean(0), std = data.train.inputs.std(0);
  EXPECT_TRUE(torch::allclose(mean, torch::zeros(2), 1e-5, 1e-5)) << mean;
  EXPECT_TRUE(torch::allclose(std, torch::ones(2), 1e-4, 1e-4)) << std;
  EXPECT_GT(data.val.inputs.mean(0).abs().max().item<double>(), 1e-4);
  ASSERT_EQ(data.preprocessing.mean.size(), 2U);
  EXPECT_EQ(data.preprocessing.scale, 1.0);
  EXPECT_NEAR(data.preprocessing.mean[0], 100, 15);  // the mean row number
  EXPECT_NE(data.description.find("t.csv: 140 train / 30 val / 30 test · 2 features · 2 classes"),
            std::string::npos)
      << data.description;
}

TEST(TableData, WithoutStratificationTheSplitIsPlainRandom) {
  test::TempDir dir;
  std::ofstream(dir.file("t.csv")) << imbalancedTable();
  DatasetSpec spec = csvSpec(dir.file("t.csv"));
  spec.valFraction = 0.5;
  spec.testFraction = 0.0;
  int64_t farFromAQuarter = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    spec.seed = seed;
    spec.stratify = true;
    EXPECT_NEAR(countOf(loadDataset(spec).val.targets, 1), 25, 1.0);
    spec.stratify = false;
    farFromAQuarter += std::abs(countOf(loadDataset(spec).val.targets, 1) - 25) > 1;
  }
  EXPECT_GT(farFromAQuarter, 0);
}

TEST(TableData, RegressionTargetsAreFloatColumns) {
  test::TempDir dir;
  std::string text = "a,b,target\n";
  for (int i = 0; i < 40; ++i)
    text += std::to_string(i) + "," + std::to_string(i * i) + "," + std::to_string(i * 0.5) + "\n";
  std::ofstream(dir.file("r.csv")) << text;
  const LoadedData data = loadDataset(csvSpec(dir.file("r.csv")));
  EXPECT_EQ(data.task, kRegression);
  EXPECT_FALSE(data.classification());
  EXPECT_TRUE(data.classNames.empty());
  EXPECT_EQ(data.outputs, 1);
  EXPECT_EQ(data.train.targets.dtype(), torch::kFloat32);
  EXPECT_EQ(data.train.targets.sizes(), (torch::IntArrayRef{data.train.size(), 1}));
  EXPECT_EQ(data.train.size() + data.val.size() + data.test.size(), 40);
  // Targets stay as they are: only the inputs are normalised.
  EXPECT_GT(data.train.targets.max().item<float>(), 15.0F);
}

TEST(TableData, MissingValuesTakeTheTrainingMean) {
  test::TempDir dir;
  std::string text = "a,b,label\n";
  for (int i = 0; i < 60; ++i)
    text += (i % 4 == 0 ? std::string("") : "4") + "," + std::to_string(i) + "," +
            std::to_string(i % 2) + "\n";
  std::ofstream(dir.file("m.csv")) << text;
  DatasetSpec spec = csvSpec(dir.file("m.csv"));
  spec.normalize = "none";
  spec.csv.missing = "mean";
  const LoadedData data = loadDataset(spec);
  for (const TensorDataset* part : {&data.train, &data.val, &data.test}) {
    EXPECT_FALSE(part->inputs.isnan().any().item<bool>());
    EXPECT_TRUE(part->inputs.select(1, 0).eq(4).all().item<bool>());
  }
  ASSERT_FALSE(data.warnings.empty());
  EXPECT_NE(data.warnings.back().find("15 missing value(s)"), std::string::npos);

  std::ofstream(dir.file("hole.csv")) << "a,b,label\n,1,0\n,2,1\n,3,0\n,4,1\n";
  spec.path = dir.file("hole.csv");
  spec.valFraction = 0.0;
  spec.testFraction = 0.0;
  try {
    loadDataset(spec);
    ADD_FAILURE() << "an empty column was filled";
  } catch (const DataError& error) {
    EXPECT_NE(std::string(error.what()).find("column 'a' has no values in the training part"),
              std::string::npos)
        << error.what();
  }
}

TEST(TableData, FingerprintFollowsContentAndPreparationNotLocation) {
  test::TempDir dir;
  std::ofstream(dir.file("t.csv")) << imbalancedTable();
  fs::create_directories(dir.path() / "elsewhere");
  fs::copy_file(dir.file("t.csv"), dir.path() / "elsewhere" / "t.csv");
  std::ofstream(dir.file("changed.csv")) << imbalancedTable() << "5,5,big\n";
  const DatasetSpec spec = csvSpec(dir.file("t.csv"));
  const std::string base = loadDataset(spec).fingerprint;
  EXPECT_EQ(loadDataset(spec).fingerprint, base);
  EXPECT_EQ(loadDataset(csvSpec((dir.path() / "elsewhere" / "t.csv").string())).fingerprint, base);
  std::vector<DatasetSpec> changes(5, spec);
  changes[0].path = dir.file("changed.csv");
  changes[1].seed = 7;
  changes[2].normalize = "minmax";
  changes[3].testFraction = 0.2;
  changes[4].stratify = false;
  for (const DatasetSpec& change : changes) {
    SCOPED_TRACE(toJson(change).dump());
    EXPECT_NE(loadDataset(change).fingerprint, base);
  }
}

TEST(TableData, RefusesAugmentationAndStopsWhenCancelled) {
  test::TempDir dir;
  std::ofstream(dir.file("t.csv")) << imbalancedTable();
  DatasetSpec spec = csvSpec(dir.file("t.csv"));
  spec.augment.flip = true;
  EXPECT_THROW(loadDataset(spec), DataError);
  spec.augment.flip = false;
  EXPECT_THROW(loadDataset(spec, fashionMnistDir(), [](int64_t, int64_t) { return false; }),
               LoadCancelled);
}

TEST(ImageData, LoadsAFolderPerChannel) {
  test::TempDir dir;
  const fs::path root = dir.path() / "pets";
  for (int i = 0; i < 10; ++i) {
    test::writeImage(root / "cat" / ("c" + std::to_string(i) + ".png"), 8, 8, i);
    test::writeImage(root / "dog" / ("d" + std::to_string(i) + ".bmp"), 8, 8, 100 + i);
  }
  DatasetSpec spec{.source = kImageFolderSource, .path = root.string() + "/"};
  spec.augment.cropPadding = 2;
  const LoadedData data = loadDataset(spec);
  EXPECT_EQ(data.inputShape, (Shape{3, 8, 8}));
  EXPECT_EQ(data.classNames, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(data.outputs, 2);
  EXPECT_EQ(data.train.size() + data.val.size() + data.test.size(), 20);
  EXPECT_EQ(data.val.size(), 3);
  EXPECT_EQ(data.augment.cropPadding, 2);
  EXPECT_NEAR(data.preprocessing.scale, 1.0 / 255, 1e-12);
  ASSERT_EQ(data.preprocessing.std.size(), 3U);
  // The blue channel is 200 everywhere: a constant channel keeps std 1.
  EXPECT_NEAR(data.preprocessing.mean[2], 200.0 / 255, 1e-6);
  EXPECT_EQ(data.preprocessing.std[2], 1.0);
  EXPECT_EQ(data.description.rfind("pets: ", 0), 0U) << data.description;
}

std::vector<uint8_t> idxBytes(std::vector<int64_t> dims, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> bytes = {0, 0, 8, static_cast<uint8_t>(dims.size())};
  for (int64_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(dim >> shift));
  }
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

void writeGz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

TEST(IdxData, LoadsPairsFromAnyFolder) {
  test::TempDir dir;
  std::vector<uint8_t> pixels(40 * 5 * 5), labels(40);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<uint8_t>(i * 7);
  for (size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<uint8_t>(i % 4);
  writeGz(dir.file("images.idx.gz"), idxBytes({40, 5, 5}, pixels));
  std::ofstream(dir.file("labels.idx"), std::ios::binary)
      .write(reinterpret_cast<const char*>(idxBytes({40}, labels).data()), 4 + 4 + 40);
  const DatasetSpec pair =
      datasetSpecForArgument(dir.file("images.idx.gz") + "," + dir.file("labels.idx"));
  const LoadedData single = loadDataset(pair);
  EXPECT_EQ(single.inputShape, (Shape{1, 5, 5}));
  EXPECT_EQ(single.classNames, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(single.train.size(), 28);  // 0.7 / 0.15 / 0.15 of 40
  EXPECT_EQ(single.test.size(), 6);
  const DatasetSpec withTest =
      datasetSpecForArgument(dir.file("images.idx.gz") + "," + dir.file("labels.idx") + "," +
                             dir.file("images.idx.gz") + "," + dir.file("labels.idx"));
  const LoadedData both = loadDataset(withTest);
  EXPECT_EQ(both.test.size(), 40);  // the source's own test part
  EXPECT_EQ(both.val.size(), 4);    // 0.1 of the training part
  EXPECT_EQ(both.train.size(), 36);
  EXPECT_NE(both.fingerprint, single.fingerprint);
}

TEST(IdxData, ColourImagesBecomeChannels) {
  test::TempDir dir;
  std::vector<uint8_t> pixels(6 * 2 * 2 * 3);
  for (size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<uint8_t>(i);
  writeGz(dir.file("rgb.gz"), idxBytes({6, 2, 2, 3}, pixels));
  writeGz(dir.file("labels.gz"), idxBytes({6}, {0, 1, 0, 1, 0, 1}));
  const TensorDataset data = loadIdxPair(dir.file("rgb.gz"), dir.file("labels.gz"));
  EXPECT_EQ(data.inputs.sizes(), (torch::IntArrayRef{6, 3, 2, 2}));
  // Sample 0, channel 1, pixel (0, 1): byte 1 * 3 + 1 of the HWC layout.
  EXPECT_FLOAT_EQ(data.inputs[0][1][0][1].item<float>(), 4.0F / 255);
}

}  // namespace
}  // namespace layerlab::engine
