// Data files from someone else: a gzipped CSV that inflates to a gigabyte, a gzipped IDX file
// whose header declares 15 GiB of float32 data, and folders of tiny PNG files whose headers
// declare huge images. Each is refused from its header, or as soon as the inflated text passes
// its cap, with one line naming the file; the budget is set through LAYERLAB_MEMORY_BUDGET so
// that the outcome does not depend on the machine.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "engine/data/idx_reader.h"
#include "tests/limits/limits_support.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using test::MeasuredRun;
using test::runCliMeasured;

// One gzip member holding `text`.
std::string gzipMember(const std::string& text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string bigEndian32(uint32_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

std::string pngChunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return bigEndian32(static_cast<uint32_t>(data.size())) + body + bigEndian32(crc);
}

// A PNG of a few dozen bytes that declares width × height RGB pixels and holds almost none.
std::string tinyPngDeclaring(uint32_t width, uint32_t height) {
  const std::string header =
      bigEndian32(width) + bigEndian32(height) + std::string("\x08\x02\0\0\0", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header) +
         pngChunk("IDAT", gzipMember("\0")) + pngChunk("IEND", "");
}

void makePngFolder(const std::string& folder, uint32_t side) {
  for (const char* label : {"a", "b"}) {
    std::filesystem::create_directories(folder + "/" + label);
    for (int i = 0; i < 5; ++i)
      test::writeFile(folder + "/" + label + "/" + std::to_string(i) + ".png",
                      tinyPngDeclaring(side, side));
  }
}

std::string modelWithInput(const std::string& shape, const std::string& firstLayer) {
  return R"({"format": "layerlab.model", "version": 1, "name": "m", "input": {"shape": )" + shape +
         R"(}, "nodes": [{"id": "pool", "type": ")" + firstLayer +
         R"(", "inputs": ["input"]}, {"id": "out", "type": "Dense", "units": 2, "inputs": ["pool"]}],
         "outputs": ["out"]})";
}

void expectRefused(const MeasuredRun& run, const std::string& expected) {
  EXPECT_EQ(run.exitCode, 2) << run.err;
  const std::vector<std::string> lines = test::nonEmptyLines(run.err);
  ASSERT_EQ(lines.size(), 1U) << run.err;
  EXPECT_EQ(lines[0], "layerlab-cli: error: " + expected);
  EXPECT_GT(run.peakRssKiB, 0) << "no report from /usr/bin/time";
  EXPECT_LT(run.peakRssKiB, 1024 * 1024) << "peak RSS in KiB";
  EXPECT_LT(run.cpuSeconds, 3.0);
}

TEST(DataLimits, GzipCsvBombStopsAtTheTextCap) {
  test::TempDir dir;
  // 1,024 gzip members of 1 MiB of rows each: 1 GiB of text in about a megabyte.
  std::string rows;
  while (rows.size() < (size_t{1} << 20))
    rows += "1,2,3,4,0\n";
  const std::string member = gzipMember(rows);
  std::string bomb;
  for (int i = 0; i < 1024; ++i)
    bomb += member;
  const std::string path = dir.file("bomb.csv.gz");
  test::writeFile(path, bomb);
  test::writeFile(dir.file("m.json"), test::chainModel(1));
  expectRefused(runCliMeasured({"train", "--model", dir.file("m.json"), "--data", path, "--db",
                                dir.file("runs.db")},
                               {"LAYERLAB_MEMORY_BUDGET=256M"}),
                path +
                    ": the table's text is more than 32.0 MiB once inflated, the most LayerLab "
                    "reads from one CSV file (256 MiB, or half of the data budget); use a smaller "
                    "file");
}

// An IDX header declaring 1,000,000 images of 64×64 bytes (15.3 GiB as float32) in front of a
// little data, gzipped.
std::string idxBomb() {
  return gzipMember(std::string("\0\0\x08\x03", 4) + bigEndian32(1000000) + bigEndian32(64) +
                    bigEndian32(64) + std::string(1 << 20, '\0'));
}

TEST(DataLimits, GzipIdxBombIsRefusedFromItsHeader) {
  test::TempDir dir;
  const std::string images = dir.file("images.idx.gz");
  test::writeFile(images, idxBomb());
  test::writeFile(dir.file("labels.idx"), std::string("\0\0\x08\x01", 4) + bigEndian32(3) + "abc");
  test::writeFile(dir.file("m.json"), modelWithInput("[1, 64, 64]", "GlobalAvgPool"));
  const std::string expected =
      images +
      ": 1,000,000 samples of 4,096 values would take 15.3 GiB as float32, more than the 2.00 "
      "GiB a data set may take as float32 (a quarter of LAYERLAB_MEMORY_BUDGET, 8.00 GiB, and at "
      "most 4.00 GiB); load fewer samples (limit) or a smaller file";
  expectRefused(runCliMeasured({"train", "--model", dir.file("m.json"), "--data",
                                images + "," + dir.file("labels.idx"), "--db", dir.file("r.db")},
                               {"LAYERLAB_MEMORY_BUDGET=8G"}),
                expected);
  // The reader refuses the same before inflating, for every other caller.
  ASSERT_EQ(setenv("LAYERLAB_MEMORY_BUDGET", "8G", 1), 0);
  const std::string bytes = idxBomb();
  try {
    engine::parseIdx(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), images);
    ADD_FAILURE() << "the bomb was read";
  } catch (const engine::DataError& error) {
    EXPECT_EQ(std::string(error.what()), expected);
  }
  unsetenv("LAYERLAB_MEMORY_BUDGET");
}

TEST(DataLimits, ImagesDeclaringHugeSizesAreRefusedBeforeDecoding) {
  test::TempDir dir;
  const std::string folder = dir.file("huge");
  makePngFolder(folder, 30000);
  test::writeFile(dir.file("m.json"), modelWithInput("[3, 28, 28]", "GlobalAvgPool"));
  const std::vector<std::string> train = {"train", "--model",        dir.file("m.json"),
                                          "--db",  dir.file("r.db"), "--data"};
  std::vector<std::string> args = train;
  args.push_back(folder);
  expectRefused(runCliMeasured(args), folder +
                                          "/a/0.png: the image declares 30000×30000 pixels, more "
                                          "than LayerLab decodes (at most 16384 a side and 64 "
                                          "megapixels); replace or remove the file");
  // Within the per-image caps, the declared size is checked against the model before decoding.
  const std::string large = dir.file("large");
  makePngFolder(large, 8000);
  args = train;
  args.insert(args.end(), {large, "--limit", "2"});  // 1.43 GiB as float32: within the budget
  expectRefused(runCliMeasured(args, {"LAYERLAB_MEMORY_BUDGET=64G"}),
                "the model expects input [3, 28, 28] but the data has [3, 8000, 8000]");
  // And against the data budget: ten images of 8000×8000×3 are 7.15 GiB as float32.
  test::writeFile(dir.file("big.json"), modelWithInput("[3, 8000, 8000]", "GlobalAvgPool"));
  args = {"train",  "--model", dir.file("big.json"), "--batch-size", "1", "--db", dir.file("r.db"),
          "--data", large};
  expectRefused(runCliMeasured(args, {"LAYERLAB_MEMORY_BUDGET=2G"}),
                large +
                    ": 10 samples of 192,000,000 values would take 7.15 GiB as float32, more than "
                    "the 512 MiB a data set may take as float32 (a quarter of "
                    "LAYERLAB_MEMORY_BUDGET, 2.00 GiB, and at most 4.00 GiB); load fewer samples "
                    "(limit) or a smaller file");
  // However much memory the machine has, a data set is at most 4 GiB as float32.
  const MeasuredRun anyMachine = runCliMeasured(args, {"LAYERLAB_MEMORY_BUDGET=1T"});
  EXPECT_EQ(anyMachine.exitCode, 2);
  EXPECT_NE(anyMachine.err.find(large + ": 10 samples of 192,000,000 values would take 7.15 GiB as "
                                        "float32, more than the 4.00 GiB"),
            std::string::npos)
      << anyMachine.err;
}

}  // namespace
}  // namespace layerlab
