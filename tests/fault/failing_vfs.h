// A SQLite VFS that passes everything to the system's default VFS, except that writes can be
// made to fail on demand, as on a full disk or a failing drive. Installed as the default VFS, so
// every connection opened afterwards in this process goes through it.
#pragma once

#include <sqlite3.h>

#include <atomic>

namespace layerlab::testing {

class FailingVfs {
 public:
  // Registers the VFS as the process default (once); later calls return the same instance.
  static FailingVfs& install();

  // From now on every write to a database or WAL file fails with `code` (SQLITE_FULL,
  // SQLITE_IOERR_WRITE, …); 0 lets writes through again.
  void failWrites(int code) { m_failWith = code; }
  // How many writes were refused since install().
  int refusedWrites() const { return m_refused; }

  // Used by the VFS's own functions.
  int failCode() const { return m_failWith; }
  void countRefused() { ++m_refused; }

 private:
  FailingVfs() = default;
  std::atomic<int> m_failWith{0};
  std::atomic<int> m_refused{0};
};

// Turns write failures on for the life of the object.
class WritesFail {
 public:
  explicit WritesFail(int code) { FailingVfs::install().failWrites(code); }
  ~WritesFail() { FailingVfs::install().failWrites(0); }
  WritesFail(const WritesFail&) = delete;
  WritesFail& operator=(const WritesFail&) = delete;
};

}  // namespace layerlab::testing
