// The dataset document: exact round trips, strict parsing, and what a --data value means.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/data/dataset_spec.h"
#include "engine/data/idx_reader.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

DatasetSpec everythingSet() {
  DatasetSpec spec{.source = kCsvSource,
                   .limit = 500,
                   .valFraction = 0.2,
                   .seed = 9,
                   .normalize = "minmax",
                   .testFraction = 0.1,
                   .stratify = false,
                   .path = "/data/table.csv"};
  spec.csv = {.header = "yes",
              .delimiter = ";",
              .skipRows = 2,
              .label = std::string("species"),
              .ignore = {int64_t{0}, std::string("id")},
              .missing = "mean",
              .task = "classification"};
  spec.image = {.height = 32, .width = 24, .color = "grayscale"};
  spec.augment = {.flip = true, .cropPadding = 4, .rotationDegrees = 10};
  return spec;
}

TEST(DatasetSpec, RoundTripsExactly) {
  DatasetSpec idx{.source = kIdxSource, .path = "a.idx", .labelsPath = "b.idx"};
  idx.testPath = "c.idx";
  idx.testLabelsPath = "d.idx";
  for (const DatasetSpec& spec : {DatasetSpec{}, everythingSet(), idx,
                                  DatasetSpec{.source = kImageFolderSource, .path = "/pics"}}) {
    SCOPED_TRACE(toJson(spec).dump());
    const json doc = toJson(spec);
    const DatasetSpec back = datasetSpecFromJson(doc);
    EXPECT_TRUE(back == spec);
    EXPECT_EQ(toJson(back), doc);
    EXPECT_TRUE(datasetSpecFromJson(json::parse(doc.dump())) == spec);
  }
}

TEST(DatasetSpec, WritesOnlyTheSectionsInUse) {
  const json plain = toJson(DatasetSpec{});
  EXPECT_FALSE(plain.contains("csv"));
  EXPECT_FALSE(plain.contains("image"));
  EXPECT_FALSE(plain.contains("augment"));
  EXPECT_FALSE(plain.contains("val_fraction"));  // unset: the source's default
  const json csv = toJson(DatasetSpec{.source = kCsvSource, .path = "t.csv"});
  EXPECT_EQ(csv.at("csv").at("label"), -1);
  EXPECT_EQ(csv.at("csv").at("missing"), "error");
}

TEST(DatasetSpec, ReadsDocumentsOfTheFirstVersion) {
  const DatasetSpec spec = datasetSpecFromJson(json::parse(
      R"({"format": "layerlab.dataset", "version": 1, "source": "fashion-mnist", "limit": 0,
          "val_fraction": 0.1, "seed": 42, "normalize": "zscore"})"));
  EXPECT_EQ(spec.source, kFashionMnist);
  EXPECT_EQ(effectiveValFraction(spec), 0.1);
  EXPECT_EQ(effectiveTestFraction(spec), 0.0);
  EXPECT_TRUE(spec.stratify);
}

TEST(DatasetSpec, DefaultFractionsDependOnTheSource) {
  const DatasetSpec csv{.source = kCsvSource, .path = "t.csv"};
  EXPECT_EQ(effectiveValFraction(csv), 0.15);
  EXPECT_EQ(effectiveTestFraction(csv), 0.15);
  EXPECT_FALSE(hasOwnTestPart(csv));
  DatasetSpec idx{.source = kIdxSource, .path = "a", .labelsPath = "b"};
  EXPECT_EQ(effectiveTestFraction(idx), 0.15);
  idx.testPath = "c";
  EXPECT_TRUE(hasOwnTestPart(idx));
  EXPECT_EQ(effectiveValFraction(idx), 0.1);
  EXPECT_EQ(effectiveTestFraction(idx), 0.0);
}

TEST(DatasetSpec, RefusesBadDocumentsNamingTheField) {
  const std::string base = R"("format": "layerlab.dataset", "source": "csv", "path": "t.csv")";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("lmit": 5)", "unknown field 'lmit'"},
      {R"("csv": {"delimter": ";"})", "unknown field 'csv.delimter'"},
      {R"("augment": {"flip": true, "mirror": 1})", "unknown field 'augment.mirror'"},
      {R"("csv": {"missing": "zero"})", "'csv.missing' must be one of error, drop, mean"},
      {R"("csv": {"header": true})", "'csv.header' must be text"},
      {R"("csv": {"delimiter": ";;"})", "'csv.delimiter' must be"},
      {R"("csv": {"label": 1.5})", "'csv.label' must be a column name or a 0-based column index"},
      {R"("csv": {"skip_rows": -1})", "'csv.skip_rows' must be at least 0"},
      {R"("csv": {"task": "ranking"})", "'csv.task' must be one of"},
      {R"("csv": 3)", "'csv' must be an object"},
      {R"("image": {"size": [0, 4]})", "'image.size' must be between 1 and 4096"},
      {R"("image": {"size": "big"})", "'image.size' must be [height, width]"},
      {R"("image": {"color": "cmyk"})", "'image.color' must be one of auto, rgb, grayscale"},
      {R"("augment": {"rotation_degrees": 200})", "'augment.rotation_degrees' must be between"},
      {R"("augment": {"crop_padding": -1})", "'augment.crop_padding' must be between"},
      {R"("val_fraction": 1.0)", "'val_fraction' must be at least 0 and below 1"},
      {R"("val_fraction": 0.6, "test_fraction": 0.5)", "'test_fraction' must be small enough"},
      {R"("seed": -3)", "'seed' must be a whole number"},
      {R"("normalize": "l2")", "'normalize' must be one of zscore, minmax, none"},
      {R"("version": 2)", "'version' must be 1"},
      {R"("limit": "all")", "'limit' must be an integer"},
      {R"("stratify": 1)", "'stratify' must be true or false"},
  };
  for (const auto& [fields, message] : cases) {
    SCOPED_TRACE(fields);
    try {
      datasetSpecFromJson(json::parse("{" + base + ", " + fields + "}"));
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
  }
  const std::vector<std::pair<std::string, std::string>> sources = {
      {R"({"format": "layerlab.dataset", "source": "cifar"})", "'source' must be one of"},
      {R"({"format": "layerlab.dataset", "source": "csv"})", "'path' must be given"},
      {R"({"format": "layerlab.dataset", "source": "idx", "path": "a"})", "'labels_path'"},
      {R"({"format": "layerlab.dataset", "source": "idx", "path": "a", "labels_path": "b",
           "test_path": "c"})",
       "'test_labels_path' must be given together with 'test_path'"},
      {R"({"format": "layerlab.model"})", "not a dataset document"},
  };
  for (const auto& [text, message] : sources) {
    SCOPED_TRACE(text);
    EXPECT_THROW(
        {
          try {
            datasetSpecFromJson(json::parse(text));
          } catch (const std::invalid_argument& error) {
            EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
            throw;
          }
        },
        std::invalid_argument);
  }
}

TEST(DatasetSpec, MapsCommandLineDataValues) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "pictures" / "cats");
  std::ofstream(dir.file("table.csv")) << "a,b\n1,2\n";
  std::ofstream(dir.file("table.txt")) << "a,b\n1,2\n";
  const char idx[] = {0, 0, 8, 1, 0, 0, 0, 1, 7};
  std::ofstream(dir.file("labels.idx"), std::ios::binary).write(idx, sizeof idx);
  std::ofstream(dir.file("images.idx"), std::ios::binary).write(idx, sizeof idx);

  EXPECT_TRUE(datasetSpecForArgument("fashion-mnist") == DatasetSpec{});
  const DatasetSpec folder = datasetSpecForArgument(dir.file("pictures"));
  EXPECT_EQ(folder.source, kImageFolderSource);
  EXPECT_EQ(folder.path, dir.file("pictures"));
  for (const char* name : {"table.csv", "table.txt"}) {
    const DatasetSpec csv = datasetSpecForArgument(dir.file(name));
    EXPECT_EQ(csv.source, kCsvSource) << name;
    EXPECT_EQ(csv.path, dir.file(name));
  }
  const DatasetSpec pair =
      datasetSpecForArgument(dir.file("images.idx") + "," + dir.file("labels.idx"));
  EXPECT_EQ(pair.source, kIdxSource);
  EXPECT_EQ(pair.labelsPath, dir.file("labels.idx"));
  EXPECT_TRUE(pair.testPath.empty());
  const DatasetSpec four =
      datasetSpecForArgument(dir.file("images.idx") + "," + dir.file("labels.idx") + "," +
                             dir.file("images.idx") + "," + dir.file("labels.idx"));
  EXPECT_EQ(four.testLabelsPath, dir.file("labels.idx"));
  // Relative paths become absolute, so a stored spec works from any folder.
  const auto here = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const DatasetSpec relative = datasetSpecForArgument("table.csv");
  std::filesystem::current_path(here);
  EXPECT_EQ(relative.path, dir.file("table.csv"));

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"cifar-99", "unknown data source 'cifar-99' (give fashion-mnist, a CSV file"},
      {dir.file("nothere.csv"), "nothere.csv: no such file or folder"},
      {dir.file("images.idx"), "an IDX file needs its labels: give --data IMAGES,LABELS"},
      {dir.file("images.idx") + "," + dir.file("missing.idx"), "missing.idx: no such file"},
      {"a,b,c", "an IDX source is IMAGES,LABELS or IMAGES,LABELS,TEST_IMAGES,TEST_LABELS"},
  };
  for (const auto& [arg, message] : bad) {
    SCOPED_TRACE(arg);
    try {
      datasetSpecForArgument(arg);
      ADD_FAILURE() << "accepted";
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace layerlab::engine
