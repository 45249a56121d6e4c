#include "storage/run_folders.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

#include "storage/artifact_paths.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

namespace fs = std::filesystem;

// A file descriptor closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(m_fd, other.m_fd);
    return *this;
  }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }

 private:
  int m_fd;
};

std::string filesFolderName(const std::string& storePath) {
  return fs::path(storePath).stem().string() + ".files";
}

std::string filesFolderPath(const std::string& storePath) {
  return (fs::path(storeFolderOf(storePath)) / filesFolderName(storePath)).string();
}

// Opens `name` below `parent` as a folder, refusing a link: ELOOP or ENOTDIR then.
Fd openFolderAt(int parent, const std::string& name) {
  return Fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

struct stat statAt(int folder, const std::string& name, bool& exists) {
  struct stat info {};
  exists = ::fstatat(folder, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
  return info;
}

// Why `name` below `parent` could not be opened as a folder (errno alone does not tell: with
// O_DIRECTORY a link to a folder fails with ENOTDIR, not ELOOP).
std::string linkOrNotFolder(int parent, const std::string& name) {
  bool exists = false;
  const struct stat info = statAt(parent, name, exists);
  return exists && S_ISLNK(info.st_mode) ? "is a symbolic link" : "is not a folder";
}

// The files folder, or an invalid Fd (with a refusal recorded unless it simply does not exist).
Fd openFilesFolder(const std::string& storePath, FileSweep* sweep) {
  const Fd store(::open(storeFolderOf(storePath).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!store.valid()) return Fd();
  Fd files = openFolderAt(store.get(), filesFolderName(storePath));
  if (!files.valid() && errno != ENOENT && sweep) {
    sweep->refused.push_back(filesFolderPath(storePath) + ": " +
                             linkOrNotFolder(store.get(), filesFolderName(storePath)) +
                             "; nothing in it was touched");
  }
  return files;
}

// Removes one entry of an open run folder when it is a regular file (or a link, as a link).
void removeEntry(int folder, const std::string& folderPath, const std::string& name,
                 FileSweep& sweep) {
  bool exists = false;
  const struct stat info = statAt(folder, name, exists);
  if (!exists) return;
  const std::string path = folderPath + "/" + name;
  if (S_ISLNK(info.st_mode)) {
    if (::unlinkat(folder, name.c_str(), 0) == 0) {
      sweep.refused.push_back(path + ": is a symbolic link; removed the link, not its target");
    }
    return;
  }
  if (!S_ISREG(info.st_mode)) {
    sweep.refused.push_back(path + ": is not a regular file; left alone");
    return;
  }
  if (::unlinkat(folder, name.c_str(), 0) == 0) {
    ++sweep.filesRemoved;
    sweep.bytesRemoved += info.st_size;
  }
}

// The names in an open folder, read through a duplicate so `folder` stays usable.
std::vector<std::string> namesIn(int folder) {
  std::vector<std::string> names;
  const int copy = ::dup(folder);
  if (copy < 0) return names;
  DIR* dir = ::fdopendir(copy);
  if (!dir) {
    ::close(copy);
    return names;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

// The run folder of `uuid` inside an open files folder; a link there is removed as a link.
Fd openRunFolder(int files, const std::string& filesPath, const std::string& uuid, FileSweep& sweep,
                 bool removeLink) {
  Fd run = openFolderAt(files, uuid);
  const int error = errno;
  if (run.valid() || error == ENOENT) return run;
  const std::string path = filesPath + "/" + uuid;
  bool exists = false;
  const struct stat info = statAt(files, uuid, exists);
  if (exists && S_ISLNK(info.st_mode) && removeLink && ::unlinkat(files, uuid.c_str(), 0) == 0) {
    sweep.refused.push_back(path + ": is a symbolic link; removed the link, not its target");
  } else {
    sweep.refused.push_back(path + ": " + linkOrNotFolder(files, uuid) + "; left alone");
  }
  return Fd();
}

// A run's folder opened for sweeping, with the files folder holding it (to remove it from) and
// its path for messages; `run` is invalid when there is nothing to sweep.
struct OpenRunFolder {
  Fd files;
  Fd run;
  std::string path;
};

OpenRunFolder openRunFolder(const std::string& storePath, const std::string& uuid, FileSweep& sweep,
                            bool removeLink) {
  OpenRunFolder folder;
  folder.files = openFilesFolder(storePath, &sweep);
  if (!folder.files.valid()) return folder;
  const std::string filesPath = filesFolderPath(storePath);
  folder.run = openRunFolder(folder.files.get(), filesPath, uuid, sweep, removeLink);
  folder.path = filesPath + "/" + uuid;
  return folder;
}

std::string checkComponent(const fs::path& path, fs::file_type expected) {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(path, error);
  if (error || status.type() == fs::file_type::not_found) return {};
  if (status.type() == fs::file_type::symlink) return path.string() + " is a symbolic link";
  if (status.type() != expected) {
    return path.string() +
           (expected == fs::file_type::directory ? " is not a folder" : " is not a regular file");
  }
  return {};
}

}  // namespace

ArtifactLocation locateArtifact(const std::string& storePath, const std::string& uuid,
                                const std::string& relativePath) {
  const fs::path relative(relativePath);
  const std::string expectedFolder = relativeRunFolder(storePath, uuid);
  const std::string name = relative.filename().string();
  if (!isWellFormedUuid(uuid) || relative.parent_path().string() != expectedFolder ||
      !isPlainFileName(name)) {
    return {{}, "'" + relativePath + "' is not a file in the run's own folder " + expectedFolder};
  }
  const fs::path folder = fs::path(storeFolderOf(storePath)) / expectedFolder;
  std::string refusal = runFolderRefusal(storePath, uuid);
  if (refusal.empty()) refusal = checkComponent(folder / name, fs::file_type::regular);
  if (!refusal.empty()) return {{}, refusal};
  return {(folder / name).string(), {}};
}

std::string runFolderRefusal(const std::string& storePath, const std::string& uuid) {
  const fs::path files = filesFolderPath(storePath);
  std::string refusal = checkComponent(files, fs::file_type::directory);
  if (refusal.empty()) refusal = checkComponent(files / uuid, fs::file_type::directory);
  return refusal;
}

void removeRunFolder(const std::string& storePath, const std::string& uuid, FileSweep& sweep) {
  if (!isWellFormedUuid(uuid)) return;
  const OpenRunFolder folder = openRunFolder(storePath, uuid, sweep, true);
  if (!folder.run.valid()) return;
  for (const std::string& name : namesIn(folder.run.get()))
    removeEntry(folder.run.get(), folder.path, name, sweep);
  // Fails when something was left alone; the folder then stays with it.
  if (::unlinkat(folder.files.get(), uuid.c_str(), AT_REMOVEDIR) == 0) ++sweep.foldersRemoved;
}

void removeUnrecordedFiles(const std::string& storePath, const std::string& uuid,
                           const std::set<std::string>& keep, FileSweep& sweep) {
  const OpenRunFolder folder = openRunFolder(storePath, uuid, sweep, false);
  if (!folder.run.valid()) return;
  const std::string& runPath = folder.path;
  for (const std::string& name : namesIn(folder.run.get())) {
    bool exists = false;
    const struct stat info = statAt(folder.run.get(), name, exists);
    if (!exists || keep.contains(name)) continue;
    if (!S_ISREG(info.st_mode)) {
      sweep.refused.push_back(runPath + "/" + name + ": is not a regular file; left alone");
      continue;
    }
    removeEntry(folder.run.get(), runPath, name, sweep);
  }
}

std::vector<std::string> runFolderNames(const std::string& storePath, FileSweep& sweep) {
  std::vector<std::string> names;
  const Fd files = openFilesFolder(storePath, &sweep);
  if (!files.valid()) return names;
  for (std::string& name : namesIn(files.get())) {
    if (isWellFormedUuid(name)) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace layerlab::storage
