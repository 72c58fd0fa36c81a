# MSVC mode on Linux without Microsoft's toolchain: clang-cl with Wine's
# Windows SDK and UCRT headers, lld-link with Wine's import libraries and
# the small static C runtime of scripts/msvc-deps.sh (which makes
# build/msvc-sdk), programs run under wine64. Objects are COFF for
# x86_64-pc-windows-msvc with _MSC_VER defined, as Visual Studio 2022
# 17.8 (cl 19.38) makes them. scripts/test-msvc.sh builds and tests with
# it; toolchain-msvc-cl.cmake is the same as cl.exe sees the sources.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(SCT_MSVC_SDK "${CMAKE_CURRENT_LIST_DIR}/../build/msvc-sdk")
get_filename_component(SCT_MSVC_SDK "${SCT_MSVC_SDK}" ABSOLUTE)
set(wine_include /usr/include/wine/wine)

set(CMAKE_C_COMPILER "${CMAKE_CURRENT_LIST_DIR}/msvc/clang-cl")
set(CMAKE_LINKER lld-link)
set(CMAKE_AR llvm-lib)
set(CMAKE_RC_COMPILER llvm-rc)
set(CMAKE_MT llvm-mt)

# /X /imsvc: Wine's SDK and UCRT headers as system headers, after clang's
# own (stddef.h, stdatomic.h, intrin.h). _UCRT: the ucrtbase.dll flavour,
# the C runtime of every Visual Studio since 2015. Wine 8.0's winnt.h
# defines an inline _InterlockedCompareExchange128 for every compiler but
# cl.exe, which clang refuses (a builtin): moved out of the way.
set(CMAKE_C_FLAGS_INIT "/X /imsvc${wine_include}/msvcrt /imsvc${wine_include}/windows -D_UCRT -fms-compatibility-version=19.38 -D_InterlockedCompareExchange128=__wine_InterlockedCompareExchange128 ${SCT_MSVC_EXTRA_CFLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "/libpath:${SCT_MSVC_SDK}/lib /entry:mainCRTStartup")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "/libpath:${SCT_MSVC_SDK}/lib")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "/libpath:${SCT_MSVC_SDK}/lib")

find_program(SCT_WINE NAMES wine64 wine
  PATHS /usr/lib/wine /usr/lib64/wine /opt/wine-stable/bin NO_CMAKE_FIND_ROOT_PATH)
if(SCT_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SCT_WINE})
endif()

# Libraries and headers of the target only (the host's are Linux ones);
# packages anywhere (an installed sct, for the consumers test).
set(CMAKE_FIND_ROOT_PATH "${SCT_MSVC_SDK}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
