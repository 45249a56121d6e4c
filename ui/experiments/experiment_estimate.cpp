#include "ui/experiments/experiment_estimate.h"

#include <algorithm>
#include <cmath>

#include "engine/data/dataset_spec.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"

namespace layerlab::ui {
namespace {

// Fashion-MNIST's training part; the rest of a split goes to validation.
constexpr double kFashionMnistTrainSamples = 60'000;
constexpr double kDefaultValFraction = 0.1;
// Forward and backward together cost about three forward passes.
constexpr double kTrainingPassFactor = 3.0;

}  // namespace

std::optional<double> trainingSamples(const nlohmann::json& data) {
  const double limit = data.value("limit", 0.0);
  const std::string source = data.value("source", std::string(engine::kFashionMnist));
  double samples = limit;
  if (samples <= 0) {
    if (source != engine::kFashionMnist) return std::nullopt;
    samples = kFashionMnistTrainSamples;
  }
  const double val = data.contains("val_fraction") && data["val_fraction"].is_number()
                         ? data["val_fraction"].get<double>()
                         : kDefaultValFraction;
  return samples * (1.0 - val);
}

std::optional<double> estimateExperimentSeconds(const engine::ExperimentSpec& spec, int cores) {
  const engine::ModelParseResult parsed = engine::parseModelSpec(spec.base.model.dump());
  if (!parsed.spec) return std::nullopt;
  const engine::ModelAnalysis analysis = engine::analyzeModel(*parsed.spec);
  const std::optional<double> samples = trainingSamples(spec.data);
  if (!samples || analysis.totalMacs <= 0) return std::nullopt;
  const double epochs = std::max(1, spec.base.train.value("epochs", 1));
  const double perTrial = kTrialStartSeconds + epochs * *samples *
                                                   static_cast<double>(analysis.totalMacs) *
                                                   kTrainingPassFactor / kAssumedMacsPerSecond;
  // Trials side by side share the cores: more than the cores gain nothing.
  const double lanes = std::clamp(std::min(spec.parallel, cores), 1, engine::kMaxParallel);
  return perTrial * engine::trialBudget(spec) / lanes;
}

}  // namespace layerlab::ui
