// Helpers for the limits tests: crafted documents, and layerlab-cli run under /usr/bin/time so
// that a test can bound the child's peak memory as well as its answer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace layerlab::test {

struct MeasuredRun {
  int exitCode = -1;
  std::string out;
  std::string err;          // the CLI's own standard error, without time's report
  int64_t peakRssKiB = -1;  // "Maximum resident set size"
  double wallSeconds = -1;
  double cpuSeconds = -1;  // user + system: what the tests bound, since wall time depends on load
};

// Runs layerlab-cli with `args` and the extra `env` entries ("NAME=value").
MeasuredRun runCliMeasured(const std::vector<std::string>& args,
                           const std::vector<std::string>& env = {});

// The lines of `text` that are not empty.
std::vector<std::string> nonEmptyLines(const std::string& text);

void writeFile(const std::string& path, const std::string& bytes);

// A model document: input [4], then `nodes` Dense layers of 4 units in a chain ("n0", "n1", …),
// the last one the output.
std::string chainModel(int64_t nodes);

// `levels` nested arrays, "[[[…]]]".
std::string deepArrays(int64_t levels);

}  // namespace layerlab::test
