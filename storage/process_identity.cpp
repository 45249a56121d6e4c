#include "storage/process_identity.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <fstream>
#include <sstream>

namespace layerlab::storage {

namespace {

std::string hostName() {
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0) return {};
  return buffer.data();
}

std::string bootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. The command
// name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
std::string startTicks(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  for (int index = 3; index <= 22; ++index) {
    if (!(fields >> field)) return {};
  }
  return field;
}

std::string tokenOf(int64_t pid) {
  const std::string boot = bootId();
  const std::string start = startTicks(pid);
  if (boot.empty() || start.empty()) return {};
  return boot + "/" + start;
}

}  // namespace

ProcessIdentity currentProcess() {
  const auto pid = static_cast<int64_t>(getpid());
  return {pid, hostName(), tokenOf(pid)};
}

Liveness ownerLiveness(const ProcessIdentity& owner) {
  const std::string host = hostName();
  if (host.empty() || owner.host != host) return Liveness::Unknown;
  if (owner.pid <= 0 || owner.pid > INT_MAX) return Liveness::Unknown;
  if (!owner.token.empty()) {
    const size_t slash = owner.token.find('/');
    if (owner.token.substr(0, slash) != bootId()) return Liveness::Gone;  // rebooted since
  }
  // Only "no such process" proves the owner is gone; EPERM means it lives under another user.
  if (kill(static_cast<pid_t>(owner.pid), 0) == -1 && errno == ESRCH) return Liveness::Gone;
  if (!owner.token.empty()) {
    const std::string now = tokenOf(owner.pid);
    if (!now.empty() && now != owner.token) return Liveness::Gone;  // the pid was reused
  }
  return Liveness::Alive;
}

}  // namespace layerlab::storage
