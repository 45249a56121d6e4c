// A thin RAII layer over the sqlite3 C API, private to the storage module.
//
// Threads: a Database is one SQLite connection; use it, its statements and its transactions from
// one thread only. Errors become StoreError with the file name and SQLite's own message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/run_types.h"
#include "storage/store_error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace layerlab::storage {

class Statement;
class CachedStatement;

class Database {
 public:
  // Opens (creating if needed, unless options.createIfMissing is false) the SQLite file at `path`
  // and configures the connection: synchronous=NORMAL, foreign keys, busy timeout,
  // trusted_schema=OFF and SQLite's defensive mode (a file from elsewhere cannot make this
  // connection run functions with side effects or write its schema directly). Changes nothing in
  // the file: neither the schema nor the journal mode (see enableWal()).
  explicit Database(const std::string& path, const StoreOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return m_path; }
  sqlite3* handle() const { return m_handle; }

  // Runs one or more statements that bind nothing (pragmas, DDL, BEGIN/COMMIT).
  void exec(const char* sql, std::string_view action);

  // A pragma's single integer answer, e.g. integerPragma("user_version").
  int64_t integerPragma(const char* name);

  int64_t lastInsertId() const;
  int64_t changes() const;

  // A statement prepared once per connection and reused: the hot paths (one epoch's inserts, the
  // GUI's polling) then skip SQLite's parser. The statement is reset when the handle goes away,
  // so a half-read SELECT never keeps a read transaction open. Do not hold two handles of the
  // same SQL at once.
  CachedStatement cached(std::string_view sql);

  // Throws StoreError "<action> <path>: <reason>", with the reason and kind taken from the
  // connection's last error: a full disk, a busy store and I/O errors are said in plain words.
  [[noreturn]] void fail(std::string_view action) const;
  [[noreturn]] void fail(std::string_view action, std::string_view reason,
                         StoreErrorKind kind = StoreErrorKind::General) const;

  const StoreOptions& options() const { return m_options; }

  // Switches the file to WAL. This writes the file's header, so it is done only once the file is
  // known to be a LayerLab store (openStore()).
  void enableWal();

  // Copies what the WAL holds into the database file without waiting for anyone: frames that a
  // reader's snapshot still needs stay. `truncate` also empties the WAL file when no reader is
  // left (it then waits up to the busy timeout for other writers). Returns true when the whole
  // WAL was copied.
  bool checkpoint(bool truncate);

  static constexpr int kBusyTimeoutMs = StoreOptions{}.busyTimeoutMs;

 private:
  void configure();

  std::string m_path;
  StoreOptions m_options;
  sqlite3* m_handle = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> m_cache;
};

// Creates the folders that will hold the store file at `path`. Throws StoreError.
void createParentFolders(const std::string& path);

// A prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bindNull(int index);
  // Binds without copying: `text` must stay alive and unchanged until the statement is stepped
  // and reset. For hot loops over data that outlives the call.
  Statement& bindStatic(int index, std::string_view text);

  // Steps once: true when a row is ready, false when the statement is done.
  bool step();
  // Steps a statement that returns no rows.
  void run();
  // Makes the statement ready to be bound and run again.
  void reset();
  // Like reset(), but keeps the bound values, so constant parameters are bound once.
  void rewind();

  // The number of rows the last run() changed is Database::changes().

  bool isNull(int column) const;
  int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;

 private:
  void checkBind(int rc);
  std::string_view action() const;

  Database& m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

// A reused statement from Database::cached(); reset (bindings cleared) when it goes away.
class CachedStatement {
 public:
  explicit CachedStatement(Statement& statement) : m_statement(&statement) {}
  ~CachedStatement();
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  Statement& operator*() const { return *m_statement; }
  Statement* operator->() const { return m_statement; }

 private:
  Statement* m_statement;
};

// BEGIN IMMEDIATE on construction: the write lock is taken up front, so a busy store is reported
// before any work is done rather than as a deadlock on the first write. Rolls back unless
// commit() was called.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& db);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit();

 private:
  Database& m_db;
  bool m_open = true;
};

// A deferred read transaction, so that several statements see one snapshot. Ends on destruction.
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& m_db;
};

}  // namespace layerlab::storage
