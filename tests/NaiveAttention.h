#pragma once
// An independent, deliberately naive reference for the engine: double precision, plain loops,
// its own mask rules. It shares only the projection weights (ProjectionWeights) with the engine.
#include "Mechanism.h"
#include "ProjectionWeights.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace naive {

using Mat = std::vector<std::vector<double>>;

inline Mat toMat(const attn::Matrix& m)
{
    Mat out(m.rows(), std::vector<double>(m.cols()));
    for (int r = 0; r < m.rows(); ++r)
        for (int c = 0; c < m.cols(); ++c)
            out[r][c] = m(r, c);
    return out;
}

inline Mat project(const Mat& x, const attn::Matrix& w, const attn::Vector& b)
{
    Mat y(x.size(), std::vector<double>(w.rows(), 0.0));
    for (size_t i = 0; i < x.size(); ++i)
        for (int o = 0; o < w.rows(); ++o) {
            double s = b.size() ? b[o] : 0.0;
            for (int a = 0; a < w.cols(); ++a)
                s += w(o, a) * x[i][a];
            y[i][o] = s;
        }
    return y;
}

// gridCols > 0: the tokens are cells of a grid with that many columns (row-major), and windows
// are 2-D: the Chebyshev distance max(|dr|, |dc|) replaces |i - j|.
inline int windowDistance(int i, int j, int gridCols)
{
    if (gridCols <= 0)
        return std::abs(i - j);
    const int dr = std::abs(i / gridCols - j / gridCols), dc = std::abs(i % gridCols - j % gridCols);
    return dr > dc ? dr : dc;
}

inline bool masked(const attn::Mechanism& m, int i, int j, int gridCols = 0)
{
    for (int p : m.paddedKeys)
        if (p == j)
            return true;
    if (m.causal && j > i)
        return true;
    if (m.scope == attn::ScopeKind::Local)
        return windowDistance(i, j, gridCols) > m.window;
    if (m.scope == attn::ScopeKind::Hybrid)
        return !(i < m.globalTokens || j < m.globalTokens) && windowDistance(i, j, gridCols) > m.window;
    return false;
}

struct Result {
    bool ok = true;
    std::string error;
    std::vector<Mat> scores;  // per head
    std::vector<Mat> weights; // per head
    Mat output;
};

inline Result attention(
    const Mat& xq, const Mat& xk, const attn::Mechanism& m, const attn::ProjectionWeights& w, int gridCols = 0)
{
    Result r;
    const Mat q = w.identity ? xq : project(xq, w.wq, w.bq);
    const Mat k = w.identity ? xk : project(xk, w.wk, w.bk);
    const Mat v = w.identity ? xk : project(xk, w.wv, w.bv);
    const int nq = static_cast<int>(q.size()), nk = static_cast<int>(k.size());
    const int dk = w.headDim;
    Mat concat(nq, std::vector<double>(w.modelDim, 0.0));
    for (int h = 0; h < w.heads; ++h) {
        Mat s(nq, std::vector<double>(nk)), a(nq, std::vector<double>(nk, 0.0));
        for (int i = 0; i < nq; ++i)
            for (int j = 0; j < nk; ++j) {
                double val = 0.0;
                const int o = h * dk;
                switch (m.score) {
                case attn::ScoreKind::Dot:
                case attn::ScoreKind::ScaledDot:
                    for (int c = 0; c < dk; ++c)
                        val += q[i][o + c] * k[j][o + c];
                    if (m.score == attn::ScoreKind::ScaledDot)
                        val /= std::sqrt(double(dk));
                    break;
                case attn::ScoreKind::Bilinear:
                    for (int a1 = 0; a1 < dk; ++a1)
                        for (int b1 = 0; b1 < dk; ++b1)
                            val += q[i][o + a1] * w.bilinear[h](a1, b1) * k[j][o + b1];
                    break;
                case attn::ScoreKind::Cosine: {
                    double dot = 0, nqq = 0, nkk = 0;
                    for (int c = 0; c < dk; ++c) {
                        dot += q[i][o + c] * k[j][o + c];
                        nqq += q[i][o + c] * q[i][o + c];
                        nkk += k[j][o + c] * k[j][o + c];
                    }
                    val = (nqq > 0 && nkk > 0) ? dot / std::sqrt(nqq * nkk) : 0.0;
                    break;
                }
                case attn::ScoreKind::Additive:
                    for (int c = 0; c < dk; ++c) {
                        double pre = 0.0;
                        for (int a1 = 0; a1 < dk; ++a1)
                            pre += w.additiveWq[h](c, a1) * q[i][o + a1] + w.additiveWk[h](c, a1) * k[j][o + a1];
                        val += w.additiveV[h][c] * std::tanh(pre);
                    }
                    break;
                }
                s[i][j] = val;
            }
        for (int i = 0; i < nq; ++i) {
            double temperature = m.temperature;
            double gate = 1.0;
            if (m.dynamic != attn::DynamicKind::None) {
                double z = w.dynamicB;
                for (size_t c = 0; c < xq[i].size(); ++c)
                    z += w.dynamicW[c] * xq[i][c];
                const double g = 1.0 / (1.0 + std::exp(-z));
                if (m.dynamic == attn::DynamicKind::Gate)
                    gate = g;
                else
                    temperature = m.temperature * (0.5 + g);
            }
            if (m.norm == attn::NormKind::Softmax) {
                double mx = -INFINITY;
                for (int j = 0; j < nk; ++j)
                    if (!masked(m, i, j, gridCols))
                        mx = std::max(mx, s[i][j]);
                double sum = 0.0;
                for (int j = 0; j < nk; ++j)
                    if (!masked(m, i, j, gridCols))
                        sum += std::exp((s[i][j] - mx) / temperature);
                for (int j = 0; j < nk; ++j)
                    a[i][j] = masked(m, i, j, gridCols) ? 0.0 : std::exp((s[i][j] - mx) / temperature) / sum;
            } else if (m.norm == attn::NormKind::Sigmoid) {
                for (int j = 0; j < nk; ++j)
                    a[i][j] = masked(m, i, j, gridCols) ? 0.0 : 1.0 / (1.0 + std::exp(-s[i][j] / temperature));
            } else {
                double sum = 0.0;
                for (int j = 0; j < nk; ++j)
                    if (!masked(m, i, j, gridCols)) {
                        if (s[i][j] < 0) {
                            r.ok = false;
                            r.error = "negative";
                            return r;
                        }
                        sum += s[i][j];
                    }
                for (int j = 0; j < nk; ++j)
                    a[i][j] = masked(m, i, j, gridCols) ? 0.0 : s[i][j] / sum;
            }
            for (int j = 0; j < nk; ++j)
                a[i][j] *= gate;
        }
        for (int i = 0; i < nq; ++i)
            for (int c = 0; c < dk; ++c) {
                double acc = 0.0;
                for (int j = 0; j < nk; ++j)
                    acc += a[i][j] * v[j][h * dk + c];
                concat[i][h * dk + c] = acc;
            }
        r.scores.push_back(s);
        r.weights.push_back(a);
    }
    r.output = w.identity ? concat : project(concat, w.wo, w.bo);
    return r;
}

} // namespace naive
