// Checkpoints: everything a resumed run needs to continue exactly as an uninterrupted one would.
//
// A checkpoint may come from someone else's store, so it is read as untrusted input: the file's
// own structure is checked by checkpoint_file.cpp, then every tensor it lists is matched by name,
// dtype and shape against what this trainer's model and optimiser hold, and only then are bytes
// read, into tensors this code allocated at the model's own sizes. Nothing reaches LibTorch's
// deserialiser. The trainer is changed only once the whole file has been read.
#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "engine/train/checkpoint_file.h"
#include "engine/train/trainer.h"

namespace layerlab::engine {
namespace {

using torch::optim::OptimizerParamState;

struct DtypePair {
  torch::ScalarType torch;
  TensorDtype file;
};
constexpr DtypePair kDtypePairs[] = {
    {torch::kFloat32, TensorDtype::Float32}, {torch::kFloat64, TensorDtype::Float64},
    {torch::kFloat16, TensorDtype::Float16}, {torch::kBFloat16, TensorDtype::BFloat16},
    {torch::kInt64, TensorDtype::Int64},     {torch::kInt32, TensorDtype::Int32},
    {torch::kUInt8, TensorDtype::UInt8},     {torch::kBool, TensorDtype::Bool}};

TensorDtype fileDtype(torch::ScalarType type) {
  for (const DtypePair& pair : kDtypePairs) {
    if (pair.torch == type) return pair.file;
  }
  throw CheckpointError(std::string("cannot save tensors of type ") + c10::toString(type));
}

torch::ScalarType torchDtype(TensorDtype type) {
  for (const DtypePair& pair : kDtypePairs) {
    if (pair.file == type) return pair.torch;
  }
  return torch::kFloat32;
}

torch::Tensor cpuGeneratorState() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void setCpuGeneratorState(const torch::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

// The per-parameter tensors each optimiser keeps, by the name they take in the file. "step" is a
// 0-d int64 count; the others have the parameter's shape.
std::vector<std::string> optimizerFields(const TrainConfig& config) {
  if (config.optimizer == "sgd") {
    return config.momentum != 0 ? std::vector<std::string>{"momentum_buffer"}
                                : std::vector<std::string>{};
  }
  if (config.optimizer == "rmsprop") {
    std::vector<std::string> fields = {"step", "square_avg"};
    if (config.momentum > 0) fields.push_back("momentum_buffer");
    return fields;
  }
  return {"step", "exp_avg", "exp_avg_sq"};  // adam, adamw
}

std::string optimizerName(size_t param, const std::string& field) {
  return "optimizer." + std::to_string(param) + "." + field;
}

// The named tensors of a parameter's optimiser state (empty when it has none yet).
std::map<std::string, torch::Tensor> optimizerTensors(const OptimizerParamState& state) {
  using namespace torch::optim;
  const auto step = [](int64_t s) { return torch::tensor(s, torch::kInt64); };
  if (const auto* s = dynamic_cast<const SGDParamState*>(&state))
    return {{"momentum_buffer", s->momentum_buffer()}};
  if (const auto* s = dynamic_cast<const AdamParamState*>(&state))
    return {{"step", step(s->step())}, {"exp_avg", s->exp_avg()}, {"exp_avg_sq", s->exp_avg_sq()}};
  if (const auto* s = dynamic_cast<const AdamWParamState*>(&state))
    return {{"step", step(s->step())}, {"exp_avg", s->exp_avg()}, {"exp_avg_sq", s->exp_avg_sq()}};
  if (const auto* s = dynamic_cast<const RMSpropParamState*>(&state)) {
    std::map<std::string, torch::Tensor> out = {{"step", step(s->step())},
                                                {"square_avg", s->square_avg()}};
    if (s->momentum_buffer().defined()) out.emplace("momentum_buffer", s->momentum_buffer());
    return out;
  }
  return {};
}

std::unique_ptr<OptimizerParamState> makeOptimizerState(const std::string& optimizer,
                                                        std::map<std::string, torch::Tensor>& t) {
  using namespace torch::optim;
  const auto step = [&t] { return t.at("step").item<int64_t>(); };
  if (optimizer == "sgd") {
    auto s = std::make_unique<SGDParamState>();
    s->momentum_buffer(t.at("momentum_buffer"));
    return s;
  }
  if (optimizer == "rmsprop") {
    auto s = std::make_unique<RMSpropParamState>();
    s->step(step()).square_avg(t.at("square_avg"));
    if (t.count("momentum_buffer") != 0) s->momentum_buffer(t.at("momentum_buffer"));
    return s;
  }
  if (optimizer == "adamw") {
    auto s = std::make_unique<AdamWParamState>();
    s->step(step()).exp_avg(t.at("exp_avg")).exp_avg_sq(t.at("exp_avg_sq"));
    return s;
  }
  auto s = std::make_unique<AdamParamState>();
  s->step(step()).exp_avg(t.at("exp_avg")).exp_avg_sq(t.at("exp_avg_sq"));
  return s;
}

struct Expected {
  torch::ScalarType dtype;
  std::vector<int64_t> shape;
};

std::string describeShape(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The model's parameters then buffers, in the order m_bestWeights keeps them.
NamedTensors modelTensors(const torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& item : module.named_parameters())
    out.emplace_back("param." + item.key(), item.value());
  for (const auto& item : module.named_buffers())
    out.emplace_back("buffer." + item.key(), item.value());
  return out;
}

// What a checkpoint of this trainer may hold, by name: the model's tensors, each optimiser field
// of each parameter, the best-epoch copies of the model's tensors, and the generator state.
std::map<std::string, Expected> expectedTensors(const NamedTensors& model,
                                                const std::vector<torch::Tensor>& params,
                                                const std::vector<std::string>& fields) {
  std::map<std::string, Expected> expected;
  for (const auto& [name, tensor] : model)
    expected[name] = {tensor.scalar_type(), tensor.sizes().vec()};
  for (size_t i = 0; i < params.size(); ++i) {
    for (const std::string& field : fields) {
      expected[optimizerName(i, field)] =
          field == "step" ? Expected{torch::kInt64, {}}
                          : Expected{params[i].scalar_type(), params[i].sizes().vec()};
    }
  }
  for (size_t i = 0; i < model.size(); ++i)
    expected["best." + std::to_string(i)] = expected[model[i].first];
  expected["rng"] = {torch::kUInt8, cpuGeneratorState().sizes().vec()};
  return expected;
}

// Every listed tensor is one this trainer has, of its dtype and shape.
void checkTensorsFit(const CheckpointReader& reader,
                     const std::map<std::string, Expected>& expected) {
  const std::string& path = reader.path();
  for (const CheckpointTensor& t : reader.index().tensors) {
    const auto it = expected.find(t.name);
    if (it == expected.end()) {
      throw CheckpointError(path + ": tensor '" + t.name +
                            "' does not belong to this run's model; the checkpoint is of another "
                            "model or damaged");
    }
    if (torchDtype(t.dtype) != it->second.dtype || t.shape != it->second.shape) {
      throw CheckpointError(path + ": tensor '" + t.name + "' is " + dtypeName(t.dtype) + " " +
                            describeShape(t.shape) + " but this run's model needs " +
                            dtypeName(fileDtype(it->second.dtype)) + " " +
                            describeShape(it->second.shape));
    }
  }
}

// The model's tensors and the generator state must be there; a parameter's optimiser state and
// the best-epoch weights come whole or not at all.
void checkTensorsComplete(const CheckpointReader& reader, const NamedTensors& model, size_t params,
                          const std::vector<std::string>& fields) {
  const auto has = [&reader](const std::string& name) {
    return reader.index().find(name) != nullptr;
  };
  const auto requireAll = [&](const std::vector<std::string>& names, const std::string& why) {
    for (const std::string& name : names) {
      if (!has(name))
        throw CheckpointError(reader.path() + ": tensor '" + name + "' is missing" + why);
    }
  };
  std::vector<std::string> modelNames, best;
  for (size_t i = 0; i < model.size(); ++i) {
    modelNames.push_back(model[i].first);
    best.push_back("best." + std::to_string(i));
  }
  requireAll(modelNames, "; the checkpoint is of another model or damaged");
  requireAll({"rng"}, "; the checkpoint is damaged");
  for (size_t i = 0; i < params; ++i) {
    std::vector<std::string> group;
    for (const std::string& field : fields)
      group.push_back(optimizerName(i, field));
    if (std::any_of(group.begin(), group.end(), has))
      requireAll(group, " while other optimiser state of that parameter is there");
  }
  if (std::any_of(best.begin(), best.end(), has))
    requireAll(best, " while other best-epoch weights are there");
}

// Replaces the optimiser's per-parameter state by the checked tensors read from a checkpoint.
void restoreOptimizerState(torch::optim::Optimizer& optimizer, const TrainConfig& config,
                           const std::map<std::string, torch::Tensor>& read,
                           const torch::Device& device) {
  optimizer.state().clear();
  const std::vector<torch::Tensor>& params = optimizer.param_groups().at(0).params();
  for (size_t i = 0; i < params.size(); ++i) {
    std::map<std::string, torch::Tensor> fields;
    for (const std::string& field : optimizerFields(config)) {
      const auto it = read.find(optimizerName(i, field));
      if (it != read.end()) fields.emplace(field, it->second.to(device));
    }
    if (fields.empty()) continue;
    optimizer.state()[c10::guts::to_string(params[i].unsafeGetTensorImpl())] =
        makeOptimizerState(config.optimizer, fields);
  }
}

}  // namespace

void Trainer::saveCheckpoint(const std::string& path) const {
  CheckpointWriter writer;
  std::vector<torch::Tensor> keep;  // the CPU copies the writer points into
  const auto add = [&](const std::string& name, const torch::Tensor& tensor) {
    keep.push_back(tensor.detach().cpu().contiguous());
    writer.add(name, fileDtype(keep.back().scalar_type()), keep.back().sizes().vec(),
               keep.back().data_ptr());
  };
  try {
    for (const auto& [name, tensor] : modelTensors(*m_model))
      add(name, tensor);
    const std::vector<torch::Tensor>& params = m_optimizer->param_groups().at(0).params();
    for (size_t i = 0; i < params.size(); ++i) {
      const auto state =
          m_optimizer->state().find(c10::guts::to_string(params[i].unsafeGetTensorImpl()));
      if (state == m_optimizer->state().end()) continue;
      for (const auto& [field, tensor] : optimizerTensors(*state->second))
        add(optimizerName(i, field), tensor);
    }
    for (size_t i = 0; i < m_bestWeights.size(); ++i)
      add("best." + std::to_string(i), m_bestWeights[i]);
    add("rng", cpuGeneratorState());
  } catch (const c10::Error& error) {
    throw CheckpointError(path +
                          ": cannot write the checkpoint: " + error.what_without_backtrace());
  } catch (const CheckpointError& error) {
    throw CheckpointError(path + ": cannot write the checkpoint: " + error.what());
  }
  writer.setState({{"version", kTrainerStateVersion},
                   {"epoch", m_epoch},
                   {"step", m_step},
                   {"wall_seconds", m_wallAtEpoch},
                   {"best", m_best.state()},
                   {"schedule", m_schedule ? m_schedule->state() : m_pendingScheduleState}});
  writer.write(path);
}

void Trainer::loadCheckpoint(const std::string& path) {
  const CheckpointReader reader(path);
  const TrainerCheckpointState state = parseTrainerState(reader.index().state, path);
  const auto model = modelTensors(*m_model);
  const std::vector<torch::Tensor>& params = m_optimizer->param_groups().at(0).params();
  const std::vector<std::string> fields = optimizerFields(m_config);
  checkTensorsFit(reader, expectedTensors(model, params, fields));
  checkTensorsComplete(reader, model, params.size(), fields);
  // The sizes are now those of this trainer's own tensors: read every byte, then apply.
  std::map<std::string, torch::Tensor> read;
  for (const CheckpointTensor& t : reader.index().tensors) {
    torch::Tensor tensor = torch::empty(t.shape, torch::TensorOptions(torchDtype(t.dtype)));
    reader.read(t, tensor.data_ptr());
    read.emplace(t.name, std::move(tensor));
  }
  applyCheckpoint(path, state, read);
}

void Trainer::applyCheckpoint(const std::string& path, const TrainerCheckpointState& state,
                              std::map<std::string, torch::Tensor>& read) {
  try {
    // A generator state LibTorch refuses is found now, on a generator of its own, not later.
    at::make_generator<at::CPUGeneratorImpl>().set_state(read.at("rng"));
  } catch (const c10::Error& error) {
    throw CheckpointError(
        path + ": tensor 'rng' is not a random generator state: " + error.what_without_backtrace());
  }
  for (const auto& item : read) {
    if (item.first.rfind("optimizer.", 0) == 0 && item.first.ends_with(".step") &&
        item.second.item<int64_t>() < 0) {
      throw CheckpointError(path + ": tensor '" + item.first + "' holds a negative step count");
    }
  }
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> best;
  const auto model = modelTensors(*m_model);
  for (size_t i = 0; i < model.size(); ++i) {
    torch::Tensor target = model[i].second;
    target.copy_(read.at(model[i].first));
    if (const auto it = read.find("best." + std::to_string(i)); it != read.end())
      best.push_back(it->second.to(m_device));
  }
  m_bestWeights = std::move(best);
  restoreOptimizerState(*m_optimizer, m_config, read, m_device);
  m_epoch = state.epoch;
  m_step = state.step;
  m_wallBefore = m_wallAtEpoch = state.wallSeconds;
  m_best.restore(state.best);
  m_pendingScheduleState = state.schedule;
  // Applied when fit() starts: loading to predict or export leaves the process's generator alone.
  m_resumeGeneratorState = read.at("rng");
}

void Trainer::restoreGeneratorForResume() {
  if (!m_resumeGeneratorState.defined()) return;
  setCpuGeneratorState(m_resumeGeneratorState);
  m_resumeGeneratorState = torch::Tensor();
}

}  // namespace layerlab::engine
