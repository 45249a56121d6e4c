// How a run's parameters are derived from its documents and kept in the `params` table. Private
// to the storage module.
#pragma once

#include <string>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::storage {

class Statement;

// The flattened parameters of a run (see Param), sorted by key. Documents that are not JSON
// objects contribute nothing.
std::vector<Param> flattenRunParams(const NewRun& run, const std::string& modelSha256);

// Binds the value and the type word to two parameters.
void bindParamValue(Statement& statement, int valueIndex, int typeIndex, const ParamValue& value);

// Reads back what bindParamValue() stored.
ParamValue readParamValue(const Statement& statement, int valueColumn, int typeColumn);

// The model's "name" field, or "" when the document has none.
std::string modelNameOf(const std::string& modelJson);

}  // namespace layerlab::storage
