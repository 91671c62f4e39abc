// The script of the compare page (report/html_script.cpp), inlined into it.
#pragma once

namespace vmmsim::report {

extern const char* const kHtmlScript;

}  // namespace vmmsim::report
