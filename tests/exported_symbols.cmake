# ctest: the shared library LIBRARY exports only the public API: every
# exported symbol starts with "sct_" (not the internal "sct__") and is
# declared as a function in HEADER.
#   ELF (libsct.so): NM lists the defined dynamic symbols.
#   PE (sct.dll):    OBJDUMP -p prints the export table, and the DLLs it
#                    imports, which must all be Windows' own (no
#                    libgcc_s_seh-1.dll or libwinpthread-1.dll to ship).
function(run_tool)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${ARGN} failed (${status})")
  endif()
  string(REGEX MATCHALL "[^\n]+" lines "${out}")
  set(lines "${lines}" PARENT_SCOPE)
endfunction()

set(names "")
if(OBJDUMP)
  run_tool(${OBJDUMP} -p ${LIBRARY})
  set(in_table FALSE)
  foreach(line ${lines})
    if(line MATCHES "DLL Name: (.+)$")
      set(dll "${CMAKE_MATCH_1}")
      string(TOLOWER "${dll}" lower)
      if(NOT lower MATCHES "^(kernel32|advapi32|msvcrt|ucrtbase|api-ms-win-.*)\\.dll$")
        message(FATAL_ERROR "${LIBRARY} needs ${dll}, not a Windows DLL")
      endif()
    elseif(line MATCHES "\\[Ordinal/Name Pointer\\] Table")
      set(in_table TRUE)
    elseif(in_table AND line MATCHES "^[ \t]*\\[ *[0-9]+\\] ([^ ]+)$")
      list(APPEND names ${CMAKE_MATCH_1})
    elseif(in_table)
      set(in_table FALSE)
    endif()
  endforeach()
else()
  run_tool(${NM} -D --defined-only ${LIBRARY})
  foreach(line ${lines})
    # "A": version nodes and other absolute markers, not symbols.
    if(line MATCHES " ([A-Za-z]) ([^ ]+)$" AND NOT CMAKE_MATCH_1 STREQUAL "A")
      list(APPEND names ${CMAKE_MATCH_2})
    endif()
  endforeach()
endif()

file(READ ${HEADER} header)
# Every libc's start files (crti.o) define _init and _fini in a shared
# library; musl's leave them exported. They are not ours to hide.
list(REMOVE_ITEM names _init _fini)
list(LENGTH names count)
foreach(name ${names})
  if(NOT name MATCHES "^sct_[a-z]" OR NOT header MATCHES "[ *]${name}\\(")
    message(FATAL_ERROR "exported symbol '${name}' is not public sct API")
  endif()
endforeach()
if(count LESS 50)
  message(FATAL_ERROR "only ${count} symbols exported: the API is missing")
endif()
message(STATUS "${count} exported symbols, all public API")
