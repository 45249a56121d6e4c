// A file that is not a LayerLab store is refused without a single byte changed and without WAL
// files left beside it; a store opened only to read is never created, nor its folders.
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
using testing::ScratchFolder;

std::string bytesOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string refusalOf(const std::function<void()>& open) {
  try {
    open();
  } catch (const StoreError& error) {
    return error.what();
  }
  return "<opened>";
}

struct ForeignCase {
  const char* what;
  const char* sql;      // makes the file
  const char* refusal;  // part of the message
};

const ForeignCase kForeignFiles[] = {
    {"another program's database", "CREATE TABLE notes (id INTEGER, text TEXT);",
     "not a LayerLab store"},
    {"another program's database that claims a version",
     "CREATE TABLE notes (id INTEGER); PRAGMA user_version = 3;", "not a LayerLab store"},
    {"a store of a newer LayerLab",
     "CREATE TABLE runs (id INTEGER); PRAGMA user_version = 99; "
     "PRAGMA application_id = 1280073058;",
     "newer LayerLab"},
};

class StoreOpenSecurityTest : public ::testing::Test {
 protected:
  ScratchFolder m_folder;
  std::string m_path = m_folder.file("other.sqlite");
};

TEST_F(StoreOpenSecurityTest, AForeignFileIsRefusedUnchanged) {
  for (const ForeignCase& foreign : kForeignFiles) {
    SCOPED_TRACE(foreign.what);
    fs::remove(m_path);
    RawConnection(m_path).exec(foreign.sql);  // a rollback-journal file, as most programs make
    const std::string before = bytesOf(m_path);
    for (const auto& open : std::vector<std::function<void()>>{
             [&] { RunQuery query(m_path); }, [&] { RunStore store(m_path); },
             [&] { RunQuery query(m_path, existingStoreOptions()); }}) {
      const std::string refusal = refusalOf(open);
      EXPECT_NE(refusal.find(m_path), std::string::npos) << refusal;
      EXPECT_NE(refusal.find(foreign.refusal), std::string::npos) << refusal;
    }
    EXPECT_EQ(bytesOf(m_path), before);
    EXPECT_FALSE(fs::exists(m_path + "-wal"));
    EXPECT_FALSE(fs::exists(m_path + "-shm"));
    EXPECT_FALSE(fs::exists(m_path + "-journal"));
    EXPECT_EQ(RawConnection(m_path).text("PRAGMA journal_mode"), "delete");
  }
}

TEST_F(StoreOpenSecurityTest, AReadOnlyOpenOfAMissingStoreCreatesNothing) {
  const std::string path = m_folder.file("typo/deeper/runs.db");
  const std::string refusal = refusalOf([&] { RunQuery query(path, existingStoreOptions()); });
  EXPECT_NE(refusal.find("cannot open store " + path + ": there is no such file"),
            std::string::npos)
      << refusal;
  EXPECT_FALSE(fs::exists(m_folder.path() / "typo"));
}

TEST_F(StoreOpenSecurityTest, AWriterToldTheStoreMustExistCreatesNothing) {
  const std::string path = m_folder.file("typo/runs.db");
  StoreOptions options;
  options.createIfMissing = false;
  try {
    RunStore store(path, options);
    FAIL() << "a missing store was created";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind(), StoreErrorKind::NotFound);
  }
  EXPECT_FALSE(fs::exists(m_folder.path() / "typo"));
}

TEST_F(StoreOpenSecurityTest, AFolderIsNotAStore) {
  fs::create_directories(m_folder.path() / "folder.db");
  const std::string refusal =
      refusalOf([&] { RunQuery query(m_folder.file("folder.db"), existingStoreOptions()); });
  EXPECT_NE(refusal.find("it is a folder, not a store file"), std::string::npos) << refusal;
}

TEST_F(StoreOpenSecurityTest, AnExistingStoreStillOpensForReading) {
  const std::string path = m_folder.file("runs.db");
  { RunStore store(path); }
  EXPECT_NO_THROW(RunQuery(path, existingStoreOptions()).listRuns());
}

}  // namespace
}  // namespace layerlab::storage
