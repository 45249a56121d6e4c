#include "tests/onnx/ort_runner.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tests/support/child_process.h"

namespace layerlab::test {
namespace {

namespace fs = std::filesystem;

const std::string kScript = std::string(LAYERLAB_SOURCE_DIR) + "/tests/onnx/run_ort.js";

template <typename T>
void writeRaw(const std::string& path, const std::vector<T>& values) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(T)));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<float> readFloats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

void checkRunner() {
  const fs::path package = fs::path(kScript).parent_path() / "node_modules" / "onnxruntime-node";
  if (!fs::exists(LAYERLAB_NODE_PATH)) {
    throw std::runtime_error(std::string("Node.js was not found (") + LAYERLAB_NODE_PATH +
                             "); scripts/setup installs it");
  }
  if (!fs::exists(package)) {
    throw std::runtime_error("onnxruntime-node is not installed in tests/onnx; run scripts/setup");
  }
}

}  // namespace

std::vector<OrtResult> runOnnxruntime(const std::vector<OrtJob>& jobs, const std::string& workDir) {
  checkRunner();
  nlohmann::json models = nlohmann::json::array();
  for (size_t m = 0; m < jobs.size(); ++m) {
    nlohmann::json runs = nlohmann::json::array();
    for (size_t r = 0; r < jobs[m].inputs.size(); ++r) {
      const OrtTensor& input = jobs[m].inputs[r];
      const std::string stem = workDir + "/m" + std::to_string(m) + "_r" + std::to_string(r);
      if (input.int64)
        writeRaw(stem + ".in", input.ints);
      else
        writeRaw(stem + ".in", input.floats);
      runs.push_back({{"input", stem + ".in"},
                      {"type", input.int64 ? "int64" : "float32"},
                      {"dims", input.dims},
                      {"output", stem + ".out"}});
    }
    models.push_back({{"path", jobs[m].modelPath}, {"runs", runs}});
  }
  const std::string jobPath = workDir + "/ort_job.json";
  std::ofstream(jobPath) << nlohmann::json({{"models", models}}).dump();
  const ProcessResult node = runProcess(LAYERLAB_NODE_PATH, {kScript, jobPath});
  if (node.exitCode != 0) throw std::runtime_error("the onnxruntime runner failed: " + node.err);
  const nlohmann::json report = nlohmann::json::parse(node.out);
  std::vector<OrtResult> results(jobs.size());
  for (size_t m = 0; m < jobs.size(); ++m) {
    const nlohmann::json& entry = report.at(m);
    if (entry.contains("error")) {
      results[m].error = entry.at("error").get<std::string>();
      continue;
    }
    for (size_t r = 0; r < entry.at("runs").size(); ++r) {
      OrtTensor output;
      output.dims = entry.at("runs").at(r).at("dims").get<std::vector<int64_t>>();
      output.floats =
          readFloats(workDir + "/m" + std::to_string(m) + "_r" + std::to_string(r) + ".out");
      results[m].outputs.push_back(std::move(output));
    }
  }
  return results;
}

}  // namespace layerlab::test
