#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace layerlab::test {
namespace {

bool readSome(int fd, std::string& into) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n <= 0) return false;
  into.append(buffer, static_cast<size_t>(n));
  return true;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  int out[2], err[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<std::string> argStore = {program};
  argStore.insert(argStore.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argStore)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> envStore;
  for (char** e = environ; *e != nullptr; ++e)
    envStore.emplace_back(*e);
  envStore.insert(envStore.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& entry : envStore)
    envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int rc = posix_spawn(&m_pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  m_out = out[0];
  m_err = err[0];
  if (rc != 0) throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
}

ChildProcess::~ChildProcess() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
  if (m_out >= 0) ::close(m_out);
  if (m_err >= 0) ::close(m_err);
}

bool ChildProcess::readLine(std::string& line) {
  for (;;) {
    const size_t newline = m_outBuffer.find('\n');
    if (newline != std::string::npos) {
      line = m_outBuffer.substr(0, newline);
      m_consumed += m_outBuffer.substr(0, newline + 1);
      m_outBuffer.erase(0, newline + 1);
      return true;
    }
    if (!readSome(m_out, m_outBuffer)) return false;
  }
}

bool ChildProcess::readUntilLineContaining(const std::string& text) {
  std::string line;
  while (readLine(line)) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

void ChildProcess::sendSignal(int signal) {
  ::kill(m_pid, signal);
}

ProcessResult ChildProcess::wait() {
  ProcessResult result;
  pollfd fds[2] = {{m_out, POLLIN, 0}, {m_err, POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP)) != 0) {
        if (!readSome(fds[i].fd, i == 0 ? m_outBuffer : result.err)) {
          fds[i].fd = -1;
          --open;
        }
      }
    }
  }
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = m_consumed + m_outBuffer;
  return result;
}

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& env) {
  ChildProcess child(program, args, env);
  return child.wait();
}

}  // namespace layerlab::test
