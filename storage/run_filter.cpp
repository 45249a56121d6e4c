#include "storage/run_filter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "series/decimate.h"

namespace layerlab::storage {

namespace {

struct OperatorWord {
  std::string_view text;
  CompareOp op;
};

// Two-character operators first, so "<=" is not read as "<" followed by "=…".
constexpr std::array<OperatorWord, 9> kOperators{{
    {"<=", CompareOp::LessEqual},
    {">=", CompareOp::GreaterEqual},
    {"!=", CompareOp::NotEqual},
    {"==", CompareOp::Equal},
    {"<>", CompareOp::NotEqual},
    {"<", CompareOp::Less},
    {">", CompareOp::Greater},
    {"=", CompareOp::Equal},
    {"~", CompareOp::Contains},
}};

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool isKeyCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

const std::vector<std::pair<std::string_view, std::string_view>>& paramAliases() {
  static const std::vector<std::pair<std::string_view, std::string_view>> aliases{
      {"lr", "config.learning_rate"},
      {"optimizer", "config.optimizer"},
      {"batch_size", "config.batch_size"},
      {"epochs", "config.epochs"},
      {"seed", "config.seed"},
      {"loss", "config.loss"},
      {"momentum", "config.momentum"},
      {"weight_decay", "config.weight_decay"},
      {"schedule", "config.schedule.type"},
      {"device", "run.device"},
      {"data", "dataset.source"},
      {"limit", "dataset.limit"},
      {"model", "model.name"},
  };
  return aliases;
}

std::string resolveParamKey(std::string_view key) {
  for (const auto& [alias, full] : paramAliases()) {
    if (alias == key) return std::string(full);
  }
  if (key.find('.') == std::string_view::npos) return "config." + std::string(key);
  return std::string(key);
}

ParamPredicate parseParamPredicate(std::string_view text) {
  const std::string_view whole = trimmed(text);
  size_t keyEnd = 0;
  while (keyEnd < whole.size() && isKeyCharacter(whole[keyEnd]))
    ++keyEnd;
  const std::string_view key = whole.substr(0, keyEnd);
  const std::string_view rest = trimmed(whole.substr(keyEnd));
  if (key.empty()) {
    throw std::invalid_argument("a parameter condition must start with a key, as in lr<0.01: '" +
                                std::string(text) + "'");
  }
  for (const OperatorWord& word : kOperators) {
    if (rest.substr(0, word.text.size()) != word.text) continue;
    const std::string_view value = trimmed(rest.substr(word.text.size()));
    if (value.empty()) {
      throw std::invalid_argument("the condition '" + std::string(text) + "' has no value");
    }
    return {resolveParamKey(key), word.op, std::string(value)};
  }
  throw std::invalid_argument("the condition '" + std::string(text) +
                              "' needs one of = != < <= > >= ~ after the key");
}

RunFilter parseRunFilterText(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, any = false;
  for (const char c : text) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
      if (!word.empty() && word.find_first_of("=<>!~") != std::string::npos) word += c;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (any) words.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) words.push_back(word);

  RunFilter filter;
  std::string phrase;
  for (const std::string& w : words) {
    if (w.rfind("status:", 0) == 0) {
      std::string_view list = std::string_view(w).substr(7);
      while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        const std::optional<RunStatus> status = parseRunStatus(name);
        if (!status) {
          throw std::invalid_argument(
              "'" + std::string(name) +
              "' is not a status: use queued, running, completed, failed, cancelled or "
              "interrupted");
        }
        filter.statuses.push_back(*status);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    } else if (w.rfind("tag:", 0) == 0 && w.size() > 4) {
      filter.tags.push_back(w.substr(4));
    } else if (w.find_first_of("=<>~") != std::string::npos) {
      filter.params.push_back(parseParamPredicate(w));
    } else {
      phrase += (phrase.empty() ? "" : " ") + w;
    }
  }
  filter.text = phrase;
  return filter;
}

std::vector<std::string> runSortKeys() {
  return {"id",           "name",
          "status",       "created",
          "started",      "finished",
          "duration",     "heartbeat",
          "device",       "epochs",
          "attempt",      "test_accuracy",
          "test_loss",    "best_val_accuracy",
          "best_val_loss"};
}

std::vector<SeriesPoint> reduceSeries(const std::vector<SeriesPoint>& points, size_t maxPoints) {
  return series::decimatePoints(points, maxPoints, [](const SeriesPoint& p) { return p.value; });
}

}  // namespace layerlab::storage
