// The SWF and CPU-utilisation importers and the helpers they share: exact
// programs for hand-checked jobs and samples, real excerpts (plain and
// gzipped), options, bad input, and that every import parses.
#include "tests/import_fixture.h"

namespace vmmsim::workload {
namespace {

using namespace import_test;

// ---------------------------------------------------------------------------
// SWF.

std::string job(int number, const std::string& submit, const std::string& run,
                const std::string& processors, const std::string& requested = "-1") {
  return "  " + std::to_string(number) + "  " + submit + "  -1  " + run + "  " + processors +
         "  -1 -1  " + requested + "  -1 -1 1  7  1  -1 -1 -1 -1 -1\n";
}

const std::string kJobs = "; Version: 2.2\n; Computer: test\n" + job(1, "100", "50", "2") +
                          job(2, "160", "-1", "4") +          // unknown run time
                          job(3, "200", "10.5", "-1", "3") +  // requested processors
                          job(4, "300", "20", "1");

TEST(SwfImport, OneVcpuPerProcessorArrivingAtTheSubmitTime) {
  ImportResult r = swf(kJobs);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "jobs");
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 50s\n"
            "vcpu 1\narrive 0\nrun 50s\n"
            "vcpu 2\narrive 100s\nrun 10500ms\n"
            "vcpu 3\narrive 100s\nrun 10500ms\n"
            "vcpu 4\narrive 100s\nrun 10500ms\n"
            "vcpu 5\narrive 200s\nrun 20s\n");
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"job1-p0", "job1-p1", "job3-p0",
                                                            "job3-p1", "job3-p2", "job4-p0"}));
  EXPECT_EQ(r.lines_read, 6u);
  EXPECT_CONTAINS(r.notes, "1 with an unknown or zero run time");
  EXPECT_CONTAINS(r.notes, "imported 3 jobs (job 1 to job 4): 6 vCPUs, 151.5 CPU-seconds");
}

TEST(SwfImport, JobRangeAndWindowSelectJobs) {
  ImportOptions range;
  range.first_job = 1;  // job 2 was dropped (unknown run time): job 3 is next
  range.max_jobs = 1;
  ImportResult r = swf(kJobs, range);
  expect_parses(r);
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 10500ms\nvcpu 1\narrive 0\nrun 10500ms\n"
            "vcpu 2\narrive 0\nrun 10500ms\n");

  ImportOptions window;
  window.from_s = 50;  // submits 150..250 in the log: job 3; time 0 = 150
  window.to_s = 150;
  r = swf(kJobs, window);
  expect_parses(r);
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"job3-p0", "job3-p1", "job3-p2"}));
  EXPECT_STARTS_WITH(body(r.vms[0].trace_text), "vcpu 0\narrive 50s\nrun 10500ms\n");
}

TEST(SwfImport, SplitsIntoVmsOf4096VcpusAndDropsArrivalsBeyondTheLimit) {
  std::string text = job(1, "0", "10", "2000") + job(2, "5", "10", "2000") +
                     job(3, "9", "10", "2000") + job(4, "2000000", "10", "1");
  ImportResult r = swf(text);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 2u);
  EXPECT_EQ(r.vms[0].name, "jobs-1");
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), 4000u);
  EXPECT_EQ(r.vms[1].name, "jobs-2");
  EXPECT_EQ(r.vms[1].vcpu_labels.size(), 2000u);
  EXPECT_CONTAINS(r.notes, "dropped 1 jobs arriving more than");  // 2e6 s > 2^50 ns

  ImportOptions one;
  one.max_vms = 1;
  r = swf(text, one);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "jobs");
  EXPECT_CONTAINS(r.notes, "dropped 1 jobs beyond the first 1 VMs");
}

TEST(SwfImport, MalformedLinesNameFileAndLine) {
  std::string short_line = kJobs + "  5  400  -1  20  1  -1 -1 -1 -1 -1 1 7 1 -1 -1 -1 -1\n";
  EXPECT_EQ(error_of([&] { swf(short_line); }),
            "j.swf:7: 17 fields; expected 18 whitespace-separated SWF fields (job, submit, wait, "
            "run, processors, ...; -1 = unknown)");
  std::string word = kJobs + job(5, "400", "abc", "1");
  EXPECT_EQ(error_of([&] { swf(word); }),
            "j.swf:7: field 4 (run time) 'abc'; expected a number (-1 = unknown)");
  // Ten digits of seconds are the most a 64-bit ns count holds.
  EXPECT_EQ(error_of([&] { swf(kJobs + job(5, "400", "99999999999", "1")); }),
            "j.swf:7: run time '99999999999'; expected seconds, below 10^10");
  ImportOptions o;
  o.skip_bad = true;
  ImportResult r = swf(short_line + job(6, "500", "x", "1"), o);
  expect_parses(r);
  EXPECT_EQ(r.lines_skipped, 2u);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), 6u);
  EXPECT_CONTAINS(r.notes, "skipped 2 malformed lines (first: j.swf:7: 17 fields");
  EXPECT_STARTS_WITH(error_of([&] { swf("; only a header\n"); }), "j.swf: no job");
}

TEST(SwfImport, RealExcerptPlainAndGzipped) {
  const std::string plain = kData + "/swf/nasa_ipsc_excerpt.swf";
  std::string text = read_maybe_gzip(plain);
  EXPECT_EQ(read_maybe_gzip(plain + ".gz"), text);
  EXPECT_EQ(text, read_file(plain));

  // The reckoning: one vCPU per processor of each job line (all have a run time).
  std::istringstream lines(text);
  std::string line;
  std::size_t jobs = 0, processors = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream f(line);
    std::string field;
    for (int i = 0; i < 5; ++i) f >> field;
    ++jobs;
    processors += std::stoul(field);
  }
  std::istringstream in(text);
  ImportResult r = import_swf(in, plain, {});
  expect_parses(r);
  EXPECT_EQ(jobs, 41u);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), processors);
  EXPECT_CONTAINS(r.notes, "imported 41 jobs (job 1 to job 122)");
}

TEST(SwfImport, ReadMaybeGzipReportsUnreadableAndCorruptFiles) {
  EXPECT_STARTS_WITH(error_of([] { read_maybe_gzip("/nonexistent/x.swf.gz"); }),
                     "/nonexistent/x.swf.gz: cannot read file (");
  const std::string dir = testing::TempDir();
  const std::string corrupt = dir + "/corrupt.gz";
  std::ofstream(corrupt, std::ios::binary) << "\x1f\x8b\x08garbage that is not deflate";
  EXPECT_STARTS_WITH(error_of([&] { read_maybe_gzip(corrupt); }), corrupt + ": ");
  std::string gz = read_file(kData + "/swf/nasa_ipsc_excerpt.swf.gz");
  const std::string truncated = dir + "/truncated.gz";
  std::ofstream(truncated, std::ios::binary) << gz.substr(0, gz.size() / 2);
  EXPECT_EQ(error_of([&] { read_maybe_gzip(truncated); }),
            truncated + ": truncated gzip data; expected a complete .gz file");
  EXPECT_EQ(error_of([&] { read_maybe_gzip(dir); }), dir + ": is a directory; expected a file");
}

// ---------------------------------------------------------------------------
// Utilisation series.

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string dir = testing::TempDir() + "/util";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/" + name, std::ios::binary) << text;
  return dir + "/" + name;
}

TEST(UtilizationImport, EachSampleRunsItsShareAndSleepsTheRest) {
  ImportOptions o;
  o.interval = 10000000000;  // 10 s at 1 GHz
  ImportResult r = import_utilization({write_temp("web", "0\n50\n50\n100\n12.5\n\n")}, o);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "web");
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\n"
            "sleep 10s\n"                        // 0 %
            "repeat 2\nrun 5s\nsleep 5s\nend\n"  // 50 %, twice
            "run 10s\n"                          // 100 %
            "run 1250ms\nsleep 8750ms\n");       // 12.5 %
  EXPECT_EQ(r.lines_read, 5u);                   // the trailing blank line is not a sample

  o.clock = 2000000000;  // the interval is in cycles: 10 s at 2 GHz
  o.interval = 20000000000;
  o.from_s = 10;  // samples 1 and 2
  o.to_s = 30;
  r = import_utilization({write_temp("web", "0\n50\n50\n100\n")}, o);
  expect_parses(r, o.clock);
  EXPECT_EQ(body(r.vms[0].trace_text), "vcpu 0\narrive 0\nrepeat 2\nrun 5s\nsleep 5s\nend\n");
}

TEST(UtilizationImport, BadSamplesNameFileAndLineOrReplayIdle) {
  std::string path = write_temp("bad", "10\nabc\n101\n20\n");
  EXPECT_EQ(error_of([&] { import_utilization({path}, {}); }),
            path + ":2: 'abc'; expected a CPU utilisation percentage from 0 to 100, one per line");
  ImportOptions o;
  o.skip_bad = true;
  ImportResult r = import_utilization({path}, o);
  expect_parses(r);
  EXPECT_EQ(r.lines_skipped, 2u);
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 30s\nsleep 270s\nrepeat 2\nsleep 300s\nend\n"
            "run 60s\nsleep 240s\n");
  EXPECT_CONTAINS(r.notes, "skipped 2 malformed lines, their intervals replayed idle");
  EXPECT_EQ(error_of([&] { import_utilization({write_temp("gap", "10\n\n20\n")}, {}); }),
            testing::TempDir() +
                "/util/gap:2: empty line; expected a CPU utilisation percentage "
                "from 0 to 100, one per line");
}

TEST(UtilizationImport, InMemorySeriesAndSampleTimesPastTheCycleCount) {
  // The same series from memory (the fuzz target's way in) as from a file.
  ImportResult from_file = import_utilization({write_temp("web", "10\n20\n")}, {});
  ImportResult in_memory = import_utilization_series({{"util/web", "10\n20\n"}}, "util", {});
  ASSERT_EQ(in_memory.vms.size(), 1u);
  EXPECT_EQ(in_memory.vms[0].name, "web");
  EXPECT_EQ(body(in_memory.vms[0].trace_text), body(from_file.vms[0].trace_text));

  // Sample 5 of 6e9 s each would start at 2.4e19 ns: past 64 bits, an error
  // rather than a wrap-around.
  ImportOptions o;
  o.interval = 6000000000000000000;  // 6e9 s at 1 GHz
  EXPECT_EQ(error_of([&] { import_utilization_series({{"util/vast", "1\n2\n3\n4\n5\n"}}, "util", o); }),
            "util/vast:5: sample 5 starts past 2^64 ns at one sample per 6000000000s; expected a "
            "shorter interval or fewer samples");
  EXPECT_NO_THROW(import_utilization_series({{"util/vast", "1\n2\n3\n4\n"}}, "util", o));
}

TEST(UtilizationImport, PlanetLabDirectoryMakesOneVmPerFile) {
  const std::string dir = kData + "/planetlab/20110303";
  ImportResult r = import_utilization({dir}, {});
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 2u);
  EXPECT_EQ(r.vms[0].name, "146-179_surfsnel_dsl_internl_net_colostate_557");
  EXPECT_EQ(r.vms[1].name, "planetlab1_fit_vutbr_cz_nyu_d");
  EXPECT_EQ(r.lines_read, 2u * 288);
  auto cpu = cpu_by_label(r);
  for (const ImportedVm& vm : r.vms) {
    // An integer percentage of 300 s is that many times 3 s, exactly.
    std::ifstream in(dir + "/" + vm.vcpu_labels[0]);
    std::uint64_t percent_sum = 0, value = 0;
    while (in >> value) percent_sum += value;
    EXPECT_EQ(cpu.at(vm.vcpu_labels[0]), percent_sum * 3000000000) << vm.name;
  }
  ImportOptions one;
  one.max_vms = 1;
  EXPECT_EQ(import_utilization({dir}, one).vms.size(), 1u);
}

TEST(UtilizationImport, VmNamesAreMadePlainAndUnique) {
  std::string a = write_temp("a b.txt", "5\n");
  std::string b = write_temp("a_b.txt", "5\n");
  ImportResult r = import_utilization({a, b}, {});
  expect_parses(r);
  EXPECT_EQ(r.vms[0].name, "a_b_txt");
  EXPECT_EQ(r.vms[1].name, "a_b_txt-2");
  std::string tar(1024, '\0');
  tar.replace(0, 9, "20110303/");
  tar.replace(257, 6, std::string("ustar\0", 6));
  std::string archive = write_temp("planetlab.tar", tar);
  EXPECT_STARTS_WITH(error_of([&] { import_utilization({archive}, {}); }),
                     archive + ": a tar archive; expected files of percentages: extract it first");
  std::string empty = testing::TempDir() + "/empty_dir";
  std::filesystem::create_directories(empty);
  EXPECT_EQ(error_of([&] { import_utilization({empty}, {}); }),
            empty + ": no files; expected one file of percentages per VM");
}

// ---------------------------------------------------------------------------
// Shared pieces.

TEST(ImportHelpers, GlobMatch) {
  EXPECT_TRUE(glob_match("kworker*", "kworker/u12:1"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("s?d", "sed"));
  EXPECT_TRUE(glob_match("ssh[d]", "sshd"));
  EXPECT_TRUE(glob_match("[!a-c]x", "dx"));
  EXPECT_FALSE(glob_match("[!a-c]x", "bx"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(glob_match("\\*", "*"));
  EXPECT_FALSE(glob_match("\\*", "x"));
  EXPECT_FALSE(glob_match("sh", "sshd"));
  EXPECT_TRUE(glob_match("[ab", "[ab"));  // no closing ']': literal
}

TEST(ImportHelpers, OutputPathAndDurations) {
  EXPECT_EQ(import_output_path("web.trace", "all", 1), "web.trace");
  EXPECT_EQ(import_output_path("web.trace", "ssh", 2), "web-ssh.trace");
  EXPECT_EQ(import_output_path("out/web", "ssh", 2), "out/web-ssh.trace");
  EXPECT_EQ(detail::format_ns(2000000), "2ms");
  EXPECT_EQ(detail::format_ns(173000), "173us");
  EXPECT_EQ(detail::format_ns(1500), "1500ns");
  EXPECT_EQ(detail::format_ns(300000000000), "300s");
  EXPECT_EQ(detail::parse_seconds_ns("76.211513"), 76211513000u);
  EXPECT_EQ(detail::parse_seconds_ns("1.0000000005"), 1000000001u);
  EXPECT_EQ(detail::parse_seconds_ns("12"), 12000000000u);
  EXPECT_FALSE(detail::parse_seconds_ns("1.").has_value());
  EXPECT_FALSE(detail::parse_seconds_ns("-1").has_value());
}

TEST(ImportHelpers, LongStepsAreSplitAtTheFormatsLimit) {
  detail::ImportVcpu v;
  v.blocks.push_back({1, {{detail::ImportStep::Sleep, 3000000ull * 1000000000}}});  // 3e6 s
  std::string text = detail::write_trace("x", {}, {v}, k1GHz);
  // 2^50 ns is 1125899.9 s: whole seconds below it.
  EXPECT_EQ(body(text), "vcpu 0\narrive 0\nsleep 1125899s\nsleep 1125899s\nsleep 748202s\n");
  EXPECT_NO_THROW(parse_trace(text, "x", k1GHz));
}

}  // namespace
}  // namespace vmmsim::workload
