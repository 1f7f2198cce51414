#include "MallocTuning.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

namespace attn {

std::string MallocTuning::tunablesFor(const char* tunables, const std::string& modes)
{
    const std::string current = tunables ? tunables : "";
    if (current.find("glibc.malloc.hugetlb") != std::string::npos)
        return {}; // set already: by useHugePages() before the re-exec, or by the user
    if (modes.find("[always]") == std::string::npos && modes.find("[madvise]") == std::string::npos)
        return {}; // no transparent huge pages (never, or no such file)
    return current.empty() ? "glibc.malloc.hugetlb=1" : current + ":glibc.malloc.hugetlb=1";
}

void MallocTuning::useHugePages(char** argv)
{
    if (std::getenv("ATTNSCOPE_NO_HUGEPAGE_MALLOC") || !argv || !argv[0])
        return;
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    std::getline(thp, modes);
    const std::string value = tunablesFor(tunables, modes);
    if (value.empty() || setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0)
        return;
    execv("/proc/self/exe", argv); // returns only when it failed: go on as started
    if (tunables)
        setenv("GLIBC_TUNABLES", tunables, 1);
    else
        unsetenv("GLIBC_TUNABLES");
}

} // namespace attn
