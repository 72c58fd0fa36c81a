# Compiles tests/cxx/uses_sct.cpp with CXX (strict C++17), links it with
# the static library LIB and runs it: it must print the expected lines.
execute_process(
  COMMAND ${CXX} -std=c++17 -Wall -Wextra -Wshadow -pedantic-errors -Werror
    -I${SOURCE_DIR}/include ${SOURCE_DIR}/tests/cxx/uses_sct.cpp ${LIB}
    -lpthread -o ${OUT}
  RESULT_VARIABLE status ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${CXX} rejected sct.h:\n${err}")
endif()
execute_process(COMMAND ${OUT} RESULT_VARIABLE status OUTPUT_VARIABLE out)
if(NOT status EQUAL 0 OR NOT out STREQUAL "counter 5\nlocked 1\n")
  message(FATAL_ERROR "${OUT} exited ${status}, printed:\n${out}")
endif()
