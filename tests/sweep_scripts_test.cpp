// The scripts `vmmsim sweep plan` writes (app/sweep_scripts.h): the job
// array and the parallel chunks cover every run once, paths are quoted for
// the shell, and a path an #SBATCH line cannot hold is left out of them.
#include "app/sweep_scripts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace vmmsim::app;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `sh -n`: the script parses.
bool parses(const std::string& script) {
  const std::string path = ::testing::TempDir() + "sweep_script_test.sh";
  std::ofstream(path) << script;
  return std::system(("sh -n " + path).c_str()) == 0;
}

}  // namespace

TEST(SweepScripts, ChunksCoverEveryRunOnce) {
  const SweepScripts s{"/data/sweep", "/opt/vmmsim/bin/vmmsim", 7, 3, 2};
  EXPECT_EQ(s.tasks(), 3u);
  const std::string slurm = slurm_script(s);
  EXPECT_TRUE(has(slurm, "\n#SBATCH --array=0-2%2\n")) << slurm;
  EXPECT_TRUE(has(slurm, "\n#SBATCH --output=/data/sweep/logs/slurm-%A_%a.out\n")) << slurm;
  EXPECT_TRUE(has(slurm, "VMMSIM=${VMMSIM:-/opt/vmmsim/bin/vmmsim}\n")) << slurm;
  EXPECT_TRUE(
      has(slurm, "sweep run /data/sweep --index $((SLURM_ARRAY_TASK_ID * 3)) --count 3 \"$@\"\n"))
      << slurm;
  const std::string parallel = parallel_script(s);
  EXPECT_TRUE(has(parallel, "\nseq 0 3 6 |\n")) << parallel;  // chunks at 0, 3 and 6
  EXPECT_TRUE(has(parallel, "--index {} --count 3\n")) << parallel;
  EXPECT_TRUE(parses(slurm));
  EXPECT_TRUE(parses(parallel));
}

TEST(SweepScripts, PathsAreQuotedForTheShell) {
  const SweepScripts s{"/data/my sweep's", "/opt/v m/vmmsim", 1, 1, 100};
  const std::string slurm = slurm_script(s);
  EXPECT_TRUE(has(slurm, "sweep run '/data/my sweep'\\''s' --index")) << slurm;
  EXPECT_TRUE(has(slurm, "VMMSIM=${VMMSIM:-'/opt/v m/vmmsim'}")) << slurm;
  // Slurm splits #SBATCH lines at blanks: Slurm's own output file then.
  EXPECT_FALSE(has(slurm, "#SBATCH --output")) << slurm;
  EXPECT_TRUE(has(parallel_script(s), "\ndir='/data/my sweep'\\''s'\n"));
  EXPECT_TRUE(parses(slurm));
  EXPECT_TRUE(parses(parallel_script(s)));
}

TEST(SweepScripts, APercentIsNoSlurmFileNamePattern) {
  const std::string slurm = slurm_script({"/data/100%", "/usr/bin/vmmsim", 1, 1, 1});
  EXPECT_FALSE(has(slurm, "#SBATCH --output")) << slurm;
}
