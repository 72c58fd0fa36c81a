# Runs PROGRAM (with the ;-separated ARGS, under EMULATOR when cross
# compiling) and compares its standard output with the file EXPECTED, byte
# for byte, except that Windows' CRLF line ends count as LF (the C
# runtime's text mode writes them). Used by the seed_example tests.
execute_process(COMMAND ${EMULATOR} ${PROGRAM} ${ARGS}
  OUTPUT_VARIABLE actual
  RESULT_VARIABLE status)
string(REPLACE "\r\n" "\n" actual "${actual}")
file(READ ${EXPECTED} expected)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${status}")
endif()
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "output differs.\n--- expected\n${expected}--- actual\n${actual}")
endif()
message(STATUS "output matches ${EXPECTED}")
