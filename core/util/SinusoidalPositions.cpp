#include "SinusoidalPositions.h"

#include <cmath>

namespace attn {

Matrix sinusoidalPositions(int count, int dim)
{
    Matrix pe(count, dim);
    const double scale = std::sqrt(2.0 / std::sqrt(static_cast<double>(dim)));
    for (int p = 0; p < count; ++p)
        for (int i = 0; i < dim; ++i) {
            const double freq = std::pow(10000.0, -static_cast<double>(2 * (i / 2)) / dim);
            const double angle = p * freq;
            pe(p, i) = static_cast<float>(scale * ((i % 2 == 0) ? std::sin(angle) : std::cos(angle)));
        }
    return pe;
}

} // namespace attn
