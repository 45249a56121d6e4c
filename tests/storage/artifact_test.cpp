// A run's files: saved under a temporary name, recorded with size and SHA-256, verified before
// use, removed with the run, swept by vacuum. Confusion matrices too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

namespace fs = std::filesystem;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr const char* kHelloSha256 =
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

std::function<void(const std::string&)> writes(const std::string& content) {
  return [content](const std::string& path) { std::ofstream(path, std::ios::binary) << content; };
}

std::vector<std::string> filesIn(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class ArtifactTest : public ::testing::Test {
 protected:
  fs::path runFolder(int64_t id) {
    return m_folder.path() / "runs.files" / m_query.run(id)->summary.uuid;
  }

  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
  RunStore m_store{m_path};
  RunQuery m_query{m_path};
};

TEST_F(ArtifactTest, FileIsRecordedWithSizeAndDigestBesideTheStore) {
  const int64_t id = m_store.createRun(sampleRun());
  std::string seenTemp;
  const ArtifactRecord saved = m_store.saveArtifact(
      id, "checkpoint-last", "last.pt",
      [&](const std::string& temp) {
        seenTemp = temp;
        EXPECT_FALSE(fs::exists(temp));
        std::ofstream(temp, std::ios::binary) << "hello";
      },
      R"({"epoch": 6, "step": 5064})");
  const fs::path folder = runFolder(id);
  EXPECT_EQ(fs::path(seenTemp).parent_path(), folder);
  EXPECT_EQ(fs::path(seenTemp).filename().string()[0], '.');
  EXPECT_FALSE(fs::exists(seenTemp));
  EXPECT_EQ(saved.bytes, 5);
  EXPECT_EQ(saved.sha256, kHelloSha256);
  EXPECT_EQ(saved.kind, "checkpoint-last");
  EXPECT_EQ(saved.fileName, "last.pt");
  EXPECT_EQ(saved.relativePath,
            "runs.files/" + folder.filename().string() + "/last.2cf24dba5fb0.pt");
  EXPECT_EQ(fs::path(saved.path), folder / "last.2cf24dba5fb0.pt");
  EXPECT_EQ(filesIn(folder), std::vector<std::string>{"last.2cf24dba5fb0.pt"});
  EXPECT_GT(saved.id, 0);

  const std::optional<ArtifactRecord> read = m_query.artifact(id, "checkpoint-last");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->id, saved.id);
  EXPECT_EQ(read->path, saved.path);
  EXPECT_EQ(read->sha256, kHelloSha256);
  EXPECT_EQ(read->metadataJson, R"({"epoch": 6, "step": 5064})");
  EXPECT_EQ(read->attempt, 1);
  EXPECT_TRUE(verifyArtifact(*read));
  EXPECT_EQ(verifiedArtifactPath(*read), saved.path);
  EXPECT_EQ(m_query.artifact(id, "onnx"), std::nullopt);
  EXPECT_EQ(m_query.run(id)->artifacts.size(), 1u);
}

TEST_F(ArtifactTest, SavingAgainReplacesTheRecordAndItsFile) {
  const int64_t id = m_store.createRun(sampleRun());
  const ArtifactRecord first = m_store.saveArtifact(id, "checkpoint-last", "last.pt", writes("a"));
  const ArtifactRecord second = m_store.saveArtifact(id, "checkpoint-last", "last.pt", writes("b"));
  EXPECT_EQ(second.id, first.id);
  EXPECT_FALSE(fs::exists(first.path));
  EXPECT_TRUE(verifyArtifact(second));
  const ArtifactRecord again = m_store.saveArtifact(id, "checkpoint-last", "last.pt", writes("b"));
  EXPECT_EQ(again.path, second.path);
  EXPECT_TRUE(verifyArtifact(again));
  m_store.saveArtifact(id, "checkpoint-best", "best.pt", writes("c"));
  const std::vector<ArtifactRecord> all = m_query.artifacts(id);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, "checkpoint-best");
  EXPECT_EQ(all[1].kind, "checkpoint-last");
  EXPECT_EQ(filesIn(runFolder(id)).size(), 2u);
}

TEST_F(ArtifactTest, AChangedOrMissingFileIsNotHandedOut) {
  const int64_t id = m_store.createRun(sampleRun());
  const ArtifactRecord saved =
      m_store.saveArtifact(id, "checkpoint-last", "last.pt", writes(std::string(100000, 'w')));
  {
    std::fstream file(saved.path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(50000);
    file.put('x');  // same size, other content
  }
  EXPECT_FALSE(verifyArtifact(saved));
  try {
    verifiedArtifactPath(saved);
    ADD_FAILURE() << "a changed checkpoint was handed out";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind(), StoreErrorKind::Corrupt);
    EXPECT_NE(std::string(error.what()).find("has changed since it was saved"), std::string::npos)
        << error.what();
  }
  fs::remove(saved.path);
  try {
    verifiedArtifactPath(saved);
    ADD_FAILURE() << "a missing checkpoint was handed out";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind(), StoreErrorKind::NotFound);
    EXPECT_NE(std::string(error.what()).find("is missing"), std::string::npos) << error.what();
  }
}

TEST_F(ArtifactTest, ARecordPointingOutsideTheStoreIsNeverFollowed) {
  const int64_t id = m_store.createRun(sampleRun());
  m_store.saveArtifact(id, "onnx", "model.onnx", writes("onnx"));
  RawConnection(m_path).exec("UPDATE artifacts SET rel_path = '../../etc/passwd'");
  const ArtifactRecord hostile = m_query.artifact(id, "onnx").value();
  EXPECT_EQ(hostile.path, "");
  EXPECT_FALSE(verifyArtifact(hostile));
  EXPECT_THROW(verifiedArtifactPath(hostile), StoreError);
}

TEST_F(ArtifactTest, AFailedWriteOrRecordLeavesTheOldStateIntact) {
  const int64_t id = m_store.createRun(sampleRun());
  const ArtifactRecord kept = m_store.saveArtifact(id, "checkpoint-last", "last.pt", writes("a"));
  EXPECT_THROW(m_store.saveArtifact(id, "checkpoint-last", "last.pt",
                                    [](const std::string& temp) {
                                      std::ofstream(temp) << "partial";
                                      throw std::runtime_error("disk went away");
                                    }),
               std::runtime_error);
  // The record cannot be written (as if the process died between the rename and the commit).
  RawConnection(m_path).exec(
      "CREATE TRIGGER refuse BEFORE UPDATE ON artifacts BEGIN SELECT RAISE(ABORT, 'no'); END");
  EXPECT_THROW(m_store.saveArtifact(id, "checkpoint-last", "last.pt", writes("b")), StoreError);
  EXPECT_EQ(filesIn(runFolder(id)), std::vector<std::string>{fs::path(kept.path).filename()});
  const ArtifactRecord current = m_query.artifact(id, "checkpoint-last").value();
  EXPECT_EQ(current.sha256, kept.sha256);
  EXPECT_EQ(verifiedArtifactPath(current), kept.path);
}

TEST_F(ArtifactTest, BadNamesAndMetadataAreRefusedBeforeAnythingIsWritten) {
  const int64_t id = m_store.createRun(sampleRun());
  const std::string names[] = {"",
                               ".",
                               "..",
                               "../escape.pt",
                               "a/b.pt",
                               ".hidden",
                               "/abs.pt",
                               std::string("nul\0.pt", 7),
                               std::string(300, 'n')};
  for (const std::string& name : names) {
    EXPECT_THROW(m_store.saveArtifact(id, "onnx", name, writes("x")), std::invalid_argument)
        << name;
  }
  EXPECT_THROW(m_store.saveArtifact(id, "", "a.pt", writes("x")), std::invalid_argument);
  EXPECT_THROW(m_store.saveArtifact(id, "onnx", "a.onnx", writes("x"), "{not json"),
               std::invalid_argument);
  EXPECT_THROW(m_store.saveArtifact(999, "onnx", "a.onnx", writes("x")), StoreError);
  EXPECT_FALSE(fs::exists(m_folder.path() / "runs.files"));
  EXPECT_TRUE(m_query.artifacts(id).empty());
}

TEST_F(ArtifactTest, DeletingARunRemovesItsFilesOnly) {
  const int64_t gone = m_store.createRun(sampleRun("gone"));
  const int64_t kept = m_store.createRun(sampleRun("kept"));
  m_store.saveArtifact(gone, "checkpoint-last", "last.pt", writes("12345"));
  m_store.saveArtifact(gone, "onnx", "model.onnx", writes("123"));
  const ArtifactRecord other = m_store.saveArtifact(kept, "onnx", "model.onnx", writes("1"));
  const fs::path goneFolder = runFolder(gone);
  m_store.finishRun(gone, RunStatus::Completed, {});
  const DeleteReport report = m_store.deleteRun(gone);
  EXPECT_EQ(report.filesRemoved, 2);
  EXPECT_EQ(report.bytesRemoved, 8);
  EXPECT_FALSE(fs::exists(goneFolder));
  EXPECT_TRUE(verifyArtifact(other));
  EXPECT_EQ(m_query.run(gone), std::nullopt);
  EXPECT_EQ(RawConnection(m_path).integer("SELECT count(*) FROM artifacts"), 1);
}

TEST_F(ArtifactTest, VacuumSweepsWhatNoRecordNeeds) {
  const int64_t done = m_store.createRun(sampleRun("done"));
  const int64_t running = m_store.createRun(sampleRun("running"));
  const ArtifactRecord recorded = m_store.saveArtifact(done, "onnx", "m.onnx", writes("m"));
  m_store.saveArtifact(running, "onnx", "m.onnx", writes("r"));
  m_store.finishRun(done, RunStatus::Completed, {});
  const fs::path doneFolder = runFolder(done);
  const fs::path runningFolder = runFolder(running);
  std::ofstream(doneFolder / ".last.pt.0123.tmp") << "left by a crash";
  std::ofstream(doneFolder / "last.aaaaaaaaaaaa.pt") << "renamed, never recorded";
  std::ofstream(runningFolder / ".best.pt.4567.tmp") << "a save under way";
  const fs::path deletedRun =
      m_folder.path() / "runs.files" / "0f0e0d0c-0b0a-4908-8706-050403020100";
  fs::create_directories(deletedRun);
  std::ofstream(deletedRun / "last.pt") << "x";
  const fs::path notOurs = m_folder.path() / "runs.files" / "notes";
  fs::create_directories(notOurs);

  const VacuumReport report = m_store.vacuum();
  EXPECT_EQ(report.foldersRemoved, 1);
  EXPECT_EQ(report.filesRemoved, 2);
  EXPECT_GT(report.bytesBefore, 0);
  EXPECT_GT(report.bytesAfter, 0);
  EXPECT_EQ(filesIn(doneFolder), std::vector<std::string>{fs::path(recorded.path).filename()});
  EXPECT_TRUE(fs::exists(runningFolder / ".best.pt.4567.tmp"));
  EXPECT_FALSE(fs::exists(deletedRun));
  EXPECT_TRUE(fs::exists(notOurs));
}

TEST_F(ArtifactTest, ConfusionMatrixRoundTripsAndIsReplacedPerSplit) {
  const int64_t id = m_store.createRun(sampleRun());
  const std::vector<std::string> labels{"T-shirt", "Trouser", "it's \"odd\""};
  m_store.saveConfusionMatrix(id, "test", labels, {5, 1, 0, 0, 7, 2, 1, 0, 9});
  m_store.saveConfusionMatrix(id, "val", {"a", "b"}, {1, 2, 3, 4});
  m_store.saveConfusionMatrix(id, "val", {"a", "b"}, {4, 3, 2, 1});
  const std::optional<ConfusionMatrix> test = m_query.confusionMatrix(id, "test");
  ASSERT_TRUE(test.has_value());
  EXPECT_EQ(test->labels, labels);
  EXPECT_EQ(test->counts, (std::vector<int64_t>{5, 1, 0, 0, 7, 2, 1, 0, 9}));
  EXPECT_EQ(m_query.confusionMatrix(id, "val")->counts, (std::vector<int64_t>{4, 3, 2, 1}));
  EXPECT_EQ(m_query.confusionMatrices(id).size(), 2u);
  EXPECT_EQ(m_query.confusionMatrix(id, "train"), std::nullopt);
  EXPECT_THROW(m_store.saveConfusionMatrix(id, "test", labels, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(m_store.saveConfusionMatrix(77, "test", {"a"}, {1}), StoreError);
}

}  // namespace
}  // namespace layerlab::storage
