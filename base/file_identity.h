// Which file a path names: two paths name one file if they reach the same
// inode (through links, "./", "..", hard links), whatever their spelling.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace vmmsim {

struct FileIdentity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  bool character_device = false;
  bool null_device = false;  // discards what is written: harmless to share
  std::string resolved;      // absolute, links resolved: for a file not there yet

  // The file `path` names (following links), or, if there is none, the
  // absolute path with every existing link resolved.
  static FileIdentity of_path(const std::string& path);
  // The file open as descriptor `fd`; nullopt if it is not open.
  static std::optional<FileIdentity> of_descriptor(int fd);

  bool operator==(const FileIdentity& other) const;
  bool operator!=(const FileIdentity& other) const { return !(*this == other); }
};

}  // namespace vmmsim
