#include "RotaryEmbedding.h"

#include <cmath>

namespace attn {

std::vector<double> RotaryEmbedding::frequencies(const RopeSpec& spec, int headDim)
{
    const int rotary = spec.rotaryDims > 0 ? spec.rotaryDims : headDim;
    std::vector<double> f(static_cast<size_t>(rotary / 2));
    for (size_t j = 0; j < f.size(); ++j) {
        double frequency = 1.0 / std::pow(spec.theta, 2.0 * static_cast<double>(j) / rotary);
        if (spec.scaling == RopeScaling::Linear) {
            frequency /= spec.factor;
        } else if (spec.scaling == RopeScaling::Llama3) {
            const double lowWavelength = spec.originalContext / spec.lowFrequencyFactor;
            const double highWavelength = spec.originalContext / spec.highFrequencyFactor;
            const double wavelength = 2.0 * M_PI / frequency;
            if (wavelength > lowWavelength) {
                frequency /= spec.factor;
            } else if (wavelength >= highWavelength) {
                const double smooth = (spec.originalContext / wavelength - spec.lowFrequencyFactor)
                    / (spec.highFrequencyFactor - spec.lowFrequencyFactor);
                frequency = (1.0 - smooth) * frequency / spec.factor + smooth * frequency;
            }
        }
        if (!spec.frequencyDivisors.empty())
            frequency /= spec.frequencyDivisors[j];
        f[j] = frequency;
    }
    return f;
}

RotaryEmbedding::RotaryEmbedding(const RopeSpec& spec, int headDim, bool interleaved, int start, int count)
    : m_headDim(headDim)
    , m_rotary(spec.rotaryDims > 0 ? spec.rotaryDims : headDim)
    , m_interleaved(interleaved)
{
    const std::vector<double> f = frequencies(spec, headDim);
    const auto half = static_cast<Eigen::Index>(f.size());
    m_cos.resize(count, half);
    m_sin.resize(count, half);
    for (Eigen::Index j = 0; j < half; ++j)
        for (Eigen::Index i = 0; i < count; ++i) {
            const double angle = static_cast<double>(start + i) * f[static_cast<size_t>(j)];
            m_cos(i, j) = static_cast<float>(std::cos(angle));
            m_sin(i, j) = static_cast<float>(std::sin(angle));
        }
}

void RotaryEmbedding::apply(Eigen::Ref<Matrix> rows) const
{
    const Eigen::Index half = m_cos.cols();
    const auto heads = static_cast<int>(rows.cols() / m_headDim);
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
        float* row = rows.data() + i * rows.outerStride();
        const float* c = m_cos.data() + i * half;
        const float* s = m_sin.data() + i * half;
        for (int h = 0; h < heads; ++h) {
            float* x = row + static_cast<Eigen::Index>(h) * m_headDim;
            for (Eigen::Index j = 0; j < half; ++j) {
                const Eigen::Index a = m_interleaved ? 2 * j : j;
                const Eigen::Index b = m_interleaved ? 2 * j + 1 : j + half;
                const float x0 = x[a];
                const float x1 = x[b];
                x[a] = x0 * c[j] - x1 * s[j];
                x[b] = x1 * c[j] + x0 * s[j];
            }
        }
    }
}

} // namespace attn
