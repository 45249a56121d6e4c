// What the runs list can be filtered and sorted by, and how a series is asked for. Plain values:
// the GUI and the CLI build them from user input; RunQuery turns them into bound SQL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::storage {

enum class CompareOp { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Contains };

// A condition on one parameter, e.g. "lr < 0.01": key "config.learning_rate", op Less, value
// "0.01". A value that reads as a number compares as a number ("true"/"false" as 1/0); anything
// else compares as text. A value in double quotes is always text. Contains ("~") is a literal,
// case-insensitive substring match.
struct ParamPredicate {
  std::string key;  // a full key; see resolveParamKey()
  CompareOp op = CompareOp::Equal;
  std::string value;
};

// Parses "<key><op><value>" with op one of = == != < <= > >= ~, spaces allowed around it, e.g.
// "lr<0.01", "optimizer = adam", "config.schedule.type!=cosine". The key goes through
// resolveParamKey(). Throws std::invalid_argument with a message naming the problem.
ParamPredicate parseParamPredicate(std::string_view text);

// The short names the runs list accepts for common parameters:
//   lr → config.learning_rate, optimizer → config.optimizer, batch_size → config.batch_size,
//   epochs → config.epochs, seed → config.seed, loss → config.loss, momentum → config.momentum,
//   weight_decay → config.weight_decay, schedule → config.schedule.type,
//   device → run.device, data → dataset.source, limit → dataset.limit, model → model.name.
const std::vector<std::pair<std::string_view, std::string_view>>& paramAliases();

// An alias becomes its key; another key without a '.' means "config.<key>"; anything else is
// returned as it is.
std::string resolveParamKey(std::string_view key);

// Which runs to list. Every part that is set must hold (AND); empty parts are ignored.
struct RunFilter {
  std::vector<RunStatus> statuses;  // any of these
  std::vector<std::string> tags;    // every one of these, matched exactly
  // A literal, case-insensitive (ASCII) substring of the name, the notes or a tag. '%', '_' and
  // '\' are ordinary characters here.
  std::string text;
  std::vector<ParamPredicate> params;
};

// The runs list's filter box: words separated by spaces (a word in double quotes may hold
// spaces). "status:failed" (several: "status:failed,interrupted") and "tag:baseline" select by
// status and tag; a word with an operator is a parameter condition (parseParamPredicate: "lr<0.01",
// "optimizer=adam"); every other word is part of the text, matched as one phrase. Throws
// std::invalid_argument naming the word that cannot be read.
RunFilter parseRunFilterText(std::string_view text);

// One page of the runs list.
//
// `sortBy` is one of runSortKeys(), or "best:<split>_<name>" (the best epoch value of a metric,
// the highest for accuracies, F1, R², precision and recall, else the lowest),
// "final:<split>_<name>" (a final metric) or "param:<key>" (a parameter; aliases allowed). Runs
// without a value sort last either way; ties fall back to the newest id first. Anything else throws
// std::invalid_argument.
struct RunListRequest {
  RunFilter filter;
  std::string sortBy = "created";
  bool descending = true;
  int64_t offset = 0;
  int64_t limit = 0;  // 0: no limit
};

struct RunPage {
  std::vector<RunSummary> runs;
  int64_t total = 0;  // runs matching the filter, on every page
};

// "id", "name", "status", "created", "started", "finished", "duration", "heartbeat", "device",
// "epochs", "attempt", "test_accuracy", "test_loss", "best_val_accuracy", "best_val_loss".
std::vector<std::string> runSortKeys();

// Series to load for a chart or an export.
struct SeriesRequest {
  std::vector<int64_t> runIds;
  std::vector<MetricKey> metrics;
  MetricKind kind = MetricKind::Epoch;
  // > 0: reduce each series to at most this many points, keeping its first and last points and
  // the lowest and highest value of each stretch between (NaN counts as the highest), so spikes
  // and divergence stay visible. 0: every point.
  size_t maxPoints = 0;
  bool includeSuperseded = false;
};

// The reduction SeriesRequest::maxPoints describes (series::decimate), on points in step order.
std::vector<SeriesPoint> reduceSeries(const std::vector<SeriesPoint>& points, size_t maxPoints);

}  // namespace layerlab::storage
