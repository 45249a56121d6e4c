// The error policy as a table: each kind of exception a top level can meet, and the text and
// kind it becomes (app/core/error_policy.h).
#include "app/core/error_policy.h"

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "app/core/training_job.h"
#include "engine/data/idx_reader.h"
#include "engine/train/trainer.h"
#include "storage/store_error.h"

namespace layerlab::app {
namespace {

struct Case {
  const char* name;
  std::function<void()> raise;
  ErrorKind kind;
  const char* contains;
};

ErrorDescription described(const std::function<void()>& raise) {
  try {
    raise();
  } catch (...) {
    return describeCurrentError();
  }
  ADD_FAILURE() << "nothing was thrown";
  return {};
}

TEST(ErrorPolicy, EveryExceptionTypeBecomesOneKindAndAPlainText) {
  const std::vector<Case> cases = {
      {"job input", [] { throw JobInputError("model.json: node 'fc': bad"); }, ErrorKind::BadInput,
       "model.json: node 'fc': bad"},
      {"data", [] { throw engine::DataError("a.csv: line 3: not a number"); }, ErrorKind::BadInput,
       "a.csv: line 3"},
      {"unknown run",
       [] { throw storage::StoreError("no run 9", storage::StoreErrorKind::NotFound); },
       ErrorKind::BadInput, "no run 9"},
      {"full disk", [] { throw storage::StoreError("disk full", storage::StoreErrorKind::Full); },
       ErrorKind::Failed, "disk full"},
      {"checkpoint", [] { throw engine::CheckpointError("last.pt: tensor 'w' is short"); },
       ErrorKind::Failed, "tensor 'w'"},
      {"torch", [] { TORCH_CHECK(false, "shapes do not match"); }, ErrorKind::Failed,
       "shapes do not match"},
      {"torch out of memory",
       [] { TORCH_CHECK(false, "DefaultCPUAllocator: not enough memory: you tried to allocate"); },
       ErrorKind::OutOfMemory, "smaller batch size"},
      {"bad_alloc", [] { throw std::bad_alloc(); }, ErrorKind::OutOfMemory, "not enough memory"},
      {"json type",
       [] { (void)nlohmann::json::parse(R"({"epoch":"seven"})").at("epoch").get<int>(); },
       ErrorKind::BadInput, "malformed"},
      {"filesystem",
       [] {
         throw std::filesystem::filesystem_error("cannot open", "/nowhere/x",
                                                 std::make_error_code(std::errc::io_error));
       },
       ErrorKind::Failed, "/nowhere/x"},
      {"invalid argument", [] { throw std::invalid_argument("--lr must be > 0"); },
       ErrorKind::BadInput, "--lr"},
      {"other", [] { throw std::runtime_error("odd"); }, ErrorKind::Failed, "odd"},
      {"not an exception", [] { throw 42; }, ErrorKind::Failed, "unknown error"},
  };
  for (const Case& c : cases) {
    const ErrorDescription error = described(c.raise);
    EXPECT_EQ(error.kind, c.kind) << c.name;
    EXPECT_NE(error.message.find(c.contains), std::string::npos) << c.name << ": " << error.message;
    EXPECT_EQ(error.message.find("Exception raised from"), std::string::npos) << c.name;
    EXPECT_EQ(error.message.find("frame #"), std::string::npos) << c.name;
  }
  EXPECT_EQ(exitCodeFor(ErrorKind::BadInput), 2);
  EXPECT_EQ(exitCodeFor(ErrorKind::Failed), 1);
  EXPECT_EQ(exitCodeFor(ErrorKind::OutOfMemory), 1);
}

TEST(ErrorPolicy, ATorchErrorKeepsItsMessageAndLosesItsBacktrace) {
  std::string full;
  try {
    TORCH_CHECK(false, "index 7 is out of bounds");
  } catch (const c10::Error& error) {
    full = error.what();
  }
  ASSERT_NE(full.find("Exception raised from"), std::string::npos);  // what a backtrace looks like
  const std::string text = errorText(full);
  EXPECT_EQ(text, "index 7 is out of bounds");
}

TEST(ErrorPolicy, TextIsBoundedAndHasNoControlCharacters) {
  EXPECT_EQ(errorText("a\x1b]0;x\a b\r\nsecond line\n\n"), "a?]0;x? b?\nsecond line");
  EXPECT_EQ(errorText("tab\there"), "tab\there");

  std::string longText;
  for (int i = 0; i < 5000; ++i)
    longText += "é";  // two bytes each: a cut must not split one
  const std::string cut = errorText(longText, 101);
  EXPECT_LE(cut.size(), 101u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "…");
  const std::string body = cut.substr(0, cut.size() - 3);
  EXPECT_EQ(body.size() % 2, 0u);
  EXPECT_EQ(body, longText.substr(0, body.size()));
  EXPECT_LE(errorText(std::string(1 << 20, 'x')).size(), kMaxErrorBytes);
}

}  // namespace
}  // namespace layerlab::app
