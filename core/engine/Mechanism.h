#pragma once
// Every option of the attention mechanism, as plain data. The GUI's Mechanism panel, the CLI's
// MECH options, sample files and sessions all fill this one struct (see MechanismJson for its
// JSON form); AttentionEngine::compute reads it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attn {

enum class ScoreKind { Dot, ScaledDot, Additive, Bilinear, Cosine };
enum class NormKind { Softmax, Sigmoid, Ratio };
enum class ScopeKind { Global, Local, Hybrid };
enum class ProjectionKind { Identity, Random, File };
// Dynamic attention (seed 001): computed from each query's own input vector x_i.
//   Gate:        g_i = sigmoid(w_g . x_i + b_g); the query's weights are multiplied by g_i.
//   Temperature: T_i = T * (0.5 + sigmoid(w_t . x_i + b_t)) in (T/2, 3T/2); the normaliser uses s / T_i.
// w and b are seeded (Xavier-uniform, from `seed`), like the random projections.
enum class DynamicKind { None, Gate, Temperature };
// How the weights turn values into the result (seed 004 §3.2.3).
//   WeightedSum:    out_i = sum_j a_ij v_j                                  (Nq x d)
//   ElementWise:    out_j = abar_j * v_j, abar_j = mean_i a_ij              (Nk x d) one output per key:
//                   each value scaled element-wise by the attention it receives, keeping positions
//                   (with one query this is seed 002's e_j' = w_j e_j)
//   SoftSelection:  out_i = sum_{j in topk(i)} a_ij v_j / sum_{j in topk(i)} a_ij   (Nq x d)
enum class CombineKind { WeightedSum, ElementWise, SoftSelection };

struct Mechanism {
    ScoreKind score = ScoreKind::ScaledDot;
    NormKind norm = NormKind::Softmax;
    double temperature = 1.0;

    ScopeKind scope = ScopeKind::Global;
    int window = 2;       // Local and Hybrid: key j is visible to query i when |i - j| <= window
                          // (pictures: max(|dr|, |dc|) <= window on the grid, see MaskSpec)
    int globalTokens = 1; // Hybrid: the first G tokens see, and are seen by, every token
    bool causal = false;  // key j is visible to query i only when j <= i
    std::vector<int> paddedKeys; // key padding: these key indices are masked for every query

    int heads = 1;
    int dim = 64;         // model dimension for text embeddings and random projections (0: the input's own)
    ProjectionKind projection = ProjectionKind::Identity;
    std::string projectionFile; // ProjectionKind::File: a safetensors file in torch.nn.MultiheadAttention's layout
    uint64_t seed = 42;

    DynamicKind dynamic = DynamicKind::None;
    CombineKind combine = CombineKind::WeightedSum;
    int topK = 3;         // SoftSelection

    bool keepScores = true; // keep raw scores [H][Nq][Nk] (off halves the memory of huge maps)
};

const char* toString(ScoreKind);
const char* toString(NormKind);
const char* toString(ScopeKind);
const char* toString(ProjectionKind);
const char* toString(DynamicKind);
const char* toString(CombineKind);
std::optional<ScoreKind> parseScoreKind(const std::string&);
std::optional<NormKind> parseNormKind(const std::string&);
std::optional<ScopeKind> parseScopeKind(const std::string&);
std::optional<DynamicKind> parseDynamicKind(const std::string&);
std::optional<CombineKind> parseCombineKind(const std::string&);

// Human-readable one-liner, e.g. "scaled-dot · softmax(T=1) · local W=2 · causal · 4 heads".
std::string describe(const Mechanism&);

} // namespace attn
