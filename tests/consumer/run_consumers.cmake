# ctest driver: installs the sct build BUILD_DIR into a temporary prefix
# under WORK_DIR, then builds and runs tests/consumer three ways:
# find_package(sct CONFIG), pkg-config, and add_subdirectory of SOURCE_DIR.
#
# Windows builds (WINDOWS true) link the first two against sct.dll: the
# DLL is copied next to each program, OBJDUMP (when there is one) checks
# that the program really imports it, and EMULATOR (Wine, when
# cross-compiling with mingw-w64 and TOOLCHAIN_FILE) runs it.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status
    OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# Runs the consumer built in DIR (its name there: NAME) and reports its
# output; on Windows with the installed DLL beside it when USES_DLL.
function(run_consumer how dir name uses_dll)
  # Multi-config generators (Visual Studio) put it under Release/.
  file(GLOB_RECURSE program ${dir}/${name} ${dir}/${name}.exe)
  if(NOT program)
    message(FATAL_ERROR "${how}: no ${name} built in ${dir}")
  endif()
  if(WINDOWS AND uses_dll)
    if(OBJDUMP)
      run("objdump (${how})" ${OBJDUMP} -p ${program})
      if(NOT last_output MATCHES "DLL Name: sct\\.dll")
        message(FATAL_ERROR "${how}: ${program} does not import sct.dll")
      endif()
    endif()
    get_filename_component(program_dir ${program} DIRECTORY)
    file(COPY ${prefix}/bin/sct.dll DESTINATION ${program_dir})
  endif()
  run("run (${how})" ${EMULATOR} ${program})
  message(STATUS "${how}: ${last_output}")
endfunction()

set(consumer ${SOURCE_DIR}/tests/consumer)
set(prefix ${WORK_DIR}/prefix)
# The consumers are built the way the library was: same compiler, same
# flags (-m32, musl-gcc, ...), same toolchain file.
set(cross_args "-DCMAKE_C_FLAGS=${C_FLAGS}")
if(TOOLCHAIN_FILE)
  list(APPEND cross_args -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE})
else()
  list(APPEND cross_args -DCMAKE_C_COMPILER=${C_COMPILER})
endif()
file(REMOVE_RECURSE ${WORK_DIR})
run("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# 1. find_package, against the installed package files.
run("configure (find_package)" ${CMAKE_COMMAND} -S ${consumer}
  -B ${WORK_DIR}/find_package -DCMAKE_PREFIX_PATH=${prefix} ${cross_args})
run("build (find_package)" ${CMAKE_COMMAND} --build ${WORK_DIR}/find_package
  --config Release)
run_consumer(find_package ${WORK_DIR}/find_package consumer TRUE)

# 2. pkg-config, the way a Makefile would (where there is a pkg-config and
# a compiler that takes its flags: not MSVC's cl).
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG AND NOT C_COMPILER MATCHES "cl(\\.exe)?$")
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
  run("pkg-config" ${PKG_CONFIG} --cflags --libs sct)
  string(STRIP "${last_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(rpath "")
  if(NOT WINDOWS)
    set(rpath -Wl,-rpath,${prefix}/lib)
  endif()
  file(MAKE_DIRECTORY ${WORK_DIR}/pkg-config)
  separate_arguments(c_flags UNIX_COMMAND "${C_FLAGS}")
  run("compile (pkg-config)" ${C_COMPILER} ${c_flags} ${consumer}/consumer.c ${flags}
    ${rpath} -o ${WORK_DIR}/pkg-config/consumer${EXE_SUFFIX})
  run_consumer(pkg-config ${WORK_DIR}/pkg-config consumer TRUE)
elseif(NOT WINDOWS)
  message(FATAL_ERROR "pkg-config not found")
endif()

# 4. Where sct_apr was built: an APR program using it through
# find_package(sct) and through pkg-config's sct-apr.
if(WITH_APR)
  run("configure (sct_apr)" ${CMAKE_COMMAND} -S ${consumer}/apr
    -B ${WORK_DIR}/apr -DCMAKE_PREFIX_PATH=${prefix} ${cross_args})
  run("build (sct_apr)" ${CMAKE_COMMAND} --build ${WORK_DIR}/apr)
  run_consumer(sct_apr ${WORK_DIR}/apr apr_consumer FALSE)
  run("pkg-config (sct-apr)" ${PKG_CONFIG} --cflags --libs sct-apr)
  string(STRIP "${last_output}" apr_flags)
  separate_arguments(apr_flags UNIX_COMMAND "${apr_flags}")
  run("compile (pkg-config sct-apr)" ${C_COMPILER} ${c_flags}
    ${consumer}/apr/apr_consumer.c ${apr_flags} -Wl,-rpath,${prefix}/lib
    -o ${WORK_DIR}/apr/apr_consumer_pc)
  run_consumer(sct-apr-pkg-config ${WORK_DIR}/apr apr_consumer_pc FALSE)
endif()

# 3. add_subdirectory of the source tree (the static library).
run("configure (add_subdirectory)" ${CMAKE_COMMAND} -S ${consumer}
  -B ${WORK_DIR}/subdirectory -DSCT_SOURCE_DIR=${SOURCE_DIR} ${cross_args})
if(EXISTS ${WORK_DIR}/subdirectory/sct/tests)
  message(FATAL_ERROR "add_subdirectory: sct's tests are configured by "
    "default in a project that only uses sct")
endif()
run("build (add_subdirectory)" ${CMAKE_COMMAND} --build ${WORK_DIR}/subdirectory
  --config Release)
run_consumer(add_subdirectory ${WORK_DIR}/subdirectory consumer FALSE)
