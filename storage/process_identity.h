// Who owns a running run, and whether that owner still lives. Private to the storage module.
#pragma once

#include <cstdint>
#include <string>

namespace layerlab::storage {

// A process as the runs table records it. `token` ties the pid to one boot and one process start
// ("<boot id>/<start ticks>"), so a reboot or a recycled pid cannot pass for the owner.
struct ProcessIdentity {
  int64_t pid = 0;
  std::string host;
  std::string token;  // empty where /proc is not available
};

// This process, computed afresh (a fork has another pid).
ProcessIdentity currentProcess();

enum class Liveness { Alive, Gone, Unknown };

// Alive or Gone for an owner on this host; Unknown for another host (a pid there says nothing
// here) or when there is no way to tell.
Liveness ownerLiveness(const ProcessIdentity& owner);

}  // namespace layerlab::storage
