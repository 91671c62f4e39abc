// The --out folder of `vmmsim compare` (docs/compare.md "The --out
// folder"): compare writes a whole comparison into a staging folder beside
// it and then puts that in its place, so the folder holds one comparison
// whole — never an earlier one's run folders beside a new CSV — and a
// comparison that dies on the way leaves the earlier one as it was. Only a
// new or empty folder, or one compare wrote (it has compare's manifest), is
// taken.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vmmsim::app {

// compare's mark in a folder it wrote: its first line is kManifestHeader.
inline constexpr const char* kManifestFile = "compare.manifest";
inline constexpr const char* kManifestHeader = "vmmsim-compare-manifest 1";

// A new folder beside `target`, named ".NAME" + kind + ".XXXXXX", with the
// permissions mkdir would give it (mkdtemp's are 0700). InputError if the
// parent folder takes none.
std::filesystem::path make_hidden_sibling(const std::filesystem::path& target, const char* kind);

class CompareFolder {
 public:
  // Checks `out` against the runs' `inputs` and makes the staging folder
  // (and out's missing parents). InputError when `out` is no folder, is a
  // non-empty folder without compare's manifest, holds one of `inputs`, or
  // holds the working directory; nothing is touched then.
  CompareFolder(const std::filesystem::path& out, const std::vector<std::string>& inputs);
  // Removes the staging folder (and the parents it made) unless committed.
  ~CompareFolder();
  CompareFolder(const CompareFolder&) = delete;
  CompareFolder& operator=(const CompareFolder&) = delete;

  // Where the runs and the summary are written meanwhile.
  const std::filesystem::path& staging() const { return m_staging; }
  // Writes the manifest (the runs' folders) into the staging folder and
  // puts it in place of `out`: one atomic exchange of the two folders where
  // the file system has it (renameat2 RENAME_EXCHANGE), else two renames
  // with `out` missing between them; then removes the earlier comparison.
  // OutputError if it cannot (the earlier comparison is left then).
  void commit(const std::vector<std::string>& run_folders);
  // Removes the staging folder now (compare aborted by a signal).
  void discard() noexcept;

 private:
  std::filesystem::path m_target;   // `out`, made absolute with its links resolved
  std::filesystem::path m_staging;  // beside it: .NAME.XXXXXX
  std::vector<std::filesystem::path> m_made_parents;  // outermost first
  bool m_done = false;
};

}  // namespace vmmsim::app
