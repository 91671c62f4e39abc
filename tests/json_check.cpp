// json_check FILE...: exit 0 if every file is valid JSON (RFC 8259, as
// nlohmann::json reads it through report/json_value): no raw control
// character, no invalid UTF-8; else one line per bad file, naming it.
// The CLI tests run it on what vmmsim wrote.
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "report/json_value.h"

int main(int argc, char* argv[]) {
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    try {
      if (!in) throw std::runtime_error(std::string(argv[i]) + ": cannot read");
      vmmsim::report::JsonValue::parse(text.str(), argv[i]);
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      status = 1;
    }
  }
  return status;
}
