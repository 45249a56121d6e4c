// A trial's documents: parameters land in the model's nodes and in the training settings, and
// every key that cannot land is refused with a message that names it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/experiment/trial_params.h"
#include "engine/train/train_config.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

ExperimentBase mlpBase() {
  std::ifstream file(std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json");
  std::stringstream text;
  text << file.rdbuf();
  return {json::parse(text.str()), toJson(TrainConfig{})};
}

const json& node(const json& model, const std::string& id) {
  for (const json& n : model["nodes"]) {
    if (n["id"] == id) return n;
  }
  throw std::logic_error("no node " + id);
}

template <class Call>
std::string refusal(Call call) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(TrialParams, SetsNodeParametersAndTrainingSettings) {
  const ExperimentBase base = mlpBase();
  const json params = {{"fc1.units", 64},
                       {"fc1.use_bias", false},
                       {"lr", 0.01},
                       {"batch_size", 128},
                       {"schedule.type", "cosine"},
                       {"optimizer", "sgd"},
                       {"early_stopping.patience", 3}};
  const ExperimentBase trial = applyParams(base, params);
  EXPECT_EQ(node(trial.model, "fc1")["units"], 64);
  EXPECT_EQ(node(trial.model, "fc1")["use_bias"], false);  // a Dense parameter the node lacked
  EXPECT_EQ(node(trial.model, "out")["units"], 10);
  const TrainConfig config = trainConfigFromJson(trial.train);
  EXPECT_DOUBLE_EQ(config.learningRate, 0.01);
  EXPECT_EQ(config.batchSize, 128);
  EXPECT_EQ(config.schedule.type, "cosine");
  EXPECT_EQ(config.optimizer, "sgd");
  EXPECT_EQ(config.earlyStopping.patience, 3);
  // The base is left as it was.
  EXPECT_EQ(node(base.model, "fc1")["units"], 128);
  EXPECT_EQ(base.train["learning_rate"], 1e-3);
  // A schedule written as its bare type takes a nested key too.
  ExperimentBase shorthand = base;
  shorthand.train["schedule"] = "step";
  const ExperimentBase stepped = applyParams(shorthand, {{"schedule.step_size", 4}});
  EXPECT_EQ(trainConfigFromJson(stepped.train).schedule.type, "step");
  EXPECT_EQ(trainConfigFromJson(stepped.train).schedule.stepSize, 4);
}

TEST(TrialParams, RefusesKeysThatCannotLandNamingThem) {
  const struct {
    json params;
    std::vector<const char*> words;
  } cases[] = {
      {{{"fc9.units", 64}}, {"'fc9.units'", "no node 'fc9'", "fc1"}},
      {{{"fc1.unit", 64}}, {"'fc1.unit'", "node 'fc1' (Dense)", "no parameter 'unit'", "units"}},
      {{{"act1.alpha", 1}}, {"'act1.alpha'", "node 'act1' (ReLU)", "no parameter 'alpha'"}},
      {{{"fc1.type", "Conv2d"}}, {"'fc1.type'", "structure"}},
      {{{"fc1.inputs", json::array({"flat"})}}, {"'fc1.inputs'", "structure"}},
      {{{"fc1.units", 0}}, {"'fc1.units' = 0", "units must be"}},
      {{{"fc1.units", "many"}}, {"'fc1.units' = many", "units must be an integer"}},
      {{{"fc1", 3}}, {"'fc1' names a node", "fc1.<parameter> (units, use_bias)"}},
      {{{"learning_rat", 0.1}},
       {"'learning_rat'", "no training setting by that name", "learning_rate (lr)"}},
      {{{"schedule.kind", "step"}}, {"'schedule.kind'", "no training setting by that name"}},
      {{{"schedule", "step"}}, {"'schedule'", "schedule.type"}},
      {{{"format", "x"}}, {"'format'", "no training setting"}},
      {{{"epochs", 2.5}}, {"'epochs' = 2.5", "whole number"}},
      {{{"optimizer", 3}}, {"'optimizer' = 3", "a text"}},
      {{{"lr", -1.0}}, {"lr = -1", "learning rate must be a positive number"}},
      {{{"momentum", 1.5}}, {"momentum = 1.5", "momentum must be in [0, 1)"}},
      {{{"schedule.type", "linear"}}, {"schedule.type = linear", "schedule must be"}},
      {{{"lr", nullptr}}, {"'lr' has no value"}},
      {json::array({1}), {"must be an object"}},
  };
  const ExperimentBase base = mlpBase();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.params.dump());
    const std::string message = refusal([&] { applyParams(base, c.params); });
    ASSERT_FALSE(message.empty());
    for (const char* word : c.words)
      EXPECT_NE(message.find(word), std::string::npos) << message;
  }
}

TEST(TrialParams, ChecksASpaceBeforeAnyTrialRuns) {
  const ExperimentBase base = mlpBase();
  EXPECT_NO_THROW(checkSpaceAgainstBase(
      searchSpaceFromFlags({"lr=log:1e-4..1e-1", "fc1.units=int:16..256", "optimizer=adam,sgd",
                            "epochs=int:log:2..64", "schedule.type=constant,cosine"}),
      base));
  const struct {
    const char* flag;
    const char* words;
  } cases[] = {
      {"fc1.unitz=16,32", "'fc1.unitz'"},         {"optimiser=adam", "'optimiser'"},
      {"optimizer=adam,sgdd", "'sgdd'"},        // the second choice is tried too
      {"momentum=0.5..1.5", "momentum = 1.5"},  // and the high end
      {"fc1.units=int:0..64", "'fc1.units' = 0"},
  };
  for (const auto& c : cases) {
    const std::string message = refusal([&] {
      checkSpaceAgainstBase(searchSpaceFromFlags({"lr=log:1e-4..1e-1", c.flag}), base);
    });
    EXPECT_NE(message.find(c.words), std::string::npos) << c.flag << ": " << message;
  }
}

}  // namespace
}  // namespace layerlab::engine
