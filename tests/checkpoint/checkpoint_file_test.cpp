// The checkpoint container's own checks, on bytes made here: headers, index lengths, nesting,
// duplicate names, the trainer state's types. Then every input the checkpoint fuzzer saved
// (tests/data/fuzz/checkpoint/) replayed: a result or a CheckpointError, nothing else.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/train/checkpoint_file.h"
#include "tests/checkpoint/crafted_checkpoint.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string fileWith(const std::string& index, const std::string& data = {}) {
  std::string bytes = "LLCKPT\r\n";
  bytes += std::string("\1\0\0\0\0\0\0\0", 8);
  for (int i = 0; i < 8; ++i)
    bytes.push_back(static_cast<char>((uint64_t{index.size()} >> (8 * i)) & 0xFF));
  return bytes + index + data;
}

json with(json value, const json& change) {
  value.update(change);
  return value;
}

std::string messageOf(const std::string& bytes) {
  try {
    parseCheckpointIndex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), bytes.size(),
                         "x.ckpt");
  } catch (const CheckpointError& error) {
    return error.what();
  }
  return "accepted";
}

TEST(CheckpointFile, DamagedContainersAreRefusedWithTheReason) {
  const json tensor = {
      {"name", "w"}, {"dtype", "float32"}, {"shape", {2}}, {"offset", 0}, {"bytes", 8}};
  const auto index = [&](json tensors) {
    return json{{"state", json::object()}, {"tensors", tensors}}.dump();
  };
  std::string lengthTooLong = fileWith("{}");
  lengthTooLong[16] = '\xff';
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not a LayerLab checkpoint"},
      {"LLCKPT\r\n\1", "not a LayerLab checkpoint"},
      {std::string("PK\3\4", 4) + "archive/data.pkl", "format of LayerLab 0.1"},
      {fileWith("{}").replace(8, 1, "\2"), "checkpoint format 2 is from another version"},
      {lengthTooLong, "the checkpoint's index claims 255 bytes, more than the file"},
      {fileWith("{\"state\": {}, \"tensors\": [}"), "the index is not valid JSON"},
      {fileWith("[1]"), "the index is not a JSON object"},
      {fileWith(std::string(40, '[') + std::string(40, ']')), "nests deeper than 32 levels"},
      {fileWith("{\"tensors\": []}"), "the index has no \"state\" object"},
      {fileWith(index(json::array({tensor, tensor})), std::string(8, '\0')),
       "tensor 'w' is listed twice"},
      {fileWith(index(json::array({tensor})), std::string(7, '\0')),
       "tensor 'w' needs 8 bytes at offset 0 but the file holds only 7 bytes of data"},
      {fileWith(index(json::array({with(tensor, {{"offset", uint64_t{1} << 63}})})),
                std::string(8, '\0')),
       "needs 8 bytes at offset 9223372036854775808"},
      {fileWith(index(
           json::array({with(tensor, {{"shape", json::array({1, 1, 1, 1, 1, 1, 1, 1, 1})}})}))),
       "a shape of at most 8 dimensions"},
      {fileWith(index(json::array({with(tensor, {{"name", std::string(600, 'n')}})}))),
       "tensor #0 has no usable name"},
      {fileWith(index(json::array({with(tensor, {{"bytes", -8}})}))),
       "needs \"bytes\" as a whole number of 0 or more"},
      {fileWith(index(json::array({with(tensor, {{"shape", {2.5}}})}))),
       "shape that is not whole numbers"},
  };
  for (const auto& [bytes, words] : cases) {
    SCOPED_TRACE(words);
    const std::string message = messageOf(bytes);
    EXPECT_EQ(message.rfind("x.ckpt: ", 0), 0U) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
  EXPECT_EQ(messageOf(fileWith(index(json::array({tensor})), std::string(8, '\0'))), "accepted");
}

TEST(CheckpointFile, TheTrainerStateIsCheckedForTypeAndRange) {
  const json good = {{"version", kTrainerStateVersion},
                     {"epoch", 3},
                     {"step", 30},
                     {"wall_seconds", 1.5},
                     {"best", {{"best", 0.4}, {"best_epoch", 2}, {"bad_epochs", 1}}},
                     {"schedule", nullptr}};
  EXPECT_EQ(parseTrainerState(good, "x").epoch, 3);
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"epoch", "seven"}}, "\"epoch\" must be a whole number from 0 to 10000000, not \"seven\""},
      {{{"epoch", -1}}, "\"epoch\" must be a whole number"},
      {{{"epoch", 1e300}}, "\"epoch\" must be a whole number"},
      {{{"step", true}}, "\"step\" must be a whole number"},
      {{{"version", 1}}, "state version 1 is from another version"},
      {{{"wall_seconds", "soon"}}, "\"wall_seconds\" must be a finite number"},
      {{{"best", 4}}, "\"best\" must be an object"},
      {{{"best", {{"best", 0.4}, {"best_epoch", 9}, {"bad_epochs", 0}}}},
       "best.\"best_epoch\" must be a whole number from 0 to 3"},
      {{{"schedule", {{"plateau_lr", 0.1}}}}, "schedule.\"plateau_best\" is missing"},
      {{{"schedule",
         {{"plateau_lr", -1},
          {"plateau_best", 0},
          {"plateau_bad_epochs", 0},
          {"plateau_has_best", false}}}},
       "schedule.\"plateau_lr\" must not be negative"},
      {{{"schedule",
         {{"plateau_lr", 1},
          {"plateau_best", 0},
          {"plateau_bad_epochs", 0},
          {"plateau_has_best", "yes"}}}},
       "schedule.\"plateau_has_best\" must be true or false"},
  };
  for (const auto& [change, words] : cases) {
    SCOPED_TRACE(words);
    json state = good;
    state.update(change);
    try {
      parseTrainerState(state, "x.ckpt");
      ADD_FAILURE() << "accepted";
    } catch (const CheckpointError& error) {
      EXPECT_NE(std::string(error.what()).find("x.ckpt: damaged checkpoint state: " + words),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(CheckpointFile, WriterAndReaderAgree) {
  test::TempDir dir;
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  const int64_t step = 42;
  CheckpointWriter writer;
  writer.setState({{"any", 1}});
  writer.add("w", TensorDtype::Float32, {2, 3}, w.data());
  writer.add("step", TensorDtype::Int64, {}, &step);
  writer.write(dir.file("a.ckpt"));
  const CheckpointReader reader(dir.file("a.ckpt"));
  ASSERT_EQ(reader.index().tensors.size(), 2U);
  std::vector<float> back(6);
  reader.read(*reader.index().find("w"), back.data());
  EXPECT_EQ(back, w);
  int64_t stepBack = 0;
  reader.read(*reader.index().find("step"), &stepBack);
  EXPECT_EQ(stepBack, 42);
  EXPECT_EQ(reader.index().state["any"], 1);
}

TEST(CheckpointFile, AMissingOrUnwritableFileNamesItself) {
  test::TempDir dir;
  try {
    CheckpointReader reader(dir.file("none.ckpt"));
    ADD_FAILURE();
  } catch (const CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find(dir.file("none.ckpt") + ": cannot open"),
              std::string::npos);
  }
  try {
    CheckpointWriter().write(dir.file("no/such/folder.ckpt"));
    ADD_FAILURE();
  } catch (const CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot write the checkpoint"), std::string::npos);
  }
}

// What checkpoint_fuzz checks, on every input it saved.
TEST(CheckpointFile, EverySavedFuzzInputEndsInAResultOrACheckpointError) {
  const fs::path folder = fs::path(LAYERLAB_SOURCE_DIR) / "tests/data/fuzz/checkpoint";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    try {
      const CheckpointReader reader(entry.path().string());
      parseTrainerState(reader.index().state, entry.path().string());
    } catch (const CheckpointError&) {
    }
  }
  EXPECT_GT(files, 3);
}

}  // namespace
}  // namespace layerlab::engine
