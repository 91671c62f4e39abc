# The parts' layering (docs/architecture.md "Observers"): the VMM core knows
# the platform's models and the report formats only through types of its
# own, so vmm/ includes nothing from models/ (the platform top, tracing), and
# no vmm/ file writes the timeline. Fails naming the file and the include.
file(GLOB sources ${SRC}/vmm/*.h ${SRC}/vmm/*.cpp)
if(NOT sources)
  message(FATAL_ERROR "no sources under ${SRC}/vmm")
endif()
set(bad "")
foreach(f ${sources})
  file(STRINGS ${f} lines REGEX "^#include \"(models/[^\"]*|report/timeline\\.h)\"")
  foreach(line ${lines})
    string(APPEND bad "\n  ${f}: ${line}")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "vmm/ reaches into models/ or the timeline format:${bad}")
endif()
