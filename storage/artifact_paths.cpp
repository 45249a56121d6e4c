#include "storage/artifact_paths.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/store_error.h"

namespace layerlab::storage {

namespace fs = std::filesystem;

std::string storeFolderOf(const std::string& storePath) {
  return fs::absolute(storePath).parent_path().string();
}

std::string relativeRunFolder(const std::string& storePath, const std::string& uuid) {
  return (fs::path(fs::path(storePath).stem().string() + ".files") / uuid).string();
}

void syncPath(const std::string& path, bool isFolder) {
  const int fd = ::open(path.c_str(), (isFolder ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw StoreError("cannot sync " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) {
    throw StoreError("cannot sync " + path + ": " + std::strerror(error),
                     error == ENOSPC ? StoreErrorKind::Full : StoreErrorKind::Io);
  }
}

bool isPlainFileName(const std::string& name) {
  if (name.empty() || name.size() > 200 || name == "." || name == ".." || name[0] == '.') {
    return false;
  }
  return name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

}  // namespace layerlab::storage
