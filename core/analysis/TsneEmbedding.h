#pragma once
// Exact t-SNE (van der Maaten & Hinton 2008) for the query/key view's second projection, as
// AttentionViz offers it beside PCA. Deterministic: no random numbers — it starts from the given
// 2-D layout (the PCA picture, scaled to a standard deviation of 1e-4 as scikit-learn's "pca"
// init does) and every step is a fixed function of the last.
//   affinities  p_j|i = exp(-β_i |x_i - x_j|²) / Σ_k≠i exp(-β_i |x_i - x_k|²), β_i found by
//               bisection so that the row's entropy H(P_i) = ln(perplexity) (to 1e-5)
//   joint       p_ij = (p_j|i + p_i|j) / 2n, at least 1e-12
//   low-d       q_ij = (1 + |y_i - y_j|²)⁻¹ / Σ_k≠l (1 + |y_k - y_l|²)⁻¹
//   gradient    ∂C/∂y_i = 4 Σ_j (e·p_ij - q_ij)(y_i - y_j)(1 + |y_i - y_j|²)⁻¹, with early
//               exaggeration e = 12 for the first 250 steps, then 1
//   steps       gains (+0.2 when the gradient changes sign, ×0.8 otherwise, at least 0.01),
//               momentum 0.5 then 0.8, learning rate max(n / 12 / 4, 50) (scikit-learn's "auto")
// Exact, so O(n²) per step: limited to kMaxPoints points.
#include "Expected.h"

#include <vector>

namespace attn {

struct TsneOptions {
    double perplexity = 30.0; // lowered to (n - 1) / 3 for small n
    int iterations = 750;
    int exaggerationIterations = 250;
    double exaggeration = 12.0;
};

class TsneEmbedding {
public:
    static constexpr int kMaxPoints = 2000;
    // points: [n][dim] row-major; init: [n][2] row-major (any scale: it is rescaled). [n][2] out.
    static Expected<std::vector<double>> embed(const std::vector<double>& points, int n, int dim,
        const std::vector<double>& init, const TsneOptions& options = {});
    // The conditional affinities p_j|i as rows of an n x n matrix (diagonal 0), for a perplexity.
    static std::vector<double> conditionalAffinities(const std::vector<double>& points, int n, int dim, double perplexity);
    // The perplexity used for n points: min(requested, (n - 1) / 3).
    static double effectivePerplexity(double requested, int n);
};

} // namespace attn
