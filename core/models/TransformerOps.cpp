#include "TransformerOps.h"

#include "StreamingAttention.h"

#include "MemoryBudget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <omp.h>

namespace attn::ops {

namespace {

std::string mbText(uint64_t bytes)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buffer;
}

uint64_t saturatingMul(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

} // namespace

void layerNorm(const Matrix& x, const Vector& weight, const Vector& bias, double eps, Matrix& out)
{
    out.resize(x.rows(), x.cols());
    const auto cols = static_cast<double>(x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const auto row = x.row(i).cast<double>();
        const double mean = row.sum() / cols;
        const double variance = (row.array() - mean).square().sum() / cols;
        const double inverse = 1.0 / std::sqrt(variance + eps);
        out.row(i) = (((row.array() - mean) * inverse).cast<float>() * weight.transpose().array()
            + bias.transpose().array())
                         .matrix();
    }
}

void rmsNorm(const Matrix& x, const Vector& weight, double eps, Matrix& out, bool addOne)
{
    out.resize(x.rows(), x.cols());
    const auto cols = static_cast<double>(x.cols());
    const Eigen::RowVectorXf scale = addOne ? Eigen::RowVectorXf(weight.transpose().array() + 1.0f)
                                            : Eigen::RowVectorXf(weight.transpose());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const double meanSquare = x.row(i).cast<double>().squaredNorm() / cols;
        const auto inverse = static_cast<float>(1.0 / std::sqrt(meanSquare + eps));
        out.row(i) = (x.row(i) * inverse).cwiseProduct(scale);
    }
}

void addRowBias(Matrix& x, const Vector& bias)
{
    x.rowwise() += bias.transpose();
}

void geluErf(Matrix& x)
{
    float* p = x.data();
    for (Eigen::Index i = 0; i < x.size(); ++i)
        p[i] = 0.5f * p[i] * (1.0f + std::erf(p[i] * static_cast<float>(M_SQRT1_2)));
}

void geluTanh(Matrix& x)
{
    const auto k = static_cast<float>(std::sqrt(2.0 / M_PI));
    float* p = x.data();
    for (Eigen::Index i = 0; i < x.size(); ++i)
        p[i] = 0.5f * p[i] * (1.0f + std::tanh(k * (p[i] + 0.044715f * p[i] * p[i] * p[i])));
}

void silu(Matrix& x)
{
    x.array() = x.array() / (1.0f + (-x.array()).exp());
}

void linear(const Eigen::Ref<const Matrix>& in, const Matrix& w, Eigen::Ref<Matrix> out)
{
    constexpr Eigen::Index kMinRowsPerThread = 32;
    const Eigen::Index rows = in.rows();
    const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (threads < 2 || rows < 2 * kMinRowsPerThread) {
        out.noalias() = in * w.transpose();
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        const auto t = static_cast<Eigen::Index>(omp_get_thread_num());
        const auto count = static_cast<Eigen::Index>(omp_get_num_threads());
        const Eigen::Index r0 = rows * t / count, r1 = rows * (t + 1) / count;
        if (r1 > r0) // Eigen runs single-threaded inside a parallel region
            out.middleRows(r0, r1 - r0).noalias() = in.middleRows(r0, r1 - r0) * w.transpose();
    }
}

void softCap(float* values, Eigen::Index count, float cap)
{
    const float inverse = 1.0f / cap;
    for (Eigen::Index i = 0; i < count; ++i)
        values[i] = cap * std::tanh(values[i] * inverse);
}

Status checkCaptureBudget(
    int layers, int heads, int tokens, int headDim, bool keepQueriesKeys, const ComputeControl& control)
{
    const auto n = static_cast<uint64_t>(tokens);
    const auto perHead = static_cast<uint64_t>(layers) * static_cast<uint64_t>(heads);
    uint64_t needed = saturatingMul(saturatingMul(perHead, n * n), sizeof(float));
    if (keepQueriesKeys)
        needed
            += saturatingMul(saturatingMul(perHead, n * static_cast<uint64_t>(headDim)), 3 * sizeof(float));
    const uint64_t limit
        = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    if (needed > limit)
        return makeError("capturing the attention of " + std::to_string(n) + " tokens needs " + mbText(needed)
            + " (" + std::to_string(layers) + " layers x " + std::to_string(heads) + " heads x "
            + std::to_string(n) + " x " + std::to_string(n) + "), more than the memory budget of "
            + mbText(limit) + ": use a shorter input");
    return success();
}

ModelAttention makeCapture(int layers, int heads, int tokens, int headDim, bool keepQueriesKeys)
{
    ModelAttention a;
    a.layers = layers;
    a.heads = heads;
    a.tokens = tokens;
    a.headSize = headDim;
    const size_t perHead = static_cast<size_t>(layers) * static_cast<size_t>(heads);
    a.weights.assign(perHead * static_cast<size_t>(tokens) * static_cast<size_t>(tokens), 0.0f);
    if (keepQueriesKeys) {
        a.queries.assign(perHead * static_cast<size_t>(tokens) * static_cast<size_t>(headDim), 0.0f);
        a.keys.assign(a.queries.size(), 0.0f);
        a.values.assign(a.queries.size(), 0.0f);
    }
    return a;
}

void attendLayer(const ConstMatrixRef& q, const ConstMatrixRef& k, const ConstMatrixRef& v,
    const AttendOptions& o, Matrix& context, ModelAttention* capture, int layer)
{
    if (!capture) {
        StreamingAttention::attend(q, k, v, o, context, nullptr);
        return;
    }
    const Eigen::Index n = q.rows();
    const Eigen::Index total = k.rows();
    const int headDim = o.headDim;
    const int group = o.heads / o.kvHeads;
    context.resize(n, static_cast<Eigen::Index>(o.heads) * headDim);
    Matrix scores(n, total);
    for (int h = 0; h < o.heads; ++h) {
        const int g = h / group;
        scores.noalias()
            = q.middleCols(h * headDim, headDim) * k.middleCols(g * headDim, headDim).transpose();
        for (Eigen::Index i = 0; i < n; ++i) {
            float* row = scores.data() + i * total;
            const Eigen::Index position = o.queryOffset + i;
            const Eigen::Index end = o.causal ? std::min<Eigen::Index>(position + 1, total) : total;
            const Eigen::Index begin = o.window > 0 ? std::max<Eigen::Index>(0, position - o.window + 1) : 0;
            for (Eigen::Index j = begin; j < end; ++j)
                row[j] *= o.scale;
            if (o.softCap > 0.0f)
                softCap(row + begin, end - begin, o.softCap);
            float maxValue = row[begin];
            for (Eigen::Index j = begin; j < end; ++j)
                maxValue = std::max(maxValue, row[j]);
            float sum = 0.0f;
            for (Eigen::Index j = begin; j < end; ++j) {
                row[j] = std::exp(row[j] - maxValue);
                sum += row[j];
            }
            const float inverse = 1.0f / sum;
            for (Eigen::Index j = begin; j < end; ++j)
                row[j] *= inverse;
            std::fill(row, row + begin, 0.0f);
            std::fill(row + end, row + total, 0.0f);
        }
        context.middleCols(h * headDim, headDim).noalias() = scores * v.middleCols(g * headDim, headDim);
        if (!capture || o.queryOffset != 0 || total != n)
            continue;
        std::memcpy(capture->weights.data() + capture->mapOffset(layer, h), scores.data(),
            sizeof(float) * static_cast<size_t>(n * n));
        if (capture->queries.empty())
            continue;
        const size_t base
            = capture->mapOffset(layer, h) / static_cast<size_t>(n) * static_cast<size_t>(headDim);
        for (Eigen::Index i = 0; i < n; ++i) {
            const size_t at = base + static_cast<size_t>(i) * static_cast<size_t>(headDim);
            Eigen::Map<Eigen::RowVectorXf>(capture->queries.data() + at, headDim)
                = q.row(i).segment(h * headDim, headDim);
            Eigen::Map<Eigen::RowVectorXf>(capture->keys.data() + at, headDim)
                = k.row(i).segment(g * headDim, headDim);
            Eigen::Map<Eigen::RowVectorXf>(capture->values.data() + at, headDim)
                = v.row(i).segment(g * headDim, headDim);
        }
    }
}

} // namespace attn::ops
