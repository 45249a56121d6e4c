#include "storage/store_open.h"

#include <sys/stat.h>

#include <filesystem>

#include "storage/database.h"
#include "storage/process_identity.h"
#include "storage/schema.h"

namespace layerlab::storage {

namespace {

constexpr const char* kCheckedKey = "checked_copy";

// Names this copy of the file on this machine: a copy, a move to another disk or another
// machine all give a new name, and with it a new check.
std::string copyIdentity(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return currentProcess().host + "|" + std::to_string(info.st_dev) + "|" +
         std::to_string(info.st_ino);
}

bool hasTable(Database& db, const char* name) {
  Statement select(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  select.bind(1, name);
  return select.step();
}

bool isEmptyFile(Database& db) {
  Statement select(db, "SELECT count(*) FROM sqlite_master");
  return !select.step() || select.integer(0) == 0;
}

bool alreadyChecked(Database& db, const std::string& identity) {
  if (identity.empty() || !hasTable(db, "store_meta")) return false;
  Statement select(db, "SELECT value FROM store_meta WHERE key = ?1");
  select.bind(1, kCheckedKey);
  return select.step() && select.text(0) == identity;
}

// Only an optimisation for the next open: a busy or read-only store simply means checking again
// next time.
void rememberChecked(Database& db, const std::string& identity) {
  if (identity.empty()) return;
  try {
    WriteTransaction transaction(db);
    Statement upsert(db,
                     "INSERT INTO store_meta (key, value) VALUES (?1, ?2) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, kCheckedKey).bind(2, identity);
    upsert.run();
    transaction.commit();
  } catch (const StoreError&) {
  }
}

// A read-only command on a mistyped path must not leave a new empty store (and its folders)
// behind.
void refuseMissing(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    throw StoreError("cannot open store " + path +
                         ": there is no such file; check the path (nothing was created)",
                     StoreErrorKind::NotFound);
  }
  if (status.type() == std::filesystem::file_type::directory) {
    throw StoreError("cannot open store " + path + ": it is a folder, not a store file",
                     StoreErrorKind::NotFound);
  }
}

}  // namespace

std::vector<std::string> integrityProblems(Database& db, bool full, int limit) {
  Statement check(db, full ? "PRAGMA integrity_check(" + std::to_string(limit) + ")"
                           : "PRAGMA quick_check(" + std::to_string(limit) + ")");
  std::vector<std::string> problems;
  while (check.step()) {
    const std::string line = check.text(0);
    if (line != "ok") problems.push_back(line);
  }
  return problems;
}

std::unique_ptr<Database> openStore(const std::string& path, const StoreOptions& options) {
  if (options.createIfMissing) {
    createParentFolders(path);
  } else {
    refuseMissing(path);
  }
  auto db = std::make_unique<Database>(path, options);
  // Before the first write (WAL switches the header): another program's file stays untouched.
  refuseForeignFile(*db);
  db->enableWal();
  const std::string identity = copyIdentity(path);
  const bool fresh = isEmptyFile(*db);
  const bool checked = fresh || alreadyChecked(*db, identity);
  if (!checked) {
    const std::vector<std::string> problems = integrityProblems(*db, false, 5);
    if (!problems.empty()) {
      db->fail("cannot open store",
               "the file is damaged and was left as it is (SQLite's quick check: " +
                   problems.front() + ")",
               StoreErrorKind::Corrupt);
    }
  }
  migrate(*db);
  if (!checked || fresh) rememberChecked(*db, identity);
  return db;
}

std::string filesFolderOf(const std::string& storePath) {
  const std::filesystem::path store = std::filesystem::absolute(storePath);
  return (store.parent_path() / (store.stem().string() + ".files")).string();
}

}  // namespace layerlab::storage
