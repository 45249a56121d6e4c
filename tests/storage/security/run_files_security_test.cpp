// A store from someone else must not make LayerLab delete or read files outside its runs'
// folders: run folders that are symbolic links, links inside a run folder, and artifact records
// whose rel_path names another file (one beside the store, the store itself, another run's file).
// Every case checks that the victim files still exist with their content.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../store_test_support.h"
#include "storage/run_query.h"
#include "storage/run_store.h"

namespace layerlab::storage {
namespace {

namespace fs = std::filesystem;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr const char* kVictimText = "export SECRET=1\n";
// A uuid no run of the store has.
constexpr const char* kStrangerUuid = "0badc0de-0000-4000-8000-000000000001";

std::string contentOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const std::string& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

class RunFilesSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A "home folder" outside the store's folder, with dotfiles.
    fs::create_directories(m_home);
    writeFile(m_home / ".bashrc", kVictimText);
    writeFile(m_home / ".profile", kVictimText);
    fs::create_directories(m_storeFolder);
    writeFile(m_storeFolder / "victim.txt", kVictimText);
  }

  void expectVictimsIntact() {
    EXPECT_EQ(contentOf(m_home / ".bashrc"), kVictimText);
    EXPECT_EQ(contentOf(m_home / ".profile"), kVictimText);
    EXPECT_EQ(contentOf(m_storeFolder / "victim.txt"), kVictimText);
    EXPECT_TRUE(fs::is_regular_file(m_path));
    EXPECT_NO_THROW(RunQuery(m_path).listRuns());
  }

  // A finished run with one real checkpoint.
  int64_t finishedRun() {
    const int64_t id = m_store.createRun(sampleRun());
    m_store.saveArtifact(id, "checkpoint-last", "last.pt",
                         [](const std::string& temp) { writeFile(temp, "weights"); });
    m_store.finishRun(id, RunStatus::Completed, {});
    return id;
  }

  fs::path runFolder(int64_t id) {
    return m_storeFolder / "runs.files" / RunQuery(m_path).run(id)->summary.uuid;
  }

  void replaceByLink(const fs::path& folder, const fs::path& target) {
    fs::remove_all(folder);
    fs::create_directory_symlink(target, folder);
  }

  ScratchFolder m_scratch;
  fs::path m_home = m_scratch.path() / "home";
  fs::path m_storeFolder = m_scratch.path() / "home" / "data";
  std::string m_path = (m_storeFolder / "runs.db").string();
  RunStore m_store{(fs::create_directories(m_storeFolder), m_path)};
};

TEST_F(RunFilesSecurityTest, VacuumRemovesALinkedFolderOfADeletedRunAsALinkOnly) {
  fs::create_directories(m_storeFolder / "runs.files");
  const fs::path link = m_storeFolder / "runs.files" / kStrangerUuid;
  fs::create_directory_symlink("../..", link);  // runs.files/<uuid> -> the home folder
  const VacuumReport report = m_store.vacuum();
  expectVictimsIntact();
  EXPECT_FALSE(fs::exists(fs::symlink_status(link)));
  EXPECT_EQ(report.filesRemoved, 0);
  EXPECT_TRUE(mentions(report.refused, kStrangerUuid)) << ::testing::PrintToString(report.refused);
}

TEST_F(RunFilesSecurityTest, VacuumLeavesTheTargetOfALinkedFolderOfALiveRunAlone) {
  const int64_t id = finishedRun();
  replaceByLink(runFolder(id), m_home);
  const VacuumReport report = m_store.vacuum();
  expectVictimsIntact();
  EXPECT_EQ(report.filesRemoved, 0);
  EXPECT_TRUE(mentions(report.refused, "is a symbolic link"));
}

TEST_F(RunFilesSecurityTest, VacuumDoesNotFollowALinkInsideARunFolder) {
  const int64_t id = finishedRun();
  fs::create_symlink(m_home / ".bashrc", runFolder(id) / "stray.pt");
  const VacuumReport report = m_store.vacuum();
  expectVictimsIntact();
  EXPECT_TRUE(fs::exists(fs::symlink_status(runFolder(id) / "stray.pt")));
  EXPECT_TRUE(mentions(report.refused, "stray.pt: is not a regular file"));
}

TEST_F(RunFilesSecurityTest, VacuumDoesNotDescendIntoALinkedFilesFolder) {
  fs::create_directories(m_home / "elsewhere" / kStrangerUuid);
  writeFile(m_home / "elsewhere" / kStrangerUuid / "keep.txt", kVictimText);
  fs::create_directory_symlink(m_home / "elsewhere", m_storeFolder / "runs.files");
  const VacuumReport report = m_store.vacuum();
  expectVictimsIntact();
  EXPECT_EQ(contentOf(m_home / "elsewhere" / kStrangerUuid / "keep.txt"), kVictimText);
  EXPECT_TRUE(mentions(report.refused, "runs.files: is a symbolic link"));
}

TEST_F(RunFilesSecurityTest, DeleteRemovesALinkedRunFolderAsALinkOnly) {
  const int64_t id = finishedRun();
  const fs::path folder = runFolder(id);
  replaceByLink(folder, "../..");
  const DeleteReport report = m_store.deleteRun(id);
  expectVictimsIntact();
  EXPECT_FALSE(fs::exists(fs::symlink_status(folder)));
  EXPECT_EQ(report.filesRemoved, 0);
  EXPECT_TRUE(mentions(report.refused, "removed the link, not its target"));
}

TEST_F(RunFilesSecurityTest, DeleteRemovesALinkedCheckpointAsALinkOnly) {
  const int64_t id = finishedRun();
  const fs::path folder = runFolder(id);
  const fs::path checkpoint = *fs::directory_iterator(folder);
  fs::remove(checkpoint);
  fs::create_symlink(m_home / ".bashrc", checkpoint);
  const DeleteReport report = m_store.deleteRun(id);
  expectVictimsIntact();
  EXPECT_FALSE(fs::exists(fs::symlink_status(folder)));
  EXPECT_TRUE(mentions(report.refused, checkpoint.filename().string()));
}

// Records naming a file beside the store, the store itself, another run's checkpoint, a file
// through "..", and an absolute path: none of them is deleted, each is reported.
TEST_F(RunFilesSecurityTest, DeleteRefusesRecordsThatNameFilesOutsideTheRunFolder) {
  const int64_t victimRun = finishedRun();
  const fs::path otherCheckpoint = *fs::directory_iterator(runFolder(victimRun));
  const std::string otherRelative = "runs.files/" + runFolder(victimRun).filename().string() + "/" +
                                    otherCheckpoint.filename().string();
  const int64_t id = finishedRun();
  const std::string uuid = runFolder(id).filename().string();
  const std::vector<std::string> hostile = {"victim.txt", "runs.db", otherRelative,
                                            "runs.files/" + uuid + "/../../victim.txt",
                                            (m_home / ".bashrc").string()};
  RawConnection raw(m_path);
  for (size_t i = 0; i < hostile.size(); ++i) {
    raw.exec(
        "INSERT INTO artifacts (run_id, kind, file_name, rel_path, bytes, sha256, "
        "created_at) VALUES (" +
        std::to_string(id) + ", 'k" + std::to_string(i) + "', 'f.pt', '" + hostile[i] +
        "', 1, 'x', 1)");
  }
  const DeleteReport report = m_store.deleteRun(id);
  expectVictimsIntact();
  EXPECT_EQ(contentOf(otherCheckpoint), "weights");
  EXPECT_EQ(report.refused.size(), hostile.size()) << ::testing::PrintToString(report.refused);
  for (const std::string& path : hostile)
    EXPECT_TRUE(mentions(report.refused, "'" + path + "'")) << path;
  EXPECT_EQ(report.filesRemoved, 1);  // its own checkpoint
}

TEST_F(RunFilesSecurityTest, ACheckpointRecordNamingAnotherFileIsNotRead) {
  const int64_t id = finishedRun();
  RawConnection(m_path).exec("UPDATE artifacts SET rel_path = 'runs.db', bytes = " +
                             std::to_string(fs::file_size(m_path)) +
                             " WHERE run_id = " + std::to_string(id));
  const std::optional<ArtifactRecord> record = RunQuery(m_path).artifact(id, "checkpoint-last");
  ASSERT_TRUE(record);
  EXPECT_TRUE(record->path.empty());
  try {
    verifiedArtifactPath(*record);
    FAIL() << "a record naming the store file was read";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("'runs.db' is not a file in the run's own folder"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(RunFilesSecurityTest, ACheckpointThatIsALinkIsNotRead) {
  const int64_t id = finishedRun();
  const fs::path checkpoint = *fs::directory_iterator(runFolder(id));
  fs::remove(checkpoint);
  writeFile(m_home / "weights", "weights");  // same bytes and digest as the recorded file
  fs::create_symlink(m_home / "weights", checkpoint);
  const std::optional<ArtifactRecord> record = RunQuery(m_path).artifact(id, "checkpoint-last");
  ASSERT_TRUE(record);
  try {
    verifiedArtifactPath(*record);
    FAIL() << "a checkpoint that is a link was read";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find(checkpoint.string() + " is a symbolic link"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(RunFilesSecurityTest, NothingIsSavedThroughALinkedRunFolder) {
  const int64_t id = finishedRun();
  fs::create_directories(m_home / "target");
  replaceByLink(runFolder(id), m_home / "target");
  try {
    m_store.saveArtifact(id, "onnx", "model.onnx",
                         [](const std::string& temp) { writeFile(temp, "onnx"); });
    FAIL() << "a file was saved through a link";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("is a symbolic link"), std::string::npos)
        << error.what();
  }
  EXPECT_TRUE(fs::is_empty(m_home / "target"));
}

}  // namespace
}  // namespace layerlab::storage
