// The files beside a --vcd FILE that make `gtkwave FILE.gtkw` open ready
// to read (docs/results.md "GTKWave files"):
// - a translate filter file per legend (GTKWave's Data Format > Translate
//   Filter File: lines "VALUE NAME"), e.g. vCPU names for the owners;
// - a save file: the signals grouped per pCPU, VMM, device and VM, shown
//   in decimal with their filter attached, and the replacement phases as
//   named markers.
// Both refer to the others by their names in the save file's folder, so
// the set can be moved or copied together.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "report/vcd_writer.h"

namespace vmmsim::report {

struct GtkwaveFileNames {
  std::string save;  // FILE.gtkw
  struct Filter {
    std::string legend, path;
  };
  std::vector<Filter> filters;  // one per legend, in the legends' order
};

// The names beside `vcd_path`: its stem (the path without a final ".vcd")
// + ".gtkw", and + "." + legend + ".filter" for each of `legends`.
GtkwaveFileNames gtkwave_file_names(const std::string& vcd_path,
                                    const std::vector<std::string>& legends);

// A translate filter: a comment, then "VALUE NAME" per named value in
// ascending order, VALUE in decimal (the save file shows the traces in
// decimal; GTKWave matches the text it would show).
void write_translate_filter(const VcdWriter::Legend& legend, std::ostream& out);

// The save file for the VCD `vcd_path` written by `vcd`, which ended at
// cycle `end`. Markers: the start of each replacement phase, from the
// history of the signal that `phase_legend` names (kept by the writer),
// named "N PHASE" (N counts the replacements from 1), at most the 26 that
// GTKWave has (A-Z); a comment says how many were left out.
void write_gtkwave_save(const VcdWriter& vcd, const GtkwaveFileNames& names,
                        const std::string& vcd_path, Cycles end, const std::string& phase_legend,
                        std::ostream& out);

}  // namespace vmmsim::report
