#include "HeadRanking.h"

#include <algorithm>
#include <cmath>

namespace attn {

namespace {
struct Named {
    HeadStatistic statistic;
    const char* name;
};
constexpr Named kNames[] = { { HeadStatistic::Entropy, "entropy" }, { HeadStatistic::MaxWeight, "max" },
    { HeadStatistic::MeanDistance, "distance" }, { HeadStatistic::FirstTokenMass, "first" },
    { HeadStatistic::PreviousTokenMass, "previous" } };
} // namespace

Expected<HeadStatistic> HeadRanking::parse(const std::string& name)
{
    for (const auto& n : kNames)
        if (name == n.name)
            return n.statistic;
    return makeError(
        "unknown head statistic '" + name + "' (expected entropy, max, distance, first or previous)");
}

const char* HeadRanking::name(HeadStatistic statistic)
{
    for (const auto& n : kNames)
        if (n.statistic == statistic)
            return n.name;
    return "entropy";
}

double HeadRanking::pick(const HeadStats& s, HeadStatistic statistic)
{
    switch (statistic) {
    case HeadStatistic::Entropy:
        return s.entropy;
    case HeadStatistic::MaxWeight:
        return s.maxWeight;
    case HeadStatistic::MeanDistance:
        return s.meanDistance;
    case HeadStatistic::FirstTokenMass:
        return s.firstTokenMass;
    case HeadStatistic::PreviousTokenMass:
        return s.previousTokenMass;
    }
    return 0.0;
}

std::optional<double> HeadRanking::gridMeanDistance(const AttentionResult& r, const float* map)
{
    const int cells = r.gridRows * r.gridCols;
    const int offset = r.keyCount - cells;
    if (cells <= 0 || r.cross || r.queryCount != r.keyCount || offset < 0 || offset > 2) // CLS (DeiT: + DIST)
        return std::nullopt;
    const int n = r.keyCount;
    double total = 0.0;
    int rows = 0;
    for (int i = offset; i < n; ++i) {
        const float* row = map + static_cast<size_t>(i) * n;
        const int ri = (i - offset) / r.gridCols, ci = (i - offset) % r.gridCols;
        double sum = 0.0, distance = 0.0;
        for (int j = offset; j < n; ++j) {
            const int rj = (j - offset) / r.gridCols, cj = (j - offset) % r.gridCols;
            sum += row[j];
            distance += row[j] * std::hypot(static_cast<double>(ri - rj), static_cast<double>(ci - cj));
        }
        if (sum > 0.0) {
            total += distance / sum;
            ++rows;
        }
    }
    return rows > 0 ? total / rows : 0.0;
}

double HeadRanking::value(const AttentionResult& r, int layer, int head, HeadStatistic statistic)
{
    if (r.mapsOnDemand()) // the statistics streamed during the forward pass: no map is made to rank
        return pick(HeadStatistics::forHead(r, layer, head), statistic);
    const float* map = r.weightRow(layer, head, 0);
    if (statistic == HeadStatistic::MeanDistance)
        if (const auto grid = gridMeanDistance(r, map))
            return *grid;
    return pick(HeadStatistics::compute(map, r.queryCount, r.keyCount), statistic);
}

std::vector<RankedHead> HeadRanking::rank(const AttentionResult& r, HeadStatistic statistic, bool ascending,
    const std::optional<HeadThreshold>& filter)
{
    std::vector<RankedHead> out;
    for (int l = 0; l < r.layers; ++l)
        for (int h = 0; h < r.heads; ++h) {
            const double v = value(r, l, h, statistic);
            if (filter) {
                const double f = filter->statistic == statistic ? v : value(r, l, h, filter->statistic);
                const bool keep = filter->compare == HeadThreshold::Compare::AtLeast ? f >= filter->threshold
                                                                                     : f <= filter->threshold;
                if (!keep)
                    continue;
            }
            out.push_back({ l, h, v });
        }
    std::stable_sort(out.begin(), out.end(), [ascending](const RankedHead& a, const RankedHead& b) {
        return ascending ? a.value < b.value : a.value > b.value;
    });
    return out;
}

} // namespace attn
