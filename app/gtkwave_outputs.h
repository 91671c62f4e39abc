// GTKWave's save file and translate filters beside a --vcd FILE: outputs
// that --vcd names implicitly (docs/results.md "GTKWave files"). They are
// planned with the other outputs (refused if one is an input or another
// output), written after the run and renamed into place with the rest.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/output_plan.h"
#include "base/units.h"
#include "report/gtkwave_files.h"
#include "report/vcd_writer.h"

namespace vmmsim::app {

class GtkwaveOutputs {
 public:
  // Plans the files beside `vcd` when it is a file of its own; none beside
  // standard output or a device (they have no name to put files beside).
  // `legends`: those of the VCD's signals, a filter file each.
  static std::unique_ptr<GtkwaveOutputs> plan(OutputPlan& plan, const OutputFile* vcd,
                                              const std::vector<std::string>& legends);

  // Writes them for the closed VCD writer `vcd`, whose run ended at `end`.
  void write(const report::VcdWriter& vcd, Cycles end) const;

 private:
  std::string m_vcd_path;
  report::GtkwaveFileNames m_names;
  OutputFile* m_save = nullptr;
  std::vector<OutputFile*> m_filters;  // as m_names.filters
};

}  // namespace vmmsim::app
