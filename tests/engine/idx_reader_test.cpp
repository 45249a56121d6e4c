// The IDX reader on files it writes itself (good, gzipped, damaged) and on the real
// Fashion-MNIST files that Debian installs.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "engine/data/dataset.h"
#include "engine/data/idx_reader.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

std::vector<uint8_t> idxBytes(std::vector<int64_t> dims, int64_t payload, uint8_t type = 0x08) {
  std::vector<uint8_t> bytes = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (int64_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(dim >> shift));
  }
  for (int64_t i = 0; i < payload; ++i)
    bytes.push_back(static_cast<uint8_t>(i % 251));
  return bytes;
}

void writeRaw(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

void writeGz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

std::string errorOf(const std::string& path) {
  try {
    readIdx(path);
  } catch (const DataError& error) {
    return error.what();
  }
  return "no error";
}

TEST(IdxReader, ReadsRawAndGzippedAlike) {
  test::TempDir dir;
  const auto bytes = idxBytes({3, 2, 5}, 30);
  writeRaw(dir.file("a.idx"), bytes);
  writeGz(dir.file("a.idx.gz"), bytes);
  for (const std::string& path : {dir.file("a.idx"), dir.file("a.idx.gz")}) {
    const IdxArray array = readIdx(path);
    EXPECT_EQ(array.dims, (std::vector<int64_t>{3, 2, 5}));
    ASSERT_EQ(array.data.size(), 30U);
    EXPECT_EQ(array.data[29], 29);
  }
}

TEST(IdxReader, ParsesBytesInMemoryLikeFiles) {
  test::TempDir dir;
  const auto bytes = idxBytes({3, 2, 5}, 30);
  writeGz(dir.file("a.gz"), bytes);
  std::ifstream in(dir.file("a.gz"), std::ios::binary);
  const std::string gz((std::istreambuf_iterator<char>(in)), {});
  const IdxArray fromGz =
      parseIdx(reinterpret_cast<const uint8_t*>(gz.data()), gz.size(), "memory.gz", 2);
  EXPECT_EQ(fromGz.dims, (std::vector<int64_t>{2, 2, 5}));
  EXPECT_EQ(fromGz.data, std::vector<uint8_t>(bytes.begin() + 16, bytes.begin() + 36));
  EXPECT_EQ(parseIdx(bytes.data(), bytes.size(), "memory").data, readIdx(dir.file("a.gz")).data);
  EXPECT_TRUE(isIdxFile(dir.file("a.gz")));
  std::ofstream(dir.file("table.csv")) << "a,b\n1,2\n";
  EXPECT_FALSE(isIdxFile(dir.file("table.csv")));
  EXPECT_FALSE(isIdxFile(dir.file("missing.idx")));
}

TEST(IdxReader, LimitReadsOnlyTheFirstItems) {
  test::TempDir dir;
  writeGz(dir.file("a.gz"), idxBytes({10, 4}, 40));
  const IdxArray array = readIdx(dir.file("a.gz"), 3);
  EXPECT_EQ(array.dims, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(array.data.size(), 12U);
}

struct BadIdx {
  const char* name;
  std::vector<uint8_t> bytes;
  const char* message;
};

// Test names already say which case failed; print the name, not the bytes.
void PrintTo(const BadIdx& c, std::ostream* os) {
  *os << c.name;
}

class BadIdxFiles : public ::testing::TestWithParam<BadIdx> {};

TEST_P(BadIdxFiles, NameTheFileAndTheProblem) {
  test::TempDir dir;
  for (bool gz : {false, true}) {
    const std::string path = dir.file(gz ? "bad.idx.gz" : "bad.idx");
    gz ? writeGz(path, GetParam().bytes) : writeRaw(path, GetParam().bytes);
    const std::string message = errorOf(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().message), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadIdxFiles,
    ::testing::Values(BadIdx{"truncated", idxBytes({4, 3, 3}, 20), "truncated"},
                      BadIdx{"extra_bytes", idxBytes({2, 2}, 9), "size mismatch"},
                      BadIdx{"wrong_magic", {0x1f, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7}, "wrong magic"},
                      BadIdx{"float_type", idxBytes({2}, 8, 0x0D), "not supported"},
                      BadIdx{"truncated_header", {0, 0, 8, 3, 0, 0}, "truncated IDX header"},
                      BadIdx{"empty", {}, "too short"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(IdxReader, MissingFileIsNamed) {
  const std::string message = errorOf("/nonexistent/train-images.gz");
  EXPECT_NE(message.find("/nonexistent/train-images.gz: cannot open"), std::string::npos);
}

TEST(IdxReader, MismatchedImageAndLabelCountsAreRefused) {
  test::TempDir dir;
  writeGz(dir.file("images.gz"), idxBytes({4, 2, 2}, 16));
  writeGz(dir.file("labels.gz"), idxBytes({3}, 3));
  EXPECT_THROW(loadIdxPair(dir.file("images.gz"), dir.file("labels.gz")), DataError);
}

TEST(FashionMnist, MinMaxAndNoneKeepValuesInTheUnitRange) {
  for (const char* method : {"minmax", "none"}) {
    const LoadedData data = loadDataset({.limit = 300, .normalize = method});
    EXPECT_GE(data.train.inputs.min().item<float>(), 0.0F) << method;
    EXPECT_LE(data.train.inputs.max().item<float>(), 1.0F) << method;
    EXPECT_GT(data.train.inputs.max().item<float>(), 0.9F) << method;
  }
}

TEST(FashionMnist, LoadsASliceWithASeededSplit) {
  const DatasetSpec spec{.limit = 1000, .valFraction = 0.2, .seed = 7};
  const LoadedData data = loadDataset(spec);
  EXPECT_EQ(data.train.size(), 800);
  EXPECT_EQ(data.val.size(), 200);
  EXPECT_EQ(data.test.size(), 10000);
  EXPECT_EQ(data.inputShape, (Shape{1, 28, 28}));
  EXPECT_EQ(data.classNames.size(), 10U);
  // z-score from the training part: the training part is centred, the others use its statistics.
  EXPECT_NEAR(data.train.inputs.mean().item<double>(), 0.0, 1e-4);
  EXPECT_NEAR(data.train.inputs.std().item<double>(), 1.0, 1e-3);
  EXPECT_GT(std::abs(data.val.inputs.mean().item<double>()), 1e-4);
  EXPECT_NEAR(data.preprocessing.scale, 1.0 / 255, 1e-12);
  ASSERT_EQ(data.preprocessing.mean.size(), 1U);
  EXPECT_GT(data.preprocessing.mean[0], 0.2);  // Fashion-MNIST's mean pixel is about 0.29
  EXPECT_EQ(data.train.targets.max().item<int64_t>(), 9);
  // The same seed gives the same split and fingerprint; another seed another split.
  const LoadedData again = loadDataset(spec);
  EXPECT_TRUE(torch::equal(again.val.targets, data.val.targets));
  EXPECT_EQ(again.fingerprint, data.fingerprint);
  const LoadedData other = loadDataset({.limit = 1000, .valFraction = 0.2, .seed = 8});
  EXPECT_FALSE(torch::equal(other.val.inputs, data.val.inputs));
  EXPECT_NE(other.fingerprint, data.fingerprint);
}

}  // namespace
}  // namespace layerlab::engine
