// The subcommands of layerlab-cli. Each adds itself to the parser and, when chosen, sets the
// process exit code: 0 success, 1 a failed run or store error, 2 bad input, 130 stopped by Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace layerlab::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;

void addTrainCommand(CLI::App& app, int& exitCode);
void addRunsCommand(CLI::App& app, int& exitCode);
void addSummaryCommand(CLI::App& app, int& exitCode);
void addPredictCommand(CLI::App& app, int& exitCode);
void addExportCommand(CLI::App& app, int& exitCode);
void addExperimentCommand(CLI::App& app, int& exitCode);

// Prints "layerlab-cli: error: <message>" on stderr, its text through displayLines.
void printError(const std::string& message);

// Text from a store, a document or a data file made safe for a terminal: control characters
// (C0, DEL and the C1 range U+0080–U+009F, which some terminals obey as escape sequences) are
// shown escaped ("\x1b", "\u009b"). displayText escapes line breaks and tabs too ("\n", "\t");
// displayLines keeps them, for messages of several lines.
std::string displayText(const std::string& text);
std::string displayLines(const std::string& text);

// `doc` on one line in ASCII (other characters as \u escapes); text that is not UTF-8 is
// replaced rather than aborting the output.
std::string oneLineJson(const nlohmann::json& doc);

// The --db option every store command takes, defaulting to the user's store.
CLI::Option* addStoreOption(CLI::App& command, std::string& path);

}  // namespace layerlab::cli
