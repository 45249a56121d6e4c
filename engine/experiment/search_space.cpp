#include "engine/experiment/search_space.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace layerlab::engine {
namespace {

using nlohmann::json;

// Whole numbers up to 2^53 survive the trip through a double unchanged.
constexpr double kMaxWholeNumber = 9007199254740992.0;
constexpr size_t kMaxKeyLength = 200;
constexpr size_t kDescribedChoices = 6;

std::string trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Letters, digits, '_' and '-' (as node ids have them), segments joined by single dots.
bool isValidKey(const std::string& key) {
  if (key.empty() || key.size() > kMaxKeyLength || key.front() == '.' || key.back() == '.') {
    return false;
  }
  if (key.find("..") != std::string::npos) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool parseWhole(const std::string& text, int64_t& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, out);
  return error == std::errc() && ptr == end;
}

bool parseReal(const std::string& text, double& out) {
  // from_chars reads "inf" and "nan" too: only finite numbers count as numbers here.
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, out);
  return error == std::errc() && ptr == end && std::isfinite(out);
}

// One item of a choice list: a number when it reads as one, a bool, else the text itself.
json choiceValue(const std::string& item) {
  const std::string digits = !item.empty() && item.front() == '+' ? item.substr(1) : item;
  int64_t whole = 0;
  if (parseWhole(digits, whole)) return whole;
  double real = 0;
  if (parseReal(digits, real)) return real;
  if (item == "true") return true;
  if (item == "false") return false;
  return item;
}

std::string rangeProblem(const ParamDomain& d) {
  const bool isInt = d.kind == ParamDomain::Kind::Int;
  const std::string example =
      isInt ? (d.log ? "int:log:2..64" : "int:16..256") : (d.log ? "log:1e-4..1e-1" : "0.1..0.5");
  if (!std::isfinite(d.low) || !std::isfinite(d.high)) {
    return "the ends of a range must be finite numbers (e.g. " + example + ")";
  }
  if (!(d.low < d.high)) {
    return "a range needs low < high (write low..high, e.g. " + example + "; a single value is " +
           "a choice of one)";
  }
  if (d.log && d.low <= 0) return "a log range needs low > 0 (e.g. " + example + ")";
  if (isInt && (std::floor(d.low) != d.low || std::floor(d.high) != d.high)) {
    return "an int range needs whole-number ends (e.g. " + example + ")";
  }
  if (std::fabs(d.low) > kMaxWholeNumber || std::fabs(d.high) > kMaxWholeNumber) {
    return "the ends of a range must lie within ±9007199254740992";
  }
  return {};
}

std::string choiceProblem(const ParamDomain& d) {
  if (d.choices.empty()) return "a choice needs at least one value (e.g. 32,64,128)";
  if (d.choices.size() > kMaxParamChoices) {
    return "a choice holds at most " + std::to_string(kMaxParamChoices) + " values, not " +
           std::to_string(d.choices.size()) + "; use a range (e.g. int:16..256)";
  }
  for (size_t i = 0; i < d.choices.size(); ++i) {
    if (d.choices[i].is_null()) return "a choice value must not be null";
    for (size_t j = 0; j < i; ++j) {
      if (d.choices[j] == d.choices[i]) {
        return "the value " + describeValue(d.choices[i]) + " is listed twice";
      }
    }
  }
  return {};
}

// What is wrong with one domain, or an empty string.
std::string domainProblem(const ParamDomain& d) {
  if (!isValidKey(d.key)) {
    return "a key is letters, digits, '_' and '-' in dot-separated parts: a node's parameter "
           "(fc1.units) or a training setting (lr, schedule.type)";
  }
  return d.kind == ParamDomain::Kind::Choice ? choiceProblem(d) : rangeProblem(d);
}

ParamDomain parseRange(const std::string& key, std::string spec, const std::string& flag) {
  ParamDomain d;
  d.key = key;
  d.kind = ParamDomain::Kind::Real;
  for (bool prefixed = true; prefixed;) {
    prefixed = false;
    if (spec.rfind("int:", 0) == 0) d.kind = ParamDomain::Kind::Int, prefixed = true;
    if (spec.rfind("log:", 0) == 0) d.log = true, prefixed = true;
    if (prefixed) spec = spec.substr(4);
  }
  const size_t dots = spec.find("..");
  if (dots == std::string::npos) {
    throw std::invalid_argument(flag + ": 'int:' and 'log:' need a range low..high (e.g. " + key +
                                "=int:16..256 or " + key + "=log:1e-4..1e-1)");
  }
  const std::string lowText = trim(spec.substr(0, dots));
  const std::string highText = trim(spec.substr(dots + 2));
  for (const auto& [text, end] : {std::pair{lowText, &d.low}, std::pair{highText, &d.high}}) {
    if (!parseReal(text, *end)) {
      throw std::invalid_argument(flag + ": '" + text + "' is not a number; write a range as " +
                                  "low..high (e.g. " + key + "=0.1..0.5)");
    }
  }
  return d;
}

// The shortest text that reads back as `value`, in %g's style: 0.0001, 1e-05, 0.1, 256.
std::string formatNumber(double value) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

double readEnd(const json& doc, const char* field, const std::string& where) {
  if (!doc.contains(field) || !doc.at(field).is_number()) {
    throw std::invalid_argument(where + ": '" + field + "' must be a number (e.g. {\"type\": " +
                                "\"real\", \"low\": 0.1, \"high\": 0.5})");
  }
  return doc.at(field).get<double>();
}

ParamDomain domainFromJson(const std::string& key, const json& doc) {
  const std::string where = "search space parameter '" + key + "'";
  if (!doc.is_object()) {
    throw std::invalid_argument(where + " must be an object such as {\"type\": \"choice\", " +
                                "\"values\": [32, 64]}");
  }
  const json type = doc.value("type", json());
  const bool isChoice = type == "choice";
  if (!isChoice && type != "int" && type != "real") {
    throw std::invalid_argument(where + ": 'type' must be \"choice\", \"int\" or \"real\"");
  }
  for (const auto& [field, value] : doc.items()) {
    const bool known =
        field == "type" ||
        (isChoice ? field == "values" : field == "low" || field == "high" || field == "log");
    if (!known) {
      throw std::invalid_argument(where + ": unknown field '" + field + "' (a " +
                                  type.get<std::string>() + " takes " +
                                  (isChoice ? "type, values)" : "type, low, high, log)"));
    }
  }
  ParamDomain d;
  d.key = key;
  if (isChoice) {
    const json values = doc.value("values", json());
    if (!values.is_array() || values.size() > kMaxParamChoices + 1) {
      throw std::invalid_argument(where + ": 'values' must be a list of at most " +
                                  std::to_string(kMaxParamChoices) + " values");
    }
    d.choices.assign(values.begin(), values.end());
    return d;
  }
  d.kind = type == "int" ? ParamDomain::Kind::Int : ParamDomain::Kind::Real;
  d.low = readEnd(doc, "low", where);
  d.high = readEnd(doc, "high", where);
  const json log = doc.value("log", json(false));
  if (!log.is_boolean()) throw std::invalid_argument(where + ": 'log' must be true or false");
  d.log = log.get<bool>();
  return d;
}

}  // namespace

const ParamDomain* SearchSpace::find(const std::string& key) const {
  for (const ParamDomain& domain : params) {
    if (domain.key == key) return &domain;
  }
  return nullptr;
}

ParamDomain parseParamFlag(const std::string& text) {
  const std::string flag = "--param \"" + text + "\"";
  const size_t equals = text.find('=');
  if (equals == std::string::npos) {
    throw std::invalid_argument(flag + ": write key=values (e.g. lr=log:1e-4..1e-1, " +
                                "fc1.units=32,64,128 or optimizer=adam)");
  }
  const std::string key = trim(text.substr(0, equals));
  const std::string spec = trim(text.substr(equals + 1));
  ParamDomain d;
  if (spec.rfind("int:", 0) == 0 || spec.rfind("log:", 0) == 0 ||
      spec.find("..") != std::string::npos) {
    d = parseRange(key, spec, flag);
  } else {
    d.key = key;
    for (size_t start = 0; start <= spec.size();) {
      const size_t comma = std::min(spec.find(',', start), spec.size());
      const std::string item = trim(spec.substr(start, comma - start));
      if (item.empty()) {
        throw std::invalid_argument(flag + ": a value is missing; list values as a,b,c (e.g. " +
                                    (key.empty() ? std::string("optimizer") : key) + "=adam,sgd)");
      }
      if (d.choices.size() > kMaxParamChoices) break;  // domainProblem refuses it below
      d.choices.push_back(choiceValue(item));
      start = comma + 1;
    }
  }
  const std::string problem = domainProblem(d);
  if (!problem.empty()) throw std::invalid_argument(flag + ": " + problem);
  return d;
}

SearchSpace searchSpaceFromFlags(const std::vector<std::string>& flags) {
  SearchSpace space;
  std::map<std::string, std::string> flagOfKey;
  for (const std::string& flag : flags) {
    ParamDomain domain = parseParamFlag(flag);
    const auto [it, fresh] = flagOfKey.emplace(domain.key, flag);
    if (!fresh) {
      throw std::invalid_argument("--param \"" + flag + "\": " + domain.key +
                                  " is already given by --param \"" + it->second +
                                  "\"; give each key once, with all its values");
    }
    space.params.push_back(std::move(domain));
  }
  validateSearchSpace(space);
  return space;
}

void validateSearchSpace(const SearchSpace& space) {
  if (space.params.size() > kMaxSearchParams) {
    throw std::invalid_argument("the search space has " + std::to_string(space.params.size()) +
                                " parameters, more than the limit of " +
                                std::to_string(kMaxSearchParams) + "; search fewer at a time");
  }
  for (size_t i = 0; i < space.params.size(); ++i) {
    const ParamDomain& d = space.params[i];
    const std::string problem = domainProblem(d);
    if (!problem.empty()) throw std::invalid_argument("parameter '" + d.key + "': " + problem);
    for (size_t j = 0; j < i; ++j) {
      if (space.params[j].key == d.key) {
        throw std::invalid_argument("parameter '" + d.key + "' is given twice; give it once");
      }
    }
  }
}

SearchSpace searchSpaceFromJson(const nlohmann::json& doc) {
  if (!doc.is_object()) {
    throw std::invalid_argument("a search space must be an object keyed by parameter, such as " +
                                std::string("{\"lr\": {\"type\": \"real\", \"low\": 1e-4, ") +
                                "\"high\": 0.1, \"log\": true}}");
  }
  if (doc.size() > kMaxSearchParams) {
    throw std::invalid_argument("the search space has " + std::to_string(doc.size()) +
                                " parameters, more than the limit of " +
                                std::to_string(kMaxSearchParams) + "; search fewer at a time");
  }
  SearchSpace space;
  for (const auto& [key, value] : doc.items()) {
    ParamDomain d = domainFromJson(key, value);
    const std::string problem = domainProblem(d);
    if (!problem.empty()) {
      throw std::invalid_argument("search space parameter '" + key + "': " + problem);
    }
    space.params.push_back(std::move(d));
  }
  validateSearchSpace(space);
  return space;
}

nlohmann::json toJson(const SearchSpace& space) {
  json doc = json::object();
  for (const ParamDomain& d : space.params) {
    if (d.kind == ParamDomain::Kind::Choice) {
      doc[d.key] = {{"type", "choice"}, {"values", d.choices}};
    } else if (d.kind == ParamDomain::Kind::Int) {
      doc[d.key] = {{"type", "int"},
                    {"low", static_cast<int64_t>(d.low)},
                    {"high", static_cast<int64_t>(d.high)},
                    {"log", d.log}};
    } else {
      doc[d.key] = {{"type", "real"}, {"low", d.low}, {"high", d.high}, {"log", d.log}};
    }
  }
  return doc;
}

std::string describeValue(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return formatNumber(value.get<double>());
  return value.dump();
}

std::string describe(const ParamDomain& d) {
  if (d.kind == ParamDomain::Kind::Choice) {
    std::string text;
    for (size_t i = 0; i < d.choices.size() && i < kDescribedChoices; ++i) {
      text += (i == 0 ? "" : ", ") + describeValue(d.choices[i]);
    }
    if (d.choices.size() > kDescribedChoices) {
      text += ", … (" + std::to_string(d.choices.size()) + " values)";
    }
    return text;
  }
  std::string text = d.kind == ParamDomain::Kind::Int ? "int " : "";
  if (d.log) text += "log ";
  return text + formatNumber(d.low) + " … " + formatNumber(d.high);
}

}  // namespace layerlab::engine
