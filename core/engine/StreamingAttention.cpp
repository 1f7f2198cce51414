#include "StreamingAttention.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attn {

namespace {

constexpr float kNoScore = std::numeric_limits<float>::quiet_NaN();

// Rows of one query block: with the heads of a kv group stacked, a block holds about 256 score rows.
int queryBlockRows(int group)
{
    return std::clamp(256 / std::max(group, 1), 16, 128);
}

void scaleAndCap(float* s, int count, float scale, float cap)
{
    Eigen::Map<Eigen::ArrayXf> a(s, count);
    a *= scale;
    if (cap > 0.0f) {
        const float inverse = 1.0f / cap;
        for (int j = 0; j < count; ++j)
            s[j] = cap * std::tanh(s[j] * inverse);
    }
}

} // namespace

void RowStatistics::resize(int headCount, int rowCount)
{
    heads = headCount;
    rows = rowCount;
    const size_t size = static_cast<size_t>(headCount) * static_cast<size_t>(rowCount);
    for (auto* v : {&rowMax, &rowSum, &entropy, &distance, &firstWeight, &previousWeight})
        v->assign(size, 0.0f);
}

HeadStats RowStatistics::summary(int head, int queryOffset) const
{
    HeadStats s;
    int previousRows = 0;
    for (int i = 0; i < rows; ++i) {
        const size_t a = at(head, i);
        s.entropy += entropy[a];
        s.meanDistance += distance[a];
        s.firstTokenMass += firstWeight[a];
        s.maxWeight = std::max(s.maxWeight, 1.0 / static_cast<double>(rowSum[a]));
        if (queryOffset + i >= 1) {
            s.previousTokenMass += previousWeight[a];
            ++previousRows;
        }
    }
    if (rows > 0) {
        s.entropy /= rows;
        s.meanDistance /= rows;
        s.firstTokenMass /= rows;
    }
    if (previousRows > 0)
        s.previousTokenMass /= previousRows;
    return s;
}

void StreamingAttention::attend(const ConstMatrixRef& q, const ConstMatrixRef& k, const ConstMatrixRef& v,
    const AttentionRule& rule, Matrix& context, RowStatistics* stats)
{
    const auto n = static_cast<int>(q.rows());
    const auto total = static_cast<int>(k.rows());
    const int d = rule.headDim;
    const int group = rule.heads / rule.kvHeads;
    context.resize(n, static_cast<Eigen::Index>(rule.heads) * d);
    if (stats)
        stats->resize(rule.heads, n);
    const int block = queryBlockRows(group);
    const int blocks = (n + block - 1) / block;
    const int tasks = rule.kvHeads * blocks;
    const double work = static_cast<double>(n) * total * rule.heads * d;

#pragma omp parallel if (tasks > 1 && work > 4.0e6)
    {
        Matrix qs, s, o;
        Eigen::ArrayXf e, position, shifted, distance;
        std::vector<float> m;
        std::vector<double> l, t, dist;
        std::vector<float> firstScore, previousScore;
#pragma omp for schedule(dynamic, 1)
        for (int task = 0; task < tasks; ++task) {
            const int g = task / blocks;
            const int b = blocks - 1 - task % blocks; // the longest (last, under a causal mask) blocks first
            const int i0 = b * block;
            const int rows = std::min(n, i0 + block) - i0;
            const int stacked = group * rows;
            qs.resize(stacked, d);
            for (int h = 0; h < group; ++h)
                qs.middleRows(static_cast<Eigen::Index>(h) * rows, rows)
                    = q.block(i0, static_cast<Eigen::Index>(g * group + h) * d, rows, d);
            o.setZero(stacked, d);
            m.assign(static_cast<size_t>(stacked), -std::numeric_limits<float>::infinity());
            l.assign(static_cast<size_t>(stacked), 0.0);
            t.assign(static_cast<size_t>(stacked), 0.0);
            dist.assign(static_cast<size_t>(stacked), 0.0);
            firstScore.assign(static_cast<size_t>(stacked), kNoScore);
            previousScore.assign(static_cast<size_t>(stacked), kNoScore);
            const int jBegin = rule.keyBegin(i0);
            const int jEnd = rule.keyEnd(i0 + rows - 1, total);
            for (int j0 = jBegin; j0 < jEnd; j0 += kKeyTile) {
                const int cols = std::min(kKeyTile, jEnd - j0);
                s.resize(stacked, cols);
                s.noalias() = qs * k.block(j0, static_cast<Eigen::Index>(g) * d, cols, d).transpose();
                position = Eigen::ArrayXf::LinSpaced(cols, static_cast<float>(j0), static_cast<float>(j0 + cols - 1));
                for (int r = 0; r < stacked; ++r) {
                    const int i = i0 + r % rows;
                    const int p = rule.queryOffset + i;
                    const int c0 = std::max(rule.keyBegin(i), j0) - j0;
                    const int c1 = std::min(rule.keyEnd(i, total), j0 + cols) - j0;
                    float* row = s.data() + static_cast<Eigen::Index>(r) * cols;
                    if (c1 <= c0) {
                        std::fill(row, row + cols, 0.0f);
                        continue;
                    }
                    const int len = c1 - c0;
                    scaleAndCap(row + c0, len, rule.scale, rule.softCap);
                    if (j0 + c0 == 0)
                        firstScore[static_cast<size_t>(r)] = row[c0];
                    if (p - 1 >= j0 + c0 && p - 1 < j0 + c1)
                        previousScore[static_cast<size_t>(r)] = row[p - 1 - j0];
                    // The shifted scores and their exponentials in this thread's own aligned arrays, so
                    // that which elements take Eigen's vector or scalar path (and the order of the sums)
                    // depends on the length only, not on where the row lies: the same prompt gives the
                    // same bits whichever thread ran the block.
                    Eigen::Map<Eigen::ArrayXf> x(row + c0, len);
                    const float old = m[static_cast<size_t>(r)];
                    const float top = std::max(old, x.maxCoeff());
                    shifted = x - top;
                    e = shifted.exp();
                    const double sumE = e.sum();
                    const double sumEX = (e * shifted).sum();
                    distance = (position.segment(c0, len) - static_cast<float>(p)).abs();
                    const double sumED = (e * distance).sum();
                    x = e;
                    std::fill(row, row + c0, 0.0f);
                    std::fill(row + c1, row + cols, 0.0f);
                    const auto ri = static_cast<size_t>(r);
                    if (l[ri] > 0.0) {
                        const double alpha = std::exp(static_cast<double>(old) - top);
                        t[ri] = alpha * (t[ri] + (static_cast<double>(old) - top) * l[ri]);
                        l[ri] *= alpha;
                        dist[ri] *= alpha;
                        if (old != top)
                            o.row(r) *= static_cast<float>(alpha);
                    }
                    t[ri] += sumEX;
                    l[ri] += sumE;
                    dist[ri] += sumED;
                    m[ri] = top;
                }
                o.noalias() += s * v.block(j0, static_cast<Eigen::Index>(g) * d, cols, d);
            }
            for (int r = 0; r < stacked; ++r) {
                const auto ri = static_cast<size_t>(r);
                const int h = g * group + r / rows;
                const int i = i0 + r % rows;
                context.row(i).segment(static_cast<Eigen::Index>(h) * d, d)
                    = o.row(r) * static_cast<float>(1.0 / l[ri]);
                if (!stats)
                    continue;
                const size_t a = stats->at(h, i);
                stats->rowMax[a] = m[ri];
                stats->rowSum[a] = static_cast<float>(l[ri]);
                stats->entropy[a] = static_cast<float>(std::log(l[ri]) - t[ri] / l[ri]);
                stats->distance[a] = static_cast<float>(dist[ri] / l[ri]);
                auto weightOf = [&](float score) {
                    return std::isnan(score) ? 0.0f
                                             : static_cast<float>(std::exp(static_cast<double>(score) - m[ri]) / l[ri]);
                };
                stats->firstWeight[a] = weightOf(firstScore[ri]);
                stats->previousWeight[a] = weightOf(previousScore[ri]);
            }
        }
    }
}

void StreamingAttention::weights(const ConstMatrixRef& q, const ConstMatrixRef& k, const AttentionRule& rule,
    int head, const float* rowMax, const float* rowSum, int row0, int row1, float* out)
{
    const auto total = static_cast<int>(k.rows());
    const int d = rule.headDim;
    const int g = rule.kvHeadOf(head);
    const int rows = row1 - row0;
    if (rows <= 0)
        return;
    Eigen::Map<Matrix> o(out, rows, total);
    Eigen::ArrayXf weightsRow;
    const int begin = rule.keyBegin(row0);
    const int end = rule.keyEnd(row1 - 1, total);
    o.middleCols(begin, end - begin).noalias() = q.block(row0, static_cast<Eigen::Index>(head) * d, rows, d)
        * k.block(begin, static_cast<Eigen::Index>(g) * d, end - begin, d).transpose();
    for (int r = 0; r < rows; ++r) {
        const int i = row0 + r;
        float* row = out + static_cast<size_t>(r) * total;
        const int c0 = rule.keyBegin(i);
        const int c1 = rule.keyEnd(i, total);
        std::fill(row, row + c0, 0.0f);
        std::fill(row + c1, row + total, 0.0f);
        scaleAndCap(row + c0, c1 - c0, rule.scale, rule.softCap);
        Eigen::Map<Eigen::ArrayXf> x(row + c0, c1 - c0);
        // Through an aligned array, as in attend(): the same bits wherever `out` lies.
        weightsRow = (x - rowMax[i]).exp() * (1.0f / rowSum[i]);
        x = weightsRow;
    }
}

} // namespace attn
