#include "app/out_of_memory.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace vmmsim::app {
namespace {

char g_activity[512] = "starting";

}  // namespace

void set_activity(std::string_view what) {
  const std::size_t n = std::min(what.size(), sizeof g_activity - 1);
  std::memcpy(g_activity, what.data(), n);
  g_activity[n] = '\0';
}

bool is_out_of_memory(const std::exception& e) {
  return dynamic_cast<const std::bad_alloc*>(&e) != nullptr || std::strstr(e.what(), "std::bad_alloc") != nullptr;
}

void report_out_of_memory(std::ostream& err) {
  err << "vmmsim: out of memory while " << g_activity << "; expected a smaller input or more memory\n";
}

}  // namespace vmmsim::app
