#pragma once
// The transformer's sinusoidal position table (Vaswani et al. 2017), [count, dim]: column 2i is
// sin(p / 10000^(2i/dim)), column 2i + 1 the cos, scaled by sqrt(2 / sqrt(dim)) so a position row
// has the magnitude of the hashed token embeddings it is added to. Shared by the text embedder and
// the picture encoders (one table per grid axis).
#include "Types.h"

namespace attn {

Matrix sinusoidalPositions(int count, int dim);

} // namespace attn
