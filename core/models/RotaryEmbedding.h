#pragma once
// Rotary position embedding (RoFormer, Su et al. 2021) for positions start .. start + n - 1: each
// head's first rotaryDims dimensions (all of them by default) are rotated in pairs by the angle
// position * f_j, f_j = theta^(-2j / rotaryDims), j = 0 .. rotaryDims/2 - 1. The pairs are
//   interleaved (2j, 2j + 1)      llama2.c, and llama.cpp's layout of Llama's Q and K
//   half-split  (j, j + dims/2)   Hugging Face's rotate_half
// Scaling: Linear divides every f_j by the factor; Llama3 (Llama 3.1+) divides the low frequencies by
// the factor, keeps the high ones and blends those between, as HF's _compute_llama3_parameters.
#include "TransformerSpec.h"
#include "Types.h"

#include <vector>

namespace attn {

class RotaryEmbedding {
public:
    RotaryEmbedding(const RopeSpec& spec, int headDim, bool interleaved, int start, int count);

    // Rotates every head of every row of `rows` ([count, heads * headDim]; row i is position start + i).
    void apply(Eigen::Ref<Matrix> rows) const;

    // The frequencies f_j after scaling (rotaryDims / 2 of them).
    static std::vector<double> frequencies(const RopeSpec& spec, int headDim);

private:
    int m_headDim;
    int m_rotary;
    bool m_interleaved;
    Matrix m_cos; // [count, rotary / 2]
    Matrix m_sin;
};

} // namespace attn
