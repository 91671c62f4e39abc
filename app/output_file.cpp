#include "app/output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "base/input_error.h"

namespace vmmsim::app {

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write (" + std::strerror(errno) + ")");
    write(out);
    out.flush();
    if (!out) {
      std::remove(partial.c_str());
      throw InputError(path + ": write failed (" + std::strerror(errno) + ")");
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw InputError(path + ": cannot rename into place (" + std::strerror(errno) + ")");
  }
}

}  // namespace vmmsim::app
