#pragma once
// Everything one computation produced, every stage kept as data so that any view (heatmap,
// pipeline, details) can show it. Immutable once the engine returns it; the UI shares it as a
// std::shared_ptr<const AttentionResult> snapshot.
#include "AttentionMaps.h"
#include "Expected.h"
#include "MaskSpec.h"
#include "Mechanism.h"
#include "Tensor.h"
#include "Types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attn {

struct AttentionResult {
    int layers = 1;
    int heads = 1;
    int queryCount = 0; // Nq
    int keyCount = 0;   // Nk
    int inputDim = 0;   // d
    int modelDim = 0;   // E
    int headDim = 0;    // d_k
    bool cross = false;

    std::vector<std::string> queryLabels;
    std::vector<std::string> keyLabels;
    std::vector<std::string> outputLabels; // rows of `output`: queries, or keys for element-wise
    Mechanism mechanism;
    MaskSpec mask;

    std::vector<float> weights; // [L][H][Nq][Nk], masked cells exactly 0; empty when `maps` is set
    // A long prompt on a checkpoint (InputSpec::mapsOnDemand): no map is held; each is made from the
    // trace's queries and keys when asked (AttentionMaps; every head's statistics are in its trace).
    std::shared_ptr<const AttentionMaps> maps;
    std::vector<float> scores;  // raw scores, same layout; empty when mechanism.keepScores is false
    // Large maps from the engine (both sides >= AttentionEngine::kLodMinSide), else empty: each
    // head's weights max-pooled in lodBlock x lodBlock cells (block (i / B, j / B), the last ones
    // partial), [L][H][ceil(Nq / B)][ceil(Nk / B)], and each head's smallest weight, [L][H].
    // Gathered while the engine's rows were in cache, so the heatmap's whole-map image and colour
    // range need no pass over a map of a GiB.
    int lodBlock = 0;
    std::vector<float> lodMax;
    std::vector<float> headMinWeight;

    Matrix input;       // X [Nk, d]
    Matrix queryInput;  // Y [Nq, d] for cross-attention, else empty
    Matrix q, k, v;     // [Nq, E], [Nk, E], [Nk, E]
    Vector dynamic;     // per query: gate g_i or temperature T_i; empty without dynamic attention
    std::vector<Matrix> headOutputs; // per head [rows, d_k]
    Matrix concat;      // [rows, E]
    Matrix output;      // [rows, E] = concat W_O^T + b_O
    std::vector<std::string> warnings;
    double computeMilliseconds = 0.0;

    // Causal language models only: the model's most likely next token after the input.
    std::string source;          // e.g. "stories260K.bin (llama2.c, 5 layers x 8 heads)"; empty for the engine
    std::string nextToken;
    float nextTokenProbability = 0.0f;
    // Pictures (InputKind::Image): the grid the tokens form (row-major, labels "r,c"), its cell
    // size and the pixel area it covers in the working image (after crop or pad), and seed 003's
    // spatial attention map, one weight in (0, 1) per cell ([gridRows * gridCols], empty otherwise).
    int gridRows = 0;
    int gridCols = 0;
    int gridPatch = 0;
    int gridWidth = 0;
    int gridHeight = 0;
    std::vector<float> spatialMap;

    // Checkpoints only: token ids, 1 where a token is special (BOS, [CLS], [SEP], <|endoftext|>),
    // and per-head queries and keys after any rotary embedding, [L][H][N][headDim] (keys repeated
    // per query head under grouped-query attention), for the query/key embedding view.
    std::vector<int> tokenIds;
    std::vector<uint8_t> specialTokens;
    std::vector<float> layerQueries;
    std::vector<float> layerKeys;
    std::vector<float> layerValues; // same layout; head h's output is its weights times these

    size_t index(int layer, int head, int query, int key) const
    {
        return ((static_cast<size_t>(layer) * heads + head) * queryCount + query) * keyCount + key;
    }
    float weight(int layer, int head, int query, int key) const { return weights[index(layer, head, query, key)]; }
    // One exact weight, held or (maps on demand) computed from q·k and the row's softmax statistics.
    float weightAt(int layer, int head, int query, int key) const
    {
        return maps ? maps->weight(layer, head, query, key) : weight(layer, head, query, key);
    }
    const float* weightRow(int layer, int head, int query) const { return &weights[index(layer, head, query, 0)]; }
    bool hasScores() const { return !scores.empty(); }
    bool mapsOnDemand() const { return maps != nullptr; }
    // One head's [Nq x Nk] weights, row-major: a view into `weights` (valid while this result lives),
    // or, maps on demand, the exact map made (or found in the cache) by AttentionMaps — refused with the
    // memory it needs when one map exceeds the budget. Every single-head consumer (views, statistics,
    // CSV export, the diff) reads through this, so none indexes the empty `weights` of a long prompt.
    using HeadMap = std::shared_ptr<const float>;
    Expected<HeadMap> headMap(int layer, int head) const;
    // The memory the whole [L][H][Nq][Nk] maps take as float32 (what an analysis over all of them holds).
    uint64_t allMapsBytes() const
    {
        return static_cast<uint64_t>(layers) * static_cast<uint64_t>(heads) * static_cast<uint64_t>(queryCount)
            * static_cast<uint64_t>(keyCount) * sizeof(float);
    }
    // Rows [row0, row1) of one head's weights into out ((row1 - row0) x Nk), held or made on demand.
    void copyRows(int layer, int head, int row0, int row1, float* out) const;
    // One head's whole map into out (Nq x Nk): copied, or made in parallel row tiles without entering
    // the maps' cache (for passes over every head: token filters, word merging, exports).
    void copyMap(int layer, int head, float* out) const;
    // Refuses a derived result holding all maps ([L][H][rows][cols] float32) over the memory budget,
    // naming what needs it and how much; maps on demand only (held maps were within it already).
    Status checkDerivedMaps(const std::string& what, int rows, int cols) const;
    float score(int layer, int head, int query, int key) const { return scores[index(layer, head, query, key)]; }
    bool isMasked(int query, int key) const { return mask.isMasked(query, key); }

    // The named stages, in pipeline order: input, spatial_map (pictures: [gridRows, gridCols]),
    // query_input, q, k, v, scores, masked_scores, weights, dynamic, head_output, concat, output
    // (those that exist for this computation).
    std::vector<std::string> stageNames() const;
    // A copy of one stage as a tensor (masked_scores is derived on request: -inf where masked).
    std::optional<Tensor> stage(const std::string& name) const;
};

} // namespace attn
