#include "tests/limits/limits_support.h"

#include <fstream>
#include <sstream>

#include "tests/support/child_process.h"

namespace layerlab::test {
namespace {

constexpr const char* kRssTag = "limits-peak-rss-kib=";
constexpr const char* kWallTag = "limits-wall-seconds=";
constexpr const char* kCpuTag = "limits-cpu-seconds=";

double taggedValue(const std::string& word, const std::string& tag) {
  return word.starts_with(tag) ? std::stod(word.substr(tag.size())) : -1;
}

}  // namespace

MeasuredRun runCliMeasured(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  std::vector<std::string> timed = {
      "-f", std::string(kRssTag) + "%M " + kWallTag + "%e " + kCpuTag + "%U+%S", LAYERLAB_CLI_PATH};
  timed.insert(timed.end(), args.begin(), args.end());
  const ProcessResult result = runProcess("/usr/bin/time", timed, env);
  MeasuredRun run{.exitCode = result.exitCode, .out = result.out, .err = result.err};
  const size_t tag = run.err.rfind(kRssTag);
  if (tag != std::string::npos) {
    std::istringstream report(run.err.substr(tag + std::string(kRssTag).size()));
    std::string wall, cpu;
    report >> run.peakRssKiB >> wall >> cpu;
    run.wallSeconds = taggedValue(wall, kWallTag);
    if (const size_t plus = cpu.find('+'); plus != std::string::npos) {
      run.cpuSeconds = taggedValue(cpu.substr(0, plus), kCpuTag) + std::stod(cpu.substr(plus + 1));
    }
    run.err.erase(tag);
  }
  // time reports a non-zero exit on its own line before its format: keep only the CLI's text.
  if (const size_t status = run.err.find("Command exited with non-zero status");
      status != std::string::npos)
    run.err.erase(status);
  return run;
}

std::vector<std::string> nonEmptyLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string chainModel(int64_t nodes) {
  std::string text =
      R"({"format": "layerlab.model", "version": 1, "name": "chain", "input": {"shape": [4]},)"
      R"( "nodes": [)";
  std::string previous = "input";
  for (int64_t i = 0; i < nodes; ++i) {
    const std::string id = "n" + std::to_string(i);
    text += (i == 0 ? "" : ",") + std::string(R"({"id": ")") + id +
            R"(", "type": "Dense", "units": 4, "inputs": [")" + previous + R"("]})";
    previous = id;
  }
  return text + R"(], "outputs": [")" + previous + R"("]})";
}

std::string deepArrays(int64_t levels) {
  return std::string(static_cast<size_t>(levels), '[') +
         std::string(static_cast<size_t>(levels), ']');
}

}  // namespace layerlab::test
