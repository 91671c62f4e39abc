#include "app/compare_folder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "base/input_error.h"
#include "base/output_file.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;

bool has_manifest(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_regular_file(folder / kManifestFile, ec)) return false;
  std::ifstream in(folder / kManifestFile);
  std::string line;
  return std::getline(in, line) && line == kManifestHeader;
}

// `inner` is `outer` or inside it (both absolute and canonical).
bool within(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

fs::path canonical_of(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : c;
}

}  // namespace

fs::path make_hidden_sibling(const fs::path& target, const char* kind) {
  std::string pattern =
      (target.parent_path() / ("." + target.filename().string() + kind + ".XXXXXX")).string();
  if (!::mkdtemp(pattern.data()))
    throw InputError(
        fmt::format("{}: cannot create a folder beside it ({}); expected a writable parent folder",
                    target.string(), std::strerror(errno)));
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(pattern.c_str(), 0777 & ~mask);
  return pattern;
}

CompareFolder::CompareFolder(const fs::path& out, const std::vector<std::string>& inputs) {
  m_target = canonical_of(out);
  std::error_code ec;
  const std::string shown = out.string();
  if (fs::exists(m_target, ec)) {
    if (!fs::is_directory(m_target, ec))
      throw InputError(
          fmt::format("--out {}: not a folder; expected a folder for the comparison", shown));
    const bool empty = fs::is_empty(m_target, ec);
    if (!empty && !has_manifest(m_target))
      throw InputError(
          fmt::format("--out {}: a folder with files that no comparison wrote (it has no {}); "
                      "expected a new or empty "
                      "folder, or one an earlier vmmsim compare wrote (compare replaces it whole)",
                      shown, kManifestFile));
    if (within(canonical_of(fs::current_path(ec)), m_target))
      throw InputError(
          fmt::format("--out {}: holds the working directory; expected a folder of its own "
                      "(compare replaces it whole)",
                      shown));
    for (const std::string& input : inputs)
      if (within(canonical_of(input), m_target))
        throw InputError(
            fmt::format("--out {}: holds an input of a run ({}), and compare replaces the folder "
                        "whole; expected an --out "
                        "that holds no input",
                        shown, input));
  }
  for (fs::path at = m_target.parent_path(); !at.empty() && !fs::exists(at, ec);
       at = at.parent_path())
    m_made_parents.insert(m_made_parents.begin(), at);
  fs::create_directories(m_target.parent_path(), ec);
  if (ec) {
    m_made_parents.clear();
    throw InputError(
        fmt::format("--out {}: cannot create {} ({}); expected a folder that can be made", shown,
                    m_target.parent_path().string(), ec.message()));
  }
  try {
    m_staging = make_hidden_sibling(m_target, "");
  } catch (...) {
    discard();
    throw;
  }
}

CompareFolder::~CompareFolder() {
  if (!m_done) discard();
}

void CompareFolder::discard() noexcept {
  std::error_code ec;
  if (!m_staging.empty()) fs::remove_all(m_staging, ec);
  for (auto p = m_made_parents.rbegin(); p != m_made_parents.rend(); ++p)
    fs::remove(*p, ec);  // if empty
  m_made_parents.clear();
  m_done = true;
}

void CompareFolder::commit(const std::vector<std::string>& run_folders) {
  {
    std::ofstream manifest(m_staging / kManifestFile);
    manifest << kManifestHeader
             << "\n# Written by vmmsim compare: a later `compare --out` here replaces this folder "
                "whole (docs/compare.md).\n";
    for (const std::string& run : run_folders) manifest << "run " << run << "\n";
    manifest.flush();
    if (!manifest)
      throw OutputError(fmt::format("{}: cannot write {}", m_target.string(), kManifestFile));
  }
  std::error_code ec;
  const bool occupied = fs::exists(m_target, ec) && !fs::is_empty(m_target, ec);
  if (!occupied) {
    // A new folder, or an empty one, which a directory rename replaces.
    if (::rename(m_staging.c_str(), m_target.c_str()) != 0)
      throw OutputError(fmt::format("{}: cannot put the comparison in place ({})",
                                    m_target.string(), std::strerror(errno)));
  } else if (::renameat2(AT_FDCWD, m_staging.c_str(), AT_FDCWD, m_target.c_str(),
                         RENAME_EXCHANGE) != 0) {
    if (errno != EINVAL && errno != ENOSYS)
      throw OutputError(fmt::format("{}: cannot put the comparison in place ({})",
                                    m_target.string(), std::strerror(errno)));
    // No exchange here (some file systems): the earlier comparison steps
    // aside under a hidden name, the new one takes its place.
    const fs::path old = make_hidden_sibling(m_target, ".old");
    if (::rename(m_target.c_str(), old.c_str()) != 0) {
      const int error = errno;
      fs::remove(old, ec);
      throw OutputError(fmt::format("{}: cannot move the earlier comparison aside ({})",
                                    m_target.string(), std::strerror(error)));
    }
    if (::rename(m_staging.c_str(), m_target.c_str()) != 0) {
      const int error = errno;
      ::rename(old.c_str(), m_target.c_str());  // the earlier one back
      throw OutputError(fmt::format("{}: cannot put the comparison in place ({})",
                                    m_target.string(), std::strerror(error)));
    }
    m_staging = old;
  }
  // m_staging now names the earlier comparison (or nothing).
  fs::remove_all(m_staging, ec);
  m_done = true;
}

}  // namespace vmmsim::app
