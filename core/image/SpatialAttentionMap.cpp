#include "SpatialAttentionMap.h"

#include "Pcg32.h"

#include <cmath>
#include <stdexcept>

namespace attn {

SpatialKernels SpatialAttentionMap::kernels(int channels)
{
    if (channels < 1)
        throw std::invalid_argument("SpatialAttentionMap::kernels: channels must be at least 1");
    Pcg32 rng(kSeed, kStream);
    SpatialKernels k;
    k.channels = channels;
    const float bound1 = 1.0f / std::sqrt(static_cast<float>(channels));
    k.w1.resize(channels, channels);
    for (int o = 0; o < channels; ++o)
        for (int i = 0; i < channels; ++i)
            k.w1(o, i) = rng.uniform(-bound1, bound1);
    k.b1.resize(channels);
    for (int o = 0; o < channels; ++o)
        k.b1[o] = rng.uniform(-bound1, bound1);
    const float bound2 = 1.0f / std::sqrt(static_cast<float>(2 * channels * kKernel * kKernel));
    k.w2.resize(static_cast<size_t>(2 * channels) * kKernel * kKernel);
    for (float& w : k.w2)
        w = rng.uniform(-bound2, bound2);
    k.b2 = rng.uniform(-bound2, bound2);
    return k;
}

SpatialAttention SpatialAttentionMap::compute(const Matrix& features, int rows, int cols)
{
    return compute(features, rows, cols, kernels(static_cast<int>(features.cols())));
}

SpatialAttention SpatialAttentionMap::compute(const Matrix& x, int rows, int cols, const SpatialKernels& k)
{
    if (rows < 1 || cols < 1 || x.rows() != static_cast<Eigen::Index>(rows) * cols || x.cols() != k.channels)
        throw std::invalid_argument("SpatialAttentionMap::compute: features must be [rows * cols, channels]");
    const int ch = k.channels;
    SpatialAttention out;
    out.rows = rows;
    out.cols = cols;
    out.conv1.resize(x.rows(), ch);
    out.conv1.noalias() = x * k.w1.transpose();
    out.conv1.rowwise() += k.b1.transpose();

    const size_t cells = static_cast<size_t>(rows) * cols;
    out.logits.assign(cells, 0.0f);
    out.map.assign(cells, 0.0f);
    constexpr int half = kKernel / 2;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            double z = k.b2;
            for (int dy = 0; dy < kKernel; ++dy) {
                const int rr = r + dy - half;
                if (rr < 0 || rr >= rows)
                    continue; // zero padding
                for (int dx = 0; dx < kKernel; ++dx) {
                    const int cc = c + dx - half;
                    if (cc < 0 || cc >= cols)
                        continue;
                    const Eigen::Index cell = static_cast<Eigen::Index>(rr) * cols + cc;
                    for (int i = 0; i < ch; ++i)
                        z += static_cast<double>(k.conv(i, dy, dx)) * x(cell, i)
                            + static_cast<double>(k.conv(ch + i, dy, dx)) * out.conv1(cell, i);
                }
            }
            const size_t cell = static_cast<size_t>(r) * cols + c;
            out.logits[cell] = static_cast<float>(z);
            out.map[cell] = static_cast<float>(1.0 / (1.0 + std::exp(-z)));
        }
    out.reweighted
        = Eigen::Map<const Eigen::VectorXf>(out.map.data(), static_cast<Eigen::Index>(cells)).asDiagonal()
        * x;
    return out;
}

} // namespace attn
