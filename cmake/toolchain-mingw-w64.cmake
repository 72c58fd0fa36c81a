# Cross-compiling for 64-bit Windows with mingw-w64 (Debian's
# gcc-mingw-w64-x86-64); programs run under Wine (Debian's wine64), so
# ctest runs the Windows build for real on Linux.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(SCT_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${SCT_MINGW_PREFIX}-gcc)
set(CMAKE_RC_COMPILER ${SCT_MINGW_PREFIX}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${SCT_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Wine's loader: Debian installs it outside PATH, so look there too.
find_program(SCT_WINE NAMES wine64 wine
  PATHS /usr/lib/wine /usr/lib64/wine /opt/wine-stable/bin NO_CMAKE_FIND_ROOT_PATH)
if(SCT_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SCT_WINE})
endif()
