// A store edited by hand with the plain SQLite API, as someone crafting a shared file would: for
// tests that plant hostile values where LayerLab's own writer never would. Link SQLite::SQLite3.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace layerlab::test {

// Runs one statement on the file at `db`, with `value` bound to ?1 (when the statement has one).
inline void execSql(const std::string& db, const std::string& sql, const std::string& value = {}) {
  sqlite3* connection = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &connection), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(connection, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(connection);
  if (sqlite3_bind_parameter_count(statement) > 0)
    sqlite3_bind_text(statement, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_DONE) << sqlite3_errmsg(connection);
  sqlite3_finalize(statement);
  sqlite3_close(connection);
}

// The first column of the first row of `sql` as text, empty when there is no row.
inline std::string queryText(const std::string& db, const std::string& sql) {
  sqlite3* connection = nullptr;
  EXPECT_EQ(sqlite3_open(db.c_str(), &connection), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(connection, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(connection);
  std::string text;
  if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr)
    text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(connection);
  return text;
}

}  // namespace layerlab::test
