// Outputs as a user means their paths (base/output_file.h, base/output_plan.h):
// files replaced whole or not at all, devices and FIFOs written in place,
// links kept, inputs and other outputs never overwritten.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/temporary_files.h"

namespace vmmsim {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("vmmsim_output_" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    fs::permissions(m_dir, fs::perms::owner_all);
    fs::remove_all(m_dir);
  }
  std::string path(const std::string& name) const { return (m_dir / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(m_dir / name) << text;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The names in a folder (hidden ones too).
  static std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
      names.insert(entry.path().filename().string());
    return names;
  }
  // Writes `text` to `name` as a run does: open, write, finish, commit.
  static void write_output(const std::string& name, const std::string& text) {
    OutputFile file(name);
    file.open();
    file.stream() << text;
    file.finish();
    file.commit();
  }

  fs::path m_dir;
};

TEST_F(OutputFileTest, AFileIsReplacedWholeAndOnlyWhenCommitted) {
  write("r.json", "previous\n");
  OutputFile file(path("r.json"));
  EXPECT_EQ(file.kind(), OutputFile::Kind::Replaced);
  file.open();
  file.stream() << "new\n";
  file.finish();
  EXPECT_EQ(read(path("r.json")), "previous\n") << "replaced before the commit";
  file.commit();
  EXPECT_EQ(read(path("r.json")), "new\n");
  EXPECT_EQ(names_in(m_dir), std::set<std::string>{"r.json"}) << "a temporary file is left";
}

TEST_F(OutputFileTest, TheTemporaryIsAHiddenUniqueNewFileThatReplacesNothing) {
  write("r.json.partial", "a file of the user's\n");
  OutputFile file(path("r.json"));
  file.open();
  std::set<std::string> names = names_in(m_dir);
  ASSERT_EQ(names.size(), 2u);
  names.erase("r.json.partial");
  const std::string temporary = *names.begin();
  EXPECT_EQ(temporary.rfind(".r.json.", 0), 0u) << temporary;
  EXPECT_EQ(temporary.size(), std::string(".r.json.XXXXXX").size()) << temporary;
  OutputFile second(path("r.json"));  // another writer of the same name gets a name of its own
  second.open();
  EXPECT_EQ(names_in(m_dir).size(), 3u);
  file.finish();
  file.commit();
  EXPECT_EQ(read(path("r.json.partial")), "a file of the user's\n");
}

TEST_F(OutputFileTest, AnOutputNotCommittedLeavesThePreviousFileAndNoTemporary) {
  write("r.json", "previous\n");
  {
    OutputFile file(path("r.json"));
    file.open();
    file.stream() << std::string(1 << 20, 'x');  // past the buffer: some is on disk
  }
  EXPECT_EQ(read(path("r.json")), "previous\n");
  EXPECT_EQ(names_in(m_dir), std::set<std::string>{"r.json"});
}

TEST_F(OutputFileTest, ANewFileGetsTheUsualPermissionsAndAReplacedOneKeepsItsOwn) {
  write("kept.json", "previous\n");
  fs::permissions(path("kept.json"),
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  write_output(path("kept.json"), "new\n");
  EXPECT_EQ(fs::status(path("kept.json")).permissions(),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  const mode_t mask = ::umask(022);
  write_output(path("new.json"), "new\n");
  ::umask(mask);
  EXPECT_EQ(fs::status(path("new.json")).permissions(), static_cast<fs::perms>(0644));
}

TEST_F(OutputFileTest, ASymbolicLinkStaysALinkAndTheFileItNamesIsReplacedInItsFolder) {
  fs::create_directories(m_dir / "data");
  fs::create_directories(m_dir / "links");
  write("data/r.json", "previous\n");
  fs::create_symlink("../data/r.json", m_dir / "links" / "r.json");
  OutputFile file(path("links/r.json"));
  file.open();
  EXPECT_EQ(names_in(m_dir / "data").size(), 2u) << "the temporary goes beside the link's target";
  file.stream() << "new\n";
  file.finish();
  file.commit();
  EXPECT_TRUE(fs::is_symlink(m_dir / "links" / "r.json"));
  EXPECT_EQ(read(path("data/r.json")), "new\n");
  EXPECT_EQ(names_in(m_dir / "data"), std::set<std::string>{"r.json"});
  EXPECT_EQ(names_in(m_dir / "links"), std::set<std::string>{"r.json"});
}

TEST_F(OutputFileTest, ADanglingLinkGetsTheFileItNames) {
  fs::create_directories(m_dir / "data");
  fs::create_symlink("data/new.json", m_dir / "link.json");
  write_output(path("link.json"), "new\n");
  EXPECT_TRUE(fs::is_symlink(m_dir / "link.json"));
  EXPECT_EQ(read(path("data/new.json")), "new\n");
}

TEST_F(OutputFileTest, ACharacterDeviceIsWrittenDirectlyAndStaysADevice) {
  OutputFile file("/dev/null");
  EXPECT_EQ(file.kind(), OutputFile::Kind::Direct);
  file.open();
  file.stream() << std::string(1 << 20, 'x');
  file.finish();
  file.commit();
  struct stat st;
  ASSERT_EQ(::lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced";
}

TEST_F(OutputFileTest, AWriteErrorNamesTheFileAndTheCause) {
  OutputFile file("/dev/full");
  file.open();
  file.stream() << std::string(1 << 17, 'x');  // past the buffer: the write fails now
  EXPECT_TRUE(file.failed());
  try {
    file.finish();
    FAIL() << "writing /dev/full succeeded";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/full: write failed (No space left on device)");
  }
}

TEST_F(OutputFileTest, AWriteErrorOnATemporaryRemovesItAndKeepsThePreviousFile) {
  write("big.vcd", "previous\n");
  // A file size limit (EFBIG) stands for a full disk: in a child, as it is per process.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      OutputFile file(path("big.vcd"));
      file.open();
      file.stream() << std::string(1 << 20, 'x');
      file.finish();
      ::_exit(1);
    } catch (const OutputError& e) {
      ::_exit(std::string(e.what()) == path("big.vcd") + ": write failed (File too large)" ? 0 : 2);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_EQ(read(path("big.vcd")), "previous\n");
  EXPECT_EQ(names_in(m_dir), std::set<std::string>{"big.vcd"});
}

TEST_F(OutputFileTest, AFifoIsWrittenInOrderAndStaysAFifo) {
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = read(path("pipe")); });
  const std::string text = std::string(200000, 'a') + "end\n";
  write_output(path("pipe"), text);
  reader.join();
  EXPECT_EQ(received, text);
  EXPECT_TRUE(fs::is_fifo(path("pipe")));
}

TEST_F(OutputFileTest, ASocketIsWrittenDirectly) {
  const std::string name = path("s");
  int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(name.size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, name.c_str());
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(server, 1), 0);
  std::string received;
  std::thread reader([&] {
    int connection = ::accept(server, nullptr, nullptr);
    char buffer[4096];
    for (ssize_t n; (n = ::read(connection, buffer, sizeof buffer)) > 0;)
      received.append(buffer, n);
    ::close(connection);
  });
  write_output(name, "over a socket\n");
  reader.join();
  ::close(server);
  EXPECT_EQ(received, "over a socket\n");
  EXPECT_TRUE(fs::is_socket(name));
}

TEST_F(OutputFileTest, PathsThatCannotBeOutputsAreBadInput) {
  try {
    OutputFile file(path("missing/r.json"));
    file.open();
    FAIL() << "opened an output in a missing folder";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path("missing/r.json") + ": folder '" + path("missing") +
                                         "' does not exist; expected a file in an existing folder");
  }
  EXPECT_THROW(OutputFile{m_dir.string()}, InputError);  // a directory
  write("file", "");
  EXPECT_THROW(OutputFile(path("file/r.json")).open(), InputError);  // a file as a folder
  EXPECT_EQ(names_in(m_dir), std::set<std::string>{"file"});
}

// A disk is never an output. The node made here names a loop device that
// does not exist (minor 250), so even a regression could write nowhere.
TEST_F(OutputFileTest, ABlockDeviceIsBadInput) {
  const std::string disk = path("disk");
  if (::mknod(disk.c_str(), S_IFBLK | 0600, makedev(7, 250)) != 0)
    GTEST_SKIP() << "cannot make a block device node here (" << std::strerror(errno) << ")";
  try {
    OutputFile file(disk);
    FAIL() << "a block device was taken as an output";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), disk + ": is a block device (a disk); expected a file, a character "
                                            "device, a FIFO, a socket or '-'");
  }
}

TEST_F(OutputFileTest, AReadOnlyFolderIsBadInput) {
  const fs::path ro = m_dir / "ro";
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string expected =
      path("ro/r.json") + ": cannot create a file in '" + ro.string() + "' (";
  auto refused = [&] {
    try {
      OutputFile file(path("ro/r.json"));
      file.open();
      return false;
    } catch (const InputError& e) {
      return std::string(e.what()).rfind(expected, 0) == 0;
    }
  };
  if (::access(ro.c_str(), W_OK) != 0) {
    EXPECT_TRUE(refused());
    return;
  }
  // Root: permissions do not stop it, a read-only file system does. A tmpfs
  // mounted read-only in a mount namespace of a child's own.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", ro.c_str(), "tmpfs", MS_RDONLY, nullptr) != 0)
      ::_exit(99);
    ::_exit(refused() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 99)
    GTEST_SKIP() << "permissions do not stop this user, and it may not mount a read-only tmpfs";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "an output in a read-only folder was not refused";
}

TEST_F(OutputFileTest, RegisteredTemporariesAreRemovedAtOnceForASignalHandler) {
  OutputFile file(path("r.json"));
  file.open();
  ASSERT_EQ(names_in(m_dir).size(), 1u);
  remove_temporaries_now();  // what the handler of a second Ctrl-C does
  EXPECT_TRUE(names_in(m_dir).empty());
}

class OutputPlanTest : public OutputFileTest {};

TEST_F(OutputPlanTest, TwoOutputsOfOneFileAreRefusedWhateverTheirSpelling) {
  fs::create_directories(m_dir / "sub");
  fs::create_symlink("r.json", m_dir / "link.json");
  for (const std::string& other : {path("sub/../r.json"), path("link.json")}) {
    OutputPlan plan;
    plan.add(path("r.json"), "--json");
    try {
      plan.add(other, "--timeline");
      FAIL() << other << " was taken as another file";
    } catch (const InputError& e) {
      EXPECT_EQ(
          std::string(e.what()),
          other +
              ": named by both --json and --timeline; expected a file of its own for each output");
    }
  }
  EXPECT_EQ(names_in(m_dir), (std::set<std::string>{"link.json", "sub"})) << "a file was written";
}

TEST_F(OutputPlanTest, AnOutputThatIsAnInputIsRefusedByIdentity) {
  write("c.ini", "[platform]\n");
  fs::create_hard_link(m_dir / "c.ini", m_dir / "same.ini");
  OutputPlan plan({path("c.ini")});
  try {
    plan.add(path("same.ini"), "--config-out");
    FAIL() << "a hard link of the input was taken as another file";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path("same.ini") + ": refusing to overwrite an input file (" + path("c.ini") +
                  ") with --config-out; expected an output that is no input");
  }
  EXPECT_EQ(read(path("c.ini")), "[platform]\n");
}

TEST_F(OutputPlanTest, AtMostOneOutputOnStandardOutputButTheNullDeviceIsShared) {
  OutputPlan plan;
  EXPECT_TRUE(plan.add("-", "--json").to_standard_output());
  EXPECT_TRUE(plan.writes_standard_output());
  try {
    plan.add("-", "--vcd");  // even if standard output is the null device
    FAIL() << "two outputs on standard output";
  } catch (const InputError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "-: --json and --vcd both write to standard output; expected at most one output there");
  }
  OutputPlan sinks;
  sinks.add("/dev/null", "--json");
  EXPECT_NO_THROW(sinks.add("/dev/null", "--vcd"));
}

TEST_F(OutputPlanTest, APlanIsWrittenAllOrNothing) {
  write("a.csv", "previous\n");
  OutputPlan plan;
  OutputFile& csv = plan.add(path("a.csv"), "--out");
  OutputFile& full = plan.add("/dev/full", "--out");
  OutputFile& html = plan.add(path("a.html"), "--out");
  plan.open();
  csv.stream() << "new\n";
  full.stream() << "new\n";
  html.stream() << "new\n";
  EXPECT_THROW(plan.commit(), OutputError);
  EXPECT_EQ(read(path("a.csv")), "previous\n");
  EXPECT_EQ(names_in(m_dir), std::set<std::string>{"a.csv"}) << "half of the output was written";
}

TEST_F(OutputPlanTest, CheckingOutputsLeavesNothing) {
  check_outputs({}, {{path("a.csv"), "--out"}, {path("b.csv"), "--out"}});
  EXPECT_TRUE(names_in(m_dir).empty());
  EXPECT_THROW(check_outputs({}, {{path("missing/a.csv"), "--out"}}), InputError);
}

}  // namespace
}  // namespace vmmsim
