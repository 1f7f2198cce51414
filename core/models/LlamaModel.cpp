#include "LlamaModel.h"

#include "MemoryBudget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace attn {

namespace {

constexpr float kRmsEps = 1e-5f;
constexpr double kRopeTheta = 10000.0;

std::string mbText(uint64_t bytes)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buffer;
}

// out.row(i) = x.row(i) / sqrt(mean(x.row(i)^2) + eps) * weight, as run.c's rmsnorm.
void rmsNorm(const Matrix& x, const Vector& weight, Matrix& out)
{
    const auto cols = static_cast<float>(x.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const float ss = x.row(i).squaredNorm() / cols + kRmsEps;
        out.row(i) = (x.row(i) * (1.0f / std::sqrt(ss))).cwiseProduct(weight.transpose());
    }
}

// Rotates the (2p, 2p+1) pairs of `rows` consecutive rows of width `width` (a multiple of the head
// size) starting at `data`, row i at position table row i.
void applyRope(float* data, Eigen::Index rows, Eigen::Index width, Eigen::Index stride, const Matrix& cosT,
    const Matrix& sinT)
{
    const Eigen::Index half = cosT.cols(); // head_size / 2
    for (Eigen::Index i = 0; i < rows; ++i) {
        float* r = data + i * stride;
        const float* c = cosT.data() + i * half;
        const float* s = sinT.data() + i * half;
        for (Eigen::Index p = 0; p < width / 2; ++p) {
            const Eigen::Index j = p % half;
            const float v0 = r[2 * p];
            const float v1 = r[2 * p + 1];
            r[2 * p] = v0 * c[j] - v1 * s[j];
            r[2 * p + 1] = v0 * s[j] + v1 * c[j];
        }
    }
}

uint64_t saturatingMul(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

} // namespace

struct LlamaModel::KvCache {
    std::vector<Matrix> k; // per layer [capacity, kv_dim], post-RoPE
    std::vector<Matrix> v; // per layer [capacity, kv_dim]
    int length = 0;

    KvCache(int layers, int capacity, int kvDim)
        : k(static_cast<size_t>(layers), Matrix(capacity, kvDim))
        , v(static_cast<size_t>(layers), Matrix(capacity, kvDim))
    {
    }
};

LlamaModel::LlamaModel(Llama2cCheckpoint checkpoint)
    : m_checkpoint(std::move(checkpoint))
{
}

Status LlamaModel::validateTokens(const std::vector<int>& tokens) const
{
    const Llama2cConfig& c = config();
    if (tokens.empty())
        return makeError("no tokens to run: give at least one (BOS is token 1)");
    if (tokens.size() > static_cast<size_t>(c.seqLen))
        return makeError(std::to_string(tokens.size()) + " tokens are more than the model's context length of "
            + std::to_string(c.seqLen));
    for (size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] < 0 || tokens[i] >= c.vocabSize)
            return makeError("token " + std::to_string(tokens[i]) + " at position " + std::to_string(i)
                + " is outside the vocabulary (0.." + std::to_string(c.vocabSize - 1) + ")");
    return success();
}

Status LlamaModel::forwardBlock(const int* tokens, int n, KvCache& cache, ModelAttention* capture,
    const ComputeControl& control, bool reportLayers, std::vector<float>* lastLogits) const
{
    const Llama2cConfig& c = config();
    const int D = c.dim;
    const int hs = c.headSize();
    const int half = hs / 2;
    const int H = c.heads;
    const int kvDim = c.kvDim();
    const int group = c.heads / c.kvHeads;
    const int start = cache.length;
    const int total = start + n;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));

    Matrix x(n, D);
    const Matrix& embedding = m_checkpoint.tokenEmbedding();
    for (int i = 0; i < n; ++i)
        x.row(i) = embedding.row(tokens[i]);

    Matrix cosT(n, half);
    Matrix sinT(n, half);
    for (int j = 0; j < half; ++j) {
        const double frequency = 1.0 / std::pow(kRopeTheta, 2.0 * j / hs);
        for (int i = 0; i < n; ++i) {
            const double angle = static_cast<double>(start + i) * frequency;
            cosT(i, j) = static_cast<float>(std::cos(angle));
            sinT(i, j) = static_cast<float>(std::sin(angle));
        }
    }

    Matrix xb(n, D);
    Matrix q(n, D);
    Matrix att(n, D);
    Matrix scores(n, total);
    Matrix h1(n, c.hiddenDim);
    Matrix h3(n, c.hiddenDim);
    const auto& layers = m_checkpoint.layers();
    for (int l = 0; l < c.layers; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        const Llama2cCheckpoint::Layer& w = layers[static_cast<size_t>(l)];
        Matrix& kc = cache.k[static_cast<size_t>(l)];
        Matrix& vc = cache.v[static_cast<size_t>(l)];

        rmsNorm(x, w.rmsAtt, xb);
        q.noalias() = xb * w.wq.transpose();
        kc.middleRows(start, n).noalias() = xb * w.wk.transpose();
        vc.middleRows(start, n).noalias() = xb * w.wv.transpose();
        applyRope(q.data(), n, D, D, cosT, sinT);
        applyRope(kc.data() + static_cast<Eigen::Index>(start) * kvDim, n, kvDim, kvDim, cosT, sinT);

        for (int h = 0; h < H; ++h) {
            const int kvh = h / group;
            scores.noalias() = q.middleCols(h * hs, hs) * kc.block(0, kvh * hs, total, hs).transpose();
            for (int i = 0; i < n; ++i) {
                float* row = scores.data() + static_cast<Eigen::Index>(i) * total;
                const int valid = start + i + 1; // causal: keys 0 .. start + i
                float maxValue = row[0] * scale;
                for (int j = 0; j < valid; ++j) {
                    row[j] *= scale;
                    maxValue = std::max(maxValue, row[j]);
                }
                float sum = 0.0f;
                for (int j = 0; j < valid; ++j) {
                    row[j] = std::exp(row[j] - maxValue);
                    sum += row[j];
                }
                const float inverse = 1.0f / sum;
                for (int j = 0; j < valid; ++j)
                    row[j] *= inverse;
                std::fill(row + valid, row + total, 0.0f);
            }
            att.middleCols(h * hs, hs).noalias() = scores * vc.block(0, kvh * hs, total, hs);

            if (capture) { // only for a block starting at position 0, so scores is [n, n]
                std::memcpy(capture->weights.data() + capture->mapOffset(l, h), scores.data(),
                    sizeof(float) * static_cast<size_t>(n) * static_cast<size_t>(n));
                if (!capture->queries.empty()) {
                    const size_t base = capture->mapOffset(l, h) / static_cast<size_t>(n) * static_cast<size_t>(hs);
                    for (int i = 0; i < n; ++i) {
                        const size_t at = base + static_cast<size_t>(i) * static_cast<size_t>(hs);
                        std::memcpy(capture->queries.data() + at,
                            q.data() + static_cast<Eigen::Index>(i) * D + h * hs, sizeof(float) * static_cast<size_t>(hs));
                        std::memcpy(capture->keys.data() + at,
                            kc.data() + static_cast<Eigen::Index>(i) * kvDim + kvh * hs,
                            sizeof(float) * static_cast<size_t>(hs));
                        std::memcpy(capture->values.data() + at,
                            vc.data() + static_cast<Eigen::Index>(i) * kvDim + kvh * hs,
                            sizeof(float) * static_cast<size_t>(hs));
                    }
                }
            }
        }
        x.noalias() += att * w.wo.transpose();

        rmsNorm(x, w.rmsFfn, xb);
        h1.noalias() = xb * w.w1.transpose();
        h3.noalias() = xb * w.w3.transpose();
        h1.array() = h1.array() / (1.0f + (-h1.array()).exp()) * h3.array(); // silu(w1 x) * w3 x
        x.noalias() += h1 * w.w2.transpose();

        if (reportLayers)
            control.report(static_cast<double>(l + 1) / c.layers);
    }
    cache.length = total;

    if (lastLogits) {
        Matrix last = x.bottomRows(1);
        Matrix normed(1, D);
        rmsNorm(last, m_checkpoint.rmsFinal(), normed);
        const Vector logits = m_checkpoint.classifier() * normed.transpose();
        lastLogits->assign(logits.data(), logits.data() + logits.size());
    }
    return success();
}

Expected<ModelAttention> LlamaModel::forward(
    const std::vector<int>& tokens, const LlamaRunOptions& options, const ComputeControl& control) const
{
    if (auto st = validateTokens(tokens); !st)
        return st.takeError();
    const Llama2cConfig& c = config();
    const auto n = static_cast<uint64_t>(tokens.size());
    const auto perHead = static_cast<uint64_t>(c.layers) * static_cast<uint64_t>(c.heads);
    uint64_t needed = saturatingMul(saturatingMul(perHead, n * n), sizeof(float));
    if (options.keepQueriesKeys)
        needed += saturatingMul(saturatingMul(perHead, n * static_cast<uint64_t>(c.headSize())), 3 * sizeof(float));
    const uint64_t limit = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    if (needed > limit)
        return makeError("capturing the attention of " + std::to_string(n) + " tokens needs " + mbText(needed) + " ("
            + std::to_string(c.layers) + " layers x " + std::to_string(c.heads) + " heads x " + std::to_string(n) + " x "
            + std::to_string(n) + "), more than the memory budget of " + mbText(limit) + ": use a shorter prompt");

    ModelAttention result;
    result.layers = c.layers;
    result.heads = c.heads;
    result.tokens = static_cast<int>(n);
    result.headSize = c.headSize();
    result.tokenIds = tokens;
    result.tokenLabels.reserve(tokens.size());
    for (int id : tokens)
        result.tokenLabels.push_back(options.tokenizer ? options.tokenizer->label(id) : "#" + std::to_string(id));
    result.weights.assign(static_cast<size_t>(perHead * n * n), 0.0f);
    if (options.keepQueriesKeys) {
        result.queries.assign(static_cast<size_t>(perHead * n * static_cast<uint64_t>(c.headSize())), 0.0f);
        result.keys.assign(result.queries.size(), 0.0f);
        result.values.assign(result.queries.size(), 0.0f);
    }

    KvCache cache(c.layers, static_cast<int>(n), c.kvDim());
    if (auto st = forwardBlock(tokens.data(), static_cast<int>(n), cache, &result, control, true, &result.lastLogits);
        !st)
        return st.takeError();
    return result;
}

Expected<std::vector<int>> LlamaModel::generateGreedy(
    const std::vector<int>& prompt, int steps, const ComputeControl& control) const
{
    if (auto st = validateTokens(prompt); !st)
        return st.takeError();
    if (steps < 0)
        return makeError("the number of tokens to generate is " + std::to_string(steps) + "; it cannot be negative");
    const Llama2cConfig& c = config();
    std::vector<int> generated;
    const auto promptLength = static_cast<int>(prompt.size());
    if (steps == 0 || promptLength >= c.seqLen)
        return generated;
    // Every returned token must fit the context, so that prompt + generated can be run again.
    const int capacity = static_cast<int>(std::min<int64_t>(c.seqLen, int64_t { promptLength } + steps));
    KvCache cache(c.layers, capacity, c.kvDim());
    std::vector<float> logits;
    if (auto st = forwardBlock(prompt.data(), promptLength, cache, nullptr, control, false, &logits); !st)
        return st.takeError();
    generated.reserve(static_cast<size_t>(capacity - promptLength));
    while (cache.length < c.seqLen) { // the next token's position must be inside the context
        // argmax, the first of equal maxima as run.c's
        const int next = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (next == Llama2cTokenizer::kBos || next == Llama2cTokenizer::kEos)
            break;
        generated.push_back(next);
        control.report(static_cast<double>(generated.size()) / steps);
        if (static_cast<int>(generated.size()) >= steps)
            break;
        if (auto st = forwardBlock(&next, 1, cache, nullptr, control, false, &logits); !st)
            return st.takeError();
    }
    return generated;
}

} // namespace attn
