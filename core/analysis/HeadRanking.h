#pragma once
// Orders and filters the heads of a result by one HeadStatistics value, for the heads grid:
// "which heads are sinks?" = sort by firstTokenMass descending, keep those with mass >= 0.5.
//   value(head)  one of entropy, max weight, mean distance, first-token mass, previous-token mass
//   order        ascending or descending by value; ties keep (layer, head) order (stable sort)
//   filter       keep heads with value >= threshold (AtLeast) or value <= threshold (AtMost)
// Mean distance is in positions |i - j|, or, for a picture whose tokens are its grid cells (with
// at most two leading tokens, ViT's CLS or DeiT's CLS and distillation token, which are left out),
// in grid cells: the Euclidean distance between the cells' (row, column).
#include "AttentionResult.h"
#include "Expected.h"
#include "HeadStatistics.h"

#include <optional>
#include <string>
#include <vector>

namespace attn {

enum class HeadStatistic { Entropy, MaxWeight, MeanDistance, FirstTokenMass, PreviousTokenMass };

struct HeadThreshold {
    enum class Compare { AtLeast, AtMost };
    HeadStatistic statistic = HeadStatistic::FirstTokenMass;
    Compare compare = Compare::AtLeast;
    double threshold = 0.0;
};

struct RankedHead {
    int layer = 0;
    int head = 0;
    double value = 0.0;
};

class HeadRanking {
public:
    static std::vector<RankedHead> rank(const AttentionResult& result, HeadStatistic statistic,
        bool ascending, const std::optional<HeadThreshold>& filter = std::nullopt);
    // The statistic of one head (with grid distances for pictures).
    static double value(const AttentionResult& result, int layer, int head, HeadStatistic statistic);
    static double pick(const HeadStats& stats, HeadStatistic statistic);
    // Mean attention distance in grid cells; nullopt when the tokens are not a picture's grid.
    static std::optional<double> gridMeanDistance(const AttentionResult& result, const float* map);

    static Expected<HeadStatistic> parse(const std::string& name); // entropy, max, distance, first, previous
    static const char* name(HeadStatistic statistic);
};

} // namespace attn
