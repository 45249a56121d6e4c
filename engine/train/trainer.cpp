#include "engine/train/trainer.h"

#include "engine/data/augment.h"
#include "engine/train/generator_shield.h"
#include "series/metric_direction.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace layerlab::engine {
namespace {

constexpr int64_t kEvalBatchSize = 1024;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Batches per epoch. A last batch of a single sample is merged into the one before it: layers
// such as BatchNorm cannot train on one sample, and one sample makes a noisy step anyway.
int64_t batchesPerEpoch(int64_t samples, int64_t batchSize) {
  const int64_t batches = (samples + batchSize - 1) / batchSize;
  return batches > 1 && samples % batchSize == 1 ? batches - 1 : batches;
}

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainConfig& c,
                                                       torch::nn::Module& model) {
  namespace optim = torch::optim;
  const std::vector<torch::Tensor> params = model.parameters();
  if (c.optimizer == "sgd") {
    return std::make_unique<optim::SGD>(params, optim::SGDOptions(c.learningRate)
                                                    .momentum(c.momentum)
                                                    .nesterov(c.nesterov)
                                                    .weight_decay(c.weightDecay));
  }
  if (c.optimizer == "adamw") {
    return std::make_unique<optim::AdamW>(
        params, optim::AdamWOptions(c.learningRate).weight_decay(c.weightDecay));
  }
  if (c.optimizer == "rmsprop") {
    return std::make_unique<optim::RMSprop>(
        params,
        optim::RMSpropOptions(c.learningRate).momentum(c.momentum).weight_decay(c.weightDecay));
  }
  return std::make_unique<optim::Adam>(
      params, optim::AdamOptions(c.learningRate).weight_decay(c.weightDecay));
}

// Sums kept on the device over an epoch, so that no batch waits for the host. A batch costs two
// accumulating operations (plus the comparison for accuracy); a report reads the sums (two
// host syncs) and takes the window since the last report as the difference from what that
// report read, so nothing is folded or zeroed per report.
struct RunningSums {
  torch::Tensor loss;
  torch::Tensor correct;
  int64_t samples = 0;

  explicit RunningSums(const torch::Device& device)
      : loss(torch::zeros({}, torch::TensorOptions(torch::kFloat64).device(device))),
        correct(torch::zeros({}, torch::TensorOptions(torch::kInt64).device(device))) {}

  void add(const torch::Tensor& batchLoss, const torch::Tensor* predicted,
           const torch::Tensor& targets) {
    const int64_t n = targets.size(0);
    // loss += n * batchLoss in float64: the product of a float32 and a batch size is exact.
    loss.add_(batchLoss.detach(), static_cast<double>(n));
    if (predicted != nullptr) correct.add_(predicted->eq(targets).sum());
    samples += n;
  }
};

// The sums as the host read them at one report.
struct ReadSums {
  double loss = 0;
  int64_t correct = 0;
  int64_t samples = 0;

  static ReadSums of(const RunningSums& sums, bool classification) {
    // On the CPU the sums are already in memory (each add_ has run when it returns): reading them
    // directly skips two dispatches per report. A GPU's sums are copied back with item().
    if (sums.loss.is_cpu()) {
      return {*sums.loss.data_ptr<double>(), classification ? *sums.correct.data_ptr<int64_t>() : 0,
              sums.samples};
    }
    return {sums.loss.item<double>(), classification ? sums.correct.item<int64_t>() : 0,
            sums.samples};
  }
  // Mean loss and accuracy of the samples added after `before` (NaN accuracy for regression).
  double meanLossSince(const ReadSums& before) const {
    const int64_t n = samples - before.samples;
    return n > 0 ? (loss - before.loss) / static_cast<double>(n) : kNaN;
  }
  double accuracySince(const ReadSums& before, bool classification) const {
    const int64_t n = samples - before.samples;
    if (!classification || n <= 0) return kNaN;
    return static_cast<double>(correct - before.correct) / static_cast<double>(n);
  }
};

// Drops every gradient instead of filling it with zeros: the next backward pass then hands each
// parameter its gradient as it is, with no fill and no accumulation into the old buffer (the
// values are the same: 0 + g is g).
void dropGradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups()) {
    for (torch::Tensor& p : group.params())
      p.mutable_grad().reset();
  }
}

// LibTorch's CPU allocator takes every tensor from malloc and gives it back when the tensor
// dies, so each batch allocates and frees the same few megabytes of activations and gradients.
// With glibc's defaults, blocks that large are mapped and unmapped, or the top of the heap is
// handed back and taken again, and every page is faulted in anew on each batch. Keeping blocks
// up to 32 MiB in the heap and trimming it only past 512 MiB free lets the next batch reuse the
// memory the last one freed (the CNN template's epoch on 2 cores, 6,000 images: 1.81–1.87 s →
// 1.32–1.61 s; PyTorch's loop beside it 1.76–2.03 s). Set once per process: the process then
// keeps what its batches used instead of returning it between them.
void keepBatchMemoryInHeap() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  });
#endif
}

// Runs the scope's torch work with `threads` intra-op threads, then restores the count it found.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads) : m_before(at::get_num_threads()) {
    if (threads != m_before) at::set_num_threads(threads);
  }
  ~ThreadCountScope() {
    if (at::get_num_threads() != m_before) at::set_num_threads(m_before);
  }
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int m_before;
};

double monitoredValue(const EpochSummary& s, const std::string& monitor) {
  if (monitor == "val_loss") return s.valLoss;
  if (monitor == "val_accuracy") return s.valAccuracy;
  if (monitor == "train_loss") return s.trainLoss;
  if (monitor == "train_accuracy") return s.trainAccuracy;
  return kNaN;
}

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
  if (device.is_cuda()) return "CUDA:" + std::to_string(device.has_index() ? device.index() : 0);
  const int threads = at::get_num_threads();
  return "CPU (" + std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
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

Trainer::Trainer(GraphModule model, TrainConfig config, torch::Device device, int64_t classes)
    : m_model(std::move(model)),
      m_config(std::move(config)),
      m_device(device),
      m_objective(m_config, classes),
      m_best(series::higherIsBetter(m_config.monitor), m_config.earlyStopping.minDelta) {
  keepBatchMemoryInHeap();
  m_model->to(m_device);
  m_optimizer = makeOptimizer(m_config, *m_model);
}

Trainer::~Trainer() = default;

FitResult Trainer::fit(const TensorDataset& trainData, const TensorDataset& valData,
                       const TrainCallbacks& callbacks, const TrainControl* control) {
  restoreGeneratorForResume();
  const TensorDataset train = trainData.to(m_device);
  const TensorDataset val = valData.to(m_device);
  const int64_t batches = batchesPerEpoch(train.size(), m_config.batchSize);
  m_schedule.emplace(m_config.schedule, m_config.learningRate, m_config.epochs, batches);
  if (!m_pendingScheduleState.is_null()) m_schedule->restore(m_pendingScheduleState);
  m_wallStart = nowSeconds();
  FitResult result;
  while (m_epoch < m_config.epochs) {
    const EpochTotals totals = runEpoch(train, callbacks, control);
    if (totals.stopped) {
      result.stopped = true;
      break;
    }
    const EpochSummary summary = finishEpoch(totals, val);
    result.history.push_back(summary);
    if (callbacks.onEpoch) callbacks.onEpoch(summary);
    if (summary.stopEarly || (callbacks.stopAfterEpoch && m_epoch < m_config.epochs &&
                              callbacks.stopAfterEpoch(summary))) {
      result.stoppedEarly = true;
      break;
    }
  }
  result.bestEpoch = m_best.bestEpoch();
  if (!result.stopped && !m_bestWeights.empty() && m_best.bestEpoch() != m_epoch) {
    restoreBestWeights();
    result.restoredBest = true;
  }
  return result;
}

Trainer::EpochTotals Trainer::runEpoch(const TensorDataset& train, const TrainCallbacks& callbacks,
                                       const TrainControl* control) {
  m_model->train();
  const int epoch = m_epoch + 1;
  // A generator per epoch: the order depends on the seed and the epoch alone, so a resumed run
  // shuffles exactly as an uninterrupted one.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(m_config.seed + epoch);
  const torch::Tensor order = torch::randperm(train.size(), generator, torch::kInt64).to(m_device);
  const int64_t batches = batchesPerEpoch(train.size(), m_config.batchSize);
  std::optional<at::Generator> augmentGenerator;
  if (m_augment.enabled()) {
    // On the batches' device, seeded per epoch like the order.
    augmentGenerator = at::globalContext().defaultGenerator(m_device).clone();
    augmentGenerator->set_current_seed(m_config.seed * 1000003 + epoch);
  }
  const bool classification = m_objective.classification();
  const bool smallBatches = m_device.is_cpu() && m_macsPerSample > 0 &&
                            m_macsPerSample < kParallelBatchMacs / m_config.batchSize;
  const ThreadCountScope threads(smallBatches ? 1 : at::get_num_threads());
  RunningSums epochSums(m_device);
  ReadSums reported;  // what the last report read (nothing yet)
  EpochTotals totals;
  const double start = nowSeconds();
  double paused = 0;
  for (int64_t batch = 0; batch < batches; ++batch) {
    if (control != nullptr) {
      const double before = nowSeconds();
      // Every wait is bracketed by onPause, so whoever records the pause never misses one.
      while (control->paused() && !control->stopRequested()) {
        if (callbacks.onPause) callbacks.onPause(true);
        control->waitWhilePaused();
        if (callbacks.onPause) callbacks.onPause(false);
      }
      paused += nowSeconds() - before;
      if (control->stopRequested()) {
        totals.stopped = true;
        return totals;
      }
    }
    const int64_t end = batch + 1 == batches ? train.size() : (batch + 1) * m_config.batchSize;
    const torch::Tensor index = order.slice(0, batch * m_config.batchSize, end);
    torch::Tensor inputs = train.inputs.index_select(0, index);
    if (augmentGenerator) inputs = augmentBatch(inputs, m_augment, *augmentGenerator);
    const torch::Tensor targets = train.targets.index_select(0, index);
    applyLearningRate(m_schedule->lrForStep(m_step));
    dropGradients(*m_optimizer);
    const torch::Tensor output = forwardDrawing(inputs);
    const torch::Tensor loss = m_objective.loss(output, targets);
    loss.backward();
    if (m_config.gradClipNorm > 0) clipGradients();
    m_optimizer->step();
    ++m_step;
    torch::Tensor predicted;
    if (classification) predicted = m_objective.predict(output.detach());
    epochSums.add(loss, classification ? &predicted : nullptr, targets);
    const bool last = batch + 1 == batches;
    if ((batch + 1) % m_config.logEveryBatches != 0 && !last) continue;
    BatchProgress progress{.epoch = epoch,
                           .epochs = m_config.epochs,
                           .batch = batch + 1,
                           .batchesPerEpoch = batches,
                           .step = m_step};
    const ReadSums now = ReadSums::of(epochSums, classification);
    progress.loss = now.meanLossSince(reported);
    progress.accuracy = now.accuracySince(reported, classification);
    reported = now;
    if (!std::isfinite(progress.loss)) {
      throw TrainingDiverged("the loss became " + std::to_string(progress.loss) + " at step " +
                             std::to_string(m_step) + " (epoch " + std::to_string(epoch) +
                             "); try a lower learning rate or gradient clipping");
    }
    progress.epochLoss = now.meanLossSince(ReadSums{});
    progress.epochAccuracy = now.accuracySince(ReadSums{}, classification);
    progress.epochSeconds = nowSeconds() - start - paused;
    progress.samplesPerSecond = now.samples / std::max(progress.epochSeconds, 1e-9);
    progress.wallSeconds = m_wallBefore + nowSeconds() - m_wallStart;
    if (callbacks.onBatch) callbacks.onBatch(progress);
  }
  // The last batch always reports, so `reported` holds the whole epoch.
  totals.loss = reported.meanLossSince(ReadSums{});
  totals.accuracy = reported.accuracySince(ReadSums{}, classification);
  totals.samples = reported.samples;
  totals.seconds = nowSeconds() - start - paused;
  return totals;
}

EpochSummary Trainer::finishEpoch(const EpochTotals& totals, const TensorDataset& val) {
  ++m_epoch;
  EpochSummary s{.epoch = m_epoch,
                 .epochs = m_config.epochs,
                 .step = m_step,
                 .trainLoss = totals.loss,
                 .trainAccuracy = totals.accuracy};
  s.valLoss = s.valAccuracy = kNaN;
  if (val.size() > 0) {
    const EvalResult eval = evaluate(val);
    s.valLoss = eval.loss;
    s.valAccuracy = eval.accuracy;
  }
  s.seconds = totals.seconds;
  s.samplesPerSecond = totals.samples / std::max(totals.seconds, 1e-9);
  s.wallSeconds = m_wallAtEpoch = m_wallBefore + nowSeconds() - m_wallStart;
  s.learningRate = m_schedule->lrForStep(m_step - 1);
  // Without a validation part the training metric of the same name stands in.
  s.monitor = val.size() > 0 || m_config.monitor.rfind("val_", 0) != 0
                  ? m_config.monitor
                  : "train_" + m_config.monitor.substr(4);
  const double monitored = monitoredValue(s, s.monitor);
  m_schedule->endEpoch(monitored, series::higherIsBetter(s.monitor));
  m_best.update(m_epoch, monitored);
  // The best epoch, not min_delta's improvement: the weights kept and the checkpoint saved as
  // "best" are those of the epoch the store will name best.
  s.bestEpoch = m_best.bestEpoch();
  s.improved = s.bestEpoch == m_epoch;
  const EarlyStoppingConfig& early = m_config.earlyStopping;
  if (early.patience > 0 && early.restoreBest && s.improved) rememberBestWeights();
  s.stopEarly = early.patience > 0 && m_best.epochsWithoutImprovement() >= early.patience &&
                m_epoch < m_config.epochs;
  return s;
}

void Trainer::applyLearningRate(double lr) {
  for (auto& group : m_optimizer->param_groups())
    group.options().set_lr(lr);
}

// Clips the global gradient norm with device operations only (LibTorch's clip_grad_norm_ reads
// the norm back to the host, which would stall a GPU every batch).
void Trainer::clipGradients() {
  std::vector<torch::Tensor> norms;
  std::vector<torch::Tensor> grads;
  for (const torch::Tensor& p : m_model->parameters()) {
    if (!p.grad().defined()) continue;
    grads.push_back(p.grad());
    norms.push_back(p.grad().detach().norm(2).to(torch::kFloat32));
  }
  if (grads.empty()) return;
  const torch::Tensor total = torch::stack(norms).norm(2);
  const torch::Tensor scale = (m_config.gradClipNorm / (total + 1e-6)).clamp_max(1.0);
  for (torch::Tensor& grad : grads)
    grad.mul_(scale.to(grad.scalar_type()));
}

void Trainer::rememberBestWeights() {
  torch::NoGradGuard noGrad;
  m_bestWeights.clear();
  for (const torch::Tensor& p : m_model->parameters())
    m_bestWeights.push_back(p.detach().clone());
  for (const torch::Tensor& b : m_model->buffers())
    m_bestWeights.push_back(b.detach().clone());
}

void Trainer::restoreBestWeights() {
  torch::NoGradGuard noGrad;
  size_t i = 0;
  for (torch::Tensor& p : m_model->parameters())
    p.copy_(m_bestWeights.at(i++));
  for (torch::Tensor& b : m_model->buffers())
    b.copy_(m_bestWeights.at(i++));
}

EvalResult Trainer::evaluate(const TensorDataset& dataOnAnyDevice) {
  torch::NoGradGuard noGrad;
  m_model->eval();
  const TensorDataset data = dataOnAnyDevice.to(m_device);
  const bool classification = m_objective.classification();
  const int64_t k = m_objective.classes();
  const auto f64 = torch::TensorOptions(torch::kFloat64).device(m_device);
  RunningSums sums(m_device);
  torch::Tensor confusion = torch::zeros({std::max<int64_t>(1, k * k)}, f64.dtype(torch::kInt64));
  torch::Tensor regression = torch::zeros({4}, f64);  // Σ(ŷ−y)², Σ|ŷ−y|, Σy, Σy²
  for (int64_t begin = 0; begin < data.size(); begin += kEvalBatchSize) {
    const int64_t end = std::min(data.size(), begin + kEvalBatchSize);
    const torch::Tensor targets = data.targets.slice(0, begin, end);
    const torch::Tensor output = m_model->forward(data.inputs.slice(0, begin, end));
    const torch::Tensor loss = m_objective.loss(output, targets);
    if (classification) {
      const torch::Tensor predicted = m_objective.predict(output);
      sums.add(loss, &predicted, targets);
      confusion.add_(torch::bincount(targets * k + predicted, {}, k * k));
      continue;
    }
    sums.add(loss, nullptr, targets);
    const torch::Tensor y = targets.to(torch::kFloat64).reshape(output.sizes());
    const torch::Tensor error = output.to(torch::kFloat64) - y;
    regression.add_(
        torch::stack({error.square().sum(), error.abs().sum(), y.sum(), y.square().sum()}));
  }
  const ReadSums read = ReadSums::of(sums, classification);
  EvalResult result{.loss = read.meanLossSince(ReadSums{}),
                    .accuracy = read.accuracySince(ReadSums{}, classification),
                    .samples = read.samples,
                    .classes = k};
  if (classification) {
    const torch::Tensor counts = confusion.cpu();
    result.confusion.assign(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + k * k);
  } else {
    const torch::Tensor r = regression.cpu();
    const int64_t values = data.size() > 0 ? data.targets.numel() : 0;
    result.regression = regressionReport(r[0].item<double>(), r[1].item<double>(),
                                         r[2].item<double>(), r[3].item<double>(), values);
  }
  return result;
}

torch::Tensor Trainer::forwardDrawing(const torch::Tensor& inputs) {
  const std::lock_guard<std::mutex> lock(generatorDrawMutex());
  return m_model->forward(inputs);
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
