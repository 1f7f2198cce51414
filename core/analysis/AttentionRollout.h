#pragma once
// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): how much
// each input token contributes to each position after all layers, following attention through
// the residual connections.
//   fuse heads:   A_l = mean_h | min_h | max_h  W_l,h                    (per cell, over heads)
//   discard:      per query row i, the floor(ratio * (N - 1)) smallest off-diagonal weights of A_l
//                 are set to 0 (ties: the lower key index first); the diagonal is never discarded.
//                 vit-explain (jacobgil/vit-explain, vit_rollout.py) instead discards over the whole
//                 flattened N x N map, sparing only flat index 0 (the CLS -> CLS cell); per row keeps
//                 every query's own distribution comparable and keeps causal maps meaningful.
//   residual:     Â_l = 0.5 A_l + 0.5 I, then each row divided by its sum (vit-explain's
//                 `a / a.sum(dim=-1)` broadcasts over the key axis; we renormalise rows, as the paper)
//   rollout:      R = Â_L · Â_{L-1} ··· Â_1       ([N][N], rows sum to 1, computed in double)
// Row i of R is query i's attribution over the input tokens. For pictures, the CLS row (or the
// mean over queries) restricted to the patch tokens is a per-patch map (patchMap).
// Needs self-attention (Nq == Nk); the map must be finite.
#include "AttentionResult.h"
#include "ComputeControl.h"
#include "Expected.h"

#include <string>
#include <vector>

namespace attn {

enum class HeadFusion { Mean, Min, Max };

struct RolloutOptions {
    HeadFusion fusion = HeadFusion::Mean;
    double discardRatio = 0.0; // in [0, 1)
    int lastLayer = -1; // roll out layers 0..lastLayer; -1: every layer
};

class AttentionRollout {
public:
    // [N][N] row-major, float32; errors name the problem (cross-attention, bad ratio, NaN, memory).
    static Expected<std::vector<float>> compute(const AttentionResult& result,
        const RolloutOptions& options = {}, const ComputeControl& control = {});
    // One layer's heads fused into [Nq][Nk] (in double).
    static std::vector<double> fuseHeads(const AttentionResult& result, int layer, HeadFusion fusion);
    // Zeroes, in place, the floor(ratio * (n - 1)) smallest off-diagonal weights of each row.
    static void discardSmallest(double* map, int n, double ratio);
    // A per-patch map from a rollout: row `clsRow` (or the mean over every row when clsRow < 0)
    // restricted to keys firstPatch .. N-1.
    static std::vector<float> patchMap(const std::vector<float>& rollout, int n, int clsRow, int firstPatch);

    static Expected<HeadFusion> parseFusion(const std::string& name); // mean | min | max
    static const char* fusionName(HeadFusion fusion);
};

} // namespace attn
