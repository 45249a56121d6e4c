// Batch augmentation: each random change checked on images with a known content.
#include <gtest/gtest.h>

#include "engine/data/augment.h"

namespace layerlab::engine {
namespace {

// [batch, 2, 5, 5]: every pixel distinct, so any shift or mirror is visible.
torch::Tensor knownBatch(int64_t batch) {
  return torch::arange(2 * 25, torch::kFloat32).view({1, 2, 5, 5}).repeat({batch, 1, 1, 1}) + 1;
}

at::Generator seeded(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

TEST(Augment, FlipMirrorsAboutHalfTheImages) {
  const torch::Tensor images = knownBatch(64);
  at::Generator generator = seeded(1);
  const torch::Tensor out = augmentBatch(images, {.flip = true}, generator);
  const torch::Tensor mirrored = images.flip({3});
  int64_t flipped = 0;
  for (int64_t b = 0; b < 64; ++b) {
    const bool same = torch::equal(out[b], images[b]);
    const bool mirror = torch::equal(out[b], mirrored[b]);
    EXPECT_TRUE(same != mirror) << "sample " << b;
    flipped += mirror;
  }
  EXPECT_GT(flipped, 16);
  EXPECT_LT(flipped, 48);
  // Column 0 of a mirrored image is the original's last column.
  EXPECT_TRUE(torch::equal(mirrored[0][0].select(1, 0), images[0][0].select(1, 4)));
}

TEST(Augment, CropKeepsTheShapeAndShiftsTheContent) {
  const int64_t padding = 2;
  const torch::Tensor images = knownBatch(32);
  at::Generator generator = seeded(2);
  const torch::Tensor out = augmentBatch(images, {.cropPadding = padding}, generator);
  EXPECT_EQ(out.sizes(), images.sizes());
  const torch::Tensor padded = torch::constant_pad_nd(images, {padding, padding, padding, padding});
  int64_t shifted = 0;
  for (int64_t b = 0; b < 32; ++b) {
    bool matched = false;
    for (int64_t top = 0; top <= 2 * padding && !matched; ++top) {
      for (int64_t left = 0; left <= 2 * padding && !matched; ++left) {
        matched = torch::equal(out[b], padded[b].slice(1, top, top + 5).slice(2, left, left + 5));
        if (matched) shifted += top != padding || left != padding;
      }
    }
    EXPECT_TRUE(matched) << "sample " << b << " is no window of the padded image";
  }
  EXPECT_GT(shifted, 16);
}

TEST(Augment, RotationByZeroIsTheIdentity) {
  const torch::Tensor images = knownBatch(4);
  EXPECT_TRUE(torch::allclose(rotateBatch(images, torch::zeros({4})), images, 1e-5, 1e-5));
  at::Generator generator = seeded(3);
  const torch::Tensor same = augmentBatch(images, {.rotationDegrees = 0}, generator);
  EXPECT_TRUE(same.is_same(images));  // nothing to do: the batch itself comes back
}

TEST(Augment, RotationTurnsCounterClockwise) {
  // A 4 × 4 image with one bright pixel at the top right (row 0, column 3).
  torch::Tensor image = torch::zeros({1, 1, 4, 4});
  image[0][0][0][3] = 1;
  const torch::Tensor quarter = rotateBatch(image, torch::full({1}, 90.0F));
  // Counter-clockwise by 90°: the top right corner goes to the top left.
  EXPECT_NEAR(quarter[0][0][0][0].item<float>(), 1.0F, 1e-4);
  EXPECT_NEAR(quarter.sum().item<float>(), 1.0F, 1e-4);
  const torch::Tensor half = rotateBatch(image, torch::full({1}, 180.0F));
  EXPECT_NEAR(half[0][0][3][0].item<float>(), 1.0F, 1e-4);
}

TEST(Augment, SmallRotationsMoveLittle) {
  // A smooth gradient: a small turn changes every pixel only a little.
  const torch::Tensor ramp = torch::arange(16, torch::kFloat32) / 30;
  const torch::Tensor images =
      (ramp.view({1, 1, 16, 1}) + ramp.view({1, 1, 1, 16})).repeat({8, 3, 1, 1});
  at::Generator generator = seeded(4);
  const torch::Tensor out = augmentBatch(images, {.rotationDegrees = 10}, generator);
  EXPECT_EQ(out.sizes(), images.sizes());
  EXPECT_FALSE(torch::allclose(out, images));
  // The centre pixel hardly moves under a rotation about the centre.
  const torch::Tensor centre = out.slice(2, 7, 9).slice(3, 7, 9);
  EXPECT_LT((centre - images.slice(2, 7, 9).slice(3, 7, 9)).abs().max().item<float>(), 0.05F);
}

TEST(Augment, SameSeedSameBatch) {
  const torch::Tensor images = torch::rand({16, 1, 8, 8}, seeded(5));
  const AugmentSpec spec{.flip = true, .cropPadding = 2, .rotationDegrees = 15};
  at::Generator a = seeded(11), b = seeded(11), c = seeded(12);
  const torch::Tensor first = augmentBatch(images, spec, a);
  EXPECT_TRUE(torch::equal(first, augmentBatch(images, spec, b)));
  EXPECT_FALSE(torch::equal(first, augmentBatch(images, spec, c)));
  // The generator moves on: the next batch gets other draws.
  EXPECT_FALSE(torch::equal(first, augmentBatch(images, spec, a)));
}

}  // namespace
}  // namespace layerlab::engine
