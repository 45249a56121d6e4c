// A store with one run trained by layerlab-cli on a small table, for tests that then tamper with
// its checkpoint files the way someone handing over a store could: the file is changed and its
// recorded size and SHA-256 updated, so that the store's hash check passes and the checkpoint's
// own checks are what must refuse it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "storage/sha256.h"
#include "tests/storage/store_test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab::test {

inline const std::string kCli = LAYERLAB_CLI_PATH;

inline ProcessResult cli(const std::vector<std::string>& args) {
  return runProcess(kCli, args);
}

// Three classes of 4 features around different centres, the label first and named "kind".
inline std::string blobsCsv(int rowsPerClass) {
  std::mt19937 random(5);
  std::normal_distribution<double> noise(0.0, 0.6);
  std::ostringstream csv;
  csv << "kind,f1,f2,f3,f4\n";
  for (int row = 0; row < rowsPerClass; ++row) {
    for (int c = 0; c < 3; ++c) {
      csv << "abc"[c];
      for (int f = 0; f < 4; ++f)
        csv << ',' << (f == c ? 3.0 : 0.0) + noise(random);
      csv << '\n';
    }
  }
  return csv.str();
}

inline void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Trains run 1 of `folder`/runs.db for `epochs` epochs of `model` (a template file) on a table
// written beside it. Extra arguments go to `train`.
inline ProcessResult trainRun(const std::filesystem::path& folder, const std::string& model,
                              int epochs, const std::vector<std::string>& extra = {}) {
  writeText((folder / "blobs.csv").string(), blobsCsv(40));
  std::vector<std::string> args = {"train",
                                   "--model",
                                   model,
                                   "--data",
                                   (folder / "blobs.csv").string(),
                                   "--label-column",
                                   "kind",
                                   "--epochs",
                                   std::to_string(epochs),
                                   "--batch-size",
                                   "16",
                                   "--db",
                                   (folder / "runs.db").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return cli(args);
}

// The absolute path of run 1's checkpoint of `kind` ("checkpoint-last" or "checkpoint-best").
inline std::string checkpointPath(const std::filesystem::path& folder,
                                  const std::string& kind = "checkpoint-last") {
  storage::testing::RawConnection raw((folder / "runs.db").string());
  const std::string rel =
      raw.text("SELECT rel_path FROM artifacts WHERE run_id = 1 AND kind = '" + kind + "'");
  return (folder / rel).string();
}

// Records the file's new size and SHA-256, as a crafted store would.
inline void rehash(const std::filesystem::path& folder, const std::string& kind) {
  const storage::FileDigest digest = storage::sha256File(checkpointPath(folder, kind));
  storage::testing::RawConnection raw((folder / "runs.db").string());
  raw.exec("UPDATE artifacts SET sha256 = '" + digest.sha256 + "', bytes = " +
           std::to_string(digest.bytes) + " WHERE run_id = 1 AND kind = '" + kind + "'");
}

inline int lineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace layerlab::test
