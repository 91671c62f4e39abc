#include "app/gtkwave_outputs.h"

#include <algorithm>

namespace vmmsim::app {

std::unique_ptr<GtkwaveOutputs> GtkwaveOutputs::plan(OutputPlan& plan, const OutputFile* vcd,
                                                     const std::vector<std::string>& legends) {
  if (!vcd || vcd->kind() != OutputFile::Kind::Replaced) return nullptr;
  auto g = std::make_unique<GtkwaveOutputs>();
  g->m_vcd_path = vcd->path();
  g->m_names = report::gtkwave_file_names(vcd->path(), legends);
  g->m_save = &plan.add(g->m_names.save, "--vcd (its GTKWave save file)");
  for (const auto& f : g->m_names.filters)
    g->m_filters.push_back(&plan.add(f.path, "--vcd (its GTKWave " + f.legend + " filter)"));
  return g;
}

void GtkwaveOutputs::write(const report::VcdWriter& vcd, Cycles end) const {
  const auto& legends = vcd.legends();
  for (std::size_t i = 0; i < m_filters.size(); ++i) {
    auto legend = std::find_if(legends.begin(), legends.end(),
                               [&](const auto& l) { return l.name == m_names.filters[i].legend; });
    report::write_translate_filter(legend != legends.end()
                                       ? *legend
                                       : report::VcdWriter::Legend{m_names.filters[i].legend, {}},
                                   m_filters[i]->stream());
  }
  report::write_gtkwave_save(vcd, m_names, m_vcd_path, end, "phase", m_save->stream());
}

}  // namespace vmmsim::app
