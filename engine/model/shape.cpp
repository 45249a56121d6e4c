#include "engine/model/shape.h"

namespace layerlab::engine {

int64_t saturatingMul(int64_t a, int64_t b) {
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return kSaturated;
  return product;
}

int64_t saturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return kSaturated;
  return sum;
}

int64_t saturatingProduct(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t factor : factors)
    product = saturatingMul(product, factor);
  return product;
}

std::string formatShape(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

int64_t elementCount(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count = saturatingMul(count, dim);
  return count;
}

}  // namespace layerlab::engine
