// The space a hyperparameter experiment searches: one domain per parameter key, read from the
// CLI's `--param` flags or from the experiment's JSON document, and written back as JSON.
//
// A key names what a trial changes (trial_params.h applies it): `fc1.units` is node fc1's
// parameter, `lr` or `schedule.type` a training setting.
//
// Plain data, no torch, no Qt: pure functions, any thread. Refusals throw std::invalid_argument
// with a message that names the flag or key and says what to write instead.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace layerlab::engine {

// A space holds at most this many parameters, and a choice at most this many values.
inline constexpr size_t kMaxSearchParams = 64;
inline constexpr size_t kMaxParamChoices = 1000;

struct ParamDomain {
  enum class Kind { Choice, Int, Real };

  std::string key;
  Kind kind = Kind::Choice;
  std::vector<nlohmann::json> choices;  // Choice: the values, in the order given
  double low = 0, high = 0;             // Int and Real: both ends included; Int ends are whole
  bool log = false;                     // Int and Real: spread evenly on a log scale
};

struct SearchSpace {
  std::vector<ParamDomain> params;

  const ParamDomain* find(const std::string& key) const;
};

// One `--param` flag: `lr=log:1e-4..1e-1` (real, log scale), `drop.rate=0.1..0.5` (real),
// `fc1.units=int:16..256`, `epochs=int:log:2..64`, `fc1.units=32,64,128` (a choice: each item a
// JSON number when it reads as one, true/false a bool, anything else a string); a single value
// (`optimizer=adam`) is a choice of one.
ParamDomain parseParamFlag(const std::string& text);

// The space of several flags, in their order; a key given twice is refused naming both flags.
SearchSpace searchSpaceFromFlags(const std::vector<std::string>& flags);

// The JSON form, an object keyed by parameter key:
//   {"lr": {"type": "real", "low": 1e-4, "high": 0.1, "log": true},
//    "fc1.units": {"type": "choice", "values": [32, 64, 128]},
//    "epochs": {"type": "int", "low": 2, "high": 8}}
// Unknown fields are refused naming the key. The parameters come out sorted by key (JSON
// objects keep their keys sorted), so a space read back from its JSON has a stable order.
SearchSpace searchSpaceFromJson(const nlohmann::json& doc);
nlohmann::json toJson(const SearchSpace& space);

// Refuses a space with a bad domain, a repeated key or more than kMaxSearchParams parameters.
// The readers above call it; a space built in code can call it too.
void validateSearchSpace(const SearchSpace& space);

// Short text for a list or a tooltip: "log 0.0001 … 0.1", "0.1 … 0.5", "int 16 … 256",
// "int log 2 … 64", "32, 64, 128", "adam".
std::string describe(const ParamDomain& domain);

// A value as the descriptions write it: strings bare, numbers in their shortest form.
std::string describeValue(const nlohmann::json& value);

}  // namespace layerlab::engine
