// The GTKWave files beside a VCD: translate filters and the save file, as
// GTKWave reads them (report/gtkwave_files.h).
#include "report/gtkwave_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace vmmsim::report {
namespace {

// A writer whose file is opened and dropped: these tests read what it knows.
class Traced {
  std::string m_path =
      (std::filesystem::temp_directory_path() / "vmmsim_gtkwave_files.vcd").string();
  OutputFile m_file{m_path};  // never committed: its temporary goes with it

 public:
  explicit Traced(std::uint64_t period_ps = 1000) {
    m_file.open();
    vcd = std::make_unique<VcdWriter>(m_file, period_ps);
  }
  std::unique_ptr<VcdWriter> vcd;  // destroyed before the file
};

TEST(GtkwaveFiles, NamesSitBesideTheVcdWithoutItsExtension) {
  GtkwaveFileNames n = gtkwave_file_names("out/run.vcd", {"owner", "state"});
  EXPECT_EQ(n.save, "out/run.gtkw");
  ASSERT_EQ(n.filters.size(), 2u);
  EXPECT_EQ(n.filters[0].legend, "owner");
  EXPECT_EQ(n.filters[0].path, "out/run.owner.filter");
  EXPECT_EQ(n.filters[1].path, "out/run.state.filter");
  EXPECT_EQ(gtkwave_file_names("t.trace", {}).save, "t.trace.gtkw");
  EXPECT_EQ(gtkwave_file_names("dir/.vcd", {}).save, "dir/.vcd.gtkw")
      << "a hidden name is no extension";
}

TEST(GtkwaveFiles, AFilterNamesEachValueInDecimalInAscendingOrder) {
  Traced t;
  VcdSignal id;
  t.vcd->declare(id, "vmm", "scheduler_id", 32, 0, "slot");
  id.label(11, "bvt");
  id.label(0, "credit");
  id.label(11, "eevdf");  // the slot held another scheduler later
  id.label(11, "bvt");    // and bvt again: named once
  id.label(11, "eevd");   // a name within another is another name
  std::ostringstream out;
  write_translate_filter(t.vcd->legends().at(0), out);
  EXPECT_EQ(
      out.str(),
      "# vmmsim: GTKWave translate filter for the slot signals (decimal values; docs/results.md)\n"
      "0 credit\n11 bvt / eevdf / eevd\n");
}

TEST(GtkwaveFiles, TheSaveFileGroupsByScopeAttachesFiltersAndMarksPhases) {
  Traced t(500);  // 2 GHz: the VCD's unit is 100 ps, the viewer's ps
  VcdSignal owner, phase, slots, out, running;
  t.vcd->declare(owner, "cpu0", "owner", 32, 0, "owner");
  t.vcd->declare(phase, "vmm", "replacement_phase", 8, 0, "phase");
  t.vcd->keep_history(phase);
  t.vcd->declare(slots, "vmm", "loaded_slots", 4, 1);
  t.vcd->bit_field(slots);
  t.vcd->declare(out, "pit", "out", 1, 1);
  t.vcd->declare(running, "vm.web", "running", 1, 0);
  t.vcd->label("owner", 0, "idle");
  t.vcd->label("phase", 1, "cease");
  t.vcd->label("phase", 2, "drain");
  phase.set(1, 100);
  phase.set(2, 150);
  phase.set(0, 200);
  phase.set(1, 300);
  t.vcd->close(1000);
  const GtkwaveFileNames names = gtkwave_file_names("/some/where/run.vcd", {"owner", "phase"});
  std::ostringstream save;
  write_gtkwave_save(*t.vcd, names, "/some/where/run.vcd", 1000, "phase", save);
  const std::string s = save.str();
  EXPECT_NE(s.find("[dumpfile] \"run.vcd\"\n[savefile] \"run.gtkw\"\n"), std::string::npos) << s;
  // Markers at the phases' starts in ps (cycle 100 at 2 GHz: 50000 ps), named by replacement and
  // phase.
  EXPECT_NE(s.find(" -1 50000 75000 150000 -1 -1"), std::string::npos) << s;
  EXPECT_NE(s.find("[markername] A1 cease\n[markername] B1 drain\n[markername] C2 cease\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("@800200\n-cpu0\n@2024\n^1 run.owner.filter\n+{cpu0_owner} "
                   "cpu0.cpu0_owner[31:0]\n@1000200\n-cpu0\n"),
            std::string::npos)
      << s;
  EXPECT_NE(
      s.find(
          "@2024\n^2 run.phase.filter\n+{vmm_replacement_phase} vmm.vmm_replacement_phase[7:0]\n"),
      std::string::npos)
      << s;
  EXPECT_NE(s.find("@28\n+{vmm_loaded_slots} vmm.vmm_loaded_slots[3:0]\n"), std::string::npos)
      << "a bit field in binary";
  EXPECT_NE(s.find("@28\n+{pit_out} pit.pit_out\n"), std::string::npos)
      << "a bit in binary, no filter";
  EXPECT_NE(
      s.find("@800200\n-vm web\n@28\n+{vm_web_running} vm.web.vm_web_running\n@1000200\n-vm web\n"),
      std::string::npos)
      << s;
}

TEST(GtkwaveFiles, AtMost26PhaseMarkersAndACommentForTheRest) {
  Traced t;
  VcdSignal phase;
  t.vcd->declare(phase, "vmm", "replacement_phase", 8, 0, "phase");
  t.vcd->keep_history(phase);
  for (Cycles c = 1; c <= 60; ++c) phase.set(c % 2, c * 10);  // 30 replacements of one phase each
  t.vcd->close(1000);
  std::ostringstream save;
  write_gtkwave_save(*t.vcd, gtkwave_file_names("r.vcd", {"phase"}), "r.vcd", 1000, "phase", save);
  const std::string s = save.str();
  EXPECT_NE(
      s.find("[markername] Z26 1\n[*] 4 more replacement phases than GTKWave's 26 named markers"),
      std::string::npos)
      << s;
  EXPECT_EQ(s.find("[markername] [27"), std::string::npos);
}

}  // namespace
}  // namespace vmmsim::report
