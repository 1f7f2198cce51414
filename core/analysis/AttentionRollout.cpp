#include "AttentionRollout.h"

#include "MemoryBudget.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attn {

namespace {
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}

Expected<HeadFusion> AttentionRollout::parseFusion(const std::string& name)
{
    if (name == "mean")
        return HeadFusion::Mean;
    if (name == "min")
        return HeadFusion::Min;
    if (name == "max")
        return HeadFusion::Max;
    return makeError("unknown head fusion '" + name + "' (expected mean, min or max)");
}

const char* AttentionRollout::fusionName(HeadFusion fusion)
{
    switch (fusion) {
    case HeadFusion::Min:
        return "min";
    case HeadFusion::Max:
        return "max";
    case HeadFusion::Mean:
        break;
    }
    return "mean";
}

std::vector<double> AttentionRollout::fuseHeads(const AttentionResult& r, int layer, HeadFusion fusion)
{
    // In tiles of rows through copyRows: held maps are read, maps on demand made a tile at a time
    // (no head's whole map is held), in head order so both give the same values.
    constexpr int kTileRows = 64;
    const int nq = r.queryCount, nk = r.keyCount;
    std::vector<double> out(static_cast<size_t>(nq) * static_cast<size_t>(nk), 0.0);
    if (r.heads < 1 || nq < 1 || nk < 1)
        return out;
    const int tiles = (nq + kTileRows - 1) / kTileRows;
#pragma omp parallel if (tiles > 1 && r.mapsOnDemand())
    {
        std::vector<float> rows(static_cast<size_t>(kTileRows) * static_cast<size_t>(nk));
#pragma omp for schedule(dynamic, 1)
        for (int tile = 0; tile < tiles; ++tile) {
            const int r0 = tile * kTileRows, r1 = std::min(nq, r0 + kTileRows);
            const size_t cells = static_cast<size_t>(r1 - r0) * static_cast<size_t>(nk);
            double* acc = out.data() + static_cast<size_t>(r0) * static_cast<size_t>(nk);
            for (int h = 0; h < r.heads; ++h) {
                r.copyRows(layer, h, r0, r1, rows.data());
                for (size_t c = 0; c < cells; ++c) {
                    const double w = rows[c];
                    if (h == 0)
                        acc[c] = w;
                    else if (fusion == HeadFusion::Mean)
                        acc[c] += w;
                    else if (fusion == HeadFusion::Min)
                        acc[c] = std::min(acc[c], w);
                    else
                        acc[c] = std::max(acc[c], w);
                }
            }
            if (fusion == HeadFusion::Mean)
                for (size_t c = 0; c < cells; ++c)
                    acc[c] /= r.heads;
        }
    }
    return out;
}

void AttentionRollout::discardSmallest(double* map, int n, double ratio)
{
    if (n < 2 || !(ratio > 0.0))
        return;
    const int count = std::min(n - 1, static_cast<int>(std::floor(ratio * (n - 1))));
    if (count <= 0)
        return;
    std::vector<int> order;
    order.reserve(static_cast<size_t>(n - 1));
    for (int i = 0; i < n; ++i) {
        double* row = map + static_cast<size_t>(i) * static_cast<size_t>(n);
        order.clear();
        for (int j = 0; j < n; ++j)
            if (j != i)
                order.push_back(j);
        std::partial_sort(order.begin(), order.begin() + count, order.end(),
            [row](int a, int b) { return row[a] < row[b] || (row[a] == row[b] && a < b); });
        for (int t = 0; t < count; ++t)
            row[order[static_cast<size_t>(t)]] = 0.0;
    }
}

Expected<std::vector<float>> AttentionRollout::compute(
    const AttentionResult& r, const RolloutOptions& options, const ComputeControl& control)
{
    if (r.cross || r.queryCount != r.keyCount)
        return makeError("attention rollout needs self-attention (as many queries as keys); this result has "
            + std::to_string(r.queryCount) + " queries and " + std::to_string(r.keyCount) + " keys");
    const int n = r.keyCount;
    if (n < 1 || r.layers < 1 || r.heads < 1)
        return makeError("attention rollout: the result is empty");
    if (!(options.discardRatio >= 0.0 && options.discardRatio < 1.0))
        return makeError("attention rollout: the discard ratio must be in [0, 1) (got "
            + std::to_string(options.discardRatio) + ")");
    if (options.lastLayer >= r.layers)
        return makeError("attention rollout: layer " + std::to_string(options.lastLayer)
            + " does not exist (the result has " + std::to_string(r.layers) + " layers)");
    const size_t expected = static_cast<size_t>(r.layers) * r.heads * static_cast<size_t>(n) * n;
    if (!r.mapsOnDemand() && r.weights.size() != expected)
        return makeError("attention rollout: the weights hold " + std::to_string(r.weights.size())
            + " values, the shape needs " + std::to_string(expected));
    // Three N x N double matrices (fused, rollout, product) plus the float result.
    const uint64_t need
        = static_cast<uint64_t>(n) * static_cast<uint64_t>(n) * (3 * sizeof(double) + sizeof(float));
    const uint64_t limit
        = control.memoryLimitBytes ? control.memoryLimitBytes : defaultMemoryLimit();
    if (need > limit)
        return makeError("attention rollout over " + std::to_string(n) + " tokens needs "
            + std::to_string(need >> 20) + " MB, more than the memory budget of "
            + std::to_string(limit >> 20) + " MB");
    for (float w : r.weights) // maps on demand: each layer's fused map is checked as it is made
        if (!std::isfinite(w))
            return makeError("attention rollout: the attention weights contain NaN or infinity");

    const int last = options.lastLayer < 0 ? r.layers - 1 : options.lastLayer;
    MatD rollout = MatD::Identity(n, n);
    MatD product(n, n);
    for (int l = 0; l <= last; ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        std::vector<double> fused = fuseHeads(r, l, options.fusion);
        if (r.mapsOnDemand() && !std::all_of(fused.begin(), fused.end(), [](double w) { return std::isfinite(w); }))
            return makeError("attention rollout: the attention weights of layer " + std::to_string(l)
                + " contain NaN or infinity");
        discardSmallest(fused.data(), n, options.discardRatio);
        Eigen::Map<MatD> a(fused.data(), n, n);
        a *= 0.5;
        a.diagonal().array() += 0.5;
        for (int i = 0; i < n; ++i) {
            const double sum = a.row(i).sum(); // >= 0.5: the identity's share survives any discard
            a.row(i) /= sum;
        }
        // A causal model's maps are lower triangular, and so is every product of them: half the work.
        bool lower = true;
        for (int i = 0; i < n && lower; ++i)
            lower = (a.row(i).tail(n - 1 - i).array() == 0.0).all();
        if (lower)
            product.noalias() = a.triangularView<Eigen::Lower>() * rollout;
        else
            product.noalias() = a * rollout;
        rollout.swap(product);
        control.report(static_cast<double>(l + 1) / (last + 1));
    }
    std::vector<float> out(static_cast<size_t>(n) * n);
    Eigen::Map<Matrix>(out.data(), n, n) = rollout.cast<float>();
    return out;
}

std::vector<float> AttentionRollout::patchMap(
    const std::vector<float>& rollout, int n, int clsRow, int firstPatch)
{
    if (n < 1 || firstPatch < 0 || firstPatch >= n || rollout.size() != static_cast<size_t>(n) * n
        || clsRow >= n)
        return {};
    std::vector<float> out(static_cast<size_t>(n - firstPatch), 0.0f);
    for (int j = firstPatch; j < n; ++j) {
        double v = 0.0;
        if (clsRow >= 0) {
            v = rollout[static_cast<size_t>(clsRow) * n + j];
        } else {
            for (int i = 0; i < n; ++i)
                v += rollout[static_cast<size_t>(i) * n + j];
            v /= n;
        }
        out[static_cast<size_t>(j - firstPatch)] = static_cast<float>(v);
    }
    return out;
}

} // namespace attn
