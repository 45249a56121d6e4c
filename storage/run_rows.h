// The parts of a `runs` row the writer checks before it writes. Private to the storage module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/process_identity.h"

namespace layerlab::storage {

class Database;

inline constexpr std::string_view kWriteAction = "cannot write to store";

struct RunRow {
  int64_t id = 0;
  std::string uuid;
  std::string name;
  std::string status;
  int attempt = 1;
  ProcessIdentity owner;
  double heartbeatAt = 0.0;
};

std::optional<RunRow> readRunRow(Database& db, int64_t runId);

// Throws StoreError (NotFound) "<action> <store>: there is no run <id>".
[[noreturn]] void failNoRun(Database& db, std::string_view action, int64_t runId);

// The row of `runId`, or StoreError (NotFound).
RunRow requireRun(Database& db, std::string_view action, int64_t runId);

// "process 1234 on host x".
std::string describeOwner(const ProcessIdentity& owner);

}  // namespace layerlab::storage
