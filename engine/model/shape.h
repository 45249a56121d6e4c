// Tensor shapes as the editor and the engine see them: without the batch dimension.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

namespace layerlab::engine {

using Shape = std::vector<int64_t>;

// Counts (elements, parameters, multiply-adds, bytes) are computed with these so that a model
// with absurd sizes yields a huge number that the limits refuse, never a wrapped-around one.
inline constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();

// Models beyond these limits are refused by the analysis, before anything is allocated: no
// tensor may hold more values per sample, no model more trainable parameters.
inline constexpr int64_t kMaxElementsPerSample = int64_t{1} << 31;
inline constexpr int64_t kMaxModelParams = int64_t{1} << 31;

// a · b, or kSaturated when that does not fit; both must be >= 0.
int64_t saturatingMul(int64_t a, int64_t b);
// a + b, or kSaturated when that does not fit; both must be >= 0.
int64_t saturatingAdd(int64_t a, int64_t b);
int64_t saturatingProduct(std::initializer_list<int64_t> factors);

// "[1, 28, 28]"
std::string formatShape(const Shape& shape);

// The number of elements (saturating); 1 for a scalar shape.
int64_t elementCount(const Shape& shape);

}  // namespace layerlab::engine
