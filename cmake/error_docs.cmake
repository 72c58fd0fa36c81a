# Writes the reference manual's "Error codes" page and the documentation
# of each SCT_E* enumerator from the one list that defines them, the
# SCT_ERRNO_MAP X-macro in sct.h, so the manual can never disagree with
# the code. Included by CMakeLists.txt when Doxygen is found.
function(sct_write_error_docs header page dox)
  file(READ ${header} text)
  # Messages may hold ';', CMake's list separator: carried through as a
  # placeholder.
  string(REPLACE ";" "@SEMICOLON@" text "${text}")
  string(REGEX MATCHALL
    "X\\(([A-Z]+),[ \t\r\n\\\\]*(-[0-9]+),[ \t\r\n\\\\]*\"([^\"]*)\"\\)"
    entries "${text}")
  set(rows "")
  set(vars "")
  foreach(entry ${entries})
    string(REGEX MATCH
      "X\\(([A-Z]+),[ \t\r\n\\\\]*(-[0-9]+),[ \t\r\n\\\\]*\"([^\"]*)\"\\)"
      _ "${entry}")
    string(APPEND rows "| `SCT_${CMAKE_MATCH_1}` | ${CMAKE_MATCH_2} | ${CMAKE_MATCH_3} |\n")
    string(APPEND vars "/** @var SCT_${CMAKE_MATCH_1}\n * ${CMAKE_MATCH_3} (${CMAKE_MATCH_2}). */\n")
  endforeach()
  list(LENGTH entries count)
  if(count LESS 19)
    message(FATAL_ERROR "only ${count} error codes found in ${header}")
  endif()
  string(REPLACE "@SEMICOLON@" ";" rows "${rows}")
  string(REPLACE "@SEMICOLON@" ";" vars "${vars}")
  file(WRITE ${page} "# Error codes {#error_codes}\n\n"
    "Every function returns 0 (`SCT_OK`) or one of these negative codes, "
    "the same on every platform. `sct_strerror(code)` gives the message, "
    "`sct_err_name(code)` the name, and `sct_last_os_error()` the OS error "
    "behind the last failure in this thread.\n\n"
    "| code | value | message |\n|---|---|---|\n${rows}")
  file(WRITE ${dox} "${vars}")
endfunction()
