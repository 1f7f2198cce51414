#pragma once
// Shared by the libFuzzer harnesses (fuzz_*.cpp) and the replay runner (ReplayMain.cpp).
// Every harness skips inputs above kMaxFuzzInput so one input never costs more than a few ms,
// and checks documented invariants with FUZZ_CHECK: a violation aborts, which both libFuzzer
// and the replay test (under ASan+UBSan) report as a failure naming the file and line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace attn::fuzz {

constexpr size_t kMaxFuzzInput = 1u << 20; // 1 MiB

inline std::string asString(const uint8_t* data, size_t size)
{
    return std::string(reinterpret_cast<const char*>(data), size);
}

[[noreturn]] inline void checkFailed(const char* expr, const char* file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, expr);
    std::fflush(stderr);
    std::abort();
}

} // namespace attn::fuzz

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::attn::fuzz::checkFailed(#cond, __FILE__, __LINE__))
