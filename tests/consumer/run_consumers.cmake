# ctest driver: installs the sct build BUILD_DIR into a temporary prefix
# under WORK_DIR, then builds and runs tests/consumer three ways:
# find_package(sct CONFIG), pkg-config, and add_subdirectory of SOURCE_DIR.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status
    OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

set(consumer ${SOURCE_DIR}/tests/consumer)
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
run("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# 1. find_package, against the installed package files.
run("configure (find_package)" ${CMAKE_COMMAND} -S ${consumer}
  -B ${WORK_DIR}/find_package -DCMAKE_PREFIX_PATH=${prefix})
run("build (find_package)" ${CMAKE_COMMAND} --build ${WORK_DIR}/find_package)
run("run (find_package)" ${WORK_DIR}/find_package/consumer)
message(STATUS "find_package: ${last_output}")

# 2. pkg-config, the way a Makefile would.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run("pkg-config" ${PKG_CONFIG} --cflags --libs sct)
string(STRIP "${last_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run("compile (pkg-config)" ${C_COMPILER} ${consumer}/consumer.c ${flags}
  -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/consumer-pkg-config)
run("run (pkg-config)" ${WORK_DIR}/consumer-pkg-config)
message(STATUS "pkg-config: ${last_output}")

# 3. add_subdirectory of the source tree.
run("configure (add_subdirectory)" ${CMAKE_COMMAND} -S ${consumer}
  -B ${WORK_DIR}/subdirectory -DSCT_SOURCE_DIR=${SOURCE_DIR})
run("build (add_subdirectory)" ${CMAKE_COMMAND} --build ${WORK_DIR}/subdirectory)
run("run (add_subdirectory)" ${WORK_DIR}/subdirectory/consumer)
message(STATUS "add_subdirectory: ${last_output}")
