#pragma once
// PCG32 (O'Neill, pcg-random.org, XSH-RR variant). Used instead of <random> distributions because
// the standard leaves their algorithms to the implementation: our seeded weights must be
// bit-identical on every machine and compiler.
#include <cstdint>

namespace attn {

class Pcg32 {
public:
    explicit Pcg32(uint64_t seed, uint64_t stream = 0x853c49e6748fea9bULL)
    {
        m_inc = (stream << 1u) | 1u;
        next();
        m_state += seed;
        next();
    }

    uint32_t next()
    {
        const uint64_t old = m_state;
        m_state = old * 6364136223846793005ULL + m_inc;
        const auto xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
        const auto rot = static_cast<uint32_t>(old >> 59u);
        return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
    }

    // Uniform in [0, 1) with 24 bits: exactly representable as float, no libm involved.
    float uniform() { return static_cast<float>(next() >> 8) * (1.0f / 16777216.0f); }
    // Uniform in [lo, hi).
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

private:
    uint64_t m_state = 0;
    uint64_t m_inc = 0;
};

} // namespace attn
