// Which data a run trains on and how it is prepared. Plain data, no torch: the GUI includes it.
//
// The JSON document ("format": "layerlab.dataset", "version": 1):
//
//   { "format": "layerlab.dataset", "version": 1,
//     "source": "csv",                    fashion-mnist | csv | image-folder | idx
//     "path": "/data/iris.csv",           the CSV file, the image folder or the IDX images file
//     "labels_path": "…",                 idx: the labels file
//     "test_path": "…", "test_labels_path": "…",   idx: an optional test pair
//     "limit": 0,
//     "val_fraction": 0.15, "test_fraction": 0.15,  optional: left out = the source's default
//     "seed": 42, "stratify": true, "normalize": "zscore",
//     "csv": { "header": "auto", "delimiter": "auto", "skip_rows": 0, "label": -1,
//              "ignore": [], "missing": "error", "task": "auto" },
//     "image": { "size": [32, 32], "color": "auto" },
//     "augment": { "flip": false, "crop_padding": 0, "rotation_degrees": 0 } }
//
// "csv" and "image" are written when the source uses them or when they differ from the defaults;
// "augment" when it is on. Unknown keys are errors, so a typo never silently means a default.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace layerlab::engine {

inline constexpr const char* kDatasetFormat = "layerlab.dataset";
inline constexpr int kDatasetVersion = 1;

// The kinds of source.
inline constexpr const char* kFashionMnist = "fashion-mnist";
inline constexpr const char* kCsvSource = "csv";
inline constexpr const char* kImageFolderSource = "image-folder";
inline constexpr const char* kIdxSource = "idx";

// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// kFashionMnistDir, or the folder named by LAYERLAB_FASHION_MNIST_DIR when that is set (for
// systems where the files live elsewhere).
std::string fashionMnistDir();

// Fashion-MNIST's ten classes, by label: "T-shirt/top", "Trouser", … "Ankle boot".
const std::vector<std::string>& fashionMnistClassNames();

// A column by its 0-based index (negative counts from the end: -1 is the last) or its name in
// the header line.
using ColumnRef = std::variant<int64_t, std::string>;

struct CsvOptions {
  std::string header = "auto";     // "auto" | "yes" | "no"
  std::string delimiter = "auto";  // "auto" (one of , ; tab) or the one character to use
  int64_t skipRows = 0;            // lines before the header (or the data) to skip
  ColumnRef label = int64_t{-1};   // the target column; the last one unless said otherwise
  std::vector<ColumnRef> ignore;   // columns that are neither features nor the label
  // A missing value (an empty cell, NA, N/A, NaN, null, none or ?): "error", "drop" (the row)
  // or "mean" (a feature takes the training part's mean; a row without a label is dropped).
  std::string missing = "error";
  // "auto": text labels or a few distinct integers (kMaxAutoClasses at most) make a
  // classification, other numbers a regression.
  std::string task = "auto";

  bool operator==(const CsvOptions&) const = default;
};

struct ImageOptions {
  int64_t height = 0;  // 0 (with width 0): keep the images' own size, which must be the same
  int64_t width = 0;
  // "auto": one channel when the first image is stored as grayscale, else three; "rgb" or
  // "grayscale" convert every image. (Documents written before "auto" existed state "rgb".)
  std::string color = "auto";

  bool operator==(const ImageOptions&) const = default;
};

// Random changes to training images, made per batch on the device (augmentBatch in augment.h).
struct AugmentSpec {
  bool flip = false;           // mirror left-right with probability 1/2
  int64_t cropPadding = 0;     // pad by this many pixels, then crop back at a random offset
  double rotationDegrees = 0;  // rotate by a random angle in [-degrees, degrees]

  bool enabled() const { return flip || cropPadding > 0 || rotationDegrees > 0; }
  bool operator==(const AugmentSpec&) const = default;
};

struct DatasetSpec {
  std::string source = kFashionMnist;  // the kind of source, one of the k…Source names
  int64_t limit = 0;  // > 0: keep N samples (the first N of fashion-mnist and IDX, else seeded)
  // The part kept for validation and, for sources without a test part of their own, for test.
  // Unset: 0.15 and 0.15 for one file or folder (a 0.7/0.15/0.15 split); for fashion-mnist and
  // IDX pairs with test files, 0.1 of the training part (the test part is the source's own).
  std::optional<double> valFraction;
  uint64_t seed = 42;  // of the split and of a seeded `limit`
  // "zscore": (x - mean) / std, "minmax": to [0, 1], "none": as read (images scaled to [0, 1]).
  // Per channel for images, per feature for tables; statistics come from the training part.
  std::string normalize = "zscore";
  std::optional<double> testFraction;
  bool stratify = true;        // classification: every part keeps the class proportions
  std::string path;            // the CSV file, the image folder or the IDX images file
  std::string labelsPath;      // IDX: the labels of `path`
  std::string testPath;        // IDX: optional test images …
  std::string testLabelsPath;  // … and their labels
  CsvOptions csv;
  ImageOptions image;
  AugmentSpec augment;

  bool operator==(const DatasetSpec&) const = default;
};

// Classification is chosen automatically for integer labels with at most this many values.
inline constexpr int64_t kMaxAutoClasses = 20;

// The fractions `spec` resolves to for its source (see DatasetSpec::valFraction).
double effectiveValFraction(const DatasetSpec& spec);
double effectiveTestFraction(const DatasetSpec& spec);
// Whether the source brings its own test part (fashion-mnist, an IDX pair with test files).
bool hasOwnTestPart(const DatasetSpec& spec);

// How many of `samples` (the source's samples after `limit`, not counting a test part of its
// own) go to each part: validation and test take their fractions rounded down, training the
// rest. The one rule of the split (loadDataset) and of the batch size suggested for the data.
struct SplitCounts {
  int64_t train = 0;
  int64_t val = 0;
  int64_t test = 0;
};
SplitCounts splitCounts(const DatasetSpec& spec, int64_t samples);

// What was done to raw input values v: x = (v * scale - mean[c]) / std[c] for channel (or
// feature) c. Kept with the run so that exports and predictions prepare inputs the same way.
struct Preprocessing {
  double scale = 1.0;
  std::vector<double> mean;
  std::vector<double> std;
};

nlohmann::json toJson(const Preprocessing& preprocessing);

nlohmann::json toJson(const DatasetSpec& spec);

// Throws std::invalid_argument naming the bad field. datasetSpecFromJson(toJson(s)) == s.
DatasetSpec datasetSpecFromJson(const nlohmann::json& doc);

// The spec for a command-line `--data` value:
//   "fashion-mnist"                      the built-in set
//   an existing folder                   an image folder (one sub-folder per class)
//   "IMAGES,LABELS"                      an IDX pair (raw or .gz), split train/val/test
//   "IMAGES,LABELS,TEST_IMAGES,TEST_LABELS"  IDX pairs with their own test part
//   any other existing file (*.csv, …)   a CSV table, unless it is an IDX file
// Paths become absolute, so the stored spec still works from another folder. Every other
// option keeps its default. Throws DataError saying what is accepted.
DatasetSpec datasetSpecForArgument(const std::string& arg);

}  // namespace layerlab::engine
