/* Wine 8 has no ProcessPrng in bcryptprimitives.dll, and every program built by Rust 1.78 or later
 * imports it (std's random numbers), so no test binary would start. Windows 10 and later have it;
 * this stand-in exists only for the Wine prefix of scripts/windows_tests.sh and is never shipped.
 * It fills the buffer from RtlGenRandom (SystemFunction036 in advapi32), Windows' older CSPRNG. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
