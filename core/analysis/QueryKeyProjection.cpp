#include "QueryKeyProjection.h"

#include "TsneEmbedding.h"

#include <Eigen/Eigenvalues>

#include <cmath>

namespace attn {

namespace {
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr int kMaxDim = 4096;
} // namespace

Expected<QueryKeyPoints> QueryKeyProjection::project(
    const float* queries, int nq, const float* keys, int nk, int dim, bool translateKeys, QkLayout layout)
{
    if (nq < 1 || nk < 1)
        return makeError("the query/key projection needs at least one query and one key");
    if (dim < 1 || dim > kMaxDim)
        return makeError("the query/key projection needs a head dimension from 1 to "
            + std::to_string(kMaxDim) + " (got " + std::to_string(dim) + ")");
    const int rows = nq + nk;
    MatD x(rows, dim);
    x.topRows(nq) = Eigen::Map<const Matrix>(queries, nq, dim).cast<double>();
    x.bottomRows(nk) = Eigen::Map<const Matrix>(keys, nk, dim).cast<double>();
    if (!x.allFinite())
        return makeError("the queries or keys contain NaN or infinity");
    QueryKeyPoints p;
    p.queries = nq;
    p.keys = nk;
    p.translated = translateKeys;
    if (translateKeys) {
        const Eigen::RowVectorXd shift = x.topRows(nq).colwise().mean() - x.bottomRows(nk).colwise().mean();
        x.bottomRows(nk).rowwise() += shift;
    }
    x.rowwise() -= x.colwise().mean();
    const MatD cov = (x.transpose() * x) / std::max(1, rows - 1);
    Eigen::SelfAdjointEigenSolver<MatD> solver(cov);
    if (solver.info() != Eigen::Success)
        return makeError("the query/key projection: the eigen decomposition did not converge");
    const Eigen::VectorXd& values = solver.eigenvalues(); // ascending
    const double trace = std::max(0.0, values.sum());
    p.x.assign(static_cast<size_t>(rows), 0.0f);
    p.y.assign(static_cast<size_t>(rows), 0.0f);
    for (int c = 0; c < std::min(2, dim); ++c) {
        Eigen::VectorXd v = solver.eigenvectors().col(dim - 1 - c);
        Eigen::Index largest = 0;
        for (Eigen::Index i = 1; i < v.size(); ++i)
            if (std::abs(v[i]) > std::abs(v[largest]) + 1e-12)
                largest = i;
        if (v[largest] < 0)
            v = -v;
        const Eigen::VectorXd projected = x * v;
        auto& out = c == 0 ? p.x : p.y;
        for (int i = 0; i < rows; ++i)
            out[static_cast<size_t>(i)] = static_cast<float>(projected[i]);
        p.explained[c] = trace > 0.0 ? std::max(0.0, values[dim - 1 - c]) / trace : 0.0;
    }
    if (layout == QkLayout::Tsne) {
        std::vector<double> points(x.data(), x.data() + x.size()); // row-major, translated, centred
        std::vector<double> init(static_cast<size_t>(rows) * 2);
        for (int i = 0; i < rows; ++i) {
            init[2 * static_cast<size_t>(i)] = p.x[static_cast<size_t>(i)];
            init[2 * static_cast<size_t>(i) + 1] = p.y[static_cast<size_t>(i)];
        }
        auto y = TsneEmbedding::embed(points, rows, dim, init);
        if (!y)
            return y.takeError();
        for (int i = 0; i < rows; ++i) {
            p.x[static_cast<size_t>(i)] = static_cast<float>((*y)[2 * static_cast<size_t>(i)]);
            p.y[static_cast<size_t>(i)] = static_cast<float>((*y)[2 * static_cast<size_t>(i) + 1]);
        }
        p.tsne = true;
    }
    return p;
}

Expected<std::pair<std::vector<float>, std::vector<float>>> QueryKeyProjection::headVectors(
    const AttentionResult& r, int layer, int head)
{
    if (layer < 0 || layer >= r.layers || head < 0 || head >= r.heads)
        return makeError("the query/key view needs one head (layer " + std::to_string(layer) + ", head "
            + std::to_string(head) + " is not in the result)");
    const int d = r.headDim;
    const size_t heads = static_cast<size_t>(r.layers) * r.heads;
    if (d > 0 && r.layerQueries.size() == heads * r.queryCount * d
        && r.layerKeys.size() == heads * r.keyCount * d) {
        const size_t group = static_cast<size_t>(layer) * r.heads + head;
        const float* q = &r.layerQueries[group * r.queryCount * d];
        const float* k = &r.layerKeys[group * r.keyCount * d];
        return std::make_pair(std::vector<float>(q, q + static_cast<size_t>(r.queryCount) * d),
            std::vector<float>(k, k + static_cast<size_t>(r.keyCount) * d));
    }
    if (r.mapsOnDemand() && d > 0) { // the trace keeps them: queries per head, keys per kv group
        const AttentionTrace& t = r.maps->trace();
        const LayerTrace& lt = t.layers[static_cast<size_t>(layer)];
        const int kvHead = head / std::max(1, t.heads / std::max(1, t.kvHeads));
        std::vector<float> q(static_cast<size_t>(r.queryCount) * d), k(static_cast<size_t>(r.keyCount) * d);
        Eigen::Map<Matrix>(q.data(), r.queryCount, d) = lt.queries.middleCols(static_cast<Eigen::Index>(head) * d, d);
        Eigen::Map<Matrix>(k.data(), r.keyCount, d) = lt.keys.middleCols(static_cast<Eigen::Index>(kvHead) * d, d);
        return std::make_pair(std::move(q), std::move(k));
    }
    if (r.layers == 1 && d > 0 && r.q.rows() == r.queryCount && r.k.rows() == r.keyCount
        && r.q.cols() >= static_cast<Eigen::Index>(head + 1) * d
        && r.k.cols() >= static_cast<Eigen::Index>(head + 1) * d) {
        std::vector<float> q(static_cast<size_t>(r.queryCount) * d), k(static_cast<size_t>(r.keyCount) * d);
        Eigen::Map<Matrix>(q.data(), r.queryCount, d)
            = r.q.middleCols(static_cast<Eigen::Index>(head) * d, d);
        Eigen::Map<Matrix>(k.data(), r.keyCount, d) = r.k.middleCols(static_cast<Eigen::Index>(head) * d, d);
        return std::make_pair(std::move(q), std::move(k));
    }
    return makeError("this result keeps no per-head queries and keys (the query/key view needs them)");
}

Expected<QueryKeyPoints> QueryKeyProjection::forHead(
    const AttentionResult& r, int layer, int head, bool translateKeys, QkLayout layout)
{
    auto vectors = headVectors(r, layer, head);
    if (!vectors)
        return vectors.takeError();
    return project(vectors->first.data(), r.queryCount, vectors->second.data(), r.keyCount, r.headDim,
        translateKeys, layout);
}

} // namespace attn
