#include "AttentionEngine.h"

#include "Normaliser.h"
#include "ProjectionBuilder.h"
#include "ScoreFunction.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>
#include <unistd.h>

namespace attn {

namespace {

std::string formatBytes(uint64_t bytes)
{
    std::ostringstream out;
    out.precision(3);
    if (bytes >= (1ULL << 30))
        out << static_cast<double>(bytes) / (1ULL << 30) << " GiB";
    else
        out << static_cast<double>(bytes) / (1ULL << 20) << " MiB";
    return out.str();
}

Status validate(const AttentionInput& in, const Mechanism& m)
{
    if (in.keys.rows() == 0)
        return makeError("the input is empty: there is nothing to attend over");
    if (in.keys.cols() == 0)
        return makeError("the input vectors have no components");
    if (in.isCross()) {
        if (in.queries->rows() == 0)
            return makeError("the query sequence is empty");
        if (in.queries->cols() != in.keys.cols()) {
            std::ostringstream msg;
            msg << "the queries have dimension " << in.queries->cols() << " but the inputs (keys) have dimension "
                << in.keys.cols() << ": both sequences must have the same dimension";
            return makeError(msg.str());
        }
    }
    auto checkFinite = [](const Matrix& x, const char* what) -> Status {
        for (Eigen::Index r = 0; r < x.rows(); ++r)
            for (Eigen::Index c = 0; c < x.cols(); ++c)
                if (!std::isfinite(x(r, c))) {
                    std::ostringstream msg;
                    msg << what << " row " << r << ", column " << c << " is " << x(r, c)
                        << ": NaN and Inf cannot be attended over";
                    return makeError(msg.str());
                }
        return success();
    };
    if (auto st = checkFinite(in.keys, "input"); !st)
        return st;
    if (in.isCross())
        if (auto st = checkFinite(*in.queries, "query"); !st)
            return st;
    if (!std::isfinite(m.temperature) || m.temperature <= 0.0) {
        std::ostringstream msg;
        msg << "the temperature must be a positive number (got " << m.temperature << ")";
        return makeError(msg.str());
    }
    if (m.scope != ScopeKind::Global && m.window < 1)
        return makeError("the window W must be at least 1 (got " + std::to_string(m.window) +
                         "); with W = 0 every token would see only itself");
    if (m.scope == ScopeKind::Hybrid && m.globalTokens < 0)
        return makeError("the number of global tokens G must be 0 or more (got " +
                         std::to_string(m.globalTokens) + ")");
    if (m.heads < 1)
        return makeError("the number of heads must be at least 1 (got " + std::to_string(m.heads) + ")");
    if (m.combine == CombineKind::SoftSelection && m.topK < 1)
        return makeError("soft selection needs k >= 1 (got " + std::to_string(m.topK) + ")");
    for (int j : m.paddedKeys)
        if (j < 0 || j >= in.keys.rows())
            return makeError("padded key index " + std::to_string(j) + " is outside the input (0.." +
                             std::to_string(in.keys.rows() - 1) + ")");
    return success();
}

Matrix project(const Matrix& x, const Matrix& w, const Vector& b)
{
    Matrix y(x.rows(), w.rows());
    y.noalias() = x * w.transpose();
    y.rowwise() += b.transpose();
    return y;
}

float sigmoid(float x) { return x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x)); }

std::string rowErrorMessage(const RowOutcome& o, const AttentionResult& r, int head, int query)
{
    std::ostringstream msg;
    const std::string q = "'" + r.queryLabels[static_cast<size_t>(query)] + "' [" + std::to_string(query) + "]";
    if (o.kind == RowOutcome::NegativeScore) {
        msg << "the ratio normaliser needs non-negative scores, but the score of query " << q << " for key '"
            << r.keyLabels[static_cast<size_t>(o.key)] << "' [" << o.key << "] is " << o.value;
        if (r.heads > 1)
            msg << " (head " << head << ")";
        msg << ": use softmax or sigmoid, or inputs whose scores cannot be negative";
    } else {
        msg << "the ratio normaliser cannot normalise query " << q
            << ": its visible scores sum to 0; use softmax or sigmoid";
    }
    return msg.str();
}

// Soft selection: keep each row's k largest weights, renormalised to sum 1.
Matrix softSelect(const float* weights, int nq, int nk, int k, const Matrix& v)
{
    Matrix out = Matrix::Zero(nq, v.cols());
    std::vector<int> order(static_cast<size_t>(nk));
    for (int i = 0; i < nq; ++i) {
        const float* row = weights + static_cast<size_t>(i) * nk;
        std::iota(order.begin(), order.end(), 0);
        const int keep = std::min(k, nk);
        std::partial_sort(order.begin(), order.begin() + keep, order.end(),
            [row](int a, int b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
        double sum = 0.0;
        for (int t = 0; t < keep; ++t)
            sum += row[order[static_cast<size_t>(t)]];
        if (sum <= 0.0)
            continue;
        for (int t = 0; t < keep; ++t) {
            const int j = order[static_cast<size_t>(t)];
            out.row(i) += static_cast<float>(row[j] / sum) * v.row(j);
        }
    }
    return out;
}

} // namespace

uint64_t AttentionEngine::mapBytes(const Mechanism& m, int nq, int nk, int heads)
{
    const uint64_t one = static_cast<uint64_t>(nq) * static_cast<uint64_t>(nk) * static_cast<uint64_t>(heads) * 4u;
    return m.keepScores ? 2 * one : one;
}

uint64_t AttentionEngine::defaultMemoryLimit()
{
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || pageSize <= 0)
        return 4ULL << 30;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize) / 2;
}

Expected<AttentionResult> AttentionEngine::compute(
    const AttentionInput& in, const Mechanism& requested, const ComputeControl& control)
{
    Mechanism mech = requested;
    for (int j : in.paddedKeys)
        if (std::find(mech.paddedKeys.begin(), mech.paddedKeys.end(), j) == mech.paddedKeys.end())
            mech.paddedKeys.push_back(j);
    const auto start = std::chrono::steady_clock::now();
    if (auto st = validate(in, mech); !st)
        return st.takeError();

    auto weights = ProjectionBuilder::build(mech, static_cast<int>(in.keys.cols()));
    if (!weights)
        return weights.takeError();
    const ProjectionWeights& pw = *weights;

    AttentionResult r;
    r.mechanism = mech;
    r.heads = pw.heads;
    r.cross = in.isCross();
    r.queryCount = static_cast<int>(in.queryMatrix().rows());
    r.keyCount = static_cast<int>(in.keys.rows());
    r.inputDim = pw.inputDim;
    r.modelDim = pw.modelDim;
    r.headDim = pw.headDim;
    r.keyLabels = in.keyLabels;
    r.queryLabels = in.queryLabelList();
    r.keyLabels.resize(static_cast<size_t>(r.keyCount));
    r.queryLabels.resize(static_cast<size_t>(r.queryCount));
    r.mask = MaskSpec(mech, r.queryCount, r.keyCount);

    const uint64_t limit = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    const uint64_t needed = mapBytes(mech, r.queryCount, r.keyCount, r.heads);
    if (needed > limit) {
        std::ostringstream msg;
        msg << "this computation needs " << formatBytes(needed) << " for its attention maps (" << r.heads
            << " head(s) x " << r.queryCount << " x " << r.keyCount << "), more than the memory budget of "
            << formatBytes(limit) << ": use fewer heads, a shorter input"
            << (mech.keepScores ? ", or do not keep raw scores" : "");
        return makeError(msg.str());
    }

    r.input = in.keys;
    if (r.cross)
        r.queryInput = *in.queries;
    const Matrix& xq = in.queryMatrix();
    if (pw.identity) {
        r.q = xq;
        r.k = in.keys;
        r.v = in.keys;
    } else {
        r.q = project(xq, pw.wq, pw.bq);
        r.k = project(in.keys, pw.wk, pw.bk);
        r.v = project(in.keys, pw.wv, pw.bv);
    }

    // Dynamic attention: one value per query from its own input vector.
    std::vector<float> temperatures(static_cast<size_t>(r.queryCount), static_cast<float>(mech.temperature));
    if (mech.dynamic != DynamicKind::None) {
        r.dynamic.resize(r.queryCount);
        for (int i = 0; i < r.queryCount; ++i) {
            const float g = sigmoid(xq.row(i).dot(pw.dynamicW) + pw.dynamicB);
            if (mech.dynamic == DynamicKind::Gate) {
                r.dynamic[i] = g;
            } else {
                temperatures[static_cast<size_t>(i)] = static_cast<float>(mech.temperature) * (0.5f + g);
                r.dynamic[i] = temperatures[static_cast<size_t>(i)];
            }
        }
    }

    const size_t mapSize = static_cast<size_t>(r.queryCount) * static_cast<size_t>(r.keyCount);
    r.weights.assign(mapSize * static_cast<size_t>(r.heads), 0.0f);
    if (mech.keepScores)
        r.scores.assign(mapSize * static_cast<size_t>(r.heads), 0.0f);

    const auto score = ScoreFunction::create(mech.score, pw);
    const auto normaliser = Normaliser::create(mech.norm);
    const int dk = pw.headDim;
    const int nq = r.queryCount, nk = r.keyCount;
    const int outRows = mech.combine == CombineKind::ElementWise ? nk : nq;
    r.outputLabels = mech.combine == CombineKind::ElementWise ? r.keyLabels : r.queryLabels;
    r.concat.resize(outRows, pw.modelDim);

    for (int h = 0; h < r.heads; ++h) {
        if (control.cancelled())
            return makeError("cancelled");
        const Matrix qh = r.q.middleCols(h * dk, dk);
        const Matrix kh = r.k.middleCols(h * dk, dk);
        const Matrix vh = r.v.middleCols(h * dk, dk);
        float* weightMap = &r.weights[mapSize * static_cast<size_t>(h)];
        float* scoreMap = mech.keepScores ? &r.scores[mapSize * static_cast<size_t>(h)] : weightMap;
        score->compute(qh, kh, h, ScoreMap(scoreMap, nq, nk));

        std::vector<RowOutcome> outcomes(static_cast<size_t>(nq));
#pragma omp parallel
        {
            std::vector<uint8_t> visible(static_cast<size_t>(nk));
#pragma omp for schedule(static)
            for (int i = 0; i < nq; ++i) {
                r.mask.fillRow(i, visible.data());
                const size_t off = static_cast<size_t>(i) * static_cast<size_t>(nk);
                outcomes[static_cast<size_t>(i)] = normaliser->normaliseRow(
                    scoreMap + off, visible.data(), weightMap + off, nk, temperatures[static_cast<size_t>(i)]);
                if (mech.dynamic == DynamicKind::Gate) {
                    const float g = r.dynamic[i];
                    for (int j = 0; j < nk; ++j)
                        weightMap[off + static_cast<size_t>(j)] *= g;
                }
            }
        }
        for (int i = 0; i < nq; ++i) {
            const RowOutcome& o = outcomes[static_cast<size_t>(i)];
            if (o.kind == RowOutcome::NegativeScore || o.kind == RowOutcome::ZeroSum)
                return makeError(rowErrorMessage(o, r, h, i));
            if (o.kind == RowOutcome::FullyMasked && h == 0)
                r.warnings.push_back("query '" + r.queryLabels[static_cast<size_t>(i)] + "' [" +
                                     std::to_string(i) + "] sees no key: every key is masked, its weights are 0");
        }

        const Eigen::Map<const Matrix> a(weightMap, nq, nk);
        Matrix out;
        switch (mech.combine) {
        case CombineKind::WeightedSum:
            out.noalias() = a * vh;
            break;
        case CombineKind::ElementWise: {
            const Vector received = a.colwise().mean().transpose();
            out = received.asDiagonal() * vh;
            break;
        }
        case CombineKind::SoftSelection:
            out = softSelect(weightMap, nq, nk, mech.topK, vh);
            break;
        }
        r.concat.middleCols(h * dk, dk) = out;
        r.headOutputs.push_back(std::move(out));
        control.report(static_cast<double>(h + 1) / r.heads);
    }

    r.output = pw.identity ? r.concat : project(r.concat, pw.wo, pw.bo);
    r.computeMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

} // namespace attn
