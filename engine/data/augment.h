// Random changes to a batch of training images, made on the batch's device in a few tensor
// operations (no loop over samples): the trainer calls augmentBatch on every training batch when
// LoadedData::augment is enabled, never on validation or test batches.
//
// Threads: the training thread, like every other tensor operation of the run.
#pragma once

#include <torch/torch.h>

#include "engine/data/dataset_spec.h"

namespace layerlab::engine {

// `images` [B, C, H, W] (float). In this order, each sample independently: a left-right mirror
// with probability 1/2 (spec.flip); zero padding by spec.cropPadding pixels and a crop back to
// H × W at a random offset; a rotation by an angle uniform in ±spec.rotationDegrees about the
// centre (bilinear, zeros outside). Returns `images` itself when the spec changes nothing.
// `generator` must belong to the images' device; the same generator state gives the same result.
torch::Tensor augmentBatch(const torch::Tensor& images, const AugmentSpec& spec,
                           at::Generator& generator);

// Rotates each image b by anglesDegrees[b] (counter-clockwise, as the image is shown: row 0 at
// the top) about its centre. `anglesDegrees` [B] on the images' device.
torch::Tensor rotateBatch(const torch::Tensor& images, const torch::Tensor& anglesDegrees);

}  // namespace layerlab::engine
