// A user with nothing but the exported file: its metadata says how to prepare raw pixels, and
// onnxruntime then gives what `layerlab-cli predict` gives for the same samples.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/data/dataset_spec.h"
#include "engine/export/onnx_graph.h"
#include "tests/onnx/ort_runner.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;

constexpr int64_t kSamples = 24;
const std::string kCli = LAYERLAB_CLI_PATH;

test::ProcessResult cli(const std::vector<std::string>& args) {
  return test::runProcess(kCli, args);
}

// The first `count` entries of an IDX file after its header, as bytes.
std::vector<uint8_t> readIdx(const std::string& path, size_t header, size_t count) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<uint8_t> bytes(header + count);
  const int read = gzread(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
  if (read != static_cast<int>(bytes.size())) throw std::runtime_error("short read: " + path);
  return {bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end()};
}

std::string metadataValue(const engine::OnnxFileInfo& info, const std::string& key) {
  for (const auto& [name, value] : info.metadata) {
    if (name == key) return value;
  }
  ADD_FAILURE() << "no metadata " << key;
  return "null";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(OnnxMetadata, TheFileAndItsMetadataAloneReproducePredict) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  const std::string model =
      std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json";
  const test::ProcessResult train =
      cli({"train", "--model", model, "--data", "fashion-mnist", "--limit", "600", "--epochs", "1",
           "--threads", "1", "--db", db});
  ASSERT_EQ(train.exitCode, 0) << train.err;
  const std::string onnxPath = dir.file("mlp.onnx");
  const test::ProcessResult exported = cli({"export", "1", "--onnx", onnxPath, "--db", db});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  const test::ProcessResult predicted =
      cli({"predict", "--run", "1", "--data", "fashion-mnist", "--split", "test", "--limit",
           std::to_string(kSamples), "--json", "--db", db});
  ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
  const json prediction = json::parse(predicted.out);
  ASSERT_EQ(prediction["outputs"].size(), static_cast<size_t>(kSamples));

  // What the user knows: the file.
  const engine::OnnxFileInfo info = engine::readOnnxInfo(readFile(onnxPath));
  EXPECT_EQ(info.producerName, "LayerLab");
  EXPECT_EQ(metadataValue(info, "layerlab.run_id"), "1");
  const json labels = json::parse(metadataValue(info, "layerlab.labels"));
  EXPECT_EQ(labels.get<std::vector<std::string>>(), engine::fashionMnistClassNames());
  const json preprocessing = json::parse(metadataValue(info, "layerlab.preprocessing"));
  const double scale = preprocessing["scale"];
  const double mean = preprocessing["mean"].at(0), std = preprocessing["std"].at(0);
  EXPECT_NEAR(scale, 1.0 / 255.0, 1e-12);
  EXPECT_GT(std, 0.1);

  // Raw pixels of the test file, prepared as the metadata says: x' = (x · scale − mean) / std.
  const std::string folder = engine::fashionMnistDir();
  const std::vector<uint8_t> pixels =
      readIdx(folder + "/t10k-images-idx3-ubyte.gz", 16, kSamples * 28 * 28);
  const std::vector<uint8_t> truth = readIdx(folder + "/t10k-labels-idx1-ubyte.gz", 8, kSamples);
  test::OrtTensor input{.dims = {kSamples, 1, 28, 28}};
  for (uint8_t pixel : pixels)
    input.floats.push_back(static_cast<float>((pixel * scale - mean) / std));
  const std::vector<test::OrtResult> results =
      test::runOnnxruntime({{.modelPath = onnxPath, .inputs = {input}}}, dir.path().string());
  ASSERT_EQ(results.at(0).error, "");
  const test::OrtTensor& output = results[0].outputs.at(0);
  ASSERT_EQ(output.dims, (std::vector<int64_t>{kSamples, 10}));

  double worst = 0;
  for (int64_t i = 0; i < kSamples; ++i) {
    EXPECT_EQ(prediction["targets"][i].get<double>(), truth[i]) << "sample " << i;
    const std::vector<float> expected = prediction["outputs"][i];
    size_t best = 0;
    for (size_t k = 0; k < expected.size(); ++k) {
      const double got = output.floats[i * 10 + k];
      const double difference = std::abs(got - expected[k]);
      worst = std::max(worst, difference);
      EXPECT_LE(difference, 1e-5 + 1e-4 * std::abs(expected[k])) << "sample " << i << ", " << k;
      if (got > output.floats[i * 10 + best]) best = k;
    }
    EXPECT_EQ(static_cast<int64_t>(best), prediction["predicted"][i].get<int64_t>());
  }
  std::printf(
      "[ parity ] file + metadata vs predict: worst |ort - predict| = %.3g over %lld "
      "samples\n",
      worst, static_cast<long long>(kSamples));
}

}  // namespace
}  // namespace layerlab
