#include "tests/onnx/parity_support.h"

#include <cstdio>

namespace layerlab::test {
namespace {

OrtTensor toOrt(const torch::Tensor& tensor) {
  OrtTensor out;
  out.dims.assign(tensor.sizes().begin(), tensor.sizes().end());
  if (tensor.scalar_type() == torch::kInt64) {
    out.int64 = true;
    const torch::Tensor data = tensor.contiguous();
    out.ints.assign(data.data_ptr<int64_t>(), data.data_ptr<int64_t>() + data.numel());
  } else {
    const torch::Tensor data = tensor.to(torch::kFloat32).contiguous();
    out.floats.assign(data.data_ptr<float>(), data.data_ptr<float>() + data.numel());
  }
  return out;
}

std::string runName(const ParityModel& model, const torch::Tensor& input) {
  std::string text = model.name + ", batch " + std::to_string(input.size(0));
  if (input.dim() >= 2)
    text += ", input " + engine::formatShape({input.sizes().begin() + 1, input.sizes().end()});
  return text;
}

void compare(const torch::Tensor& reference, const OrtTensor& output, const std::string& where,
             ParityWorst& worst) {
  const std::vector<int64_t> dims(reference.sizes().begin(), reference.sizes().end());
  ASSERT_EQ(output.dims, dims) << where;
  ASSERT_EQ(output.floats.size(), static_cast<size_t>(reference.numel())) << where;
  const torch::Tensor ort =
      torch::from_blob(const_cast<float*>(output.floats.data()), reference.sizes(), torch::kFloat32)
          .to(torch::kFloat64);
  const torch::Tensor ref = reference.to(torch::kFloat64);
  const torch::Tensor diff = (ort - ref).abs();
  const torch::Tensor tolerance = kAbsoluteTolerance + kRelativeTolerance * ref.abs();
  // NaN never passes: !(diff <= tolerance).
  const int64_t bad = diff.le(tolerance).logical_not().sum().item<int64_t>();
  EXPECT_EQ(bad, 0) << where << ": " << bad << " of " << ref.numel()
                    << " values differ beyond the tolerance; max |ort - torch| = "
                    << diff.max().item<double>();
  const double maxDiff = diff.max().item<double>();
  const double maxRatio = (diff / tolerance).max().item<double>();
  if (maxDiff > worst.absDiff || worst.absWhere.empty()) {
    worst.absDiff = maxDiff;
    worst.absWhere = where;
  }
  if (maxRatio > worst.ratio || worst.ratioWhere.empty()) {
    worst.ratio = maxRatio;
    worst.ratioWhere = where;
  }
  worst.values += ref.numel();
}

}  // namespace

ParityModel exportForParity(const std::string& name, const engine::ModelSpec& spec,
                            engine::GraphModule& module, const std::vector<torch::Tensor>& inputs,
                            const std::string& path) {
  torch::NoGradGuard noGrad;
  module->eval();
  ParityModel model{.name = name, .onnxPath = path};
  model.summary = engine::exportOnnx(spec, *module, {.producerVersion = "test"}, path);
  for (const torch::Tensor& input : inputs) {
    model.inputs.push_back(input);
    model.references.push_back(module->forward(input).contiguous());
  }
  return model;
}

ParityWorst checkParity(const std::vector<ParityModel>& models, const std::string& workDir) {
  std::vector<OrtJob> jobs;
  for (const ParityModel& model : models) {
    OrtJob job{.modelPath = model.onnxPath};
    for (const torch::Tensor& input : model.inputs)
      job.inputs.push_back(toOrt(input));
    jobs.push_back(std::move(job));
  }
  const std::vector<OrtResult> results = runOnnxruntime(jobs, workDir);
  ParityWorst worst;
  for (size_t m = 0; m < models.size(); ++m) {
    const ParityModel& model = models[m];
    if (!results[m].error.empty()) {
      ADD_FAILURE() << model.name << ": onnxruntime refused the model: " << results[m].error;
      continue;
    }
    EXPECT_EQ(results[m].outputs.size(), model.inputs.size()) << model.name;
    for (size_t r = 0; r < model.inputs.size() && r < results[m].outputs.size(); ++r)
      compare(model.references[r], results[m].outputs[r], runName(model, model.inputs[r]), worst);
  }
  return worst;
}

std::string describeWorst(const ParityWorst& worst) {
  char text[512];
  std::snprintf(text, sizeof text,
                "%lld values compared; worst |ort - torch| = %.3g (%s); worst difference / "
                "tolerance = %.3g (%s)",
                static_cast<long long>(worst.values), worst.absDiff, worst.absWhere.c_str(),
                worst.ratio, worst.ratioWhere.c_str());
  return text;
}

torch::Tensor randomInput(const engine::ModelSpec& spec, int64_t batch, int64_t length,
                          int64_t vocabulary) {
  std::vector<int64_t> shape = {batch};
  shape.insert(shape.end(), spec.inputShape.begin(), spec.inputShape.end());
  if (length > 0) shape[1] = length;
  if (spec.inputDtype == engine::kInt64) return torch::randint(0, vocabulary, shape, torch::kInt64);
  return torch::randn(shape);
}

void randomizeWeights(torch::nn::Module& module, bool parameters) {
  torch::NoGradGuard noGrad;
  if (parameters) {
    for (auto& parameter : module.named_parameters(true)) {
      if (parameter.value().defined())
        parameter.value().copy_(torch::randn_like(parameter.value()) * 0.5);
    }
  }
  for (auto& buffer : module.named_buffers(true)) {
    torch::Tensor& value = buffer.value();
    if (!value.defined() || !value.is_floating_point()) continue;
    const bool variance = buffer.key().find("running_var") != std::string::npos;
    value.copy_(variance ? torch::rand_like(value) + 0.5 : torch::randn_like(value) * 0.5);
  }
}

}  // namespace layerlab::test
