#include "app/output_file.h"

#include "base/output_plan.h"

namespace vmmsim::app {

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  OutputPlan plan;
  OutputFile& file = plan.add(path, path);
  plan.open();
  write(file.stream());
  plan.commit();
}

}  // namespace vmmsim::app
