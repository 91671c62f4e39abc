// A report::Timeline written to a temporary file and read back as text, for
// the tests of what a reader finds in it (timeline_test, text_escaping_test).
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <unistd.h>

#include "base/output_file.h"
#include "report/timeline.h"

namespace vmmsim::report {

// The file's text after `fill` wrote into a timeline of `cpus` pCPUs at
// `clock` (of [from, to), and a replacement's neighbourhood with `pad` > 0).
inline std::string timeline_text(Hertz clock, unsigned cpus, const std::function<void(Timeline&)>& fill,
                                 Cycles from = 0, Cycles to = kForever, Cycles pad = 0) {
  namespace fs = std::filesystem;
  const fs::path file = fs::temp_directory_path() / ("vmmsim_timeline_" + std::to_string(::getpid()) + ".json");
  {
    OutputFile out(file.string());
    out.open();
    Timeline t(out, clock, cpus, from, to, pad);
    fill(t);
    t.close();
    out.finish();
    out.commit();
  }
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(file);
  return text.str();
}

}  // namespace vmmsim::report
