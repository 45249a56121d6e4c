// Tensor shapes as the editor and the engine see them: without the batch dimension.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace layerlab::engine {

using Shape = std::vector<int64_t>;

// "[1, 28, 28]"
std::string formatShape(const Shape& shape);

// The number of elements; 1 for a scalar shape.
int64_t elementCount(const Shape& shape);

}  // namespace layerlab::engine
