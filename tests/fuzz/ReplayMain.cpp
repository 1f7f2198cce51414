// Replays a fuzz harness over committed inputs, without libFuzzer (so it builds with GCC too and
// runs in every build, ASan+UBSan included):
//   fuzz_replay_<name> CORPUS_DIR [MORE_DIRS...]
// CORPUS_DIR must exist and hold at least one file; further directories (regressions/<name>) are
// replayed when present. Any argument may also be a single file (to replay one input by hand). Files run in sorted order; the count is printed at the end. When an
// input crashes, the path of the file being replayed is printed to stderr.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Present when linked with a sanitizer runtime: called when a sanitizer reports an error and exits.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace fs = std::filesystem;

namespace {

char g_current[4096] = "";

void writeCurrent()
{
    if (g_current[0] == '\0')
        return;
    const char prefix[] = "\nfuzz replay: crashed on input ";
    (void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
    (void)!write(STDERR_FILENO, g_current, strlen(g_current));
    (void)!write(STDERR_FILENO, "\n", 1);
    g_current[0] = '\0'; // once: a sanitizer's death callback may be followed by its abort()
}

extern "C" void onSignal(int sig)
{
    writeCurrent();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

extern "C" void onSanitizerDeath() { writeCurrent(); }

// The regular files of `dir` (or `dir` itself when it is a file), sorted; `ok` false when missing.
std::vector<fs::path> filesOf(const fs::path& dir, bool& ok)
{
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_regular_file(dir, ec)) { // a single file given on the command line
        ok = true;
        files.push_back(dir);
        return files;
    }
    ok = fs::is_directory(dir, ec);
    if (!ok)
        return files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file())
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [MORE_DIRS...]\n", argv[0]);
        return 2;
    }
    // abort() (failed invariants, uncaught exceptions, ASan with abort_on_error=1) names the input.
    std::signal(SIGABRT, onSignal);
    if (__sanitizer_set_death_callback) {
        __sanitizer_set_death_callback(onSanitizerDeath); // the sanitizer keeps its own SEGV handler
    } else {
        std::signal(SIGSEGV, onSignal);
        std::signal(SIGBUS, onSignal);
        std::signal(SIGFPE, onSignal);
        std::signal(SIGILL, onSignal);
    }

    size_t total = 0;
    for (int a = 1; a < argc; ++a) {
        const fs::path dir = argv[a];
        bool ok = false;
        const auto files = filesOf(dir, ok);
        if (a == 1 && (!ok || files.empty())) {
            std::fprintf(stderr, "error: corpus directory %s is %s\n", dir.c_str(), ok ? "empty" : "missing");
            return 1;
        }
        if (!ok) {
            std::printf("%s: not present, skipped\n", dir.c_str());
            continue;
        }
        for (const auto& path : files) {
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
                return 1;
            }
            const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            std::snprintf(g_current, sizeof g_current, "%s", path.c_str());
            static const char kEmpty = 0; // libFuzzer never passes a null pointer, even for size 0
            const char* data = bytes.empty() ? &kEmpty : bytes.data();
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data), bytes.size());
            g_current[0] = '\0';
        }
        std::printf("%s: %zu inputs\n", dir.c_str(), files.size());
        total += files.size();
    }
    std::printf("replayed %zu inputs\n", total);
    return 0;
}
