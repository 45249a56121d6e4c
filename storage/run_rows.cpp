#include "storage/run_rows.h"

#include "storage/database.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

std::optional<RunRow> readRunRow(Database& db, int64_t runId) {
  CachedStatement select = db.cached(
      "SELECT uuid, name, status, attempt, owner_pid, owner_host, owner_token, heartbeat_at "
      "FROM runs WHERE id = ?1");
  select->bind(1, runId);
  if (!select->step()) return std::nullopt;
  RunRow row;
  row.id = runId;
  row.uuid = select->text(0);
  row.name = select->text(1);
  row.status = select->text(2);
  row.attempt = static_cast<int>(select->integer(3));
  row.owner = {select->integer(4), select->text(5), select->text(6)};
  row.heartbeatAt = storedTime(*select, 7);
  return row;
}

void failNoRun(Database& db, std::string_view action, int64_t runId) {
  db.fail(action, "there is no run " + std::to_string(runId), StoreErrorKind::NotFound);
}

RunRow requireRun(Database& db, std::string_view action, int64_t runId) {
  std::optional<RunRow> row = readRunRow(db, runId);
  if (!row) failNoRun(db, action, runId);
  return *row;
}

std::string describeOwner(const ProcessIdentity& owner) {
  return "process " + std::to_string(owner.pid) + " on host " +
         (owner.host.empty() ? std::string("(unknown)") : owner.host);
}

}  // namespace layerlab::storage
