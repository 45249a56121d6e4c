// Search spaces as tables: every flag form and what it reads as, every refusal and the words
// its message must hold, the JSON form both ways, and the short descriptions.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/experiment/search_space.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;
using Kind = ParamDomain::Kind;

// The message of the std::invalid_argument `call` throws, or "" when it throws none.
template <class Call>
std::string refusal(Call call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(ParamFlag, ReadsEveryForm) {
  const struct {
    const char* flag;
    const char* key;
    Kind kind;
    double low, high;
    bool log;
    json choices;
  } cases[] = {
      {"lr=log:1e-4..1e-1", "lr", Kind::Real, 1e-4, 1e-1, true, json::array()},
      {"drop.rate=0.1..0.5", "drop.rate", Kind::Real, 0.1, 0.5, false, json::array()},
      {"fc1.units=int:16..256", "fc1.units", Kind::Int, 16, 256, false, json::array()},
      {"epochs=int:log:2..64", "epochs", Kind::Int, 2, 64, true, json::array()},
      {"epochs=log:int:2..64", "epochs", Kind::Int, 2, 64, true, json::array()},
      {"x=-1.5..2", "x", Kind::Real, -1.5, 2, false, json::array()},
      {"fc1.units=32,64,128", "fc1.units", Kind::Choice, 0, 0, false, {32, 64, 128}},
      {"optimizer=adam", "optimizer", Kind::Choice, 0, 0, false, {"adam"}},
      {"nesterov=true,false", "nesterov", Kind::Choice, 0, 0, false, {true, false}},
      {"mix = 1, 2.5, relu ,+3", "mix", Kind::Choice, 0, 0, false, {1, 2.5, "relu", 3}},
      {"name=inf,nan", "name", Kind::Choice, 0, 0, false, {"inf", "nan"}},
      {"conv-1.filters=16", "conv-1.filters", Kind::Choice, 0, 0, false, {16}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.flag);
    const ParamDomain d = parseParamFlag(c.flag);
    EXPECT_EQ(d.key, c.key);
    EXPECT_EQ(d.kind, c.kind);
    if (c.kind == Kind::Choice) {
      ASSERT_EQ(json(d.choices), c.choices);
      for (size_t i = 0; i < d.choices.size(); ++i)  // 1 stays an integer, 2.5 a double
        EXPECT_EQ(d.choices[i].type(), c.choices[i].type()) << i;
    } else {
      EXPECT_DOUBLE_EQ(d.low, c.low);
      EXPECT_DOUBLE_EQ(d.high, c.high);
      EXPECT_EQ(d.log, c.log);
    }
  }
}

TEST(ParamFlag, RefusesBadFlagsNamingThemAndSayingWhatToWrite) {
  const struct {
    const char* flag;
    std::vector<const char*> words;  // besides the flag itself
  } cases[] = {
      {"lr=log:0..1", {"log range needs low > 0"}},
      {"lr=log:-1..1", {"low > 0"}},
      {"lr=0.5..0.1", {"low < high"}},
      {"lr=0.5..0.5", {"low < high"}},
      {"fc1.units=int:1.5..8", {"whole-number", "int:16..256"}},
      {"lr=a..b", {"'a' is not a number", "low..high"}},
      {"lr=inf..1", {"not a number"}},
      {"lr=int:", {"need a range low..high"}},
      {"lr", {"write key=values"}},
      {"=1,2", {"a key is"}},
      {"fc1 units=1", {"a key is"}},
      {"fc1..units=1", {"a key is"}},
      {"lr=", {"value is missing"}},
      {"fc1.units=32,,64", {"value is missing"}},
      {"act=relu,relu", {"relu is listed twice"}},
      {"x=int:0..1e300", {"within"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.flag);
    const std::string message = refusal([&] { parseParamFlag(c.flag); });
    ASSERT_FALSE(message.empty());
    EXPECT_NE(message.find(std::string("--param \"") + c.flag + "\""), std::string::npos)
        << message;
    for (const char* word : c.words)
      EXPECT_NE(message.find(word), std::string::npos) << message;
  }
}

TEST(ParamFlag, RefusesMoreThanAThousandChoicesAndRepeatedKeys) {
  std::string flag = "x=0";
  for (int i = 1; i <= 1000; ++i)
    flag += "," + std::to_string(i);
  EXPECT_NE(refusal([&] { parseParamFlag(flag); }).find("at most 1000"), std::string::npos);
  flag.resize(flag.rfind(','));  // 1,000 values exactly
  EXPECT_EQ(parseParamFlag(flag).choices.size(), 1000U);

  const std::string twice = refusal([] {
    searchSpaceFromFlags({"lr=log:1e-4..1e-1", "fc1.units=32", "lr=0.1"});
  });
  EXPECT_NE(twice.find("--param \"lr=0.1\""), std::string::npos) << twice;
  EXPECT_NE(twice.find("already given by --param \"lr=log:1e-4..1e-1\""), std::string::npos)
      << twice;
  EXPECT_EQ(searchSpaceFromFlags({"lr=log:1e-4..1e-1", "fc1.units=32"}).params.size(), 2U);
}

TEST(SearchSpaceJson, ReadsWritesAndReadsBackTheSame) {
  const json doc = json::parse(R"({
      "lr": {"type": "real", "low": 1e-4, "high": 0.1, "log": true},
      "fc1.units": {"type": "choice", "values": [32, 64, 128]},
      "epochs": {"type": "int", "low": 2, "high": 8}})");
  const SearchSpace space = searchSpaceFromJson(doc);
  ASSERT_EQ(space.params.size(), 3U);
  // Sorted by key: epochs, fc1.units, lr.
  EXPECT_EQ(space.params[0].key, "epochs");
  EXPECT_EQ(space.params[0].kind, Kind::Int);
  EXPECT_FALSE(space.params[0].log);
  EXPECT_EQ(space.params[1].kind, Kind::Choice);
  EXPECT_EQ(json(space.params[1].choices), json({32, 64, 128}));
  ASSERT_NE(space.find("lr"), nullptr);
  EXPECT_TRUE(space.find("lr")->log);
  EXPECT_DOUBLE_EQ(space.find("lr")->low, 1e-4);

  const json written = toJson(space);
  EXPECT_TRUE(written["epochs"]["low"].is_number_integer());
  EXPECT_EQ(written["lr"]["type"], "real");
  EXPECT_EQ(toJson(searchSpaceFromJson(written)), written);
  EXPECT_EQ(searchSpaceFromJson(written).params.size(), 3U);
}

TEST(SearchSpaceJson, RefusesBadDocumentsNamingTheKey) {
  const struct {
    const char* doc;
    std::vector<const char*> words;
  } cases[] = {
      {R"({"lr": {"type": "real", "low": 0, "high": 1, "log": true}})", {"'lr'", "low > 0"}},
      {R"({"lr": {"type": "real", "low": 1, "high": 2, "step": 1}})",
       {"'lr'", "unknown field 'step'"}},
      {R"({"act": {"type": "choice", "values": ["relu"], "low": 1}})",
       {"'act'", "unknown field 'low'"}},
      {R"({"act": {"type": "choices", "values": ["relu"]}})", {"'act'", "'type' must be"}},
      {R"({"act": {"type": "choice", "values": []}})", {"'act'", "at least one value"}},
      {R"({"act": {"type": "choice", "values": "relu"}})", {"'act'", "must be a list"}},
      {R"({"n": {"type": "int", "low": 1}})", {"'n'", "'high' must be a number"}},
      {R"({"n": {"type": "int", "low": 1, "high": 9, "log": "yes"}})", {"'n'", "'log'"}},
      {R"({"bad key": {"type": "int", "low": 1, "high": 9}})", {"'bad key'", "a key is"}},
      {R"({"n": 5})", {"'n'", "must be an object"}},
      {R"([1, 2])", {"must be an object"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.doc);
    const std::string message = refusal([&] { searchSpaceFromJson(json::parse(c.doc)); });
    ASSERT_FALSE(message.empty());
    for (const char* word : c.words)
      EXPECT_NE(message.find(word), std::string::npos) << message;
  }
  json many = json::object();
  for (int i = 0; i < 65; ++i)
    many["p" + std::to_string(i)] = {{"type", "choice"}, {"values", {1}}};
  EXPECT_NE(refusal([&] { searchSpaceFromJson(many); }).find("limit of 64"), std::string::npos);
  many.erase("p0");
  EXPECT_EQ(searchSpaceFromJson(many).params.size(), 64U);
}

TEST(SearchSpace, DescribesEachDomainShortly) {
  const struct {
    const char* flag;
    const char* text;
  } cases[] = {
      {"lr=log:1e-4..1e-1", "log 0.0001 … 0.1"},
      {"drop.rate=0.1..0.5", "0.1 … 0.5"},
      {"fc1.units=int:16..256", "int 16 … 256"},
      {"epochs=int:log:2..64", "int log 2 … 64"},
      {"fc1.units=32,64,128", "32, 64, 128"},
      {"optimizer=adam,sgd", "adam, sgd"},
      {"x=1,2,3,4,5,6,7,8", "1, 2, 3, 4, 5, 6, … (8 values)"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(describe(parseParamFlag(c.flag)), c.text) << c.flag;
}

TEST(SearchSpace, ValidateRefusesRepeatedKeysBuiltInCode) {
  SearchSpace space;
  space.params.push_back(parseParamFlag("lr=0.1,0.2"));
  space.params.push_back(parseParamFlag("lr=0.3"));
  EXPECT_NE(refusal([&] { validateSearchSpace(space); }).find("'lr' is given twice"),
            std::string::npos);
}

}  // namespace
}  // namespace layerlab::engine
