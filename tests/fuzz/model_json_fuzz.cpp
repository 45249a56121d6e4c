// libFuzzer target: the model document parser and the graph analysis on arbitrary text. The
// analysis runs with fuzz_registry.cpp's layer types (the real ones are compiled with torch).
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerlab::engine;
  const ModelParseResult parsed =
      parseModelSpec(std::string(reinterpret_cast<const char*>(data), size));
  if (!parsed.spec) {
    if (parsed.problems.empty()) __builtin_trap();  // refused without a reason
    return 0;
  }
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  for (const ModelProblem& problem : analysis.problems)
    (void)problem.describe();
  (void)toJson(*parsed.spec).dump();
  return 0;
}
