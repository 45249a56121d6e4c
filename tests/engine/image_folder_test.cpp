// The image-folder reader on tiny PNG, JPEG and BMP files that the tests write themselves with
// stb_image_write, good and damaged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/data/image_folder.h"
#include "tests/engine/test_images.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;
using test::writeBytes;
using test::writeImage;

// Three classes in mixed formats, plus things the reader must pass over.
fs::path goodFolder(const test::TempDir& dir) {
  const fs::path root = dir.path() / "shapes";
  writeImage(root / "circle" / "a.png", 8, 8, 0);
  writeImage(root / "circle" / "b.bmp", 8, 8, 10);
  writeImage(root / "square" / "c.jpg", 8, 8, 20);
  writeImage(root / "square" / "d.JPEG", 8, 8, 30);
  writeImage(root / "triangle" / "e.png", 8, 8, 40);
  writeBytes(root / "triangle" / "notes.txt", "not an image");
  writeBytes(root / "triangle" / ".hidden.png", "hidden files are not read");
  writeBytes(root / "README", "a file beside the class folders");
  return root;
}

TEST(ImageFolder, ReadsClassesInMixedFormats) {
  test::TempDir dir;
  const fs::path root = goodFolder(dir);
  const ImageFolderData data = readImageFolder(root.string());
  EXPECT_EQ(data.classNames, (std::vector<std::string>{"circle", "square", "triangle"}));
  EXPECT_EQ(data.count, 5);
  EXPECT_EQ(data.labels, (std::vector<int64_t>{0, 0, 1, 1, 2}));
  EXPECT_EQ(data.channels, 3);
  EXPECT_EQ(data.height, 8);
  EXPECT_EQ(data.width, 8);
  ASSERT_EQ(data.pixels.size(), 5U * 3 * 8 * 8);
  // Planar layout: image 1 (b.bmp, base 10), channel 0 at (x=2, y=1) is 10 + 2 * 8; channel 1
  // there is 10 + 1 * 8; channel 2 is 200 everywhere.
  const size_t image1 = 3 * 64;
  EXPECT_EQ(data.pixels[image1 + 0 * 64 + 1 * 8 + 2], 26);
  EXPECT_EQ(data.pixels[image1 + 1 * 64 + 1 * 8 + 2], 18);
  EXPECT_EQ(data.pixels[image1 + 2 * 64 + 5 * 8 + 5], 200);
  // JPEG is lossy: close, not equal.
  const size_t image2 = 2 * 3 * 64;
  EXPECT_NEAR(data.pixels[image2 + 0 * 64 + 3 * 8 + 4], 20 + 4 * 8, 6);
  ASSERT_EQ(data.warnings.size(), 1U);
  EXPECT_NE(data.warnings[0].find("skipped 2 entries"), std::string::npos) << data.warnings[0];
}

TEST(ImageFolder, ConvertsToGrayscaleAndResizes) {
  test::TempDir dir;
  const fs::path root = goodFolder(dir);
  ImageFolderConfig config;
  config.options = {.height = 4, .width = 6, .color = "grayscale"};
  const ImageFolderData data = readImageFolder(root.string(), config);
  EXPECT_EQ(data.channels, 1);
  EXPECT_EQ(data.height, 4);
  EXPECT_EQ(data.width, 6);
  EXPECT_EQ(data.pixels.size(), 5U * 4 * 6);
}

TEST(ImageFolder, MixedSizesNeedAStatedSize) {
  test::TempDir dir;
  const fs::path root = dir.path() / "mixed";
  writeImage(root / "a" / "small.png", 8, 8);
  writeImage(root / "b" / "large.png", 16, 12);
  try {
    readImageFolder(root.string());
    ADD_FAILURE() << "mixed sizes were accepted";
  } catch (const DataError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find((root / "b" / "large.png").string() + ": 16×12 pixels, but "),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("small.png is 8×8"), std::string::npos) << message;
    EXPECT_NE(message.find("image.size"), std::string::npos) << message;
  }
  ImageFolderConfig config;
  config.options = {.height = 10, .width = 10};
  EXPECT_EQ(readImageFolder(root.string(), config).pixels.size(), 2U * 3 * 10 * 10);
}

TEST(ImageFolder, EveryBadFolderGivesAClearMessage) {
  struct Case {
    const char* name;
    std::function<void(const fs::path&)> make;
    const char* file;  // the path the message starts with, relative to the folder
    const char* message;
  };
  std::string png;
  {
    test::TempDir scratch;
    writeImage(scratch.path() / "x.png");
    std::ifstream in(scratch.path() / "x.png", std::ios::binary);
    png.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto withGood = [](const fs::path& root) { writeImage(root / "good" / "ok.png"); };
  const std::vector<Case> cases = {
      {"random_bytes",
       [&](const fs::path& r) {
         withGood(r);
         writeBytes(r / "bad" / "x.png", "\x01\x02garbage");
       },
       "bad/x.png", "not a readable PNG, JPEG or BMP image"},
      {"truncated_png",
       [&](const fs::path& r) {
         withGood(r);
         writeBytes(r / "bad" / "t.png", png.substr(0, png.size() / 2));
       },
       "bad/t.png", "the image is damaged"},
      {"empty_jpeg",
       [&](const fs::path& r) {
         withGood(r);
         writeBytes(r / "bad" / "e.jpg", "");
       },
       "bad/e.jpg", "not a readable PNG, JPEG or BMP image"},
      {"text_named_bmp",
       [&](const fs::path& r) {
         withGood(r);
         writeBytes(r / "bad" / "n.bmp", "BM not really");
       },
       "bad/n.bmp", "not a readable PNG, JPEG or BMP image"},
      {"one_class", [&](const fs::path& r) { withGood(r); }, "", "found 1 class folder(s)"},
      {"no_images",
       [&](const fs::path& r) {
         writeBytes(r / "a" / "x.txt", "x");
         writeBytes(r / "b" / "y.txt", "y");
       },
       "", "the class folders hold no PNG, JPEG or BMP images"},
      {"not_a_folder", [&](const fs::path& r) { writeBytes(r, "a file"); }, "", "not a folder"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    test::TempDir dir;
    const fs::path root = dir.path() / "images";
    c.make(root);
    try {
      readImageFolder(root.string());
      ADD_FAILURE() << "accepted";
    } catch (const DataError& error) {
      const std::string message = error.what();
      const std::string file =
          std::string(c.file).empty() ? root.string() : (root / c.file).string();
      EXPECT_EQ(message.rfind(file + ": ", 0), 0U) << message;
      EXPECT_NE(message.find(c.message), std::string::npos) << message;
    }
  }
}

TEST(ImageFolder, DecodeRefusesDamagedBytesWithoutCrashing) {
  std::string png;
  {
    test::TempDir scratch;
    writeImage(scratch.path() / "x.png");
    std::ifstream in(scratch.path() / "x.png", std::ios::binary);
    png.assign(std::istreambuf_iterator<char>(in), {});
  }
  int refused = 0;
  // Every prefix and a byte flipped at every position: decoded or refused, never a crash.
  for (size_t cut = 0; cut < png.size(); cut += 3) {
    for (const std::string& bytes : {png.substr(0, cut), [&] {
                                       std::string flipped = png;
                                       flipped[cut] = static_cast<char>(flipped[cut] ^ 0x5a);
                                       return flipped;
                                     }()}) {
      try {
        const DecodedImage image =
            decodeImage(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "x.png", 3);
        EXPECT_EQ(image.pixels.size(), static_cast<size_t>(image.height * image.width * 3));
      } catch (const DataError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("x.png: ", 0), 0U);
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 0);
}

TEST(ImageFolder, LimitChoosesTheSameImagesForTheSameSeed) {
  test::TempDir dir;
  const fs::path root = dir.path() / "many";
  for (int i = 0; i < 12; ++i)
    writeImage(root / (i % 2 == 0 ? "even" : "odd") / ("img" + std::to_string(10 + i) + ".png"), 4,
               4, i * 10);
  ImageFolderConfig config;
  config.limit = 5;
  config.seed = 3;
  const ImageFolderData a = readImageFolder(root.string(), config);
  const ImageFolderData b = readImageFolder(root.string(), config);
  EXPECT_EQ(a.count, 5);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(a.contentHash, b.contentHash);
  config.seed = 4;
  EXPECT_NE(readImageFolder(root.string(), config).pixels, a.pixels);
  EXPECT_NE(readImageFolder(root.string()).contentHash, a.contentHash);
}

TEST(ImageFolder, ReportsProgressAndCanBeCancelled) {
  test::TempDir dir;
  const fs::path root = goodFolder(dir);
  std::vector<int64_t> seen;
  ImageFolderConfig config;
  config.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 5);
    seen.push_back(done);
    return true;
  };
  EXPECT_FALSE(readImageFolder(root.string(), config).cancelled);
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  config.progress = [](int64_t done, int64_t) { return done < 2; };
  const ImageFolderData part = readImageFolder(root.string(), config);
  EXPECT_TRUE(part.cancelled);
  EXPECT_EQ(part.count, 2);
}

}  // namespace
}  // namespace layerlab::engine
