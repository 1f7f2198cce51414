#include "AttentionMaps.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace attn {

namespace {

constexpr int kRowTile = 64;

std::string megabytes(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

constexpr size_t kRecycled = 2;

} // namespace

struct AttentionMaps::Pool {
    std::mutex mutex;
    std::vector<std::unique_ptr<MapStorage>> free;

    std::unique_ptr<MapStorage> take(size_t size)
    {
        std::lock_guard lock(mutex);
        for (auto it = free.begin(); it != free.end(); ++it)
            if ((*it)->size() == size) {
                auto storage = std::move(*it);
                free.erase(it);
                return storage;
            }
        return nullptr;
    }
    void give(MapStorage* storage)
    {
        std::lock_guard lock(mutex);
        if (free.size() < kRecycled)
            free.emplace_back(storage);
        else
            delete storage;
    }
};

AttentionMaps::AttentionMaps(std::shared_ptr<const AttentionTrace> trace, uint64_t budgetBytes)
    : m_trace(std::move(trace))
    , m_budget(budgetBytes)
    , m_pool(std::make_shared<Pool>())
{
}

int AttentionMaps::recycledBuffers() const
{
    std::lock_guard lock(m_pool->mutex);
    return static_cast<int>(m_pool->free.size());
}

void AttentionMaps::rows(int layer, int head, int row0, int row1, float* out) const
{
    const LayerTrace& t = m_trace->layers[static_cast<size_t>(layer)];
    const size_t at = t.rows.at(head, 0);
    StreamingAttention::weights(t.queries, t.keys, t.rule, head, t.rows.rowMax.data() + at,
        t.rows.rowSum.data() + at, row0, row1, out);
}

float AttentionMaps::weight(int layer, int head, int query, int key) const
{
    const LayerTrace& t = m_trace->layers[static_cast<size_t>(layer)];
    if (key < t.rule.keyBegin(query) || key >= t.rule.keyEnd(query, m_trace->tokens))
        return 0.0f;
    std::vector<float> row(static_cast<size_t>(m_trace->tokens));
    rows(layer, head, query, query + 1, row.data());
    return row[static_cast<size_t>(key)];
}

AttentionMaps::Map AttentionMaps::cached(int layer, int head) const
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_cache.begin(); it != m_cache.end(); ++it)
        if (it->layer == layer && it->head == head) {
            m_cache.splice(m_cache.begin(), m_cache, it);
            return m_cache.front().map;
        }
    return nullptr;
}

Expected<AttentionMaps::Map> AttentionMaps::map(int layer, int head) const
{
    const int n = m_trace->tokens;
    const uint64_t bytes = mapBytes(n);
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_cache.begin(); it != m_cache.end(); ++it)
            if (it->layer == layer && it->head == head) {
                m_cache.splice(m_cache.begin(), m_cache, it);
                return m_cache.front().map;
            }
    }
    if (bytes > m_budget)
        return makeError("the attention map of layer " + std::to_string(layer) + " head " + std::to_string(head)
            + " (" + std::to_string(n) + " x " + std::to_string(n) + " tokens) needs " + megabytes(bytes)
            + ", more than the memory budget of " + megabytes(m_budget));
    const size_t cells = static_cast<size_t>(n) * static_cast<size_t>(n);
    std::unique_ptr<MapStorage> storage = m_pool->take(cells);
    if (!storage)
        storage = std::make_unique<MapStorage>(cells);
    // Every cell is written below; the storage goes back to the pool when its last holder lets go.
    std::shared_ptr<MapStorage> made(
        storage.release(), [pool = m_pool](MapStorage* p) { pool->give(p); });
    const int tiles = (n + kRowTile - 1) / kRowTile;
#pragma omp parallel for schedule(dynamic, 1) if (tiles > 1)
    for (int tile = 0; tile < tiles; ++tile) {
        const int r0 = tile * kRowTile;
        rows(layer, head, r0, std::min(n, r0 + kRowTile), made->data() + static_cast<size_t>(r0) * n);
    }
    Map result = std::move(made);
    std::lock_guard lock(m_mutex);
    const uint64_t cacheLimit = std::min(m_budget / 4, kCacheCapBytes);
    if (bytes <= cacheLimit) {
        m_cache.push_front({layer, head, result});
        m_cachedBytes += bytes;
        while (m_cachedBytes > cacheLimit && !m_cache.empty()) {
            m_cachedBytes -= mapBytes(n);
            m_cache.pop_back();
        }
    }
    return result;
}

std::vector<float> AttentionMaps::levelOfDetail(int layer, int head, int outRows, int outCols) const
{
    const int n = m_trace->tokens;
    outRows = std::clamp(outRows, 1, n);
    outCols = std::clamp(outCols, 1, n);
    std::vector<float> out(static_cast<size_t>(outRows) * outCols, -std::numeric_limits<float>::infinity());
    // Output column o pools the input columns [colStart[o], colStart[o + 1]) (contiguous, as in
    // MapDownsampler), output row o the input rows [rowStart[o], rowStart[o + 1]).
    auto starts = [n](int outCount) {
        std::vector<int> start(static_cast<size_t>(outCount) + 1, n);
        for (int c = n - 1; c >= 0; --c)
            start[static_cast<size_t>(static_cast<long long>(c) * outCount / n)] = c;
        return start;
    };
    const std::vector<int> colStart = starts(outCols);
    const std::vector<int> rowStart = starts(outRows);
    // Chunks of whole output rows with at least kRowTile input rows each: no two threads write a cell.
    std::vector<int> chunkStart {0};
    for (int o = 1; o < outRows; ++o)
        if (rowStart[static_cast<size_t>(o)] - rowStart[static_cast<size_t>(chunkStart.back())] >= kRowTile)
            chunkStart.push_back(o);
    chunkStart.push_back(outRows);
    const auto chunks = static_cast<int>(chunkStart.size()) - 1;
#pragma omp parallel if (chunks > 1)
    {
        std::vector<float> tile;
#pragma omp for schedule(dynamic, 1)
        for (int chunk = 0; chunk < chunks; ++chunk) {
            const int oBegin = chunkStart[static_cast<size_t>(chunk)];
            const int oEnd = chunkStart[static_cast<size_t>(chunk) + 1];
            const int rBegin = rowStart[static_cast<size_t>(oBegin)];
            const int rEnd = rowStart[static_cast<size_t>(oEnd)];
            for (int r0 = rBegin; r0 < rEnd; r0 += kRowTile) {
                const int r1 = std::min(rEnd, r0 + kRowTile);
                tile.resize(static_cast<size_t>(r1 - r0) * n);
                rows(layer, head, r0, r1, tile.data());
                for (int r = r0; r < r1; ++r) {
                    const int orow = static_cast<int>(static_cast<long long>(r) * outRows / n);
                    float* dst = &out[static_cast<size_t>(orow) * outCols];
                    const float* src = tile.data() + static_cast<size_t>(r - r0) * n;
                    for (int o = 0; o < outCols; ++o) {
                        float m = dst[o];
                        for (int c = colStart[static_cast<size_t>(o)]; c < colStart[static_cast<size_t>(o) + 1]; ++c)
                            m = src[c] > m ? src[c] : m;
                        dst[o] = m;
                    }
                }
            }
        }
    }
    return out;
}

int AttentionMaps::cachedMaps() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_cache.size());
}

uint64_t AttentionMaps::cachedBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_cachedBytes;
}

} // namespace attn
