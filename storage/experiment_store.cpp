#include "storage/experiment_store.h"

#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "storage/database.h"
#include "storage/process_identity.h"
#include "storage/run_rows.h"
#include "storage/store_open.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

constexpr std::string_view kReadAction = "cannot read store";

constexpr std::array<std::pair<ExperimentStatus, std::string_view>, 5> kExperimentStatuses{{
    {ExperimentStatus::Queued, "queued"},
    {ExperimentStatus::Running, "running"},
    {ExperimentStatus::Paused, "paused"},
    {ExperimentStatus::Completed, "completed"},
    {ExperimentStatus::Cancelled, "cancelled"},
}};

constexpr std::array<std::pair<TrialStatus, std::string_view>, 6> kTrialStatuses{{
    {TrialStatus::Queued, "queued"},
    {TrialStatus::Running, "running"},
    {TrialStatus::Completed, "completed"},
    {TrialStatus::Failed, "failed"},
    {TrialStatus::StoppedEarly, "stopped_early"},
    {TrialStatus::Cancelled, "cancelled"},
}};

template <typename Status, size_t N>
std::string_view nameOf(const std::array<std::pair<Status, std::string_view>, N>& table,
                        Status status) {
  for (const auto& [value, name] : table)
    if (value == status) return name;
  return "unknown";
}

template <typename Status, size_t N>
std::optional<Status> parseName(const std::array<std::pair<Status, std::string_view>, N>& table,
                                std::string_view text) {
  for (const auto& [value, name] : table)
    if (name == text) return value;
  return std::nullopt;
}

std::optional<double> optionalReal(const Statement& row, int column) {
  if (row.isNull(column)) return std::nullopt;
  return row.real(column);
}

std::optional<int64_t> optionalInteger(const Statement& row, int column) {
  if (row.isNull(column)) return std::nullopt;
  return row.integer(column);
}

constexpr const char* kExperimentColumns =
    "SELECT id, name, status, priority, created_at, finished_at, spec_json FROM experiments ";

ExperimentRow readExperiment(const Statement& row) {
  ExperimentRow experiment;
  experiment.id = row.integer(0);
  experiment.name = row.text(1);
  experiment.status = parseExperimentStatus(row.text(2)).value_or(ExperimentStatus::Queued);
  experiment.priority = row.integer(3);
  experiment.createdAt = row.real(4);
  experiment.finishedAt = optionalReal(row, 5);
  experiment.specJson = row.text(6);
  return experiment;
}

constexpr const char* kTrialColumns =
    "SELECT experiment_id, number, params_json, status, run_id, objective, created_at, "
    "started_at, finished_at, owner_pid, error_text FROM trials ";

TrialRow readTrial(const Statement& row) {
  TrialRow trial;
  trial.experimentId = row.integer(0);
  trial.number = static_cast<int>(row.integer(1));
  trial.paramsJson = row.text(2);
  trial.status = parseTrialStatus(row.text(3)).value_or(TrialStatus::Failed);
  trial.runId = optionalInteger(row, 4);
  trial.objective = optionalReal(row, 5);
  trial.createdAt = row.real(6);
  trial.startedAt = optionalReal(row, 7);
  trial.finishedAt = optionalReal(row, 8);
  trial.ownerPid = optionalInteger(row, 9);
  trial.errorText = row.text(10);
  return trial;
}

[[noreturn]] void failNoExperiment(Database& db, int64_t id) {
  db.fail(kWriteAction, "there is no experiment " + std::to_string(id), StoreErrorKind::NotFound);
}

void requireExperiment(Database& db, int64_t id) {
  Statement find(db, "SELECT 1 FROM experiments WHERE id = ?1");
  find.bind(1, id);
  if (!find.step()) failNoExperiment(db, id);
}

// Sets one column of an existing experiment: `sql` binds the value as ?1 and the id as ?2.
template <typename Value>
void updateColumn(Database& db, int64_t id, const char* sql, const Value& value) {
  WriteTransaction transaction(db);
  requireExperiment(db, id);
  Statement update(db, sql);
  update.bind(1, value).bind(2, id);
  update.run();
  transaction.commit();
}

// The owner recorded on a running trial, read inside the caller's transaction.
std::optional<ProcessIdentity> trialOwner(Database& db, int64_t experimentId, int number) {
  Statement owner(db,
                  "SELECT owner_pid, owner_host, owner_token FROM trials WHERE experiment_id = ?1 "
                  "AND number = ?2 AND status = 'running'");
  owner.bind(1, experimentId).bind(2, number);
  if (!owner.step() || owner.isNull(0)) return std::nullopt;
  return ProcessIdentity{owner.integer(0), owner.text(1), owner.text(2)};
}

}  // namespace

std::string_view toString(ExperimentStatus status) {
  return nameOf(kExperimentStatuses, status);
}
std::string_view toString(TrialStatus status) {
  return nameOf(kTrialStatuses, status);
}
std::optional<ExperimentStatus> parseExperimentStatus(std::string_view text) {
  return parseName(kExperimentStatuses, text);
}
std::optional<TrialStatus> parseTrialStatus(std::string_view text) {
  return parseName(kTrialStatuses, text);
}

bool isFinished(TrialStatus status) {
  return status != TrialStatus::Queued && status != TrialStatus::Running;
}

ExperimentStore::ExperimentStore(const std::string& path, const StoreOptions& options)
    : m_path(path), m_db(openStore(path, options)) {}

ExperimentStore::~ExperimentStore() = default;

int64_t ExperimentStore::createExperiment(const std::string& name, const std::string& specJson,
                                          int64_t priority) {
  const nlohmann::json spec = nlohmann::json::parse(specJson, nullptr, false);
  if (!spec.is_object()) throw std::invalid_argument("an experiment's spec must be a JSON object");
  WriteTransaction transaction(*m_db);
  Statement insert(*m_db,
                   "INSERT INTO experiments (name, status, priority, created_at, spec_json) "
                   "VALUES (?1, 'queued', ?2, ?3, ?4)");
  insert.bind(1, name).bind(2, priority).bind(3, nowSeconds()).bind(4, specJson);
  insert.run();
  const int64_t id = m_db->lastInsertId();
  transaction.commit();
  return id;
}

std::optional<ExperimentRow> ExperimentStore::experiment(int64_t id) {
  Statement select(*m_db, std::string(kExperimentColumns) + "WHERE id = ?1");
  select.bind(1, id);
  if (!select.step()) return std::nullopt;
  return readExperiment(select);
}

std::vector<ExperimentRow> ExperimentStore::experiments() {
  Statement select(*m_db, std::string(kExperimentColumns) + "ORDER BY id DESC");
  std::vector<ExperimentRow> rows;
  while (select.step())
    rows.push_back(readExperiment(select));
  return rows;
}

void ExperimentStore::setStatus(int64_t id, ExperimentStatus status) {
  WriteTransaction transaction(*m_db);
  requireExperiment(*m_db, id);
  const bool ends = status == ExperimentStatus::Completed || status == ExperimentStatus::Cancelled;
  Statement update(*m_db,
                   "UPDATE experiments SET status = ?1, finished_at = CASE WHEN ?2 THEN "
                   "COALESCE(finished_at, ?3) ELSE NULL END WHERE id = ?4");
  update.bind(1, toString(status)).bind(2, ends ? 1 : 0).bind(3, nowSeconds()).bind(4, id);
  update.run();
  transaction.commit();
}

void ExperimentStore::setPriority(int64_t id, int64_t priority) {
  updateColumn(*m_db, id, "UPDATE experiments SET priority = ?1 WHERE id = ?2", priority);
}

void ExperimentStore::rename(int64_t id, const std::string& name) {
  updateColumn(*m_db, id, "UPDATE experiments SET name = ?1 WHERE id = ?2", name);
}

void ExperimentStore::updateSpec(int64_t id, const std::string& specJson) {
  const nlohmann::json spec = nlohmann::json::parse(specJson, nullptr, false);
  if (!spec.is_object()) throw std::invalid_argument("an experiment's spec must be a JSON object");
  updateColumn(*m_db, id, "UPDATE experiments SET spec_json = ?1 WHERE id = ?2", specJson);
}

std::optional<int> ExperimentStore::addTrial(int64_t experimentId, const std::string& paramsJson,
                                             int maxTrials) {
  WriteTransaction transaction(*m_db);
  requireExperiment(*m_db, experimentId);
  Statement count(*m_db,
                  "SELECT count(*), COALESCE(max(number), 0) FROM trials WHERE experiment_id = ?1");
  count.bind(1, experimentId);
  count.step();
  if (count.integer(0) >= maxTrials) return std::nullopt;
  const int number = static_cast<int>(count.integer(1)) + 1;
  Statement insert(*m_db,
                   "INSERT INTO trials (experiment_id, number, params_json, status, created_at) "
                   "VALUES (?1, ?2, ?3, 'queued', ?4)");
  insert.bind(1, experimentId).bind(2, number).bind(3, paramsJson).bind(4, nowSeconds());
  insert.run();
  transaction.commit();
  return number;
}

std::vector<TrialRow> ExperimentStore::trials(int64_t experimentId) {
  Statement select(*m_db, std::string(kTrialColumns) + "WHERE experiment_id = ?1 ORDER BY number");
  select.bind(1, experimentId);
  std::vector<TrialRow> rows;
  while (select.step())
    rows.push_back(readTrial(select));
  return rows;
}

std::optional<TrialRow> ExperimentStore::trial(int64_t experimentId, int number) {
  Statement select(*m_db, std::string(kTrialColumns) + "WHERE experiment_id = ?1 AND number = ?2");
  select.bind(1, experimentId).bind(2, number);
  if (!select.step()) return std::nullopt;
  return readTrial(select);
}

bool ExperimentStore::claimTrial(int64_t experimentId, int number) {
  const ProcessIdentity self = currentProcess();
  WriteTransaction transaction(*m_db);
  const std::optional<ProcessIdentity> owner = trialOwner(*m_db, experimentId, number);
  // A running trial is taken over only when its process on this host is known to be gone.
  if (owner && ownerLiveness(*owner) != Liveness::Gone) return false;
  Statement claim(*m_db,
                  "UPDATE trials SET status = 'running', owner_pid = ?1, owner_host = ?2, "
                  "owner_token = ?3, started_at = COALESCE(started_at, ?4) "
                  "WHERE experiment_id = ?5 AND number = ?6 AND status IN ('queued', 'running')");
  claim.bind(1, self.pid).bind(2, self.host).bind(3, self.token).bind(4, nowSeconds());
  claim.bind(5, experimentId).bind(6, number);
  claim.run();
  const bool claimed = m_db->changes() == 1;
  transaction.commit();
  return claimed;
}

TrialOwner ExperimentStore::ownerOf(const TrialRow& trial) {
  const std::optional<ProcessIdentity> owner = trialOwner(*m_db, trial.experimentId, trial.number);
  if (!owner) return TrialOwner::None;
  switch (ownerLiveness(*owner)) {
    case Liveness::Alive:
      return TrialOwner::Alive;
    case Liveness::Gone:
      return TrialOwner::Gone;
    case Liveness::Unknown:
      break;
  }
  return TrialOwner::Unknown;
}

void ExperimentStore::finishTrial(int64_t experimentId, int number, TrialStatus status,
                                  std::optional<double> objective, const std::string& errorText) {
  if (!isFinished(status)) throw std::invalid_argument("finishTrial needs a final status");
  WriteTransaction transaction(*m_db);
  Statement update(*m_db,
                   "UPDATE trials SET status = ?1, objective = ?2, error_text = ?3, "
                   "finished_at = ?4, owner_pid = NULL, owner_host = NULL, owner_token = NULL "
                   "WHERE experiment_id = ?5 AND number = ?6");
  update.bind(1, toString(status));
  if (objective && std::isfinite(*objective))
    update.bind(2, *objective);
  else
    update.bindNull(2);
  update.bind(3, errorText).bind(4, nowSeconds()).bind(5, experimentId).bind(6, number);
  update.run();
  if (m_db->changes() != 1) {
    m_db->fail(kWriteAction,
               "there is no trial " + std::to_string(number) + " of experiment " +
                   std::to_string(experimentId),
               StoreErrorKind::NotFound);
  }
  transaction.commit();
}

void ExperimentStore::releaseTrial(int64_t experimentId, int number) {
  WriteTransaction transaction(*m_db);
  Statement update(*m_db,
                   "UPDATE trials SET status = 'queued', owner_pid = NULL, owner_host = NULL, "
                   "owner_token = NULL WHERE experiment_id = ?1 AND number = ?2 AND "
                   "status = 'running'");
  update.bind(1, experimentId).bind(2, number);
  update.run();
  transaction.commit();
}

int ExperimentStore::cancelQueuedTrials(int64_t experimentId) {
  WriteTransaction transaction(*m_db);
  Statement update(*m_db,
                   "UPDATE trials SET status = 'cancelled', finished_at = ?1 "
                   "WHERE experiment_id = ?2 AND status = 'queued'");
  update.bind(1, nowSeconds()).bind(2, experimentId);
  update.run();
  const int cancelled = static_cast<int>(m_db->changes());
  transaction.commit();
  return cancelled;
}

std::vector<TrialCurve> ExperimentStore::curves(int64_t experimentId, const std::string& split,
                                                const std::string& name) {
  ReadTransaction snapshot(*m_db);
  Statement select(*m_db,
                   "SELECT t.number, t.status, m.epoch, m.value FROM trials t "
                   "LEFT JOIN metrics m ON m.run_id = t.run_id AND m.kind = 'epoch' AND "
                   "m.superseded = 0 AND m.split = ?2 AND m.name = ?3 "
                   "WHERE t.experiment_id = ?1 ORDER BY t.number, m.epoch");
  select.bind(1, experimentId).bind(2, split).bind(3, name);
  std::vector<TrialCurve> curves;
  while (select.step()) {
    const int number = static_cast<int>(select.integer(0));
    if (curves.empty() || curves.back().number != number) {
      curves.push_back(
          {number, parseTrialStatus(select.text(1)).value_or(TrialStatus::Failed), {}});
    }
    if (select.isNull(2)) continue;
    const int64_t epoch = select.integer(2);
    if (epoch < 1 || epoch > 100'000) continue;
    std::vector<double>& values = curves.back().values;
    if (static_cast<int64_t>(values.size()) < epoch)
      values.resize(static_cast<size_t>(epoch), std::numeric_limits<double>::quiet_NaN());
    values[static_cast<size_t>(epoch - 1)] =
        select.isNull(3) ? std::numeric_limits<double>::quiet_NaN() : select.real(3);
  }
  return curves;
}

}  // namespace layerlab::storage
