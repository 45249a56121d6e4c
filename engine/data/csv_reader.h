// Reads a CSV table for learning: numeric feature columns and one label column, which may hold
// text (classes) or numbers (classes or a regression target). Torch-free: the result is plain
// floats and integers; dataset.cpp makes the tensors.
//
// The file may be gzipped (detected by its magic), start with a UTF-8 byte-order mark, and end
// its lines in LF, CRLF or CR. See csv_tokenizer.h for the quoting rules. Every failure is a
// DataError whose message names the file, the line and the column (counted from 1, like a
// spreadsheet) and says what to do. Pure functions: any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/data/load_progress.h"

namespace layerlab::engine {

// The most text a CSV file may have (after gunzip); half of the data budget when that is less
// (memory_budget.h). Reading stops as soon as the text passes it: a gzip bomb costs at most this
// much memory and the time to inflate it.
inline constexpr int64_t kMaxCsvTextBytes = int64_t{256} << 20;

struct CsvReadConfig {
  CsvOptions options;
  // Called every 64 KiB with bytes read and the total; return false to stop reading.
  LoadProgress progress;
};

struct CsvTable {
  std::string task;                       // "classification" | "regression"
  std::vector<std::string> featureNames;  // the header's names, or "column N" without one
  std::string labelName;
  std::vector<std::string> columnNames;  // every column in file order, ignored ones too
  // Classification: text labels in order of first appearance; numbers in increasing order.
  std::vector<std::string> classNames;
  int64_t rows = 0;
  std::vector<float> features;   // rows × featureNames.size(), row-major; NaN where missing
                                 // (only with the "mean" policy: filled after the split)
  std::vector<int64_t> classes;  // classification: a class index per row
  std::vector<float> targets;    // regression: a value per row
  char delimiter = ',';
  bool hasHeader = false;
  std::string contentHash;            // of the text as read (after gunzip): see ContentHash
  std::vector<std::string> warnings;  // each names the file; the table is usable
  bool cancelled = false;             // the progress callback stopped the read: rows is partial
};

// Reads `path`. Throws DataError.
CsvTable readCsv(const std::string& path, const CsvReadConfig& config = {});

// The same for text in memory; `name` stands for the file in messages.
CsvTable parseCsv(std::string_view text, const std::string& name, const CsvReadConfig& config = {});

// `options` with the label and ignored columns named by the header, as `layerlab-cli train
// --label-column species` names them, when `table` has a header and the name is unique there;
// other columns stay as given. Whichever way a column was picked (-1, 4 or "species"), the
// stored dataset spec then reads the same, and so does the run's data fingerprint.
CsvOptions columnsByName(const CsvTable& table, const CsvOptions& options);

// The same for the file at `path`, reading only its first rows. `options` unchanged when the
// file cannot be read: the reader's own error comes when the data is loaded.
CsvOptions columnsByName(const std::string& path, const CsvOptions& options);

// Whether `cell` counts as a missing value: empty, or NA, N/A, NaN, null, none or ? in any case.
bool isMissingCell(std::string_view cell);

// Parses a whole cell as a finite number ("+1.5", "-2e3"; with `decimalComma`, "1,5" too).
// False for anything else, including inf and numbers beyond float's range.
bool parseNumberCell(std::string_view cell, bool decimalComma, double& value);

}  // namespace layerlab::engine
