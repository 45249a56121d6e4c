// What a data set declares before it is read: the input shape its headers give (IDX dimensions,
// the image size setting or the first image's header) and whether it fits in the data budget
// (memory_budget.h). The training job checks the model's input against it before the data is
// inflated or decoded, so a mismatch costs milliseconds, not a full read.
//
// Torch-free. Pure functions apart from reading headers: any thread.
#pragma once

#include <optional>
#include <string>

#include "engine/data/dataset_spec.h"
#include "engine/model/shape.h"

namespace layerlab::engine {

struct DataHeader {
  // [C, H, W] for images; empty for tables, whose width is known once their columns are parsed.
  std::optional<Shape> inputShape;
  std::string source;  // the file or folder the shape comes from, for messages
};

// Reads the headers of what `spec` names. Throws DataError when a header is unreadable or the
// data would not fit in the data budget as float32.
DataHeader readDataHeader(const DatasetSpec& spec,
                          const std::string& fashionMnistFolder = fashionMnistDir());

// How many samples the training split of `spec` holds (splitCounts), counted without decoding:
// from the IDX dimensions, the image folder's listing, or a read of the CSV table. For choosing
// a batch size before the data is loaded. Throws DataError when the source cannot be read.
int64_t countTrainingSamples(const DatasetSpec& spec,
                             const std::string& fashionMnistFolder = fashionMnistDir());

}  // namespace layerlab::engine
