#pragma once
// One head's queries and keys in a shared 2-D picture (as AttentionViz, Yeh et al. 2023): a query
// lies near the keys it attends to, because attention grows with q·k.
//   X = [Q; K]  ([Nq + Nk] x d, queries first)
//   translate (optional, AttentionViz's normalisation): K <- K - mean(K) + mean(Q), so both
//     clouds share a centroid. This changes no attention weight: q·(k + c) = q·k + q·c is the same
//     shift for every key of a query row, which softmax ignores. (AttentionViz also rescales the
//     clouds to equal mean norms; we do not.)
//   centre:   X <- X - mean(X)
//   PCA:      C = Xᵀ X / (rows - 1); SelfAdjointEigenSolver(C); the two largest eigenvalues
//             λ1 >= λ2 and their eigenvectors v1, v2; the points are X v1, X v2.
//   sign:     each vᵢ is flipped so that its largest-|loading| entry is positive (the first such
//             entry on ties): the picture is deterministic.
//   explained variance ratio: λᵢ / trace(C) (0 when every point coincides).
// t-SNE (optional, TsneEmbedding): the same translated and centred points embedded by exact t-SNE
// started from the PCA picture; distances then show neighbourhoods, not variance.
// Per-head vectors come from AttentionResult::layerQueries / layerKeys (checkpoints) or, for the
// engine, the columns [h * headDim, (h + 1) * headDim) of r.q and r.k.
#include "AttentionResult.h"
#include "Expected.h"

#include <vector>

namespace attn {

struct QueryKeyPoints {
    int queries = 0;
    int keys = 0;
    std::vector<float> x; // [queries + keys]: queries first, then keys
    std::vector<float> y;
    double explained[2] = { 0.0, 0.0 };
    bool translated = false;
    bool tsne = false; // x, y are t-SNE coordinates (explained[] still describes the PCA)
};

enum class QkLayout { Pca, Tsne };

class QueryKeyProjection {
public:
    // queries [nq][dim] and keys [nk][dim] row-major.
    static Expected<QueryKeyPoints> project(const float* queries, int nq, const float* keys, int nk, int dim,
        bool translateKeys = true, QkLayout layout = QkLayout::Pca);
    static Expected<QueryKeyPoints> forHead(const AttentionResult& result, int layer, int head,
        bool translateKeys = true, QkLayout layout = QkLayout::Pca);
    // The head's queries and keys as two [n][headDim] blocks (empty with an error when unavailable).
    static Expected<std::pair<std::vector<float>, std::vector<float>>> headVectors(
        const AttentionResult& result, int layer, int head);
};

} // namespace attn
