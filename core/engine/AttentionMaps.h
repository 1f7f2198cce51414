#pragma once
// The maps of a traced forward pass (AttentionTrace), made only when something asks: a view, an
// export, a dump. The exact map of one head (in row tiles, in parallel), one exact weight or row
// (straight from q·k and the row's softmax maximum and sum), or a level-of-detail image at screen
// resolution computed from the query and key blocks without the map: each cell the maximum of the
// weights it covers, as MapDownsampler::maxPool of the exact map, so a peak stays visible. Recently
// used exact maps are kept (least recently used dropped first) within a quarter of the budget and at
// most kCacheCapBytes (8 maps of 4 096 tokens: beyond that a dropped map's storage is recycled for the
// next instead of 64 MB of fresh pages, ~150 ms on the VMs measured here, being faulted in); a map
// larger than the budget is refused with the memory it needs. The storage of the last two maps
// released (by the cache and every holder) is recycled for the next: memory already faulted in is
// rewritten instead of fresh pages being zeroed (on the VMs measured here fresh memory costs ~2 ms/MB,
// a 4096-token map's 64 MiB ~130 ms; see bench/NOTES.md). Thread-safe.
#include "AttentionTrace.h"
#include "Expected.h"
#include "HugePageAllocator.h"

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

namespace attn {

class AttentionMaps {
public:
    using MapStorage = std::vector<float, HugePageAllocator<float>>;
    using Map = std::shared_ptr<const MapStorage>;

    static constexpr uint64_t kCacheCapBytes = 512ull << 20;
    AttentionMaps(std::shared_ptr<const AttentionTrace> trace, uint64_t budgetBytes);

    const AttentionTrace& trace() const { return *m_trace; }
    int layers() const { return m_trace->layerCount(); }
    int heads() const { return m_trace->heads; }
    int tokens() const { return m_trace->tokens; }
    uint64_t budgetBytes() const { return m_budget; }

    static uint64_t mapBytes(int tokens) { return static_cast<uint64_t>(tokens) * static_cast<uint64_t>(tokens) * sizeof(float); }
    // The exact [N x N] map of one head (row = query); refused when it exceeds the budget.
    Expected<Map> map(int layer, int head) const;
    // Rows [row0, row1) of one head's exact map into out ((row1 - row0) x N).
    void rows(int layer, int head, int row0, int row1, float* out) const;
    // The exact map when the cache holds it (moved to the front), else null: nothing is computed, so
    // a view can tell whether showing a head is immediate or a job for a worker.
    Map cached(int layer, int head) const;
    float weight(int layer, int head, int query, int key) const;
    // outRows x outCols (each clamped to 1..N): cell (r, c) is the largest weight of the input cells
    // mapped to it (input row i to output row i * outRows / N, likewise for columns).
    std::vector<float> levelOfDetail(int layer, int head, int outRows, int outCols) const;
    // What the heatmap draws of a long prompt, from the queries and keys in row tiles without the map:
    // queries [row0, row1) x keys [col0, col1) max-pooled to outRows x outCols (each clamped to the
    // region) exactly as MapDownsampler::maxPoolRegion pools the exact map (output row o the queries
    // [row0 + o * rows / outRows, row0 + (o + 1) * rows / outRows), key c the column
    // (c - col0) * outCols / cols), with the region's smallest, largest and smallest positive weight.
    struct RegionImage {
        std::vector<float> cells; // rows x cols, row-major
        int rows = 0;
        int cols = 0;
        float min = 0.0f;
        float max = 0.0f;
        float minPositive = 0.0f; // +inf when no weight in the region is positive
    };
    RegionImage regionImage(int layer, int head, int row0, int row1, int col0, int col1, int outRows, int outCols) const;
    // How many exact maps the cache holds now (for tests and the memory readout).
    int cachedMaps() const;
    uint64_t cachedBytes() const;

    // Buffers waiting to be reused (for tests).
    int recycledBuffers() const;

private:
    struct Pool;
    struct Entry {
        int layer;
        int head;
        Map map;
    };
    std::shared_ptr<const AttentionTrace> m_trace;
    uint64_t m_budget;
    std::shared_ptr<Pool> m_pool;
    mutable std::mutex m_mutex;
    mutable std::list<Entry> m_cache; // most recently used first
    mutable uint64_t m_cachedBytes = 0;
};

} // namespace attn
