// What the data decides before training: how many channels an image folder has, how a CSV's
// columns are named in the stored spec, how many rows the training part gets and the batch size
// that suits them. Real files written by the tests: grayscale PNGs with stb_image_write, tables.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/data/csv_reader.h"
#include "engine/data/data_header.h"
#include "engine/data/image_folder.h"
#include "engine/train/train_config.h"
#include "tests/engine/test_images.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

// A one-channel PNG whose pixel (x, y) is base + 4x + 2y.
void writeGrayPng(const fs::path& path, int width, int height, int base) {
  fs::create_directories(path.parent_path());
  std::vector<uint8_t> gray;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      gray.push_back(static_cast<uint8_t>(base + 4 * x + 2 * y));
  ASSERT_NE(stbi_write_png(path.string().c_str(), width, height, 1, gray.data(), width), 0);
}

fs::path grayFolder(const test::TempDir& dir) {
  const fs::path root = dir.path() / "digits";
  for (int i = 0; i < 3; ++i) {
    writeGrayPng(root / "zero" / ("z" + std::to_string(i) + ".png"), 10, 6, 10 * i);
    writeGrayPng(root / "one" / ("o" + std::to_string(i) + ".png"), 10, 6, 100 + 10 * i);
  }
  return root;
}

TEST(DataDefaults, GrayscaleImagesMakeOneChannel) {
  test::TempDir dir;
  const fs::path root = grayFolder(dir);
  const ImageFolderData data = readImageFolder(root.string());
  EXPECT_EQ(data.channels, 1);
  EXPECT_EQ(data.height, 6);
  EXPECT_EQ(data.width, 10);
  ASSERT_EQ(data.pixels.size(), 6U * 6 * 10);
  // "one" sorts before "zero"; its first image has base 100: pixel (3, 2) is 100 + 12 + 4.
  EXPECT_EQ(data.pixels[2 * 10 + 3], 116);
  EXPECT_TRUE(data.warnings.empty());

  const DatasetSpec spec{.source = kImageFolderSource, .path = root.string()};
  const DataHeader header = readDataHeader(spec);
  ASSERT_TRUE(header.inputShape.has_value());
  EXPECT_EQ(*header.inputShape, (Shape{1, 6, 10}));

  // A stated size resizes and still sees the grayscale; "rgb" asks for three channels.
  DatasetSpec sized = spec;
  sized.image.height = 4;
  sized.image.width = 5;
  EXPECT_EQ(*readDataHeader(sized).inputShape, (Shape{1, 4, 5}));
  sized.image.color = "rgb";
  EXPECT_EQ(*readDataHeader(sized).inputShape, (Shape{3, 4, 5}));
}

TEST(DataDefaults, ColourImagesStayRgbAndAMixedFolderWarnsOnce) {
  test::TempDir dir;
  const fs::path root = grayFolder(dir);
  test::writeImage(root / "zero" / "z9.png", 10, 6, 0);
  test::writeImage(root / "zero" / "z8.png", 10, 6, 0);
  const ImageFolderData mixed = readImageFolder(root.string());
  EXPECT_EQ(mixed.channels, 1) << "the first image decides";
  ASSERT_EQ(mixed.warnings.size(), 1U);
  EXPECT_NE(mixed.warnings[0].find("z8.png is in colour"), std::string::npos) << mixed.warnings[0];
  EXPECT_NE(mixed.warnings[0].find("image.color to rgb"), std::string::npos);

  const fs::path colour = dir.path() / "colour";
  test::writeImage(colour / "a" / "x.png", 8, 8, 0);
  test::writeImage(colour / "b" / "y.png", 8, 8, 0);
  EXPECT_EQ(readImageFolder(colour.string()).channels, 3);
}

fs::path writeTable(const test::TempDir& dir, const std::string& name, const std::string& text) {
  const fs::path path = dir.path() / name;
  std::ofstream(path) << text;
  return path;
}

std::string flowers(int rows) {
  std::string text = "sepal_length,sepal_width,species\n";
  for (int i = 0; i < rows; ++i) {
    const char* kind = i % 3 == 0 ? "setosa" : (i % 3 == 1 ? "versicolor" : "virginica");
    text += std::to_string(4 + i % 5) + "." + std::to_string(i % 10) + ",3.1," + kind + "\n";
  }
  return text;
}

TEST(DataDefaults, CsvColumnsAreNamedByTheHeader) {
  test::TempDir dir;
  const std::string path = writeTable(dir, "flowers.csv", flowers(30)).string();
  struct Case {
    ColumnRef given;
    ColumnRef stored;
  };
  for (const Case& c :
       {Case{int64_t{-1}, std::string("species")}, Case{int64_t{2}, std::string("species")},
        Case{std::string("species"), std::string("species")},
        Case{int64_t{7}, int64_t{7}}}) {  // out of range: the reader says so
    CsvOptions options;
    options.label = c.given;
    EXPECT_EQ(columnsByName(path, options).label, c.stored);
  }
  CsvOptions ignoring;
  ignoring.ignore = {int64_t{1}};
  EXPECT_EQ(columnsByName(path, ignoring).ignore,
            std::vector<ColumnRef>{std::string("sepal_width")});

  // Without a header, or with the name twice, an index is the only way to say which column.
  const std::string bare = writeTable(dir, "bare.csv", "1,2,a\n3,4,b\n5,6,a\n").string();
  EXPECT_EQ(columnsByName(bare, CsvOptions{}).label, ColumnRef(int64_t{-1}));
  const std::string twice = writeTable(dir, "twice.csv", "x,kind,kind\n1,a,b\n2,b,a\n").string();
  EXPECT_EQ(columnsByName(twice, CsvOptions{}).label, ColumnRef(int64_t{-1}));
  EXPECT_EQ(columnsByName((dir.path() / "absent.csv").string(), CsvOptions{}), CsvOptions{});
}

TEST(DataDefaults, TheTrainingPartAndItsBatchSize) {
  test::TempDir dir;
  const std::string path = writeTable(dir, "flowers.csv", flowers(150)).string();
  DatasetSpec spec{.source = kCsvSource, .path = path};
  // 150 rows: 22 for validation, 22 for test (0.15 each, rounded down), 106 to train on.
  EXPECT_EQ(splitCounts(spec, 150).train, 106);
  EXPECT_EQ(splitCounts(spec, 150).val, 22);
  EXPECT_EQ(countTrainingSamples(spec), 106);
  spec.limit = 40;
  EXPECT_EQ(countTrainingSamples(spec), 40 - 6 - 6);
  const DatasetSpec fashion;  // its own test part: only validation is cut from 60,000
  EXPECT_EQ(splitCounts(fashion, 60000).train, 54000);
  EXPECT_EQ(splitCounts(fashion, 60000).test, 0);

  struct Case {
    int64_t rows;
    int64_t batch;
  };
  for (const Case& c : {Case{0, 32}, Case{54000, 32}, Case{256, 32}, Case{224, 16}, Case{106, 8},
                        Case{64, 8}, Case{56, 4}, Case{10, 1}, Case{1, 1}}) {
    EXPECT_EQ(suggestedBatchSize(c.rows), c.batch) << c.rows << " rows";
  }
  EXPECT_EQ(TrainConfig{}.batchSize, kDefaultBatchSize);
}

}  // namespace
}  // namespace layerlab::engine
