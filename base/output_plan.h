// The outputs of one command, checked together before anything runs and
// written all or nothing: every file is written under its temporary name
// first, and only when all are complete are they renamed into place.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/file_identity.h"
#include "base/output_file.h"

namespace vmmsim {

class OutputPlan {
 public:
  // `inputs`: the files the command reads, which no output may replace.
  explicit OutputPlan(const std::vector<std::string>& inputs = {});

  // Adds an output; `option` names it in messages ("--json"). InputError,
  // before any file is touched, if it is an input, another output's file, a
  // second output on standard output (whatever that is), or cannot be an
  // output at all. Two outputs may share only the null device.
  OutputFile& add(const std::string& path, const std::string& option);
  bool writes_standard_output() const;

  // Opens every output (creates the temporaries): a missing folder or one
  // that cannot be written is an error now, before the work starts.
  void open();
  // OutputError for the first output whose writing has failed.
  void throw_if_failed();
  // Finishes every file, then renames them all into place, with SIGINT,
  // SIGTERM and SIGHUP held until the last rename. If one cannot be
  // finished, every temporary is removed and no file is replaced.
  void commit();

 private:
  struct Named {
    std::unique_ptr<OutputFile> file;
    std::string option;
  };
  std::vector<std::pair<std::string, FileIdentity>> m_inputs;
  std::vector<Named> m_outputs;
};

// One output alone: `text` into `path`, whole or not at all; errors as
// add(), open() and commit() give them.
void write_whole_file(const std::string& path, const std::string& text, const std::string& option);

// Checks outputs that a command writes later (after reading its inputs, or
// after its child processes ran) as add() and open() would, and leaves
// nothing behind. Devices and FIFOs are not opened (a FIFO's reader would
// see its end). `outputs`: path and option.
void check_outputs(const std::vector<std::string>& inputs,
                   const std::vector<std::pair<std::string, std::string>>& outputs);

}  // namespace vmmsim
