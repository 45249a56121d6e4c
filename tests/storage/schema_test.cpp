#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "storage/database.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "storage/schema.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::RawConnection;
using testing::ScratchFolder;

// Runs `open` and returns the StoreError message it threw, or nullopt if it did not throw.
template <typename Open>
std::optional<std::string> storeErrorOf(Open open) {
  try {
    open();
  } catch (const StoreError& error) {
    return std::string(error.what());
  }
  return std::nullopt;
}

std::string fileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(Schema, FreshStoreGetsTheLatestTablesAndWal) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  { RunStore store(path); }
  RawConnection raw(path);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 5);
  EXPECT_EQ(latestSchemaVersion(), 5);
  EXPECT_EQ(raw.integer("PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(
      raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                  "('runs', 'metrics', 'models', 'params', 'tags', 'artifacts', "
                  "'confusion_matrices', 'run_attempts', 'store_meta', 'experiments', 'trials')"),
      11);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = "
                        "'metrics_by_run_name_split_step'"),
            1);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = "
                        "'metrics_by_run_name_step'"),
            0);
}

TEST(Schema, ReopeningKeepsVersionAndData) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  { RunStore(path).createRun(testing::sampleRun("kept")); }
  { RunStore store(path); }
  RunQuery query(path);
  ASSERT_EQ(query.listRuns().size(), 1u);
  EXPECT_EQ(query.listRuns()[0].name, "kept");
  EXPECT_EQ(RawConnection(path).integer("PRAGMA user_version"), latestSchemaVersion());
}

TEST(Schema, EveryConnectionIsConfigured) {
  ScratchFolder folder;
  Database db(folder.file("runs.db"));
  EXPECT_EQ(db.integerPragma("foreign_keys"), 1);
  EXPECT_EQ(db.integerPragma("synchronous"), 1);  // NORMAL
  EXPECT_EQ(db.integerPragma("busy_timeout"), Database::kBusyTimeoutMs);
  EXPECT_EQ(db.integerPragma("trusted_schema"), 0);
  // Defensive mode: the schema cannot be written directly, even by asking.
  db.exec("PRAGMA writable_schema = ON", "test");
  EXPECT_THROW(db.exec("UPDATE sqlite_master SET sql = '' WHERE 0", "test"), StoreError);
  // WAL is switched on by openStore once the file is known to be a store, not by the connection.
  Statement before(db, "PRAGMA journal_mode");
  ASSERT_TRUE(before.step());
  EXPECT_EQ(before.text(0), "delete");
  before.reset();
  db.enableWal();
  Statement journal(db, "PRAGMA journal_mode");
  ASSERT_TRUE(journal.step());
  EXPECT_EQ(journal.text(0), "wal");
}

TEST(Schema, StoreCreatesParentFolders) {
  ScratchFolder folder;
  const std::string path = (folder.path() / "a" / "b" / "runs.db").string();
  RunStore store(path);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(Schema, QueryCreatesMissingStoreWithSchema) {
  ScratchFolder folder;
  const std::string path = (folder.path() / "new" / "runs.db").string();
  RunQuery query(path);
  EXPECT_TRUE(query.listRuns().empty());
  EXPECT_EQ(RawConnection(path).integer("PRAGMA user_version"), latestSchemaVersion());
}

TEST(Schema, NonDatabaseFileIsRefusedAndLeftAlone) {
  ScratchFolder folder;
  const std::string path = folder.file("notes.db");
  const std::string text(4096, 'x');
  std::ofstream(path, std::ios::binary) << text;
  const auto storeError = storeErrorOf([&] { RunStore store(path); });
  const auto queryError = storeErrorOf([&] { RunQuery query(path); });
  ASSERT_TRUE(storeError.has_value());
  ASSERT_TRUE(queryError.has_value());
  EXPECT_EQ(*storeError, "cannot open store " + path + ": file is not a database");
  EXPECT_EQ(*queryError, *storeError);
  EXPECT_EQ(fileContents(path), text);
}

TEST(Schema, NewerSchemaVersionIsRefused) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  { RunStore store(path); }
  RawConnection(path).exec("PRAGMA user_version = 7");
  const auto storeError = storeErrorOf([&] { RunStore store(path); });
  const auto queryError = storeErrorOf([&] { RunQuery query(path); });
  ASSERT_TRUE(storeError.has_value());
  EXPECT_NE(storeError->find(path), std::string::npos) << *storeError;
  EXPECT_NE(storeError->find("made by a newer LayerLab"), std::string::npos) << *storeError;
  EXPECT_NE(storeError->find("schema version 7"), std::string::npos) << *storeError;
  ASSERT_TRUE(queryError.has_value());
  EXPECT_EQ(*queryError, *storeError);
  EXPECT_EQ(RawConnection(path).integer("PRAGMA user_version"), 7);
}

TEST(Schema, OtherProgramsDatabaseIsRefused) {
  ScratchFolder folder;
  const std::string path = folder.file("other.db");
  RawConnection(path).exec("CREATE TABLE notes (body TEXT)");
  const auto error = storeErrorOf([&] { RunStore store(path); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "cannot open store " + path + ": it is a SQLite database but not a LayerLab store");
  RawConnection raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), 0);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 0);
}

TEST(Schema, UnopenablePathNamesFileAndReason) {
  ScratchFolder folder;
  const std::string path = folder.file("a-folder");
  std::filesystem::create_directories(path);
  const auto error = storeErrorOf([&] { RunStore store(path); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "cannot open store " + path + ": unable to open database file");
}

TEST(Schema, FolderThatCannotBeCreatedIsReported) {
  ScratchFolder folder;
  const std::string blocker = folder.file("plain-file");
  std::ofstream(blocker) << "in the way";
  const std::string path = blocker + "/runs.db";
  const auto error = storeErrorOf([&] { RunStore store(path); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->rfind("cannot create the folder of store " + path + ": ", 0), 0u) << *error;
}

// Sets an environment variable for the life of the object and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (m_old) {
      setenv(m_name, m_old->c_str(), 1);
    } else {
      unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

struct DefaultPathCase {
  const char* xdgDataHome;  // nullptr: unset
  const char* home;
  const char* expected;
};

TEST(Schema, DefaultStorePathFollowsXdg) {
  const DefaultPathCase cases[] = {
      {"/data/xdg", "/home/ada", "/data/xdg/LayerLab/runs.db"},
      {nullptr, "/home/ada", "/home/ada/.local/share/LayerLab/runs.db"},
      {"", "/home/ada", "/home/ada/.local/share/LayerLab/runs.db"},
      {"relative/dir", "/home/ada", "/home/ada/.local/share/LayerLab/runs.db"},
  };
  for (const DefaultPathCase& c : cases) {
    ScopedEnv xdg("XDG_DATA_HOME", c.xdgDataHome);
    ScopedEnv home("HOME", c.home);
    EXPECT_EQ(defaultStorePath(), c.expected)
        << "XDG_DATA_HOME=" << (c.xdgDataHome ? c.xdgDataHome : "(unset)");
  }
}

}  // namespace
}  // namespace layerlab::storage
