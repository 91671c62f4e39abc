#include "base/output_plan.h"

#include <fmt/format.h>

#include "base/input_error.h"
#include "base/temporary_files.h"

namespace vmmsim {

OutputPlan::OutputPlan(const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs)
    m_inputs.emplace_back(input, FileIdentity::of_path(input));
}

OutputFile& OutputPlan::add(const std::string& path, const std::string& option) {
  auto file = std::make_unique<OutputFile>(path);
  const FileIdentity& id = file->identity();
  // Writing to a terminal or the null device harms no input.
  if (!id.character_device)
    for (const auto& [input, input_id] : m_inputs)
      if (id == input_id)
        throw InputError(
            fmt::format("{}: refusing to overwrite an input file ({}) with {}; expected an output "
                        "that is no input",
                        path, input, option));
  for (const Named& other : m_outputs) {
    if (file->to_standard_output() && other.file->to_standard_output())
      throw InputError(fmt::format(
          "{}: {} and {} both write to standard output; expected at most one output there", path,
          other.option, option));
    if (other.file->identity() == id && !id.null_device)
      throw InputError(
          fmt::format("{}: named by both {} and {}; expected a file of its own for each output",
                      path, other.option, option));
  }
  m_outputs.push_back({std::move(file), option});
  return *m_outputs.back().file;
}

bool OutputPlan::writes_standard_output() const {
  for (const Named& output : m_outputs)
    if (output.file->to_standard_output()) return true;
  return false;
}

void OutputPlan::open() {
  for (Named& output : m_outputs) output.file->open();
}

void OutputPlan::throw_if_failed() {
  for (Named& output : m_outputs)
    if (output.file->failed()) output.file->finish();  // throws, naming the file and the cause
}

void OutputPlan::commit() {
  try {
    for (Named& output : m_outputs) output.file->finish();
    HeldSignals held;  // no signal between two renames
    for (Named& output : m_outputs) output.file->commit();
  } catch (...) {
    for (Named& output : m_outputs) output.file->discard();
    throw;
  }
}

void check_outputs(const std::vector<std::string>& inputs,
                   const std::vector<std::pair<std::string, std::string>>& outputs) {
  OutputPlan plan(inputs);
  for (const auto& [path, option] : outputs) {
    OutputFile& file = plan.add(path, option);
    if (file.kind() == OutputFile::Kind::Replaced) file.open();
  }
}  // the files' temporaries are removed here

void write_whole_file(const std::string& path, const std::string& text, const std::string& option) {
  OutputPlan plan;
  OutputFile& out = plan.add(path, option);
  plan.open();
  out.stream() << text;
  plan.commit();
}

}  // namespace vmmsim
