# Runs PROGRAM (with the ;-separated ARGS) and compares its standard
# output with the file EXPECTED, byte for byte. Used by the seed_example
# tests.
execute_process(COMMAND ${PROGRAM} ${ARGS}
  OUTPUT_VARIABLE actual
  RESULT_VARIABLE status)
file(READ ${EXPECTED} expected)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${status}")
endif()
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "output differs.\n--- expected\n${expected}--- actual\n${actual}")
endif()
message(STATUS "output matches ${EXPECTED}")
