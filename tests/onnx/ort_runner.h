// Runs ONNX files with onnxruntime through Node (run_ort.js and the onnxruntime-node package
// installed beside it by scripts/setup), for the parity tests. No torch here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace layerlab::test {

struct OrtTensor {
  bool int64 = false;
  std::vector<int64_t> dims;
  std::vector<float> floats;  // when !int64
  std::vector<int64_t> ints;  // when int64
};

// One model and the inputs to feed it, one run each.
struct OrtJob {
  std::string modelPath;
  std::vector<OrtTensor> inputs;
};

struct OrtResult {
  std::string error;  // set when onnxruntime refused the model or a run
  std::vector<OrtTensor> outputs;
};

// Runs every job in one Node process; files go to `workDir`. Throws std::runtime_error when
// Node or onnxruntime-node is missing or the runner fails as a whole.
std::vector<OrtResult> runOnnxruntime(const std::vector<OrtJob>& jobs, const std::string& workDir);

}  // namespace layerlab::test
