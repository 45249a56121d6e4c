// libFuzzer target: the CSV reader on arbitrary bytes, with options picked by the first byte.
// A DataError is an answer; a crash, a sanitizer report or another exception is a finding.
#include <cstddef>
#include <cstdint>

#include "engine/data/csv_reader.h"
#include "tests/fuzz/fuzz_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerlab;
  const fuzz::CsvInput input = fuzz::csvInputFor(data, size);
  try {
    const engine::CsvTable table = engine::parseCsv(input.text, "input", {input.options, {}});
    // The table must be as consistent as the readers' users assume.
    if (table.features.size() != static_cast<size_t>(table.rows) * table.featureNames.size() ||
        table.classes.size() + table.targets.size() != static_cast<size_t>(table.rows)) {
      __builtin_trap();
    }
    for (int64_t label : table.classes) {
      if (label < 0 || label >= static_cast<int64_t>(table.classNames.size())) __builtin_trap();
    }
  } catch (const engine::DataError&) {
  }
  return 0;
}
