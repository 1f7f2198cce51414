#include "HeadStatistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attn {

double HeadStatistics::rowEntropy(const float* row, int keys)
{
    double sum = 0.0;
    for (int j = 0; j < keys; ++j)
        sum += row[j];
    if (sum <= 0.0)
        return 0.0;
    double h = 0.0;
    for (int j = 0; j < keys; ++j) {
        const double p = row[j] / sum;
        if (p > 0.0)
            h -= p * std::log(p);
    }
    return h;
}

HeadStats HeadStatistics::compute(const float* map, int nq, int nk)
{
    HeadStats s;
    int rows = 0, previousRows = 0;
    for (int i = 0; i < nq; ++i) {
        const float* row = map + static_cast<size_t>(i) * nk;
        double sum = 0.0, distance = 0.0;
        for (int j = 0; j < nk; ++j) {
            sum += row[j];
            distance += row[j] * std::abs(i - j);
            s.maxWeight = std::max(s.maxWeight, static_cast<double>(row[j]));
        }
        if (sum <= 0.0)
            continue;
        ++rows;
        s.entropy += rowEntropy(row, nk);
        s.meanDistance += distance / sum;
        s.firstTokenMass += row[0];
        if (i >= 1 && i - 1 < nk) {
            s.previousTokenMass += row[i - 1];
            ++previousRows;
        }
    }
    if (rows > 0) {
        s.entropy /= rows;
        s.meanDistance /= rows;
        s.firstTokenMass /= rows;
    }
    if (previousRows > 0)
        s.previousTokenMass /= previousRows;
    return s;
}

HeadStats HeadStatistics::forHead(const AttentionResult& r, int layer, int head)
{
    if (r.mapsOnDemand()) // streamed during the forward pass, for every head
        return r.maps->trace().stats(layer, head);
    return compute(r.weightRow(layer, head, 0), r.queryCount, r.keyCount);
}

std::vector<float> HeadStatistics::meanOfHeads(const AttentionResult& r, int layer)
{
    // In tiles of rows, each head's rows read (or, maps on demand, made) once and summed in double
    // in head order: no head's whole map is held, and held or on demand give the same bits.
    constexpr int kTileRows = 64;
    const int nq = r.queryCount, nk = r.keyCount;
    if (layer < 0 || layer >= r.layers || r.heads < 1 || nq < 1 || nk < 1
        || (!r.mapsOnDemand() && r.weights.size() != static_cast<size_t>(r.allMapsBytes() / sizeof(float))))
        return {};
    std::vector<float> mean(static_cast<size_t>(nq) * static_cast<size_t>(nk));
    const int tiles = (nq + kTileRows - 1) / kTileRows;
#pragma omp parallel if (tiles > 1 && r.mapsOnDemand())
    {
        std::vector<float> rows(static_cast<size_t>(kTileRows) * static_cast<size_t>(nk));
        std::vector<double> acc(rows.size());
#pragma omp for schedule(dynamic, 1)
        for (int tile = 0; tile < tiles; ++tile) {
            const int r0 = tile * kTileRows, r1 = std::min(nq, r0 + kTileRows);
            const size_t cells = static_cast<size_t>(r1 - r0) * static_cast<size_t>(nk);
            std::fill_n(acc.begin(), cells, 0.0);
            for (int h = 0; h < r.heads; ++h) {
                r.copyRows(layer, h, r0, r1, rows.data());
                for (size_t k = 0; k < cells; ++k)
                    acc[k] += rows[k];
            }
            float* out = mean.data() + static_cast<size_t>(r0) * static_cast<size_t>(nk);
            for (size_t k = 0; k < cells; ++k)
                out[k] = static_cast<float>(acc[k] / r.heads);
        }
    }
    return mean;
}

std::vector<float> HeadStatistics::difference(const AttentionResult& a, const AttentionResult& b, int layer, int head)
{
    if (a.queryCount != b.queryCount || a.keyCount != b.keyCount || layer >= a.layers || layer >= b.layers)
        return {};
    const size_t size = static_cast<size_t>(a.queryCount) * a.keyCount;
    struct Held {
        std::vector<float> mean;
        AttentionResult::HeadMap map;
    };
    auto mapOf = [&](const AttentionResult& r, Held& held) -> const float* {
        if (head < 0) {
            held.mean = meanOfHeads(r, layer);
            return held.mean.empty() ? nullptr : held.mean.data();
        }
        auto m = r.headMap(layer, std::min(head, r.heads - 1));
        held.map = m ? *m : nullptr;
        return held.map.get();
    };
    Held ha, hb;
    const float* pa = mapOf(a, ha);
    const float* pb = mapOf(b, hb);
    if (!pa || !pb)
        return {};
    std::vector<float> out(size);
    for (size_t k = 0; k < size; ++k)
        out[k] = pa[k] - pb[k];
    return out;
}

std::vector<std::pair<int, float>> HeadStatistics::topKeys(const float* row, int keys, int k)
{
    std::vector<int> order(static_cast<size_t>(keys));
    std::iota(order.begin(), order.end(), 0);
    const int keep = std::min(k, keys);
    std::partial_sort(order.begin(), order.begin() + keep, order.end(),
        [row](int a, int b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    std::vector<std::pair<int, float>> out;
    for (int t = 0; t < keep; ++t)
        out.emplace_back(order[static_cast<size_t>(t)], row[order[static_cast<size_t>(t)]]);
    return out;
}

} // namespace attn
