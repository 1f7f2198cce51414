#pragma once
// Process start-up: large allocations (a layer's weights, a long prompt's activations and maps) as
// transparent huge pages. glibc does this when started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1
// (glibc >= 2.35: its mmap'd blocks are advised MADV_HUGEPAGE), which can only be set before the
// process starts, so useHugePages() re-executes the program once with it added when the kernel offers
// transparent huge pages and nobody chose otherwise. On the VMs this project is measured on, a 4 KiB
// page fault costs ~13 µs: a 1B GGUF forward went from 33 s to 14.5 s, a fresh 64 MiB buffer from
// 205 ms to 12 ms (bench/NOTES.md). ATTNSCOPE_NO_HUGEPAGE_MALLOC=1 keeps the process as started.
#include <string>

namespace attn {

class MallocTuning {
public:
    // Call first in main(); returns normally when nothing is to be done or the re-exec failed.
    static void useHugePages(char** argv);
    // The GLIBC_TUNABLES to re-execute with, given the current value (may be null) and the first line
    // of /sys/kernel/mm/transparent_hugepage/enabled; empty when nothing is to be done.
    static std::string tunablesFor(const char* current, const std::string& thpModes);
};

} // namespace attn
