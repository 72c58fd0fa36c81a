# ctest: the shared library LIBRARY exports only the public API: every
# defined dynamic symbol starts with "sct_" (not the internal "sct__") and
# is declared as a function in HEADER.
execute_process(COMMAND ${NM} -D --defined-only ${LIBRARY}
  OUTPUT_VARIABLE out RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIBRARY}")
endif()
file(READ ${HEADER} header)
string(REGEX MATCHALL "[^\n]+" lines "${out}")
set(count 0)
foreach(line ${lines})
  if(NOT line MATCHES " ([A-Za-z]) ([^ ]+)$")
    continue()
  endif()
  set(kind ${CMAKE_MATCH_1})
  set(name ${CMAKE_MATCH_2})
  if(kind STREQUAL "A") # version nodes and other absolute markers
    continue()
  endif()
  if(NOT name MATCHES "^sct_[a-z]" OR NOT header MATCHES "[ *]${name}\\(")
    message(FATAL_ERROR "exported symbol '${name}' is not public sct API")
  endif()
  math(EXPR count "${count} + 1")
endforeach()
if(count LESS 50)
  message(FATAL_ERROR "only ${count} symbols exported: the API is missing")
endif()
message(STATUS "${count} exported symbols, all public API")
