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

AttentionMaps::RegionImage AttentionMaps::regionImage(
    int layer, int head, int row0, int row1, int col0, int col1, int outRows, int outCols) const
{
    const int n = m_trace->tokens;
    row0 = std::clamp(row0, 0, n - 1);
    row1 = std::clamp(row1, row0 + 1, n);
    col0 = std::clamp(col0, 0, n - 1);
    col1 = std::clamp(col1, col0 + 1, n);
    const int height = row1 - row0, width = col1 - col0;
    RegionImage image;
    image.rows = std::clamp(outRows, 1, height);
    image.cols = std::clamp(outCols, 1, width);
    const int outR = image.rows, outC = image.cols;
    constexpr float kInf = std::numeric_limits<float>::infinity();
    image.cells.assign(static_cast<size_t>(outR) * outC, -kInf);
    // Output column o pools the region's columns [colStart[o], colStart[o + 1]) (relative to col0);
    // output row o the queries [bandStart[o], bandStart[o + 1]), as in MapDownsampler::maxPoolRegion.
    std::vector<int> colStart(static_cast<size_t>(outC) + 1, width);
    for (int c = width - 1; c >= 0; --c)
        colStart[static_cast<size_t>(static_cast<long long>(c) * outC / width)] = c;
    std::vector<int> bandStart(static_cast<size_t>(outR) + 1, row1);
    for (int o = 0; o < outR; ++o)
        bandStart[static_cast<size_t>(o)] = row0 + static_cast<int>(static_cast<long long>(o) * height / outR);
    // The weights come in the row tiles map() makes them in ([t * kRowTile, (t + 1) * kRowTile)): the
    // same products, so the same bits as the exact map (a product's last bits depend on its shape).
    // Chunks of whole bands, each owned by one thread (no two threads write a cell), of at least
    // minChunk queries, cut where a band starts a tile when one does soon (else a tile shared by two
    // chunks is computed twice).
    const int minChunk = std::clamp(height / 16, kRowTile, 4 * kRowTile);
    std::vector<int> chunkStart {0};
    for (int o = 1; o < outR; ++o) {
        const int from = bandStart[static_cast<size_t>(chunkStart.back())], at = bandStart[static_cast<size_t>(o)];
        if ((at - from >= minChunk && at % kRowTile == 0) || at - from >= 2 * minChunk)
            chunkStart.push_back(o);
    }
    chunkStart.push_back(outR);
    const auto chunks = static_cast<int>(chunkStart.size()) - 1;
    float lo = kInf, loPositive = kInf;
#pragma omp parallel if (chunks > 1) reduction(min : lo, loPositive)
    {
        std::vector<float> tile;
        std::vector<float> colMax(static_cast<size_t>(width));
#pragma omp for schedule(dynamic, 1)
        for (int chunk = 0; chunk < chunks; ++chunk) {
            int band = chunkStart[static_cast<size_t>(chunk)];
            const int bandEnd = chunkStart[static_cast<size_t>(chunk) + 1];
            const int rBegin = bandStart[static_cast<size_t>(band)];
            const int rEnd = bandStart[static_cast<size_t>(bandEnd)];
            std::fill(colMax.begin(), colMax.end(), -kInf);
            auto flush = [&](int o) {
                float* dst = &image.cells[static_cast<size_t>(o) * outC];
                for (int c = 0; c < outC; ++c) {
                    float m = dst[c];
                    for (int k = colStart[static_cast<size_t>(c)]; k < colStart[static_cast<size_t>(c) + 1]; ++k)
                        m = colMax[static_cast<size_t>(k)] > m ? colMax[static_cast<size_t>(k)] : m;
                    dst[c] = m;
                }
                std::fill(colMax.begin(), colMax.end(), -kInf);
            };
            for (int t0 = rBegin / kRowTile * kRowTile; t0 < rEnd; t0 += kRowTile) {
                const int t1 = std::min(n, t0 + kRowTile);
                tile.resize(static_cast<size_t>(t1 - t0) * n);
                rows(layer, head, t0, t1, tile.data());
                for (int r = std::max(rBegin, t0); r < std::min(rEnd, t1); ++r) {
                    while (r >= bandStart[static_cast<size_t>(band) + 1])
                        flush(band++);
                    const float* src = tile.data() + static_cast<size_t>(r - t0) * n + col0;
                    float* hi = colMax.data();
                    for (int c = 0; c < width; ++c) {
                        const float v = src[c];
                        hi[c] = v > hi[c] ? v : hi[c];
                        lo = v < lo ? v : lo;
                        loPositive = v > 0.0f && v < loPositive ? v : loPositive;
                    }
                }
            }
            flush(band);
        }
    }
    float hi = -kInf;
    for (float v : image.cells)
        hi = v > hi ? v : hi;
    image.min = lo;
    image.max = hi;
    image.minPositive = loPositive;
    return image;
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
