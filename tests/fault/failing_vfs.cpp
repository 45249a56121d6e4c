#include "tests/fault/failing_vfs.h"

#include <cstring>
#include <mutex>

namespace layerlab::testing {
namespace {

// Our file object: SQLite allocates szOsFile bytes for it; the real VFS's file follows ours.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};
sqlite3_io_methods g_methods{};

sqlite3_file* realOf(sqlite3_file* file) {
  return reinterpret_cast<ShimFile*>(file)->real;
}

int shimClose(sqlite3_file* file) {
  sqlite3_file* real = realOf(file);
  return real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
}
int shimRead(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  return realOf(file)->pMethods->xRead(realOf(file), buffer, amount, offset);
}
int shimWrite(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  FailingVfs& vfs = FailingVfs::install();
  if (const int code = vfs.failCode(); code != 0) {
    vfs.countRefused();
    return code;
  }
  return realOf(file)->pMethods->xWrite(realOf(file), buffer, amount, offset);
}
int shimTruncate(sqlite3_file* file, sqlite3_int64 size) {
  return realOf(file)->pMethods->xTruncate(realOf(file), size);
}
int shimSync(sqlite3_file* file, int flags) {
  return realOf(file)->pMethods->xSync(realOf(file), flags);
}
int shimFileSize(sqlite3_file* file, sqlite3_int64* size) {
  return realOf(file)->pMethods->xFileSize(realOf(file), size);
}
int shimLock(sqlite3_file* file, int level) {
  return realOf(file)->pMethods->xLock(realOf(file), level);
}
int shimUnlock(sqlite3_file* file, int level) {
  return realOf(file)->pMethods->xUnlock(realOf(file), level);
}
int shimCheckReservedLock(sqlite3_file* file, int* out) {
  return realOf(file)->pMethods->xCheckReservedLock(realOf(file), out);
}
int shimFileControl(sqlite3_file* file, int op, void* arg) {
  return realOf(file)->pMethods->xFileControl(realOf(file), op, arg);
}
int shimSectorSize(sqlite3_file* file) {
  return realOf(file)->pMethods->xSectorSize(realOf(file));
}
int shimDeviceCharacteristics(sqlite3_file* file) {
  return realOf(file)->pMethods->xDeviceCharacteristics(realOf(file));
}
int shimShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return realOf(file)->pMethods->xShmMap(realOf(file), page, size, extend, out);
}
int shimShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return realOf(file)->pMethods->xShmLock(realOf(file), offset, n, flags);
}
void shimShmBarrier(sqlite3_file* file) {
  realOf(file)->pMethods->xShmBarrier(realOf(file));
}
int shimShmUnmap(sqlite3_file* file, int deleteFlag) {
  return realOf(file)->pMethods->xShmUnmap(realOf(file), deleteFlag);
}
// Memory mapping is left out (version 2 methods): every page then goes through xWrite/xRead.

int shimOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* outFlags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  std::memset(shim->real, 0, static_cast<size_t>(g_real->szOsFile));
  const int rc = g_real->xOpen(g_real, name, shim->real, flags, outFlags);
  // SQLite calls xClose only when pMethods is set, so a failed open leaves it null.
  file->pMethods = shim->real->pMethods ? &g_methods : nullptr;
  return rc;
}

int shimDelete(sqlite3_vfs*, const char* name, int syncDir) {
  return g_real->xDelete(g_real, name, syncDir);
}
int shimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int shimFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_real->xFullPathname(g_real, name, size, out);
}
int shimRandomness(sqlite3_vfs*, int size, char* out) {
  return g_real->xRandomness(g_real, size, out);
}
int shimSleep(sqlite3_vfs*, int microseconds) {
  return g_real->xSleep(g_real, microseconds);
}
int shimCurrentTime(sqlite3_vfs*, double* out) {
  return g_real->xCurrentTime(g_real, out);
}
int shimGetLastError(sqlite3_vfs*, int size, char* out) {
  return g_real->xGetLastError(g_real, size, out);
}
int shimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

void registerShim() {
  g_real = sqlite3_vfs_find(nullptr);
  g_methods = {2,
               shimClose,
               shimRead,
               shimWrite,
               shimTruncate,
               shimSync,
               shimFileSize,
               shimLock,
               shimUnlock,
               shimCheckReservedLock,
               shimFileControl,
               shimSectorSize,
               shimDeviceCharacteristics,
               shimShmMap,
               shimShmLock,
               shimShmBarrier,
               shimShmUnmap,
               nullptr,
               nullptr};
  g_vfs.iVersion = 2;
  g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = "layerlab-failing";
  g_vfs.xOpen = shimOpen;
  g_vfs.xDelete = shimDelete;
  g_vfs.xAccess = shimAccess;
  g_vfs.xFullPathname = shimFullPathname;
  g_vfs.xRandomness = shimRandomness;
  g_vfs.xSleep = shimSleep;
  g_vfs.xCurrentTime = shimCurrentTime;
  g_vfs.xGetLastError = shimGetLastError;
  g_vfs.xCurrentTimeInt64 = shimCurrentTimeInt64;
  sqlite3_vfs_register(&g_vfs, 1);
}

}  // namespace

FailingVfs& FailingVfs::install() {
  static FailingVfs instance;
  static std::once_flag registered;
  std::call_once(registered, registerShim);
  return instance;
}

}  // namespace layerlab::testing
