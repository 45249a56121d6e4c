#include <gtest/gtest.h>

#include <stdexcept>

#include "storage/run_filter.h"
#include "storage/run_types.h"

namespace layerlab::storage {
namespace {

TEST(RunTypes, StatusNamesRoundTrip) {
  const std::pair<RunStatus, std::string_view> cases[] = {
      {RunStatus::Queued, "queued"},       {RunStatus::Running, "running"},
      {RunStatus::Completed, "completed"}, {RunStatus::Failed, "failed"},
      {RunStatus::Cancelled, "cancelled"}, {RunStatus::Interrupted, "interrupted"},
  };
  for (const auto& [status, name] : cases) {
    EXPECT_EQ(toString(status), name);
    EXPECT_EQ(parseRunStatus(name), status) << name;
  }
}

TEST(RunTypes, UnknownStatusTextIsRejected) {
  for (std::string_view text : {"", "Running", "done", "running ", "interrupt"}) {
    EXPECT_EQ(parseRunStatus(text), std::nullopt) << '"' << text << '"';
  }
}

struct PredicateCase {
  const char* text;
  const char* key;
  CompareOp op;
  const char* value;
};

TEST(RunTypes, ParameterConditionsParse) {
  const PredicateCase cases[] = {
      {"lr<0.01", "config.learning_rate", CompareOp::Less, "0.01"},
      {" lr <= 1e-3 ", "config.learning_rate", CompareOp::LessEqual, "1e-3"},
      {"optimizer=adam", "config.optimizer", CompareOp::Equal, "adam"},
      {"optimizer == adam", "config.optimizer", CompareOp::Equal, "adam"},
      {"batch_size>=64", "config.batch_size", CompareOp::GreaterEqual, "64"},
      {"epochs>5", "config.epochs", CompareOp::Greater, "5"},
      {"schedule!=cosine", "config.schedule.type", CompareOp::NotEqual, "cosine"},
      {"momentum<>0.9", "config.momentum", CompareOp::NotEqual, "0.9"},
      {"device~cuda", "run.device", CompareOp::Contains, "cuda"},
      {"label_smoothing=0.1", "config.label_smoothing", CompareOp::Equal, "0.1"},
      {"dataset.limit=500", "dataset.limit", CompareOp::Equal, "500"},
      {"data=fashion-mnist", "dataset.source", CompareOp::Equal, "fashion-mnist"},
      {"model = it's; --", "model.name", CompareOp::Equal, "it's; --"},
      {"seed=\"42\"", "config.seed", CompareOp::Equal, "\"42\""},
  };
  for (const PredicateCase& c : cases) {
    const ParamPredicate predicate = parseParamPredicate(c.text);
    EXPECT_EQ(predicate.key, c.key) << c.text;
    EXPECT_EQ(predicate.op, c.op) << c.text;
    EXPECT_EQ(predicate.value, c.value) << c.text;
  }
  for (const char* bad : {"", "lr", "lr<", "<0.1", "lr 0.1", "'lr'=1", "lr ! 3"}) {
    EXPECT_THROW(parseParamPredicate(bad), std::invalid_argument) << bad;
  }
}

TEST(RunTypes, ParamValuesPrintAsTheyWereWritten) {
  EXPECT_EQ((ParamValue{ParamType::Real, 0, 0.001, ""}).toString(), "0.001");
  EXPECT_EQ((ParamValue{ParamType::Real, 0, 1e-7, ""}).toString(), "1e-07");
  EXPECT_EQ((ParamValue{ParamType::Integer, -3, 0, ""}).toString(), "-3");
  EXPECT_EQ((ParamValue{ParamType::Bool, 0, 0, ""}).toString(), "false");
  EXPECT_EQ((ParamValue{ParamType::Null, 0, 0, ""}).toString(), "null");
  EXPECT_EQ((ParamValue{ParamType::Text, 0, 0, "adam"}).toString(), "adam");
}

}  // namespace
}  // namespace layerlab::storage
