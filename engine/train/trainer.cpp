#include "engine/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <thread>

namespace layerlab::engine {
namespace {

constexpr int64_t kEvalBatchSize = 1024;

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainConfig& config,
                                                       torch::nn::Module& model) {
  if (config.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        model.parameters(),
        torch::optim::SGDOptions(config.learningRate).momentum(config.momentum));
  }
  return std::make_unique<torch::optim::Adam>(model.parameters(),
                                              torch::optim::AdamOptions(config.learningRate));
}

// Sums kept on the device between reports, so that no batch waits for the host.
struct RunningSums {
  torch::Tensor loss;
  torch::Tensor correct;
  int64_t samples = 0;

  explicit RunningSums(const torch::Device& device)
      : loss(torch::zeros({}, torch::TensorOptions(torch::kFloat64).device(device))),
        correct(torch::zeros({}, torch::TensorOptions(torch::kInt64).device(device))) {}

  void add(const torch::Tensor& batchLoss, const torch::Tensor& output,
           const torch::Tensor& targets) {
    const int64_t n = targets.size(0);
    loss.add_(batchLoss.detach().to(torch::kFloat64) * static_cast<double>(n));
    correct.add_(output.detach().argmax(1).eq(targets).sum());
    samples += n;
  }
  double meanLoss() const { return samples ? loss.item<double>() / samples : 0.0; }
  double accuracy() const {
    return samples ? static_cast<double>(correct.item<int64_t>()) / samples : 0.0;
  }
};

}  // namespace

struct Trainer::EpochTotals {
  double loss = 0;
  double accuracy = 0;
  int64_t samples = 0;
  double seconds = 0;
  bool stopped = false;
};

torch::Device resolveDevice(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" || name == "auto") {
    if (torch::cuda::is_available()) return {torch::kCUDA, 0};
    if (name == "auto") return torch::kCPU;
    throw std::invalid_argument(
        "--device cuda: this LibTorch build sees no CUDA device; use --device cpu or auto");
  }
  throw std::invalid_argument("unknown device '" + name + "' (auto, cpu or cuda)");
}

std::string describeDevice(const torch::Device& device) {
  if (device.is_cuda()) return "CUDA:" + std::to_string(device.index());
  return "CPU (" + std::to_string(at::get_num_threads()) + " threads)";
}

int defaultThreadCount() {
  // OMP_NUM_THREADS is how users (and test runners sharing the cores) cap OpenMP programs.
  if (const char* env = std::getenv("OMP_NUM_THREADS"); env != nullptr) {
    const int threads = std::atoi(env);
    if (threads > 0) return threads;
  }
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

void prepareDeterministicRun(uint64_t seed, int threads) {
  at::set_num_threads(threads > 0 ? threads : defaultThreadCount());
  torch::manual_seed(seed);
}

Trainer::Trainer(GraphModule model, TrainConfig config, torch::Device device)
    : m_model(std::move(model)), m_config(std::move(config)), m_device(device) {
  m_model->to(m_device);
}

FitResult Trainer::fit(const TensorDataset& trainData, const TensorDataset& valData,
                       const TrainCallbacks& callbacks, const TrainControl* control) {
  const TensorDataset train = trainData.to(m_device);
  const TensorDataset val = valData.to(m_device);
  auto optimizer = makeOptimizer(m_config, *m_model);
  m_wallStart = nowSeconds();
  FitResult result;
  for (int epoch = 1; epoch <= m_config.epochs; ++epoch) {
    const EpochTotals totals = runEpoch(epoch, train, *optimizer, callbacks, control);
    if (totals.stopped) {
      result.stopped = true;
      break;
    }
    EpochSummary summary{.epoch = epoch,
                         .epochs = m_config.epochs,
                         .step = m_step,
                         .trainLoss = totals.loss,
                         .trainAccuracy = totals.accuracy};
    summary.valLoss = summary.valAccuracy = std::numeric_limits<double>::quiet_NaN();
    if (val.size() > 0) {
      const EvalResult eval = evaluate(val);
      summary.valLoss = eval.loss;
      summary.valAccuracy = eval.accuracy;
    }
    summary.seconds = totals.seconds;
    summary.samplesPerSecond = totals.samples / std::max(totals.seconds, 1e-9);
    summary.wallSeconds = nowSeconds() - m_wallStart;
    result.history.push_back(summary);
    if (callbacks.onEpoch) callbacks.onEpoch(summary);
  }
  return result;
}

Trainer::EpochTotals Trainer::runEpoch(int epoch, const TensorDataset& train,
                                       torch::optim::Optimizer& optimizer,
                                       const TrainCallbacks& callbacks,
                                       const TrainControl* control) {
  m_model->train();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(m_config.seed + epoch);
  const torch::Tensor order = torch::randperm(train.size(), generator, torch::kInt64).to(m_device);
  const int64_t batches = (train.size() + m_config.batchSize - 1) / m_config.batchSize;
  RunningSums epochSums(m_device), windowSums(m_device);
  EpochTotals totals;
  double start = nowSeconds(), paused = 0;
  for (int64_t batch = 0; batch < batches; ++batch) {
    if (control != nullptr) {
      const double before = nowSeconds();
      control->waitWhilePaused();
      paused += nowSeconds() - before;
      if (control->stopRequested()) {
        totals.stopped = true;
        return totals;
      }
    }
    const torch::Tensor index = order.slice(
        0, batch * m_config.batchSize, std::min(train.size(), (batch + 1) * m_config.batchSize));
    const torch::Tensor inputs = train.inputs.index_select(0, index);
    const torch::Tensor targets = train.targets.index_select(0, index);
    optimizer.zero_grad();
    const torch::Tensor output = m_model->forward(inputs);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(output, targets);
    loss.backward();
    optimizer.step();
    ++m_step;
    epochSums.add(loss, output, targets);
    windowSums.add(loss, output, targets);
    const bool last = batch + 1 == batches;
    if ((batch + 1) % m_config.logEveryBatches != 0 && !last) continue;
    BatchProgress progress{.epoch = epoch,
                           .epochs = m_config.epochs,
                           .batch = batch + 1,
                           .batchesPerEpoch = batches,
                           .step = m_step};
    progress.loss = windowSums.meanLoss();
    progress.accuracy = windowSums.accuracy();
    if (!std::isfinite(progress.loss)) {
      throw TrainingDiverged("the loss became " + std::to_string(progress.loss) + " at step " +
                             std::to_string(m_step) + " (epoch " + std::to_string(epoch) +
                             "); try a lower learning rate");
    }
    progress.epochLoss = epochSums.meanLoss();
    progress.epochAccuracy = epochSums.accuracy();
    progress.epochSeconds = nowSeconds() - start - paused;
    progress.samplesPerSecond = epochSums.samples / std::max(progress.epochSeconds, 1e-9);
    progress.wallSeconds = nowSeconds() - m_wallStart;
    windowSums = RunningSums(m_device);
    if (callbacks.onBatch) callbacks.onBatch(progress);
  }
  totals.loss = epochSums.meanLoss();
  totals.accuracy = epochSums.accuracy();
  totals.samples = epochSums.samples;
  totals.seconds = nowSeconds() - start - paused;
  return totals;
}

EvalResult Trainer::evaluate(const TensorDataset& dataOnAnyDevice) {
  torch::NoGradGuard noGrad;
  m_model->eval();
  const TensorDataset data = dataOnAnyDevice.to(m_device);
  RunningSums sums(m_device);
  for (int64_t begin = 0; begin < data.size(); begin += kEvalBatchSize) {
    const int64_t end = std::min(data.size(), begin + kEvalBatchSize);
    const torch::Tensor inputs = data.inputs.slice(0, begin, end);
    const torch::Tensor targets = data.targets.slice(0, begin, end);
    const torch::Tensor output = m_model->forward(inputs);
    sums.add(torch::nn::functional::cross_entropy(output, targets), output, targets);
  }
  return {sums.meanLoss(), sums.accuracy(), sums.samples};
}

torch::Tensor Trainer::predict(const torch::Tensor& inputs) {
  torch::NoGradGuard noGrad;
  m_model->eval();
  std::vector<torch::Tensor> outputs;
  for (int64_t begin = 0; begin < inputs.size(0); begin += kEvalBatchSize) {
    const int64_t end = std::min(inputs.size(0), begin + kEvalBatchSize);
    outputs.push_back(m_model->forward(inputs.slice(0, begin, end).to(m_device)).cpu());
  }
  return torch::cat(outputs);
}

}  // namespace layerlab::engine
