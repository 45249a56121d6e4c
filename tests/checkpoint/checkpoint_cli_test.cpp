// Crafted checkpoints in a crafted store, end to end: `predict` and `train --resume` with the
// real layerlab-cli. The file is changed and its record's SHA-256 updated, so only the
// checkpoint's own checks stand between the file and LibTorch. Each must end in exit code 2 and
// one line naming the file and the tensor or field, with the run left as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "tests/checkpoint/checkpoint_store.h"
#include "tests/checkpoint/crafted_checkpoint.h"

namespace layerlab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::cli;
using test::CraftedCheckpoint;
using test::ProcessResult;

const std::string kTemplates = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/";

// One trained run (tabular_mlp: Dense, BatchNorm, Dropout; Adam), stored as cancelled so that it
// can be resumed; each test works on its own copy.
class CraftedStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_original = std::make_unique<test::TempDir>();
    const ProcessResult train =
        test::trainRun(s_original->path(), kTemplates + "tabular_mlp.layerlab.json", 1);
    ASSERT_EQ(train.exitCode, 0) << train.out << train.err;
    storage::testing::RawConnection raw((s_original->path() / "runs.db").string());
    raw.exec("UPDATE runs SET status = 'cancelled' WHERE id = 1");
  }
  static void TearDownTestSuite() { s_original.reset(); }

  void SetUp() override { freshCopy(); }

  // The trained store as it was, in this test's folder.
  void freshCopy() {
    fs::remove_all(m_dir.path() / "runs.files");
    for (const char* name : {"runs.db", "runs.db-wal", "runs.db-shm"})
      fs::remove(m_dir.path() / name);
    fs::copy(s_original->path(), m_dir.path(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }

  std::string db() const { return (m_dir.path() / "runs.db").string(); }

  // Crafts both checkpoints of the run, so `predict` (best by default) and `--resume` (last)
  // each meet a crafted file.
  void craft(const std::function<void(CraftedCheckpoint&)>& change) {
    for (const char* kind : {"checkpoint-last", "checkpoint-best"}) {
      const std::string path = test::checkpointPath(m_dir.path(), kind);
      CraftedCheckpoint checkpoint = CraftedCheckpoint::read(path);
      change(checkpoint);
      checkpoint.write(path);
      test::rehash(m_dir.path(), kind);
    }
  }

  json run() const {
    const ProcessResult show = cli({"runs", "show", "1", "--db", db(), "--json"});
    EXPECT_EQ(show.exitCode, 0) << show.err;
    return json::parse(show.out);
  }

  static std::unique_ptr<test::TempDir> s_original;
  test::TempDir m_dir;
};

std::unique_ptr<test::TempDir> CraftedStore::s_original;

struct CliCase {
  const char* name;
  std::function<void(CraftedCheckpoint&)> craft;
  const char* words;
};

void expectRefused(const ProcessResult& result, const std::string& file, const char* words) {
  EXPECT_EQ(result.exitCode, 2) << result.out << result.err;
  EXPECT_NE(result.err.find(file), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(words), std::string::npos) << result.err;
  EXPECT_EQ(test::lineCount(result.err), 1) << result.err;
}

std::vector<CliCase> hostileCliCases() {
  return {
      CliCase{"short_storage",
              [](CraftedCheckpoint& c) {
                c.data.resize(c.first("param.")["offset"].get<size_t>() + 7);
              },
              "bytes at offset 0 but the file holds only 7 bytes of data"},
      CliCase{"zero_byte_storage", [](CraftedCheckpoint& c) { c.first("param.")["bytes"] = 0; },
              "claims 0 bytes but its shape and dtype need 512"},
      CliCase{"wrong_dtype", [](CraftedCheckpoint& c) { c.first("param.")["dtype"] = "int32"; },
              "is int32 [32, 4] but this run's model needs float32 [32, 4]"},
      CliCase{"wrong_shape",
              [](CraftedCheckpoint& c) {
                c.first("param.")["shape"] = {4, 32};
              },
              "is float32 [4, 32] but this run's model needs float32 [32, 4]"},
      CliCase{"extra_tensor",
              [](CraftedCheckpoint& c) {
                c.index["tensors"].push_back({{"name", "param.evil"},
                                              {"dtype", "float32"},
                                              {"shape", {1}},
                                              {"offset", 0},
                                              {"bytes", 4}});
              },
              "tensor 'param.evil' does not belong to this run's model"},
      CliCase{"missing_tensor",
              [](CraftedCheckpoint& c) { c.index["tensors"].erase(c.index["tensors"].begin()); },
              "is missing; the checkpoint is of another model or damaged"},
      CliCase{"huge_claimed_size",
              [](CraftedCheckpoint& c) {
                json& t = c.first("param.");
                t["shape"] = {65536, 65536};
                t["bytes"] = uint64_t{65536} * 65536 * 4;
              },
              "needs 17179869184 bytes at offset 0"},
      CliCase{"epoch_as_text", [](CraftedCheckpoint& c) { c.index["state"]["epoch"] = "seven"; },
              "damaged checkpoint state: \"epoch\" must be a whole number"},
      CliCase{"unknown_dtype",
              [](CraftedCheckpoint& c) { c.first("buffer.")["dtype"] = "complex128"; },
              "has an unknown dtype \"complex128\""}};
}

// Each case on a fresh copy of the one trained store, in one test: every process that ctest
// starts trains that store first, and training costs more than the cases together.
TEST_F(CraftedStore, PredictAndResumeRefuseEachCraftedCheckpointAndLeaveTheRunAsItWas) {
  for (const CliCase& c : hostileCliCases()) {
    SCOPED_TRACE(c.name);
    freshCopy();
    craft(c.craft);
    const ProcessResult predict = cli({"predict", "--run", "1", "--db", db(), "--limit", "5"});
    expectRefused(predict, test::checkpointPath(m_dir.path(), "checkpoint-best"), c.words);
    const ProcessResult resume = cli({"train", "--resume", "1", "--epochs", "2", "--db", db()});
    expectRefused(resume, test::checkpointPath(m_dir.path(), "checkpoint-last"), c.words);
    const json after = run();
    EXPECT_EQ(after["status"], "cancelled");
    EXPECT_EQ(after["attempt"], 1);
    EXPECT_EQ(after["epochs"].size(), 1U);
  }
}

TEST_F(CraftedStore, TheUntouchedStorePredictsAndResumes) {
  const ProcessResult predict = cli({"predict", "--run", "1", "--db", db(), "--limit", "5"});
  EXPECT_EQ(predict.exitCode, 0) << predict.err;
  const ProcessResult resume = cli({"train", "--resume", "1", "--epochs", "2", "--db", db()});
  EXPECT_EQ(resume.exitCode, 0) << resume.out << resume.err;
  EXPECT_EQ(run()["status"], "completed");
}

// LayerLab 0.1 wrote LibTorch archives; they are refused, not handed to LibTorch unchecked.
TEST_F(CraftedStore, AnOldLibTorchArchiveIsRefusedWithWhatToDo) {
  const std::string path = test::checkpointPath(m_dir.path(), "checkpoint-best");
  test::writeText(path, std::string("PK\3\4", 4) + std::string(200, '\0'));
  test::rehash(m_dir.path(), "checkpoint-best");
  const ProcessResult predict = cli({"predict", "--run", "1", "--db", db()});
  expectRefused(predict, path, "which is no longer loaded because its contents cannot be checked");
}

}  // namespace
}  // namespace layerlab
