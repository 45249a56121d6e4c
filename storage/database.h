// A thin RAII layer over the sqlite3 C API, private to the storage module.
//
// Threads: a Database is one SQLite connection; use it, its statements and its transactions from
// one thread only. Errors become StoreError with the file name and SQLite's own message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace layerlab::storage {

class Database {
 public:
  // Opens (creating if needed) the SQLite file at `path` and configures the connection: WAL,
  // synchronous=NORMAL, foreign keys, busy timeout. Does not touch the schema.
  explicit Database(const std::string& path);
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

  // Throws StoreError "<action> <path>: <SQLite's message>".
  [[noreturn]] void fail(std::string_view action) const;
  [[noreturn]] void fail(std::string_view action, std::string_view reason) const;

  static constexpr int kBusyTimeoutMs = 5000;

 private:
  void configure();

  std::string m_path;
  sqlite3* m_handle = nullptr;
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

  // Steps once: true when a row is ready, false when the statement is done.
  bool step();
  // Steps a statement that returns no rows.
  void run();
  // Makes the statement ready to be bound and run again.
  void reset();

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
