#include "engine/data/augment.h"

#include <numbers>

namespace layerlab::engine {
namespace {

namespace F = torch::nn::functional;

torch::Tensor flipHalf(const torch::Tensor& images, at::Generator& generator) {
  const int64_t batch = images.size(0);
  const torch::Tensor mask =
      torch::rand({batch}, generator, images.options()).lt(0.5).view({batch, 1, 1, 1});
  return torch::where(mask, images.flip({3}), images);
}

// Pads, then gathers each sample's H × W window at its own offset: rows first, then columns.
torch::Tensor randomCrop(const torch::Tensor& images, int64_t padding, at::Generator& generator) {
  const int64_t b = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const torch::Tensor padded = torch::constant_pad_nd(images, {padding, padding, padding, padding});
  const auto indexOptions = images.options().dtype(torch::kInt64);
  const torch::Tensor top = torch::randint(0, 2 * padding + 1, {b}, generator, indexOptions);
  const torch::Tensor left = torch::randint(0, 2 * padding + 1, {b}, generator, indexOptions);
  const torch::Tensor rows = (top.view({b, 1}) + torch::arange(h, indexOptions)).view({b, 1, h, 1});
  const torch::Tensor cols =
      (left.view({b, 1}) + torch::arange(w, indexOptions)).view({b, 1, 1, w});
  const torch::Tensor band = padded.gather(2, rows.expand({b, c, h, w + 2 * padding}));
  return band.gather(3, cols.expand({b, c, h, w}));
}

}  // namespace

torch::Tensor rotateBatch(const torch::Tensor& images, const torch::Tensor& anglesDegrees) {
  const int64_t batch = images.size(0);
  const torch::Tensor radians = anglesDegrees.to(images.scalar_type()) * (std::numbers::pi / 180.0);
  const torch::Tensor cos = radians.cos(), sin = radians.sin(), zero = torch::zeros_like(radians);
  // affine_grid maps output to input coordinates (x right, y down): sampling from the output
  // point rotated clockwise on screen turns the picture counter-clockwise.
  const torch::Tensor theta =
      torch::stack({cos, -sin, zero, sin, cos, zero}, 1).view({batch, 2, 3});
  const torch::Tensor grid = F::affine_grid(theta, images.sizes(), /*align_corners=*/false);
  return F::grid_sample(images, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kZeros)
                            .align_corners(false));
}

torch::Tensor augmentBatch(const torch::Tensor& images, const AugmentSpec& spec,
                           at::Generator& generator) {
  TORCH_CHECK(images.dim() == 4, "augmentBatch expects images [B, C, H, W], got ", images.sizes());
  if (!spec.enabled() || images.size(0) == 0) return images;
  torch::Tensor out = images;
  if (spec.flip) out = flipHalf(out, generator);
  if (spec.cropPadding > 0) out = randomCrop(out, spec.cropPadding, generator);
  if (spec.rotationDegrees > 0) {
    const torch::Tensor angles =
        (torch::rand({out.size(0)}, generator, out.options()) * 2 - 1) * spec.rotationDegrees;
    out = rotateBatch(out, angles);
  }
  return out;
}

}  // namespace layerlab::engine
