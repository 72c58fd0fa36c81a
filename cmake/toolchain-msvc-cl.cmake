# MSVC mode as cl.exe sees the sources: clang-cl (toolchain-clang-cl.cmake)
# with __clang__ undefined, so the `_MSC_VER && !__clang__` branches (the
# Interlocked intrinsics) compile and CMake identifies the compiler as
# MSVC, giving the project's /W4 /WX. The closest to a Visual Studio
# build clang can give: cl's own warnings and optimiser are not in it.
set(SCT_MSVC_EXTRA_CFLAGS "/U__clang__")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-clang-cl.cmake")
