#pragma once
// Per-head summaries of an attention map (HeadStats), for the heads grid and the Details panel.
//   entropy:           mean over queries of -sum_j a_ij ln a_ij (nats; rows renormalised when
//                      they do not sum to 1, e.g. with the sigmoid gate; fully masked rows skipped)
//   maxWeight:         the largest weight in the head
//   meanDistance:      mean over queries of sum_j a_ij |i - j| / sum_j a_ij (in positions)
//   firstTokenMass:    mean over queries of the weight on key 0 (attention "sinks")
//   previousTokenMass: mean over queries i >= 1 of the weight on key i - 1
#include "AttentionResult.h"
#include "HeadStats.h"

#include <utility>
#include <vector>

namespace attn {

class HeadStatistics {
public:
    static HeadStats compute(const float* map, int queries, int keys);
    // One head's statistics: from its map, or, maps on demand, those streamed during the forward pass.
    static HeadStats forHead(const AttentionResult& result, int layer, int head);
    // The mean of all heads of a layer, [Nq x Nk] row-major (the heads grid's "mean" tile); with maps
    // on demand made in tiles of rows (one N x N float map held, the result); empty for a bad layer.
    static std::vector<float> meanOfHeads(const AttentionResult& result, int layer);
    // a - b for one head (-1: the mean of heads) of two results over the same tokens; empty
    // when their shapes differ or a map is refused (over the memory budget).
    static std::vector<float> difference(const AttentionResult& a, const AttentionResult& b, int layer, int head);
    // The k largest weights of one query row, as (key index, weight), largest first.
    static std::vector<std::pair<int, float>> topKeys(const float* row, int keys, int k);
    static double rowEntropy(const float* row, int keys);
};

} // namespace attn
