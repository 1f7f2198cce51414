// attnscope-bench: times one multi-head self-attention layer of the core engine.
//
//   attnscope-bench [--sizes 128,256,...] [--repeats R] [--threads T]
//   attnscope-bench --kernels [--threads T]
//   attnscope-bench --case stories260k-forward [--model DIR] [--sizes 256] [--repeats R] [--threads T]
//
// For each N: a random N x 512 input (normal, fixed seed), Mechanism{scaled-dot, softmax, 8 heads,
// dim 512, random projections, keepScores = false}, AttentionEngine::compute timed end to end
// (building the seeded projections, Q/K/V, the 8 N x N weight maps, the weighted sums, W_O).
// One warm-up run, then R timed runs (default: enough for about 1 s per size, at least 3);
// the median is reported, with the fastest and slowest (min_ms, max_ms). Prints one JSON line per
// size, then a readable table.
//
// gflops counts the matrix products only: 4 projections (2 N d^2 each) + Q K^T and A V
// (2 N^2 d each over all heads) = 8 N d^2 + 4 N^2 d. peak_rss_mb is the process's peak resident
// set so far (getrusage): sizes run in ascending order, so each line's value is dominated by
// that size; run one size per process (as bench/run-all.sh does) for an exact per-size figure.
//
// --kernels measures the engine's parts against what the machine can do, one JSON line each:
//   gemm-peak       a 2048^3 SGEMM through Eigen (its own threading): the attainable GFLOP/s
//   qk-gemm         Q K^T of all 8 heads at N = 1024, 2048, 4096, split into (head, 256-row) tasks
//                   as AttentionEngine does (ScaledDotScore into a warm map), and its % of the peak
//   av-gemm         A V the same way (weights x V into the concatenation)
//   copy-bandwidth  memcpy of 256 MiB between warm buffers on every thread; GB/s of bytes read + written
//   softmax-4096    SoftmaxNormaliser over every row of a warm 4096 x 4096 map (64 MiB, more than
//                   the L3), in place, on every thread; floor_ms = 2 x 64 MiB / copy bandwidth
//                   (each score read once, each weight written once)
//   tsne            the Q/K view's exact t-SNE (TsneEmbedding, 750 steps) of 500 and 2000 points
//                   in 64-D (a head's queries and keys for 250 and 1000 tokens), one run each
// Each is the best of 5 runs after a warm-up: these are capability figures, not typical ones.
//
// --case stories260k-forward times a real checkpoint: LlamaModel::forward of stories260K.bin (llama2.c;
// 5 layers, 8 heads, 4 kv heads, dim 64, read from DIR, default resources/models/stories260k relative to
// the working directory (the bundled copy), or $ATTNSCOPE_BUNDLED_MODEL) over N tokens (default 256: BOS, then
// ids 3 + (37 i mod 509)), capturing every layer's [8, N, N] attention as `attnscope dump --model` does.
// The median of R runs after a warm-up (default: about 1 s, at least 3). bench/torch_llama2c_peer.py is
// its PyTorch peer on the same weights and ids.
#include "AttentionEngine.h"
#include "AttentionInput.h"
#include "Llama2cCheckpoint.h"
#include "LlamaModel.h"
#include "ComputeControl.h"
#include "Mechanism.h"
#include "ProjectionWeights.h"
#include "ScoreFunction.h"
#include "SoftmaxNormaliser.h"
#include "TsneEmbedding.h"

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
    bool kernels = false;
    std::string caseName = "mha-self"; // or "stories260k-forward"
    std::string model;                 // stories260k-forward: the folder holding stories260K.bin
    bool sizesGiven = false;
};

struct Measurement {
    int n = 0;
    int repeats = 0;
    double medianMs = 0.0;
    double minMs = 0.0;
    double maxMs = 0.0;
    double gflops = 0.0;
    double peakRssMb = 0.0;
};

void usage(std::FILE* to)
{
    std::fprintf(to,
        "usage: attnscope-bench [--sizes N,N,...] [--repeats R] [--threads T]\n"
        "       attnscope-bench --kernels [--threads T]\n"
        "  Times multi-head self-attention (scaled-dot, softmax, 8 heads, d=512, random projections)\n"
        "  on random N x 512 inputs. Default sizes 128,256,512,1024,2048,4096; default repeats: about\n"
        "  1 s per size, at least 3; --threads sets omp_set_num_threads and Eigen::setNbThreads.\n"
        "  --kernels: SGEMM peak, the Q K^T and A V products, copy bandwidth and the softmax instead.\n"
        "  --case stories260k-forward [--model DIR]: the stories260K llama2.c forward (default N = 256)\n"
        "  capturing every layer's attention, instead of the engine.\n"
        "  --case noise-floor [--repeats R]: the machine's own spread: a fixed 1.5-3 ms of pure arithmetic\n"
        "  on each of T threads (one OpenMP fork and join, as one N = 128 call), R repeats (default 45,\n"
        "  as mha-self at N = 128), 20 runs; max/min of each run.\n");
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
            o.sizesGiven = true;
        } else if (a == "--kernels") {
            o.kernels = true;
        } else if (a == "--case") {
            const char* v = value("--case");
            if (!v)
                return 2;
            if (std::string(v) != "mha-self" && std::string(v) != "stories260k-forward" && std::string(v) != "noise-floor") {
                std::fprintf(stderr, "attnscope-bench: --case: '%s' is not mha-self, stories260k-forward or noise-floor\n", v);
                return 2;
            }
            o.caseName = v;
        } else if (a == "--model") {
            const char* v = value("--model");
            if (!v)
                return 2;
            o.model = v;
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

// Best wall time of `runs` calls of f after one warm-up call, in ms.
template <class F>
double bestMs(int runs, F&& f)
{
    f();
    double best = 1e300;
    for (int r = 0; r < runs; ++r) {
        const auto start = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return best;
}

attn::Matrix uniformMatrix(Eigen::Index rows, Eigen::Index cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    attn::Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = dist(rng);
    return m;
}

// The --kernels measurements (see the top of the file).
void runKernels(int threads)
{
    constexpr int kRuns = 5;
    constexpr int kRows = 256; // AttentionEngine's rows per (head, row block) task
    const int dk = kDim / kHeads;

    const attn::Matrix a = uniformMatrix(2048, 2048, 1), b = uniformMatrix(2048, 2048, 2);
    attn::Matrix c(2048, 2048);
    const double peakMs = bestMs(kRuns, [&] { c.noalias() = a * b; });
    const double peak = 2.0 * 2048.0 * 2048.0 * 2048.0 / (peakMs * 1e6);
    std::printf("{\"case\":\"gemm-peak\",\"n\":2048,\"ms\":%.3f,\"gflops\":%.2f,\"impl\":\"eigen\",\"threads\":%d}\n",
        peakMs, peak, threads);
    std::fflush(stdout);

    for (const int n : {1024, 2048, 4096}) {
        const attn::Matrix q = uniformMatrix(n, kDim, 3), k = uniformMatrix(n, kDim, 4), v = uniformMatrix(n, kDim, 5);
        const size_t mapSize = static_cast<size_t>(n) * n;
        std::vector<float> maps(mapSize * kHeads, 0.0f);
        attn::Matrix concat(n, kDim);
        const attn::ProjectionWeights none;
        const auto score = attn::ScoreFunction::create(attn::ScoreKind::ScaledDot, none);
        const int blocks = (n + kRows - 1) / kRows;
        const int tasks = kHeads * blocks;
        const double qkMs = bestMs(kRuns, [&] {
#pragma omp parallel for schedule(dynamic, 1)
            for (int t = 0; t < tasks; ++t) {
                const int h = t / blocks, r0 = (t % blocks) * kRows, rows = std::min(kRows, n - r0);
                score->compute(q.block(r0, h * dk, rows, dk), k.middleCols(h * dk, dk), h,
                    attn::ScoreMap(&maps[mapSize * h + static_cast<size_t>(r0) * n], rows, n));
            }
        });
        const double avMs = bestMs(kRuns, [&] {
#pragma omp parallel for schedule(dynamic, 1)
            for (int t = 0; t < tasks; ++t) {
                const int h = t / blocks, r0 = (t % blocks) * kRows, rows = std::min(kRows, n - r0);
                concat.block(r0, h * dk, rows, dk).noalias() =
                    Eigen::Map<const attn::Matrix>(&maps[mapSize * h + static_cast<size_t>(r0) * n], rows, n) *
                    v.middleCols(h * dk, dk);
            }
        });
        const double work = 2.0 * n * n * kDim; // all heads: 2 N^2 d_k x H
        for (const auto& [name, ms] : {std::pair{"qk-gemm", qkMs}, std::pair{"av-gemm", avMs}}) {
            const double gf = work / (ms * 1e6);
            std::printf("{\"case\":\"%s\",\"n\":%d,\"heads\":%d,\"d_k\":%d,\"ms\":%.3f,\"gflops\":%.2f,"
                        "\"pct_of_peak\":%.1f,\"threads\":%d}\n",
                name, n, kHeads, dk, ms, gf, 100.0 * gf / peak, threads);
        }
        std::fflush(stdout);
    }

    const size_t copyBytes = size_t(256) << 20;
    std::vector<char> from(copyBytes, 1), to(copyBytes, 0);
    const double copyMs = bestMs(kRuns, [&] {
        constexpr size_t kChunk = size_t(1) << 20;
#pragma omp parallel for schedule(static)
        for (size_t off = 0; off < copyBytes; off += kChunk)
            std::memcpy(&to[off], &from[off], kChunk);
    });
    const double bandwidth = 2.0 * static_cast<double>(copyBytes) / (copyMs * 1e6); // GB/s read + written
    std::printf("{\"case\":\"copy-bandwidth\",\"mib\":256,\"ms\":%.3f,\"gbs\":%.2f,\"counts\":\"read+write\",\"threads\":%d}\n",
        copyMs, bandwidth, threads);

    const int n = 4096;
    std::vector<float> map(static_cast<size_t>(n) * n);
    {
        std::mt19937 rng(6);
        std::normal_distribution<float> dist(0.0f, 3.0f);
        for (float& x : map)
            x = dist(rng);
    }
    const attn::SoftmaxNormaliser softmax;
    const double softMs = bestMs(kRuns, [&] {
#pragma omp parallel for schedule(static)
        for (int i = 0; i < n; ++i) {
            float* row = &map[static_cast<size_t>(i) * n];
            softmax.normaliseRow(row, nullptr, row, n, 1.0f);
        }
    });
    const double mapBytes = 4.0 * n * n;
    const double floorMs = 2.0 * mapBytes / (bandwidth * 1e6);
    std::printf("{\"case\":\"softmax-4096\",\"n\":%d,\"ms\":%.3f,\"floor_ms\":%.3f,\"x_floor\":%.2f,"
                "\"gbs\":%.2f,\"threads\":%d}\n",
        n, softMs, floorMs, softMs / floorMs, 2.0 * mapBytes / (softMs * 1e6), threads);
    std::fflush(stdout);

    for (const int points : {500, 2000}) {
        const int dim = 64;
        std::mt19937 rng(7);
        std::normal_distribution<double> dist(0.0, 1.0);
        std::vector<double> x(static_cast<size_t>(points) * dim), init(static_cast<size_t>(points) * 2);
        for (double& v : x)
            v = dist(rng);
        for (double& v : init)
            v = dist(rng);
        const auto start = std::chrono::steady_clock::now();
        const auto y = attn::TsneEmbedding::embed(x, points, dim, init);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::printf("{\"case\":\"tsne\",\"points\":%d,\"dim\":%d,\"ms\":%.1f,\"ok\":%s,\"threads\":%d}\n", points, dim,
            ms, y ? "true" : "false", threads);
        std::fflush(stdout);
    }
}

// The --case stories260k-forward measurement (see the top of the file). Returns the exit code.
int runStories260k(const Options& opt, int threads)
{
    std::string dir = opt.model;
    if (dir.empty()) {
        const char* bundled = std::getenv("ATTNSCOPE_BUNDLED_MODEL");
        dir = bundled ? std::string(bundled) : std::string("resources/models/stories260k");
    }
    auto checkpoint = attn::Llama2cCheckpoint::readFile(dir + "/stories260K.bin");
    if (!checkpoint) {
        std::fprintf(stderr, "attnscope-bench: %s\n", checkpoint.error().c_str());
        return 1;
    }
    const attn::LlamaModel model(std::move(*checkpoint));
    const int vocab = model.config().vocabSize;
    for (const int n : opt.sizesGiven ? opt.sizes : std::vector<int> { 256 }) {
        std::vector<int> ids { 1 };
        for (int i = 1; i < n; ++i)
            ids.push_back(3 + (37 * i) % (vocab - 3));
        double checksum = 0.0;
        auto once = [&]() -> double {
            const auto start = std::chrono::steady_clock::now();
            auto a = model.forward(ids);
            const auto stop = std::chrono::steady_clock::now();
            if (!a) {
                std::fprintf(stderr, "attnscope-bench: stories260k N=%d: %s\n", n, a.error().c_str());
                return -1.0;
            }
            checksum += static_cast<double>(a->weights.back()) + a->lastLogits.front();
            return std::chrono::duration<double, std::milli>(stop - start).count();
        };
        const double warm = once();
        if (warm < 0)
            return 1;
        const int repeats = opt.repeats ? opt.repeats
                                        : std::clamp(static_cast<int>(std::ceil(1000.0 / std::max(warm, 1e-3))), 3, 10000);
        std::vector<double> times;
        for (int r = 0; r < repeats; ++r) {
            const double ms = once();
            if (ms < 0)
                return 1;
            times.push_back(ms);
        }
        std::sort(times.begin(), times.end());
        const size_t mid = times.size() / 2;
        const double median = times.size() % 2 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
        std::printf("{\"case\":\"stories260k-forward\",\"n\":%d,\"layers\":%d,\"heads\":%d,\"median_ms\":%.4f,"
                    "\"min_ms\":%.4f,\"peak_rss_mb\":%.1f,\"impl\":\"attnscope\",\"threads\":%d,\"repeats\":%d,"
                    "\"checksum\":%.6g}\n",
            n, model.config().layers, model.config().heads, median, times.front(), peakRssMb(), threads, repeats,
            checksum / (repeats + 1));
        std::fflush(stdout);
    }
    return 0;
}

// Work that touches no memory: what is left of its spread is the machine's (scheduler, host).
double spin(long iterations)
{
    volatile double x = 1.0;
    for (long i = 0; i < iterations; ++i)
        x = x * 1.0000001 + 1e-9;
    return x;
}

double msSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int runNoiseFloor(const Options& opt, int threads)
{
    long iterations = 1024; // calibrated on one thread to 1.5-3 ms, about the N = 128 call
    double calibratedMs = 0.0;
    for (;;) {
        const auto t0 = std::chrono::steady_clock::now();
        spin(iterations);
        calibratedMs = msSince(t0);
        if (calibratedMs >= 1.5)
            break;
        iterations *= 2;
    }
    const int repeats = opt.repeats ? opt.repeats : 45;
    constexpr int kRuns = 20;
    int over = 0;
    double worst = 0.0;
    for (int run = 0; run < kRuns; ++run) {
        std::vector<double> times;
        for (int r = 0; r < repeats; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static, 1)
            for (int t = 0; t < threads; ++t)
                spin(iterations);
            times.push_back(msSince(t0));
        }
        std::sort(times.begin(), times.end());
        const double spread = times.back() / times.front();
        over += spread > 1.5;
        worst = std::max(worst, spread);
        std::printf("{\"case\":\"noise-floor\",\"run\":%d,\"threads\":%d,\"repeats\":%d,\"min_ms\":%.4f,"
                    "\"median_ms\":%.4f,\"max_ms\":%.4f,\"max_over_min\":%.3f}\n",
            run, threads, repeats, times.front(), times[times.size() / 2], times.back(), spread);
    }
    std::printf("noise floor, %d thread(s), %d runs of %d repeats of a fixed %.2f ms: max/min > 1.5 in %d run(s), "
                "worst %.2f\n",
        threads, kRuns, repeats, calibratedMs, over, worst);
    return 0;
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
    if (opt.kernels) {
        runKernels(threads);
        return 0;
    }
    if (opt.caseName == "stories260k-forward")
        return runStories260k(opt, threads);
    if (opt.caseName == "noise-floor")
        return runNoiseFloor(opt, threads);

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
        // Which repeat was the slowest (0 = the first after the warm-up): a cold start shows as 0.
        const int slowestAt = static_cast<int>(std::max_element(times.begin(), times.end()) - times.begin());
        std::sort(times.begin(), times.end());
        const size_t mid = times.size() / 2;
        Measurement m;
        m.n = n;
        m.repeats = repeats;
        m.medianMs = times.size() % 2 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
        m.minMs = times.front();
        m.maxMs = times.back();
        m.gflops = flops(n) / (m.medianMs * 1e6);
        m.peakRssMb = peakRssMb();
        results.push_back(m);
        std::printf("{\"case\":\"mha-self\",\"n\":%d,\"d\":%d,\"heads\":%d,\"median_ms\":%.4f,\"gflops\":%.3f,"
                    "\"peak_rss_mb\":%.1f,\"impl\":\"attnscope\",\"threads\":%d,\"repeats\":%d,\"min_ms\":%.4f,"
                    "\"max_ms\":%.4f,\"slowest_repeat\":%d}\n",
                    n, kDim, kHeads, m.medianMs, m.gflops, m.peakRssMb, threads, repeats, m.minMs, m.maxMs, slowestAt);
        std::fflush(stdout);
    }

    std::printf("\nattnscope multi-head self-attention, d=%d, %d heads, %d thread(s)\n", kDim, kHeads, threads);
    std::printf("%8s %8s %12s %12s %12s %9s %13s\n", "N", "repeats", "min ms", "median ms", "max ms", "GFLOP/s",
        "peak RSS MB");
    for (const Measurement& m : results)
        std::printf("%8d %8d %12.3f %12.3f %12.3f %9.2f %13.1f\n", m.n, m.repeats, m.minMs, m.medianMs, m.maxMs,
            m.gflops, m.peakRssMb);
    // Keeps the computations observable (and the checksum out of the optimiser's reach).
    if (std::isnan(checksum))
        std::fprintf(stderr, "attnscope-bench: warning: the results contain NaN\n");
    return 0;
}
