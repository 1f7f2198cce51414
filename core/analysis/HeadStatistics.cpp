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
    return compute(r.weightRow(layer, head, 0), r.queryCount, r.keyCount);
}

std::vector<float> HeadStatistics::meanOfHeads(const AttentionResult& r, int layer)
{
    const size_t size = static_cast<size_t>(r.queryCount) * r.keyCount;
    std::vector<double> acc(size, 0.0);
    for (int h = 0; h < r.heads; ++h) {
        const float* m = r.weightRow(layer, h, 0);
        for (size_t k = 0; k < size; ++k)
            acc[k] += m[k];
    }
    std::vector<float> mean(size);
    for (size_t k = 0; k < size; ++k)
        mean[k] = static_cast<float>(acc[k] / r.heads);
    return mean;
}

std::vector<float> HeadStatistics::difference(const AttentionResult& a, const AttentionResult& b, int layer, int head)
{
    if (a.queryCount != b.queryCount || a.keyCount != b.keyCount || layer >= a.layers || layer >= b.layers)
        return {};
    const size_t size = static_cast<size_t>(a.queryCount) * a.keyCount;
    auto mapOf = [&](const AttentionResult& r, std::vector<float>& storage) -> const float* {
        if (head < 0) {
            storage = meanOfHeads(r, layer);
            return storage.data();
        }
        return r.weightRow(layer, std::min(head, r.heads - 1), 0);
    };
    std::vector<float> sa, sb;
    const float* pa = mapOf(a, sa);
    const float* pb = mapOf(b, sb);
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
