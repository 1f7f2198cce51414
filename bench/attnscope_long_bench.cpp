// attnscope-long-bench: a long prompt on a real-shaped checkpoint, the way the app runs it without maps.
//
//   attnscope-long-bench --model DIR [--tokens N] [--threads T] [--repeats R] [--maps K]
//
// DIR is a Hugging Face folder (bench/make_qwen2_shape.py writes Qwen2.5-0.5B's shape in BF16). Loads it
// as the app does (HfTextModel: layers above 512 MB of float32 are read layer by layer), then prints JSON
// lines:
//   gemm-peak    Eigen's SGEMM at 2048^3 with T threads, best of 3: the bench's own peak GFLOP/s
//   load         the load's wall time
//   trace        TransformerStack::trace over N seeded random ids (every head's statistics streamed, no
//                map): min / median / max over R runs, the forward's FLOPs (projections, MLP, the causal
//                half of Q K^T and A V, the last row's head), floor_ms = FLOPs / peak and ratio_to_floor
//                = median / floor_ms
//   map          one head's exact N x N map on demand (AttentionMaps::map, K different heads): "fresh" with
//                the default budget (each map new memory, kept in the cache), "recycled" one map at a time
//                as a view or export asks, the previous released (its storage reused, nothing cached)
//   lod          one head's 1024 x 1024 level-of-detail image (AttentionMaps::levelOfDetail), K heads
//   rss          the process's peak resident set size (getrusage), the checkpoint file's size, and
//                their difference
// The median of each; min and max beside it. Never a timed test: bench/run-long.sh runs it beside the
// PyTorch peer (bench/torch_qwen2_peer.py) and NOTES.md records the runs.
#include "AttentionMaps.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "HfTextModel.h"
#include "MallocTuning.h"
#include "MemoryBudget.h"

#include <Eigen/Core>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double peakRssMb()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Spread {
    double min, median, max;
};

Spread spread(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return {v.front(), v[v.size() / 2], v.back()};
}

double gemmPeak()
{
    const int n = 2048;
    attn::Matrix a = attn::Matrix::Random(n, n), b = attn::Matrix::Random(n, n), c(n, n);
    c.noalias() = a * b; // warm-up
    double best = 1e30;
    for (int r = 0; r < 3; ++r) {
        const auto start = Clock::now();
        c.noalias() = a * b;
        best = std::min(best, msSince(start));
    }
    return 2.0 * n * n * n / (best * 1e6);
}

double forwardFlops(const attn::TransformerSpec& s, int n)
{
    const double N = n, D = s.hidden, q = s.qDim(), kv = s.kvDim(), I = s.intermediate;
    const double projections = 2.0 * N * D * (q + 2.0 * kv) + 2.0 * N * q * D;
    const double mlp = 2.0 * N * D * I * (s.gated() ? 3.0 : 2.0);
    const double pairs = s.causal ? N * (N + 1.0) / 2.0 : N * N;
    const double attention = 2.0 * 2.0 * s.heads * s.headDim * pairs;
    return s.layers * (projections + mlp + attention) + 2.0 * s.vocab * D;
}

int usage()
{
    std::fprintf(stderr, "usage: attnscope-long-bench --model DIR [--tokens N] [--threads T] [--repeats R] [--maps K]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    attn::MallocTuning::useHugePages(argv); // as the app does
    std::string model;
    int tokens = 4096, threads = 2, repeats = 3, maps = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&](int& out) {
            if (i + 1 >= argc)
                return false;
            out = std::atoi(argv[++i]);
            return out > 0;
        };
        if (a == "--model" && i + 1 < argc)
            model = argv[++i];
        else if ((a == "--tokens" && next(tokens)) || (a == "--threads" && next(threads))
            || (a == "--repeats" && next(repeats)) || (a == "--maps" && next(maps)))
            continue;
        else
            return usage();
    }
    if (model.empty())
        return usage();
    omp_set_num_threads(threads);
    Eigen::setNbThreads(threads);

    const double peak = gemmPeak();
    std::printf("{\"case\":\"gemm-peak\",\"n\":2048,\"gflops\":%.2f,\"threads\":%d}\n", peak, threads);
    std::fflush(stdout);

    auto start = Clock::now();
    auto config = attn::HfConfig::readFile(model + "/config.json");
    if (!config) {
        std::fprintf(stderr, "attnscope-long-bench: %s\n", config.error().c_str());
        return 1;
    }
    auto checkpoint = attn::HfCheckpoint::open(model + "/model.safetensors");
    if (!checkpoint) {
        std::fprintf(stderr, "attnscope-long-bench: %s\n", checkpoint.error().c_str());
        return 1;
    }
    auto loaded = attn::HfTextModel::load(
        *config, std::make_shared<const attn::HfCheckpoint>(std::move(*checkpoint)), {}, attn::HfLoadOptions {});
    if (!loaded) {
        std::fprintf(stderr, "attnscope-long-bench: %s\n", loaded.error().c_str());
        return 1;
    }
    const attn::TransformerStack& stack = (*loaded)->stack();
    const attn::TransformerSpec& spec = stack.spec();
    std::printf("{\"case\":\"load\",\"ms\":%.1f,\"lazy_layers\":%s,\"layers\":%d,\"heads\":%d,\"kv_heads\":%d}\n",
        msSince(start), (*loaded)->lazyLayers() ? "true" : "false", spec.layers, spec.heads, spec.kvHeads);
    std::fflush(stdout);

    std::mt19937 rng(7);
    std::vector<int> ids(static_cast<size_t>(tokens));
    for (int& id : ids)
        id = static_cast<int>(rng() % static_cast<unsigned>(spec.vocab));

    std::vector<double> times;
    std::shared_ptr<const attn::AttentionTrace> trace;
    for (int r = 0; r < repeats; ++r) {
        trace.reset(); // the previous run's trace is freed first, as when the app reruns a prompt
        start = Clock::now();
        auto t = stack.trace(ids);
        const double ms = msSince(start);
        if (!t) {
            std::fprintf(stderr, "attnscope-long-bench: %s\n", t.error().c_str());
            return 1;
        }
        times.push_back(ms);
        trace = std::make_shared<const attn::AttentionTrace>(std::move(*t));
    }
    const Spread ts = spread(times);
    const double flops = forwardFlops(spec, tokens);
    const double floorMs = flops / (peak * 1e6);
    std::printf("{\"case\":\"trace\",\"n\":%d,\"min_ms\":%.1f,\"median_ms\":%.1f,\"max_ms\":%.1f,\"gflop\":%.1f,"
                "\"floor_ms\":%.1f,\"ratio_to_floor\":%.3f,\"repeats\":%d}\n",
        tokens, ts.min, ts.median, ts.max, flops / 1e9, floorMs, ts.median / floorMs, repeats);
    std::fflush(stdout);

    attn::AttentionMaps onDemand(trace, attn::defaultMemoryLimit());
    std::vector<double> mapTimes, lodTimes;
    double checksum = 0.0;
    for (int k = 0; k < maps; ++k) {
        const int layer = (k * 7) % spec.layers, head = (k * 5 + 1) % spec.heads;
        start = Clock::now();
        auto m = onDemand.map(layer, head);
        mapTimes.push_back(msSince(start));
        if (!m) {
            std::fprintf(stderr, "attnscope-long-bench: %s\n", m.error().c_str());
            return 1;
        }
        checksum += (**m)[static_cast<size_t>(tokens) * tokens - 1];
        start = Clock::now();
        const auto lod = onDemand.levelOfDetail((layer + 3) % spec.layers, (head + 2) % spec.heads, 1024, 1024);
        lodTimes.push_back(msSince(start));
        checksum += lod.back();
    }
    // As a view or an export asks: one map at a time, the previous one released, nothing cached (a
    // budget whose quarter holds no map), so each map after the first rewrites recycled storage.
    attn::AttentionMaps oneAtATime(trace, 2 * attn::AttentionMaps::mapBytes(tokens));
    std::vector<double> warmTimes;
    for (int k = 0; k <= maps; ++k) {
        const int layer = (k * 11 + 2) % spec.layers, head = (k * 3) % spec.heads;
        start = Clock::now();
        auto m = oneAtATime.map(layer, head);
        const double t = msSince(start);
        if (!m)
            return 1;
        checksum += (**m)[0];
        if (k > 0)
            warmTimes.push_back(t);
    }
    const Spread ms = spread(mapTimes), ws = spread(warmTimes), ls = spread(lodTimes);
    std::printf("{\"case\":\"map\",\"n\":%d,\"min_ms\":%.1f,\"median_ms\":%.1f,\"max_ms\":%.1f,\"heads\":%d,"
                "\"storage\":\"fresh\"}\n",
        tokens, ms.min, ms.median, ms.max, maps);
    std::printf("{\"case\":\"map\",\"n\":%d,\"min_ms\":%.1f,\"median_ms\":%.1f,\"max_ms\":%.1f,\"heads\":%d,"
                "\"storage\":\"recycled\"}\n",
        tokens, ws.min, ws.median, ws.max, maps);
    std::printf("{\"case\":\"lod\",\"n\":%d,\"size\":1024,\"min_ms\":%.1f,\"median_ms\":%.1f,\"max_ms\":%.1f,\"heads\":%d}\n",
        tokens, ls.min, ls.median, ls.max, maps);
    const double fileMb
        = static_cast<double>(std::filesystem::file_size(model + "/model.safetensors")) / (1024.0 * 1024.0);
    std::printf("{\"case\":\"rss\",\"n\":%d,\"peak_rss_mb\":%.0f,\"weights_mb\":%.0f,\"over_weights_mb\":%.0f,"
                "\"checksum\":%.6g}\n",
        tokens, peakRssMb(), fileMb, peakRssMb() - fileMb, checksum);
    return 0;
}
