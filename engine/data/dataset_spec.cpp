#include "engine/data/dataset_spec.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "engine/data/idx_reader.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

bool isSingleSource(const DatasetSpec& spec) {
  return !hasOwnTestPart(spec);
}

json columnToJson(const ColumnRef& column) {
  if (const auto* index = std::get_if<int64_t>(&column)) return *index;
  return std::get<std::string>(column);
}

json toJson(const CsvOptions& csv) {
  json ignore = json::array();
  for (const ColumnRef& column : csv.ignore)
    ignore.push_back(columnToJson(column));
  return {{"header", csv.header},      {"delimiter", csv.delimiter},
          {"skip_rows", csv.skipRows}, {"label", columnToJson(csv.label)},
          {"ignore", ignore},          {"missing", csv.missing},
          {"task", csv.task}};
}

json toJson(const ImageOptions& image) {
  json size = nullptr;
  if (image.height > 0 || image.width > 0) size = json::array({image.height, image.width});
  return {{"size", size}, {"color", image.color}};
}

json toJson(const AugmentSpec& augment) {
  return {{"flip", augment.flip},
          {"crop_padding", augment.cropPadding},
          {"rotation_degrees", augment.rotationDegrees}};
}

// Reads the fields of one JSON object, refusing keys it was not asked about. Messages name the
// field with its section: "'csv.missing' must be one of error, drop, mean, not 'zero'".
class FieldReader {
 public:
  FieldReader(const json& object, std::string prefix)
      : m_object(object), m_prefix(std::move(prefix)) {
    if (!object.is_object()) throw std::invalid_argument(where() + "must be an object");
  }
  const json* find(const std::string& key) {
    m_known.insert(key);
    const auto it = m_object.find(key);
    return it == m_object.end() ? nullptr : &*it;
  }
  void read(const std::string& key, std::string& out) {
    if (const json* value = find(key)) {
      out = typed<std::string>(key, *value, value->is_string(), "text");
    }
  }
  void read(const std::string& key, bool& out) {
    if (const json* value = find(key)) {
      out = typed<bool>(key, *value, value->is_boolean(), "true or false");
    }
  }
  void read(const std::string& key, int64_t& out) {
    if (const json* value = find(key)) {
      out = typed<int64_t>(key, *value, value->is_number_integer(), "an integer");
    }
  }
  void read(const std::string& key, uint64_t& out) {
    if (const json* value = find(key)) {
      out = typed<uint64_t>(key, *value, value->is_number_unsigned(), "a whole number >= 0");
    }
  }
  void read(const std::string& key, double& out) {
    if (const json* value = find(key))
      out = typed<double>(key, *value, value->is_number(), "a number");
  }
  void read(const std::string& key, std::optional<double>& out) {
    if (const json* value = find(key)) {
      out = typed<double>(key, *value, value->is_number(), "a number");
    }
  }
  ColumnRef column(const std::string& key, const json& value) const {
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_string()) return value.get<std::string>();
    throw std::invalid_argument(name(key) + " must be a column name or a 0-based column index");
  }
  void rejectUnknown() const {
    for (const auto& [key, value] : m_object.items()) {
      if (m_known.count(key) == 0) {
        throw std::invalid_argument("unknown field " + name(key) + " in the dataset document");
      }
    }
  }
  std::string name(const std::string& key) const { return "'" + m_prefix + key + "'"; }
  void require(bool ok, const std::string& key, const std::string& what) const {
    if (!ok) throw std::invalid_argument(name(key) + " must be " + what);
  }

 private:
  template <typename T>
  T typed(const std::string& key, const json& value, bool ok, const std::string& what) const {
    require(ok, key, what);
    return value.get<T>();
  }
  std::string where() const {
    return m_prefix.empty() ? "the dataset document "
                            : "'" + m_prefix.substr(0, m_prefix.size() - 1) + "' ";
  }

  const json& m_object;
  std::string m_prefix;
  std::set<std::string> m_known;
};

void requireOneOf(const FieldReader& reader, const std::string& key, const std::string& value,
                  std::initializer_list<const char*> choices) {
  std::string list;
  for (const char* choice : choices) {
    if (value == choice) return;
    list += std::string(list.empty() ? "" : ", ") + choice;
  }
  reader.require(false, key, "one of " + list + ", not '" + value + "'");
}

CsvOptions csvOptionsFromJson(const json& doc) {
  FieldReader reader(doc, "csv.");
  CsvOptions csv;
  reader.read("header", csv.header);
  requireOneOf(reader, "header", csv.header, {"auto", "yes", "no"});
  reader.read("delimiter", csv.delimiter);
  reader.require(csv.delimiter == "auto" || (csv.delimiter.size() == 1 && csv.delimiter != "\"" &&
                                             csv.delimiter != "\n" && csv.delimiter != "\r"),
                 "delimiter", "\"auto\" or one character other than a quote or a line break");
  reader.read("skip_rows", csv.skipRows);
  reader.require(csv.skipRows >= 0, "skip_rows", "at least 0");
  if (const json* label = reader.find("label")) csv.label = reader.column("label", *label);
  if (const json* ignore = reader.find("ignore")) {
    reader.require(ignore->is_array(), "ignore", "a list of column names or indices");
    for (const json& column : *ignore)
      csv.ignore.push_back(reader.column("ignore", column));
  }
  reader.read("missing", csv.missing);
  requireOneOf(reader, "missing", csv.missing, {"error", "drop", "mean"});
  reader.read("task", csv.task);
  requireOneOf(reader, "task", csv.task, {"auto", "classification", "regression"});
  reader.rejectUnknown();
  return csv;
}

ImageOptions imageOptionsFromJson(const json& doc) {
  FieldReader reader(doc, "image.");
  ImageOptions image;
  if (const json* size = reader.find("size"); size != nullptr && !size->is_null()) {
    const bool square = size->is_number_integer();
    const bool pair = size->is_array() && size->size() == 2 && (*size)[0].is_number_integer() &&
                      (*size)[1].is_number_integer();
    reader.require(square || pair, "size", "[height, width] or one number for a square");
    image.height = square ? size->get<int64_t>() : (*size)[0].get<int64_t>();
    image.width = square ? image.height : (*size)[1].get<int64_t>();
    reader.require(
        image.height >= 1 && image.width >= 1 && image.height <= 4096 && image.width <= 4096,
        "size", "between 1 and 4096 pixels each way");
  }
  reader.read("color", image.color);
  requireOneOf(reader, "color", image.color, {"auto", "rgb", "grayscale"});
  reader.rejectUnknown();
  return image;
}

AugmentSpec augmentFromJson(const json& doc) {
  FieldReader reader(doc, "augment.");
  AugmentSpec augment;
  reader.read("flip", augment.flip);
  reader.read("crop_padding", augment.cropPadding);
  reader.require(augment.cropPadding >= 0 && augment.cropPadding <= 64, "crop_padding",
                 "between 0 and 64");
  reader.read("rotation_degrees", augment.rotationDegrees);
  reader.require(augment.rotationDegrees >= 0 && augment.rotationDegrees <= 180, "rotation_degrees",
                 "between 0 and 180");
  reader.rejectUnknown();
  return augment;
}

void checkFractions(const FieldReader& reader, const DatasetSpec& spec) {
  const double val = spec.valFraction.value_or(0), test = spec.testFraction.value_or(0);
  reader.require(val >= 0 && val < 1, "val_fraction", "at least 0 and below 1");
  reader.require(test >= 0 && test < 1, "test_fraction", "at least 0 and below 1");
  reader.require(val + test < 1, "test_fraction", "small enough to leave data for training");
}

void readSourceFields(FieldReader& reader, DatasetSpec& spec) {
  reader.read("source", spec.source);
  requireOneOf(reader, "source", spec.source,
               {kFashionMnist, kCsvSource, kImageFolderSource, kIdxSource});
  reader.read("path", spec.path);
  reader.read("labels_path", spec.labelsPath);
  reader.read("test_path", spec.testPath);
  reader.read("test_labels_path", spec.testLabelsPath);
  const bool needsPath = spec.source != kFashionMnist;
  reader.require(!needsPath || !spec.path.empty(), "path",
                 "given for a " + spec.source + " source");
  reader.require(spec.source != kIdxSource || !spec.labelsPath.empty(), "labels_path",
                 "given for an idx source");
  reader.require(spec.testPath.empty() == spec.testLabelsPath.empty(), "test_labels_path",
                 "given together with 'test_path'");
}

std::vector<std::string> splitOnCommas(const std::string& text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == ',') {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

std::string absolutePath(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

constexpr const char* kAccepted =
    "give fashion-mnist, a CSV file, a folder of images with one sub-folder per class, or "
    "IMAGES,LABELS (IDX files, optionally followed by ,TEST_IMAGES,TEST_LABELS)";

DatasetSpec idxSpecForArgument(const std::string& arg) {
  const std::vector<std::string> parts = splitOnCommas(arg);
  if (parts.size() != 2 && parts.size() != 4) {
    throw DataError("'" + arg + "': an IDX source is IMAGES,LABELS or " +
                    "IMAGES,LABELS,TEST_IMAGES,TEST_LABELS (" + std::to_string(parts.size()) +
                    " names given)");
  }
  for (const std::string& part : parts) {
    if (!std::filesystem::is_regular_file(part)) {
      throw DataError(part + ": no such file (from --data '" + arg + "')");
    }
  }
  DatasetSpec spec{.source = kIdxSource};
  spec.path = absolutePath(parts[0]);
  spec.labelsPath = absolutePath(parts[1]);
  if (parts.size() == 4) {
    spec.testPath = absolutePath(parts[2]);
    spec.testLabelsPath = absolutePath(parts[3]);
  }
  return spec;
}

}  // namespace

DatasetSpec datasetSpecForArgument(const std::string& arg) {
  if (arg == kFashionMnist) return DatasetSpec{};
  std::error_code error;
  if (std::filesystem::is_directory(arg, error)) {
    return DatasetSpec{.source = kImageFolderSource, .path = absolutePath(arg)};
  }
  if (std::filesystem::is_regular_file(arg, error)) {
    if (isIdxFile(arg)) {
      throw DataError(arg + ": an IDX file needs its labels: give --data IMAGES,LABELS");
    }
    return DatasetSpec{.source = kCsvSource, .path = absolutePath(arg)};
  }
  if (arg.find(',') != std::string::npos) return idxSpecForArgument(arg);
  if (std::filesystem::path(arg).has_extension()) {
    throw DataError(arg + ": no such file or folder (" + kAccepted + ")");
  }
  throw DataError("unknown data source '" + arg + "' (" + kAccepted + ")");
}

const std::vector<std::string>& fashionMnistClassNames() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                 "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

std::string fashionMnistDir() {
  const char* dir = std::getenv("LAYERLAB_FASHION_MNIST_DIR");
  return dir != nullptr && *dir != '\0' ? dir : kFashionMnistDir;
}

bool hasOwnTestPart(const DatasetSpec& spec) {
  return spec.source == kFashionMnist || (spec.source == kIdxSource && !spec.testPath.empty());
}

double effectiveValFraction(const DatasetSpec& spec) {
  return spec.valFraction.value_or(isSingleSource(spec) ? 0.15 : 0.1);
}

double effectiveTestFraction(const DatasetSpec& spec) {
  if (!isSingleSource(spec)) return 0;
  return spec.testFraction.value_or(0.15);
}

SplitCounts splitCounts(const DatasetSpec& spec, int64_t samples) {
  const auto part = [samples](double fraction) {
    return static_cast<int64_t>(static_cast<double>(samples) * fraction);
  };
  SplitCounts counts;
  counts.val = part(effectiveValFraction(spec));
  counts.test = hasOwnTestPart(spec) ? 0 : part(effectiveTestFraction(spec));
  counts.train = std::max<int64_t>(0, samples - counts.val - counts.test);
  return counts;
}

nlohmann::json toJson(const DatasetSpec& spec) {
  json doc = {{"format", kDatasetFormat}, {"version", kDatasetVersion}, {"source", spec.source}};
  for (const auto& [key, value] : {std::pair{"path", &spec.path},
                                   {"labels_path", &spec.labelsPath},
                                   {"test_path", &spec.testPath},
                                   {"test_labels_path", &spec.testLabelsPath}}) {
    if (!value->empty()) doc[key] = *value;
  }
  doc["limit"] = spec.limit;
  if (spec.valFraction) doc["val_fraction"] = *spec.valFraction;
  if (spec.testFraction) doc["test_fraction"] = *spec.testFraction;
  doc["seed"] = spec.seed;
  doc["stratify"] = spec.stratify;
  doc["normalize"] = spec.normalize;
  if (spec.source == kCsvSource || spec.csv != CsvOptions{}) doc["csv"] = toJson(spec.csv);
  if (spec.source == kImageFolderSource || spec.image != ImageOptions{}) {
    doc["image"] = toJson(spec.image);
  }
  if (spec.augment != AugmentSpec{}) doc["augment"] = toJson(spec.augment);
  return doc;
}

nlohmann::json toJson(const Preprocessing& preprocessing) {
  return {{"scale", preprocessing.scale}, {"mean", preprocessing.mean}, {"std", preprocessing.std}};
}

DatasetSpec datasetSpecFromJson(const nlohmann::json& doc) {
  if (!doc.is_object() || doc.value("format", "") != kDatasetFormat) {
    throw std::invalid_argument("not a dataset document ('format' must be \"layerlab.dataset\")");
  }
  FieldReader reader(doc, "");
  std::string format;
  reader.read("format", format);
  int64_t version = kDatasetVersion;
  reader.read("version", version);
  reader.require(version == kDatasetVersion, "version", "1 (the version this LayerLab reads)");
  DatasetSpec spec;
  readSourceFields(reader, spec);
  reader.read("limit", spec.limit);
  reader.require(spec.limit >= 0, "limit", "at least 0");
  reader.read("val_fraction", spec.valFraction);
  reader.read("test_fraction", spec.testFraction);
  checkFractions(reader, spec);
  reader.read("seed", spec.seed);
  reader.read("stratify", spec.stratify);
  reader.read("normalize", spec.normalize);
  requireOneOf(reader, "normalize", spec.normalize, {"zscore", "minmax", "none"});
  if (const json* csv = reader.find("csv")) spec.csv = csvOptionsFromJson(*csv);
  if (const json* image = reader.find("image")) spec.image = imageOptionsFromJson(*image);
  if (const json* augment = reader.find("augment")) spec.augment = augmentFromJson(*augment);
  reader.rejectUnknown();
  return spec;
}

}  // namespace layerlab::engine
