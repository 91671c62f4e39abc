#include "base/file_identity.h"

#include <sys/stat.h>

#include <filesystem>

namespace vmmsim {
namespace {

FileIdentity from_stat(const struct stat& st) {
  FileIdentity id;
  id.exists = true;
  id.device = st.st_dev;
  id.inode = st.st_ino;
  id.character_device = S_ISCHR(st.st_mode);
  struct stat null_st;
  id.null_device = id.character_device && ::stat("/dev/null", &null_st) == 0 &&
                   S_ISCHR(null_st.st_mode) && null_st.st_rdev == st.st_rdev;
  return id;
}

}  // namespace

FileIdentity FileIdentity::of_path(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return from_stat(st);
  FileIdentity id;
  std::error_code ec;
  std::filesystem::path resolved =
      std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  id.resolved = ec ? path : resolved.string();
  return id;
}

std::optional<FileIdentity> FileIdentity::of_descriptor(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return std::nullopt;
  return from_stat(st);
}

bool FileIdentity::operator==(const FileIdentity& other) const {
  if (exists != other.exists) return false;
  if (exists) return device == other.device && inode == other.inode;
  return resolved == other.resolved;
}

}  // namespace vmmsim
