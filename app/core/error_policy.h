// How LayerLab turns every failure into words: the one top-level error policy of both programs.
// Qt-free; any thread may call it.
//
// 1. Failures that end an operation are exceptions of a type that says whose fault it is
//    (app::JobInputError, engine::DataError, engine::CheckpointError, storage::StoreError, …),
//    thrown where they are found with a message that names the file, line, column, node or tensor.
// 2. No exception leaves a thread of ours. Each top level catches everything and asks
//    describeCurrentError() what to say: layerlab-cli's main() and its subcommands (exitCodeOf),
//    the GUI's event dispatch (GuardedApplication::notify), the training job (a run that fails
//    stores this text as its error), the GUI's TrainingSession and every ui::Worker.
// 3. The description is at most a few lines of plain text: no LibTorch backtrace, no control
//    characters, bounded in size (kMaxErrorBytes), so a crafted file cannot flood a terminal or
//    the store.
// 4. The CLI prints it as "layerlab-cli: error: <text>" and exits with exitCodeFor(kind): 2 for
//    the user's input, 1 for anything else. The GUI shows it in a dialog or the place's status.
// 5. What still escapes (an exception out of a noexcept function or a thread LayerLab did not
//    start) reaches installTerminateHandler()'s handler: one line on stderr and exit code 1,
//    never abort() with a core dump.
#pragma once

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

namespace layerlab::app {

enum class ErrorKind {
  BadInput,     // the user's file, document, option or run id: fix the input (exit code 2)
  Failed,       // the operation failed (a store that cannot be used, a checkpoint, a bug): 1
  OutOfMemory,  // the machine ran out of memory: shrink the batch, the model or the data (1)
};

struct ErrorDescription {
  ErrorKind kind = ErrorKind::Failed;
  std::string message;  // plain text, see errorText()
};

// The most a description keeps; longer text is cut with "…".
inline constexpr size_t kMaxErrorBytes = 2000;

// Describes the exception being handled; call it only inside a catch block.
ErrorDescription describeCurrentError();
ErrorDescription describeError(const std::exception_ptr& error);

// `text` made fit to show and store: a LibTorch backtrace ("Exception raised from …",
// "frame #…") dropped, control characters other than line breaks and tabs replaced by '?',
// trailing blank lines removed, and at most `maxBytes` kept (cut on a UTF-8 boundary).
std::string errorText(std::string_view text, size_t maxBytes = kMaxErrorBytes);

// The process exit code of a command that ended with such an error.
int exitCodeFor(ErrorKind kind);

// Makes std::terminate print "<program>: internal error: <description>" and exit with code 1
// instead of aborting. Call once, first thing in main().
void installTerminateHandler(const char* program);

}  // namespace layerlab::app
