#include "storage/database.h"

#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "storage/store_error.h"

namespace layerlab::storage {

namespace {

constexpr std::string_view kOpenAction = "cannot open store";

// The system SQLite is built with URI filenames on, so a relative name such as "file:x.db" would
// be parsed as a URI. An absolute path never is.
std::string nameForSqlite(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.string();
}

}  // namespace

void createParentFolders(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw StoreError("cannot create the folder of store " + path + ": " + error.message());
  }
}

Database::Database(const std::string& path) : m_path(path) {
  const std::string name = nameForSqlite(path);
  const int rc =
      sqlite3_open_v2(name.c_str(), &m_handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = m_handle ? sqlite3_errmsg(m_handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(m_handle);
    m_handle = nullptr;
    fail(kOpenAction, reason);
  }
  try {
    configure();
  } catch (...) {
    sqlite3_close_v2(m_handle);
    m_handle = nullptr;
    throw;
  }
}

Database::~Database() {
  sqlite3_close_v2(m_handle);
}

void Database::configure() {
  sqlite3_extended_result_codes(m_handle, 1);
  // Set before anything else: switching to WAL briefly needs an exclusive lock that another
  // process may hold.
  sqlite3_busy_timeout(m_handle, kBusyTimeoutMs);
  // The first statement reads the file header, so a file that is not a database fails here with
  // SQLite's "file is not a database".
  exec("PRAGMA journal_mode=WAL", kOpenAction);
  exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", kOpenAction);
}

void Database::exec(const char* sql, std::string_view action) {
  char* message = nullptr;
  const int rc = sqlite3_exec(m_handle, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  const std::string reason = message ? message : sqlite3_errmsg(m_handle);
  sqlite3_free(message);
  fail(action, reason);
}

int64_t Database::integerPragma(const char* name) {
  // Pragma names cannot be bound; callers pass compile-time constants only.
  Statement statement(*this, std::string("PRAGMA ") + name);
  return statement.step() ? statement.integer(0) : 0;
}

int64_t Database::lastInsertId() const {
  return sqlite3_last_insert_rowid(m_handle);
}

int64_t Database::changes() const {
  return sqlite3_changes64(m_handle);
}

void Database::fail(std::string_view action) const {
  fail(action, m_handle ? sqlite3_errmsg(m_handle) : "no connection");
}

void Database::fail(std::string_view action, std::string_view reason) const {
  std::string message(action);
  message += ' ';
  message += m_path;
  message += ": ";
  message += reason;
  throw StoreError(message);
}

Statement::Statement(Database& db, std::string_view sql) : m_db(db) {
  const int rc =
      sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(m_stmt);
    m_stmt = nullptr;
    db.fail("cannot query store");
  }
}

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, int64_t value) {
  checkBind(sqlite3_bind_int64(m_stmt, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  checkBind(sqlite3_bind_double(m_stmt, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // A null data pointer would bind SQL NULL; an empty text must stay an empty text.
  const char* data = text.data() ? text.data() : "";
  checkBind(sqlite3_bind_text64(m_stmt, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bindNull(int index) {
  checkBind(sqlite3_bind_null(m_stmt, index));
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  m_db.fail(action());
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  // The error of a failed step was already reported by step(); reset() would only repeat it.
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(m_stmt, column);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
  // Read the size after the text: sqlite3_column_text may convert the value first.
  const int size = sqlite3_column_bytes(m_stmt, column);
  return data ? std::string(data, static_cast<size_t>(size)) : std::string();
}

void Statement::checkBind(int rc) {
  if (rc != SQLITE_OK) m_db.fail(action());
}

std::string_view Statement::action() const {
  return sqlite3_stmt_readonly(m_stmt) ? "cannot read store" : "cannot write to store";
}

WriteTransaction::WriteTransaction(Database& db) : m_db(db) {
  db.exec("BEGIN IMMEDIATE", "cannot write to store");
}

WriteTransaction::~WriteTransaction() {
  // Some errors (disk full, I/O) make SQLite roll back by itself; only roll back what is open.
  if (m_open && !sqlite3_get_autocommit(m_db.handle())) {
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void WriteTransaction::commit() {
  m_db.exec("COMMIT", "cannot write to store");
  m_open = false;
}

ReadTransaction::ReadTransaction(Database& db) : m_db(db) {
  db.exec("BEGIN", "cannot read store");
}

ReadTransaction::~ReadTransaction() {
  if (sqlite3_get_autocommit(m_db.handle())) return;
  if (sqlite3_exec(m_db.handle(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace layerlab::storage
