// Helpers for the storage tests: a scratch folder per test and raw SQLite access for setting up
// states the public API cannot produce (a dead owner, a newer schema, a failing insert).
#pragma once

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "storage/run_types.h"

namespace layerlab::storage::testing {

// A fresh folder under the system temp folder, removed with everything in it at the end.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::random_device device;
    m_path = std::filesystem::temp_directory_path() /
             ("layerlab-storage-test-" + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(m_path);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  std::string file(const std::string& name) const { return (m_path / name).string(); }
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

// A connection that bypasses the store, for arranging and inspecting raw rows.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      sqlite3_close(m_db);
      throw std::runtime_error("test cannot open " + path);
    }
    sqlite3_busy_timeout(m_db, 5000);
  }
  ~RawConnection() { sqlite3_close(m_db); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      throw std::runtime_error("test SQL failed: " + text + " in: " + sql);
    }
  }

  // The first column of the first row as text; "<none>" when there is no row, "<null>" for NULL.
  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("test SQL failed: ") + sqlite3_errmsg(m_db));
    }
    std::string result = "<none>";
    if (sqlite3_step(statement) == SQLITE_ROW) {
      const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      result = value ? value : "<null>";
    }
    sqlite3_finalize(statement);
    return result;
  }

  int64_t integer(const std::string& sql) { return std::stoll(text(sql)); }
  double real(const std::string& sql) { return std::stod(text(sql)); }

 private:
  sqlite3* m_db = nullptr;
};

inline NewRun sampleRun(const std::string& name = "mlp") {
  NewRun run;
  run.name = name;
  run.modelJson = R"({"format":"layerlab.model","version":1,"name":"mlp"})";
  run.configJson = R"({"format":"layerlab.train","epochs":2})";
  run.datasetJson = R"({"format":"layerlab.dataset","source":"mnist"})";
  run.datasetFingerprint = "sha256:0123abcd";
  run.device = "cpu";
  run.appVersion = "0.1.0";
  run.seed = 42;
  return run;
}

// The pid of a child process that has already exited and been reaped.
inline pid_t deadPid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

// Makes `runId` look like the run of a process that died: its owner is an exited pid.
inline void orphanRun(RawConnection& raw, int64_t runId) {
  raw.exec("UPDATE runs SET owner_pid = " + std::to_string(deadPid()) +
           " WHERE id = " + std::to_string(runId));
}

inline MetricValue metric(const std::string& split, const std::string& name, double value) {
  return MetricValue{split, name, value};
}

}  // namespace layerlab::storage::testing
