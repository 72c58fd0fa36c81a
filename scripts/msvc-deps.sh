#!/bin/sh
# What an MSVC-mode build of sct needs on Debian, without any Microsoft
# toolchain (../shared notes: msvc-mode): clang-cl, lld-link and the LLVM
# librarian, Wine's own Windows SDK and UCRT headers and import
# libraries, and Wine to run the results. Makes build/msvc-sdk:
#   lib/X.lib        Wine's import library libX.a, under MSVC's name
#   lib/msvcrt.lib   ucrtbase's import library plus cmake/msvc/crt-shim.c,
#                    the static part of the C runtime Wine has no copy of
#                    (also as msvcrtd.lib, libcmt.lib, libcmtd.lib)
#   lib/oldnames.lib empty: objects ask for it by default
# and CUnit built with it in build/cunit-msvc. Nothing of it is committed.
set -eu
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
wine_include=/usr/include/wine/wine
wine_lib=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
need=""
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v lld-link >/dev/null 2>&1 || need="$need lld"
command -v llvm-lib >/dev/null 2>&1 || need="$need llvm"
[ -d "$wine_include/msvcrt" ] && [ -f "$wine_lib/libucrtbase.a" ] ||
  need="$need libwine-dev"
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 ||
  need="$need wine64"
if [ -n "$need" ]; then
  echo "msvc-deps: installing:$need"
  $sudo apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $need
fi

sdk=build/msvc-sdk
mkdir -p "$sdk/lib"
for a in "$wine_lib"/lib*.a; do
  name=$(basename "$a" .a)
  case ${name#lib} in
  msvcrt | msvcrtd | libcmt | libcmtd | oldnames) ;; # made below
  *) ln -sf "$a" "$sdk/lib/${name#lib}.lib" ;;
  esac
done
# The flags every object of this mode gets (cmake/toolchain-clang-cl.cmake
# says why each).
set -- /nologo /X "/imsvc$wine_include/msvcrt" "/imsvc$wine_include/windows" \
  -D_UCRT -fms-compatibility-version=19.38 \
  -D_InterlockedCompareExchange128=__wine_InterlockedCompareExchange128
if [ ! -f "$sdk/lib/libcmtd.lib" ] || [ cmake/msvc/crt-shim.c -nt "$sdk/lib/libcmtd.lib" ]; then
  cmake/msvc/clang-cl "$@" /O2 /c cmake/msvc/crt-shim.c "/Fo$sdk/crt-shim.obj"
  for crt in msvcrt msvcrtd libcmt libcmtd; do
    rm -f "$sdk/lib/$crt.lib"
    llvm-lib /nologo "/out:$sdk/lib/$crt.lib" "$wine_lib/libucrtbase.a" \
      "$sdk/crt-shim.obj"
  done
  rm -f "$sdk/lib/oldnames.lib"
  llvm-ar rcs "$sdk/lib/oldnames.lib"
fi
scripts/build-cunit.sh build/cunit-msvc cmake/msvc/clang-cl llvm-ar "$@"
