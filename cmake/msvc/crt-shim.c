/*
 * The small static part of Microsoft's C runtime that an MSVC-mode build
 * on Linux has no copy of (cmake/toolchain-clang-cl.cmake, scripts/
 * msvc-deps.sh): Wine supplies ucrtbase.dll and its import library, not
 * vcruntime's static objects. Linked into msvcrt.lib and libcmt.lib
 * beside Wine's libucrtbase.a; never part of sct itself. Each piece is
 * what the compiler or linker asks of those libraries:
 * - the TLS directory (_tls_used) the loader reads for __declspec(thread)
 *   and C11 thread_local data;
 * - the /GS stack cookie and its check;
 * - _fltused, which any object using floating point references;
 * - clang's dynamic-TLS guard symbols (unused with /Zc:tlsGuards-, kept
 *   for objects built without it);
 * - __chkstk, the stack probe for frames of a page or more;
 * - _DllMainCRTStartup, the entry point of a DLL (sct.dll has no DllMain:
 *   ucrtbase.dll initialises itself).
 */
#include <windows.h>

/* ---- TLS: the loader copies the thread-local data between these
 * markers; the linker sorts ".tls" before ".tls$" (where the compiler
 * puts thread-local variables) before ".tls$ZZZ" ---- */
#pragma section(".tls", read, write)
#pragma section(".tls$ZZZ", read, write)
#pragma section(".CRT$XLA", read)
#pragma section(".CRT$XLZ", read)
__declspec(allocate(".tls")) char _tls_start = 0;
__declspec(allocate(".tls$ZZZ")) char _tls_end = 0;
__declspec(allocate(".CRT$XLA")) PIMAGE_TLS_CALLBACK __xl_a = 0;
__declspec(allocate(".CRT$XLZ")) PIMAGE_TLS_CALLBACK __xl_z = 0;
ULONG _tls_index = 0;
const IMAGE_TLS_DIRECTORY64 _tls_used = {
    (ULONGLONG)&_tls_start, (ULONGLONG)&_tls_end, (ULONGLONG)&_tls_index,
    (ULONGLONG)(&__xl_a + 1), 0, 0};

/* ---- /GS ---- */
UINT_PTR __security_cookie = 0x00002B992DDFA232ull;

void __security_check_cookie(UINT_PTR cookie) {
  if (cookie != __security_cookie)
    __fastfail(2); /* FAST_FAIL_STACK_COOKIE_CHECK_FAILURE */
}

void __security_init_cookie(void) {}

/* ---- floating point in use ---- */
int _fltused = 0x9875;

/* ---- clang's TLS guard (with /Zc:tlsGuards, which the build turns off) */
__declspec(thread) unsigned int __tls_guard;
void __dyn_tls_on_demand_init(void) {}

/* ---- the stack probe: touches each page of a large frame in turn, so
 * the guard page below the stack grows it (RAX: the frame's size) ---- */
__attribute__((naked)) void __chkstk(void) {
  __asm__ volatile("push %rcx\n\t"
                   "push %rax\n\t"
                   "cmp $0x1000, %rax\n\t"
                   "lea 24(%rsp), %rcx\n\t"
                   "jb 1f\n"
                   "2:\n\t"
                   "sub $0x1000, %rcx\n\t"
                   "test %rcx, (%rcx)\n\t"
                   "sub $0x1000, %rax\n\t"
                   "cmp $0x1000, %rax\n\t"
                   "ja 2b\n"
                   "1:\n\t"
                   "sub %rax, %rcx\n\t"
                   "test %rcx, (%rcx)\n\t"
                   "pop %rax\n\t"
                   "pop %rcx\n\t"
                   "ret");
}

/* ---- DLL entry ---- */
BOOL WINAPI _DllMainCRTStartup(HINSTANCE dll, DWORD reason, LPVOID reserved) {
  (void)dll;
  (void)reason;
  (void)reserved;
  return TRUE;
}
