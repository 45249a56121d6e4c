// Runs a program as a child process for end-to-end tests: arguments in, exit code and output
// out, with line-by-line reading for tests that act while the child runs.
#pragma once

#include <string>
#include <vector>

namespace layerlab::test {

struct ProcessResult {
  int exitCode = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

class ChildProcess {
 public:
  // Starts `program` with `args`; `env` entries ("NAME=value") are added to this environment.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of standard output without its newline; false at end of output.
  bool readLine(std::string& line);
  // Reads lines until one contains `text`; false when the output ended first.
  bool readUntilLineContaining(const std::string& text);
  void sendSignal(int signal);
  // Reads the rest of both streams and waits for the exit.
  ProcessResult wait();

 private:
  int m_pid = -1;
  int m_out = -1;
  int m_err = -1;
  std::string m_outBuffer;
  std::string m_consumed;
};

// Starts, waits, returns everything.
ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {});

}  // namespace layerlab::test
