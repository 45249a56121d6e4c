// The committed bad IDX files, and every input the fuzzers saved (tests/data/fuzz/), replayed
// through the readers: each ends in a result or a clear error, never a crash or a stray
// exception type.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/data/csv_reader.h"
#include "engine/data/idx_reader.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

fs::path dataDir(const std::string& sub) {
  return fs::path(LAYERLAB_SOURCE_DIR) / "tests" / "data" / sub;
}

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<fs::path> filesIn(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(DataCorpus, EveryBadIdxFileGivesAClearMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated_images.idx",
       "truncated: the header declares 36 bytes of data but the file holds 20"},
      {"wrong_magic.idx", "not an IDX file (wrong magic number"},
      {"size_mismatch.idx", "size mismatch: more data than the header's dimensions declare"},
      {"int32_elements.idx", "IDX element type int32 is not supported"},
      {"zero_rank.idx", "IDX files with 0 dimensions are not supported"},
      {"truncated_header.idx", "truncated IDX header"},
      {"huge_claim.idx", "the header claims more data than LayerLab will load"},
      {"damaged.idx.gz", "damaged"},
      {"empty.idx", "too short to be an IDX file"},
  };
  std::set<std::string> covered;
  for (const auto& [file, message] : cases) {
    SCOPED_TRACE(file);
    covered.insert(file);
    const std::string path = (dataDir("idx/bad") / file).string();
    try {
      readIdx(path);
      ADD_FAILURE() << "accepted";
    } catch (const DataError& error) {
      EXPECT_EQ(std::string(error.what()).rfind(path + ": ", 0), 0U) << error.what();
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
    // The same bytes from memory give the same message under the given name.
    const std::string bytes = readBytes(path);
    try {
      parseIdx(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "memory");
      ADD_FAILURE() << "accepted from memory";
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find("memory: "), std::string::npos) << error.what();
    }
  }
  for (const fs::path& file : filesIn(dataDir("idx/bad")))
    EXPECT_EQ(covered.count(file.filename().string()), 1U) << file << " is not in the table";
}

// Runs `read` on every saved input of one fuzzer: a DataError (or, for models, a list of
// problems) is a fine answer; anything else thrown fails the test.
template <typename Read>
void replay(const std::string& fuzzer, Read read) {
  const std::vector<fs::path> files = filesIn(dataDir("fuzz/" + fuzzer));
  EXPECT_FALSE(files.empty()) << "no saved inputs for " << fuzzer;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string bytes = readBytes(file);
    try {
      read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find("input: "), std::string::npos) << error.what();
    }
  }
}

TEST(DataCorpus, SavedCsvFuzzInputsEndCleanly) {
  replay("csv", [](const uint8_t* data, size_t size) {
    const fuzz::CsvInput input = fuzz::csvInputFor(data, size);
    const CsvTable table = parseCsv(input.text, "input", {input.options, {}});
    EXPECT_EQ(table.features.size(), table.rows * table.featureNames.size());
    EXPECT_EQ(table.classes.size() + table.targets.size(), static_cast<size_t>(table.rows));
  });
}

TEST(DataCorpus, SavedIdxFuzzInputsEndCleanly) {
  replay("idx", [](const uint8_t* data, size_t size) {
    const IdxArray array = parseIdx(data, size, "input");
    int64_t elements = 1;
    for (int64_t dim : array.dims)
      elements *= dim;
    EXPECT_EQ(static_cast<int64_t>(array.data.size()), elements);
  });
}

TEST(DataCorpus, SavedModelFuzzInputsEndCleanly) {
  replay("model", [](const uint8_t* data, size_t size) {
    const ModelParseResult parsed =
        parseModelSpec(std::string(reinterpret_cast<const char*>(data), size));
    if (!parsed.spec) {
      EXPECT_FALSE(parsed.problems.empty());
    }
    if (parsed.spec) {
      const ModelAnalysis analysis = analyzeModel(*parsed.spec);
      for (const ModelProblem& problem : analysis.problems)
        EXPECT_FALSE(problem.message.empty());
    }
  });
}

}  // namespace
}  // namespace layerlab::engine
