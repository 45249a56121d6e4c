#include "storage/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
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

StoreErrorKind kindOf(int extendedCode) {
  switch (extendedCode & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreErrorKind::Busy;
    case SQLITE_FULL:
      return StoreErrorKind::Full;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return StoreErrorKind::Io;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreErrorKind::Corrupt;
    default:
      return StoreErrorKind::General;
  }
}

std::string seconds(int milliseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", milliseconds / 1000.0);
  return text;
}

// The command line of process `pid`, printable and short, e.g. "layerlab-cli runs delete 3".
std::string commandLineOf(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text;
  char c = 0;
  while (text.size() < 80 && in.get(c))
    text += (c == '\0') ? ' ' : (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  return text;
}

// Which process holds the store's write lock: in WAL mode a writer holds a POSIX lock on byte
// 120 of the "-shm" file (SQLite's WAL_WRITE_LOCK), and F_GETLK names its owner. Empty when no
// other process holds it (a lock of this process is not reported by F_GETLK).
std::string writeLockHolder(const std::string& storePath) {
  const int fd = ::open((storePath + "-shm").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 120;
  lock.l_len = 1;
  const bool asked = ::fcntl(fd, F_GETLK, &lock) == 0;
  ::close(fd);
  if (!asked || lock.l_type == F_UNLCK || lock.l_pid <= 0) return {};
  const std::string command = commandLineOf(lock.l_pid);
  return "process " + std::to_string(lock.l_pid) + (command.empty() ? "" : " (" + command + ")");
}

// SQLite's own words for these ("database is locked", "database or disk is full") do not say
// what the user can do about them.
std::string plainReason(StoreErrorKind kind, std::string_view sqliteMessage, int busyTimeoutMs,
                        const std::string& storePath) {
  std::string original(sqliteMessage);
  switch (kind) {
    case StoreErrorKind::Busy: {
      const std::string holder = writeLockHolder(nameForSqlite(storePath));
      return "waited " + seconds(busyTimeoutMs) + " for " +
             (holder.empty() ? std::string("another process") : holder) +
             " to release the store's write lock; try again when it has finished (" + original +
             ")";
    }
    case StoreErrorKind::Full:
      return "the disk is full or the store reached its size limit; nothing already stored was "
             "lost (" +
             original + ")";
    case StoreErrorKind::Io:
      return "the disk reported an error (" + original + ")";
    default:
      return original;
  }
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

Database::Database(const std::string& path, const StoreOptions& options)
    : m_path(path), m_options(options) {
  const std::string name = nameForSqlite(path);
  // A connection is used from one thread at a time (see database.h), so SQLite need not lock its
  // mutex around every call: reading a long series makes millions of them.
  const int create = options.createIfMissing ? SQLITE_OPEN_CREATE : 0;
  const int rc = sqlite3_open_v2(name.c_str(), &m_handle,
                                 SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = m_handle ? sqlite3_errmsg(m_handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(m_handle);
    m_handle = nullptr;
    fail(kOpenAction, reason, StoreErrorKind::Io);
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
  m_cache.clear();  // statements first: a connection with live statements would stay open
  sqlite3_close_v2(m_handle);
}

void Database::configure() {
  sqlite3_extended_result_codes(m_handle, 1);
  // Set before anything else: switching to WAL briefly needs an exclusive lock that another
  // process may hold.
  sqlite3_busy_timeout(m_handle, m_options.busyTimeoutMs);
  // A store may come from another machine: its schema must not be able to call functions with
  // side effects, nor may this connection write sqlite_master behind SQLite's back.
  sqlite3_db_config(m_handle, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(m_handle, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  // Once a long read lets go, the WAL shrinks back to this size instead of keeping its peak.
  exec(
      "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF; "
      "PRAGMA journal_size_limit=67108864",
      kOpenAction);
  if (m_options.maxPageCount > 0) {
    const std::string limit = "PRAGMA max_page_count=" + std::to_string(m_options.maxPageCount);
    exec(limit.c_str(), kOpenAction);
  }
}

void Database::enableWal() {
  exec("PRAGMA journal_mode=WAL", kOpenAction);
}

bool Database::checkpoint(bool truncate) {
  int logFrames = 0;
  int copiedFrames = 0;
  const int mode = truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
  const int rc = sqlite3_wal_checkpoint_v2(m_handle, nullptr, mode, &logFrames, &copiedFrames);
  // Busy only means a reader still needs old frames; the next checkpoint copies them.
  if (rc != SQLITE_OK && (rc & 0xFF) != SQLITE_BUSY) fail("cannot write to store");
  return rc == SQLITE_OK && copiedFrames == logFrames;
}

CachedStatement Database::cached(std::string_view sql) {
  std::string key(sql);
  auto found = m_cache.find(key);
  if (found == m_cache.end()) {
    auto statement = std::make_unique<Statement>(*this, sql);
    found = m_cache.emplace(std::move(key), std::move(statement)).first;
  }
  return CachedStatement(*found->second);
}

CachedStatement::~CachedStatement() {
  m_statement->reset();
}

void Database::exec(const char* sql, std::string_view action) {
  char* message = nullptr;
  const int rc = sqlite3_exec(m_handle, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  std::string reason = message ? message : sqlite3_errmsg(m_handle);
  sqlite3_free(message);
  const StoreErrorKind kind = kindOf(sqlite3_extended_errcode(m_handle));
  fail(action, plainReason(kind, reason, m_options.busyTimeoutMs, m_path), kind);
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
  if (!m_handle) fail(action, "no connection");
  const StoreErrorKind kind = kindOf(sqlite3_extended_errcode(m_handle));
  fail(action, plainReason(kind, sqlite3_errmsg(m_handle), m_options.busyTimeoutMs, m_path), kind);
}

void Database::fail(std::string_view action, std::string_view reason, StoreErrorKind kind) const {
  std::string message(action);
  message += ' ';
  message += m_path;
  message += ": ";
  message += reason;
  throw StoreError(message, kind);
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

Statement& Statement::bindStatic(int index, std::string_view text) {
  const char* data = text.data() ? text.data() : "";
  checkBind(sqlite3_bind_text64(m_stmt, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8));
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

void Statement::rewind() {
  sqlite3_reset(m_stmt);
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
