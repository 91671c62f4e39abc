#include "app/run_child.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "app/interrupt.h"
#include "app/out_of_memory.h"
#include "app/simulation.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;

// Without a given window: this much before the first replacement's cease and
// at least this much after its last phase (docs/compare.md). It covers the
// page's own zoom (4 x the replacement's span, at least 2 ms) for
// replacements up to 5 ms.
constexpr const char* kReplacementPad = "20ms";

// What a run had to say (its error, or why it stopped early), as
// errors.txt, an output like the run's others (base/output_plan.h); a run
// with nothing to say leaves none (its folder is new). Returns the run's
// exit code: 74 if the file could not be written, and then the text goes to
// stderr.
int write_errors(const fs::path& file, const std::string& text, int code) {
  try {
    if (!text.empty()) write_whole_file(file.string(), text, "--out");
    return code;
  } catch (const std::exception& e) {
    std::cerr << text << "vmmsim: " << printable(e.what()) << "\n";
    return code != 0 ? code : kWriteFailed;
  }
}

}  // namespace

void run_child(const std::function<config::Config()>& load, const fs::path& dir,
               const RunWindow& window, const ChildPool& pool) {
  // The parent's stdout is its table: whatever else writes there in a run (a
  // plugin's printf) goes to stderr.
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  std::ostringstream errors;
  int code = 0;
  try {
    catch_interrupts();  // each output file registers its temporary (base/temporary_files.h)
    pool.unblock_in_child();
    const config::Config config = load();
    Outputs outputs{(dir / "results.json").string(),
                    "",
                    (dir / "timeline.json").string(),
                    (dir / "resolved.ini").string(),
                    window.window.from,
                    window.window.to,
                    (dir / "report.txt").string()};
    if (!window.given)
      outputs.timeline_replacement_pad =
          *parse_duration(kReplacementPad, config.platform.clock, nullptr);
    if (simulate(config, outputs, std::cout, interrupt_signal())) {
      errors << "vmmsim: " << signal_name(*interrupt_signal())
             << ": stopped early; the results cover the simulated time so far (partial)\n";
      code = 128 + *interrupt_signal();
    }
  } catch (const InputError& e) {
    errors << "vmmsim: " << printable(e.what()) << "\n";
    code = 2;
  } catch (const OutputError& e) {
    errors << "vmmsim: " << printable(e.what()) << "\n";
    code = kWriteFailed;
  } catch (const std::exception& e) {
    if (is_out_of_memory(e)) {
      report_out_of_memory(errors);
      code = kOutOfMemory;
    } else {
      errors << "vmmsim: internal error: " << printable(e.what()) << "\n";
      code = 70;
    }
  }
  code = write_errors(dir / "errors.txt", errors.str(), code);
  std::cout.flush();
  std::cerr.flush();
  ::_exit(code);  // no static destructors of the parent's state in the child
}

}  // namespace vmmsim::app
