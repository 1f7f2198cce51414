#include "HeadThumbnails.h"

#include "HeadStatistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <omp.h>

namespace attn {

namespace {

constexpr int kTileRows = 64;

// One thread's share: pooled maxima per head and the mean's, and the mean's row statistics.
struct Partial {
    std::vector<std::vector<float>> heads;
    std::vector<float> mean;
    HeadStats sums; // entropy, distance, first, previous summed over rows (divided at the end)
    int rows = 0;
    int previousRows = 0;
};

void poolRows(const float* tile, int r0, int r1, int nq, int nk, int outRows, int outCols, const std::vector<int>& colOf,
    float* out)
{
    for (int i = r0; i < r1; ++i) {
        float* dst = out + static_cast<size_t>(static_cast<long long>(i) * outRows / nq) * static_cast<size_t>(outCols);
        const float* src = tile + static_cast<size_t>(i - r0) * static_cast<size_t>(nk);
        for (int c = 0; c < nk; ++c) {
            float& d = dst[colOf[static_cast<size_t>(c)]];
            d = std::max(d, src[c]);
        }
    }
}

} // namespace

std::optional<LayerThumbnails> HeadThumbnails::compute(const AttentionResult& r, int layer,
    const std::vector<int>& heads, bool withMean, int side, const std::atomic<bool>* cancel)
{
    const int nq = r.queryCount, nk = r.keyCount;
    LayerThumbnails out;
    if (layer < 0 || layer >= r.layers || nq < 1 || nk < 1 || side < 1)
        return out;
    out.rows = std::min(nq, side);
    out.cols = std::min(nk, side);
    const size_t cells = static_cast<size_t>(out.rows) * static_cast<size_t>(out.cols);
    std::vector<int> colOf(static_cast<size_t>(nk));
    for (int c = 0; c < nk; ++c)
        colOf[static_cast<size_t>(c)] = static_cast<int>(static_cast<long long>(c) * out.cols / nk);
    const float lowest = -std::numeric_limits<float>::infinity();
    // The mean needs every head's rows; the others only the heads asked for.
    std::vector<int> read = heads;
    if (withMean) {
        read.resize(static_cast<size_t>(r.heads));
        for (int h = 0; h < r.heads; ++h)
            read[static_cast<size_t>(h)] = h;
    }
    std::vector<int> slot(static_cast<size_t>(r.heads), -1); // head -> index in `heads`
    for (size_t k = 0; k < heads.size(); ++k)
        if (heads[k] >= 0 && heads[k] < r.heads)
            slot[static_cast<size_t>(heads[k])] = static_cast<int>(k);

    const int tiles = (nq + kTileRows - 1) / kTileRows;
    std::vector<Partial> partials;
    bool stopped = false;
#pragma omp parallel if (tiles > 1 && r.mapsOnDemand())
    {
#pragma omp single
        partials.resize(static_cast<size_t>(omp_get_num_threads()));
        Partial& mine = partials[static_cast<size_t>(omp_get_thread_num())];
        mine.heads.assign(heads.size(), std::vector<float>(cells, lowest));
        if (withMean)
            mine.mean.assign(cells, lowest);
        std::vector<float> tile(static_cast<size_t>(kTileRows) * static_cast<size_t>(nk));
        std::vector<double> acc(withMean ? tile.size() : 0);
        std::vector<float> meanRows(withMean ? tile.size() : 0);
#pragma omp for schedule(dynamic, 1)
        for (int t = 0; t < tiles; ++t) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
#pragma omp atomic write
                stopped = true;
                continue;
            }
            const int r0 = t * kTileRows, r1 = std::min(nq, r0 + kTileRows);
            const size_t n = static_cast<size_t>(r1 - r0) * static_cast<size_t>(nk);
            if (withMean)
                std::fill_n(acc.begin(), n, 0.0);
            for (int h : read) {
                if (h < 0 || h >= r.heads)
                    continue;
                r.copyRows(layer, h, r0, r1, tile.data());
                if (const int k = slot[static_cast<size_t>(h)]; k >= 0)
                    poolRows(tile.data(), r0, r1, nq, nk, out.rows, out.cols, colOf, mine.heads[static_cast<size_t>(k)].data());
                if (withMean)
                    for (size_t c = 0; c < n; ++c)
                        acc[c] += tile[c];
            }
            if (!withMean)
                continue;
            for (size_t c = 0; c < n; ++c)
                meanRows[c] = static_cast<float>(acc[c] / r.heads); // as HeadStatistics::meanOfHeads
            poolRows(meanRows.data(), r0, r1, nq, nk, out.rows, out.cols, colOf, mine.mean.data());
            for (int i = r0; i < r1; ++i) { // as HeadStatistics::compute, row by row
                const float* row = meanRows.data() + static_cast<size_t>(i - r0) * static_cast<size_t>(nk);
                double sum = 0.0, distance = 0.0;
                for (int j = 0; j < nk; ++j) {
                    sum += row[j];
                    distance += row[j] * std::abs(i - j);
                    mine.sums.maxWeight = std::max(mine.sums.maxWeight, static_cast<double>(row[j]));
                }
                if (sum <= 0.0)
                    continue;
                ++mine.rows;
                mine.sums.entropy += HeadStatistics::rowEntropy(row, nk);
                mine.sums.meanDistance += distance / sum;
                mine.sums.firstTokenMass += row[0];
                if (i >= 1 && i - 1 < nk) {
                    mine.sums.previousTokenMass += row[i - 1];
                    ++mine.previousRows;
                }
            }
        }
    }
    if (stopped)
        return std::nullopt;
    out.heads.assign(heads.size(), std::vector<float>(cells, lowest));
    if (withMean)
        out.mean.assign(cells, lowest);
    int rows = 0, previousRows = 0;
    for (const Partial& p : partials) {
        for (size_t k = 0; k < heads.size() && k < p.heads.size(); ++k)
            for (size_t c = 0; c < cells; ++c)
                out.heads[k][c] = std::max(out.heads[k][c], p.heads[k][c]);
        for (size_t c = 0; c < p.mean.size(); ++c)
            out.mean[c] = std::max(out.mean[c], p.mean[c]);
        out.meanStats.entropy += p.sums.entropy;
        out.meanStats.maxWeight = std::max(out.meanStats.maxWeight, p.sums.maxWeight);
        out.meanStats.meanDistance += p.sums.meanDistance;
        out.meanStats.firstTokenMass += p.sums.firstTokenMass;
        out.meanStats.previousTokenMass += p.sums.previousTokenMass;
        rows += p.rows;
        previousRows += p.previousRows;
    }
    if (rows > 0) {
        out.meanStats.entropy /= rows;
        out.meanStats.meanDistance /= rows;
        out.meanStats.firstTokenMass /= rows;
    }
    if (previousRows > 0)
        out.meanStats.previousTokenMass /= previousRows;
    return out;
}

} // namespace attn
