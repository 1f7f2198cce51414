#pragma once
// Built-in deterministic token embeddings, so that text can be attended over without a model.
//
// Method (fastText-style hashed character n-grams): a token is lower-cased (ASCII) and wrapped
// as "<token>"; its features are the whole wrapped token plus every character 2-, 3- and
// 4-gram of it. Each feature is hashed (FNV-1a, 64 bit); the hash seeds a PCG32 stream that
// draws `dim` values uniform in [-1, 1). The token's vector is the sum over its features,
// rescaled to squared norm 4 * sqrt(dim), so that a token's scaled-dot score with itself is 4
// and tokens that share n-grams ("play", "played", "player") get related vectors, while
// unrelated tokens score near 0. No libm call is involved: the vectors are bit-identical on
// every machine.
//
// Optional sinusoidal positions (Vaswani et al.): PE(p, 2i) = sin(p / 10000^(2i/dim)),
// PE(p, 2i+1) = cos(...), scaled by sqrt(2 / sqrt(dim)) (squared norm sqrt(dim), a quarter of
// the token's), then added.
#include "Types.h"

#include <string>
#include <vector>

namespace attn {

class TextEmbedder {
public:
    static Vector embedToken(const std::string& token, int dim);
    static Matrix embed(const std::vector<std::string>& tokens, int dim, bool positions);
    static Matrix sinusoidalPositions(int count, int dim);
};

} // namespace attn
