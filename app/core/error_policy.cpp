#include "app/core/error_policy.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <system_error>

#include "app/core/training_job.h"
#include "engine/data/idx_reader.h"
#include "engine/export/onnx_graph.h"
#include "engine/train/trainer.h"
#include "storage/store_error.h"

namespace layerlab::app {
namespace {

constexpr std::string_view kOutOfMemoryAdvice =
    "not enough memory to go on; try a smaller batch size, a smaller model or --limit";

// Where LibTorch's backtrace starts in a what() text, or npos.
size_t backtraceStart(std::string_view text) {
  for (const std::string_view marker : {"\nException raised from ", "\nframe #0"}) {
    const size_t at = text.find(marker);
    if (at != std::string_view::npos) return at;
  }
  return std::string_view::npos;
}

// Cuts `text` to at most `maxBytes` without splitting a UTF-8 sequence.
void cutUtf8(std::string& text, size_t maxBytes) {
  static constexpr std::string_view kEllipsis = "…";
  if (text.size() <= maxBytes) return;
  size_t end = maxBytes > kEllipsis.size() ? maxBytes - kEllipsis.size() : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  text.resize(end);
  text += kEllipsis;
}

ErrorDescription badInput(std::string_view text) {
  return {ErrorKind::BadInput, errorText(text)};
}

ErrorDescription failed(std::string_view text) {
  return {ErrorKind::Failed, errorText(text)};
}

ErrorDescription describeStoreError(const storage::StoreError& error) {
  return {
      error.kind() == storage::StoreErrorKind::NotFound ? ErrorKind::BadInput : ErrorKind::Failed,
      errorText(error.what())};
}

ErrorDescription describeTorchError(const c10::Error& error) {
  const std::string text = error.what_without_backtrace();
  // The CPU allocator reports with a plain c10::Error ("DefaultCPUAllocator: not enough memory").
  if (dynamic_cast<const c10::OutOfMemoryError*>(&error) != nullptr ||
      text.find("not enough memory") != std::string::npos) {
    return {ErrorKind::OutOfMemory, errorText(std::string(kOutOfMemoryAdvice) + " (" + text + ")")};
  }
  return failed(text);
}

}  // namespace

std::string errorText(std::string_view text, size_t maxBytes) {
  text = text.substr(0, backtraceStart(text));
  std::string out;
  out.reserve(std::min(text.size(), maxBytes + 8));
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool control = (byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7F;
    out += control ? '?' : c;
    if (out.size() > maxBytes + 8) break;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  cutUtf8(out, maxBytes);
  return out;
}

ErrorDescription describeError(const std::exception_ptr& error) {
  // Most derived types first: several of LayerLab's derive from std::runtime_error.
  try {
    std::rethrow_exception(error);
  } catch (const JobInputError& e) {
    return badInput(e.what());
  } catch (const engine::DataError& e) {
    return badInput(e.what());
  } catch (const storage::StoreError& e) {
    return describeStoreError(e);
  } catch (const engine::CheckpointError& e) {
    return failed(e.what());
  } catch (const engine::OnnxExportError& e) {
    return failed(e.what());
  } catch (const c10::Error& e) {
    return describeTorchError(e);
  } catch (const nlohmann::json::exception& e) {
    return badInput(std::string("a document or stored value is malformed: ") + e.what());
  } catch (const std::bad_alloc&) {
    return {ErrorKind::OutOfMemory, std::string(kOutOfMemoryAdvice)};
  } catch (const std::filesystem::filesystem_error& e) {
    return failed(e.what());
  } catch (const std::invalid_argument& e) {
    return badInput(e.what());
  } catch (const std::exception& e) {
    return failed(e.what());
  } catch (...) {
    return failed("an unknown error stopped the operation");
  }
}

ErrorDescription describeCurrentError() {
  return describeError(std::current_exception());
}

int exitCodeFor(ErrorKind kind) {
  return kind == ErrorKind::BadInput ? 2 : 1;
}

namespace {
const char* g_program = "layerlab";

[[noreturn]] void onTerminate() {
  const std::exception_ptr error = std::current_exception();
  const std::string text =
      error ? describeError(error).message : std::string("the program stopped unexpectedly");
  std::fprintf(stderr, "%s: internal error: %s\n", g_program, text.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}
}  // namespace

void installTerminateHandler(const char* program) {
  g_program = program;
  std::set_terminate(onTerminate);
}

}  // namespace layerlab::app
