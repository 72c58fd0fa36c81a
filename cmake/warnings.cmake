# Warning flags by compiler front end. An MSVC-style driver (cl.exe, or
# clang-cl, which CMake calls Clang with an MSVC front end) is asked
# first: clang-cl reads GCC's -Wall as /Wall, every warning there is.
#   sct_warnings(TARGET [GNU-STYLE FLAGS...])
function(sct_warnings target)
  if(MSVC)
    # C4996: the CRT's advice against snprintf and friends in favour of
    # its _s functions, which POSIX lacks.
    target_compile_options(${target} PRIVATE /W4 /wd4996
      $<$<BOOL:${SCT_WERROR}>:/WX>)
  elseif(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra ${ARGN}
      $<$<BOOL:${SCT_WERROR}>:-Werror>)
  endif()
endfunction()

# clang-cl's nearest analogues of cl.exe warnings that /W4 gives and
# clang's /W4 does not (C4245: a negative value converted to unsigned;
# C4701: a variable possibly used uninitialised), for sct's own sources.
function(sct_cl_analogue_warnings target)
  if(MSVC AND CMAKE_C_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -Wsign-conversion
      -Wconditional-uninitialized)
  endif()
endfunction()
