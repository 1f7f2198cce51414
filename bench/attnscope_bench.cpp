// attnscope-bench: times one multi-head self-attention layer of the core engine.
//
//   attnscope-bench [--sizes 128,256,...] [--repeats R] [--threads T]
//
// For each N: a random N x 512 input (normal, fixed seed), Mechanism{scaled-dot, softmax, 8 heads,
// dim 512, random projections, keepScores = false}, AttentionEngine::compute timed end to end
// (building the seeded projections, Q/K/V, the 8 N x N weight maps, the weighted sums, W_O).
// One warm-up run, then R timed runs (default: enough for about 1 s per size, at least 3);
// the median is reported. Prints one JSON line per size, then a readable table.
//
// gflops counts the matrix products only: 4 projections (2 N d^2 each) + Q K^T and A V
// (2 N^2 d each over all heads) = 8 N d^2 + 4 N^2 d. peak_rss_mb is the process's peak resident
// set so far (getrusage): sizes run in ascending order, so each line's value is dominated by
// that size; run one size per process (as bench/run-all.sh does) for an exact per-size figure.
#include "AttentionEngine.h"
#include "AttentionInput.h"
#include "ComputeControl.h"
#include "Mechanism.h"

#include <Eigen/Core>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int kDim = 512;
constexpr int kHeads = 8;

struct Options {
    std::vector<int> sizes{128, 256, 512, 1024, 2048, 4096};
    int repeats = 0; // 0: about 1 s per size, at least 3
    int threads = 0; // 0: OpenMP's default
};

struct Measurement {
    int n = 0;
    int repeats = 0;
    double medianMs = 0.0;
    double minMs = 0.0;
    double gflops = 0.0;
    double peakRssMb = 0.0;
};

void usage(std::FILE* to)
{
    std::fprintf(to,
        "usage: attnscope-bench [--sizes N,N,...] [--repeats R] [--threads T]\n"
        "  Times multi-head self-attention (scaled-dot, softmax, 8 heads, d=512, random projections)\n"
        "  on random N x 512 inputs. Default sizes 128,256,512,1024,2048,4096; default repeats: about\n"
        "  1 s per size, at least 3; --threads sets omp_set_num_threads and Eigen::setNbThreads.\n");
}

bool parsePositive(const char* text, int& out)
{
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 1 || v > 1000000)
        return false;
    out = static_cast<int>(v);
    return true;
}

bool parseSizes(const std::string& text, std::vector<int>& out)
{
    out.clear();
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        int n = 0;
        if (!parsePositive(item.c_str(), n))
            return false;
        out.push_back(n);
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return !out.empty();
}

// Exit code 2 on bad usage, -1 to continue.
int parseArgs(int argc, char** argv, Options& o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "attnscope-bench: %s needs a value\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else if (a == "--sizes") {
            const char* v = value("--sizes");
            if (!v)
                return 2;
            if (!parseSizes(v, o.sizes)) {
                std::fprintf(stderr, "attnscope-bench: --sizes: '%s' is not a list of positive whole numbers\n", v);
                return 2;
            }
        } else if (a == "--repeats") {
            const char* v = value("--repeats");
            if (!v)
                return 2;
            if (!parsePositive(v, o.repeats)) {
                std::fprintf(stderr, "attnscope-bench: --repeats: '%s' is not a positive whole number\n", v);
                return 2;
            }
        } else if (a == "--threads") {
            const char* v = value("--threads");
            if (!v)
                return 2;
            if (!parsePositive(v, o.threads)) {
                std::fprintf(stderr, "attnscope-bench: --threads: '%s' is not a positive whole number\n", v);
                return 2;
            }
        } else {
            std::fprintf(stderr, "attnscope-bench: unknown argument '%s'\n", a.c_str());
            usage(stderr);
            return 2;
        }
    }
    return -1;
}

double peakRssMb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

double flops(int n)
{
    const double N = n, d = kDim;
    return 8.0 * N * d * d + 4.0 * N * N * d;
}

attn::Matrix randomInput(int n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    attn::Matrix x(n, kDim);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        x.data()[i] = dist(rng);
    return x;
}

// Runs one computation; returns its wall time in ms, or a negative value after printing the error.
double timeOnce(const attn::AttentionInput& input, const attn::Mechanism& mech, double& checksum)
{
    const attn::ComputeControl control;
    const auto start = std::chrono::steady_clock::now();
    auto result = attn::AttentionEngine::compute(input, mech, control);
    const auto stop = std::chrono::steady_clock::now();
    if (!result) {
        std::fprintf(stderr, "attnscope-bench: N=%d: %s\n", static_cast<int>(input.keys.rows()), result.error().c_str());
        return -1.0;
    }
    checksum += static_cast<double>(result->output(0, 0)) + static_cast<double>(result->weights.back());
    return std::chrono::duration<double, std::milli>(stop - start).count();
}

} // namespace

int main(int argc, char** argv)
{
    Options opt;
    if (const int code = parseArgs(argc, argv, opt); code >= 0)
        return code;
    if (opt.threads > 0) {
        omp_set_num_threads(opt.threads);
        Eigen::setNbThreads(opt.threads);
    }
    const int threads = omp_get_max_threads();

    attn::Mechanism mech;
    mech.score = attn::ScoreKind::ScaledDot;
    mech.norm = attn::NormKind::Softmax;
    mech.heads = kHeads;
    mech.dim = kDim;
    mech.projection = attn::ProjectionKind::Random;
    mech.keepScores = false;

    std::vector<Measurement> results;
    double checksum = 0.0;
    for (const int n : opt.sizes) {
        attn::AttentionInput input;
        input.keys = randomInput(n, 1234u + static_cast<unsigned>(n));

        const double warm = timeOnce(input, mech, checksum);
        if (warm < 0)
            return 1;
        int repeats = opt.repeats;
        if (repeats == 0)
            repeats = std::clamp(static_cast<int>(std::ceil(1000.0 / std::max(warm, 1e-3))), 3, 10000);

        std::vector<double> times;
        times.reserve(static_cast<size_t>(repeats));
        for (int r = 0; r < repeats; ++r) {
            const double ms = timeOnce(input, mech, checksum);
            if (ms < 0)
                return 1;
            times.push_back(ms);
        }
        std::sort(times.begin(), times.end());
        const size_t mid = times.size() / 2;
        Measurement m;
        m.n = n;
        m.repeats = repeats;
        m.medianMs = times.size() % 2 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
        m.minMs = times.front();
        m.gflops = flops(n) / (m.medianMs * 1e6);
        m.peakRssMb = peakRssMb();
        results.push_back(m);
        std::printf("{\"case\":\"mha-self\",\"n\":%d,\"d\":%d,\"heads\":%d,\"median_ms\":%.4f,\"gflops\":%.3f,"
                    "\"peak_rss_mb\":%.1f,\"impl\":\"attnscope\",\"threads\":%d,\"repeats\":%d,\"min_ms\":%.4f}\n",
                    n, kDim, kHeads, m.medianMs, m.gflops, m.peakRssMb, threads, repeats, m.minMs);
        std::fflush(stdout);
    }

    std::printf("\nattnscope multi-head self-attention, d=%d, %d heads, %d thread(s)\n", kDim, kHeads, threads);
    std::printf("%8s %8s %12s %12s %9s %13s\n", "N", "repeats", "median ms", "min ms", "GFLOP/s", "peak RSS MB");
    for (const Measurement& m : results)
        std::printf("%8d %8d %12.3f %12.3f %9.2f %13.1f\n", m.n, m.repeats, m.medianMs, m.minMs, m.gflops,
                    m.peakRssMb);
    // Keeps the computations observable (and the checksum out of the optimiser's reach).
    if (std::isnan(checksum))
        std::fprintf(stderr, "attnscope-bench: warning: the results contain NaN\n");
    return 0;
}
