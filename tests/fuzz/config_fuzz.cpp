// libFuzzer target: the config parser (config/config_parser.h) on arbitrary
// text, as if it were configs/fuzz.ini: relative trace paths reach the
// example traces. Bad input must end in InputError; anything else is a
// finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/input_error.h"
#include "config/config_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    vmmsim::config::parse_config(text, VMMSIM_SOURCE_DIR "/configs/fuzz.ini");
  } catch (const vmmsim::InputError&) {
  }
  return 0;
}
