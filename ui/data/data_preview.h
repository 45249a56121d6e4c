// What the Data place shows of a source, read off the GUI thread: the images (or the first rows
// of a table) with their labels, the class counts and a line of statistics. readPreview runs on
// the page's worker thread; the result is immutable once handed to the GUI thread.
//
// Threads: readPreview on any thread (it touches no widget); DataPreview is plain data.
#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/data/load_progress.h"

namespace layerlab::ui {

// Rows of a table shown in the preview.
inline constexpr int kPreviewTableRows = 500;
// Images decoded for a folder's preview (a seeded sample of bigger folders).
inline constexpr int kImageFolderPreview = 3000;

struct DataPreview {
  bool images = false;
  QString name;
  int64_t count = 0;
  // The source's samples before the spec's limit and split (a folder's whole listing, not just
  // the images decoded for the preview): what the training part is cut from.
  int64_t sourceSamples = 0;
  int64_t channels = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // count × channels × height × width
  std::vector<int64_t> labels;
  QStringList classNames;
  std::vector<int64_t> classCounts;
  QStringList columns;            // tables: every feature column, the label last
  std::vector<QStringList> rows;  // tables: the first kPreviewTableRows rows
  // Tables: the spec's CSV options with the columns named as the header names them
  // (engine::columnsByName), so the GUI stores what `layerlab-cli train` stores.
  engine::CsvOptions csv;
  QString statistics;
  QString error;
};

// Reads what `spec` names for the preview. Never throws: a failure is in DataPreview::error.
DataPreview readPreview(const engine::DatasetSpec& spec, const engine::LoadProgress& progress);

}  // namespace layerlab::ui
