#include "TsneEmbedding.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace attn {

namespace {

std::vector<double> squaredDistances(const std::vector<double>& x, int n, int dim)
{
    std::vector<double> d(static_cast<size_t>(n) * n, 0.0);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) {
            double s = 0.0;
            for (int c = 0; c < dim; ++c) {
                const double t = x[static_cast<size_t>(i) * dim + c] - x[static_cast<size_t>(j) * dim + c];
                s += t * t;
            }
            d[static_cast<size_t>(i) * n + j] = s;
            d[static_cast<size_t>(j) * n + i] = s;
        }
    return d;
}

} // namespace

double TsneEmbedding::effectivePerplexity(double requested, int n)
{
    return std::max(1.0, std::min(requested, (n - 1) / 3.0));
}

std::vector<double> TsneEmbedding::conditionalAffinities(
    const std::vector<double>& points, int n, int dim, double perplexity)
{
    const std::vector<double> d = squaredDistances(points, n, dim);
    std::vector<double> p(static_cast<size_t>(n) * n, 0.0);
    const double target = std::log(perplexity);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; ++i) {
        const double* di = &d[static_cast<size_t>(i) * n];
        double* pi = &p[static_cast<size_t>(i) * n];
        // Distances relative to the nearest neighbour keep exp() in range for any scale.
        double nearest = std::numeric_limits<double>::infinity();
        for (int j = 0; j < n; ++j)
            if (j != i)
                nearest = std::min(nearest, di[j]);
        double beta = 1.0, lo = 0.0, hi = std::numeric_limits<double>::infinity();
        for (int step = 0; step < 200; ++step) {
            double sum = 0.0, weighted = 0.0;
            for (int j = 0; j < n; ++j) {
                if (j == i)
                    continue;
                const double e = std::exp(-beta * (di[j] - nearest));
                pi[j] = e;
                sum += e;
                weighted += e * (di[j] - nearest);
            }
            // H = ln(sum) + β · E[d - nearest]
            const double entropy = std::log(sum) + beta * weighted / sum;
            for (int j = 0; j < n; ++j)
                pi[j] = j == i ? 0.0 : pi[j] / sum;
            const double diff = entropy - target;
            if (std::abs(diff) < 1e-5)
                break;
            if (diff > 0) { // too flat: sharpen
                lo = beta;
                beta = std::isinf(hi) ? beta * 2.0 : (beta + hi) / 2.0;
            } else {
                hi = beta;
                beta = (beta + lo) / 2.0;
            }
        }
    }
    return p;
}

Expected<std::vector<double>> TsneEmbedding::embed(const std::vector<double>& points, int n, int dim,
    const std::vector<double>& init, const TsneOptions& o)
{
    if (n < 4)
        return makeError("t-SNE needs at least 4 points (got " + std::to_string(n) + ")");
    if (n > kMaxPoints)
        return makeError("t-SNE is limited to " + std::to_string(kMaxPoints) + " points here (this head has "
            + std::to_string(n) + " queries and keys); use PCA");
    if (dim < 1 || points.size() != static_cast<size_t>(n) * dim || init.size() != static_cast<size_t>(n) * 2)
        return makeError("t-SNE: the points or the initial layout do not match " + std::to_string(n) + " points");
    for (double v : points)
        if (!std::isfinite(v))
            return makeError("t-SNE: the points contain NaN or infinity");
    const std::vector<double> cond = conditionalAffinities(points, n, dim, effectivePerplexity(o.perplexity, n));
    std::vector<double> p(static_cast<size_t>(n) * n, 0.0);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            if (i != j)
                p[static_cast<size_t>(i) * n + j] = std::max(
                    (cond[static_cast<size_t>(i) * n + j] + cond[static_cast<size_t>(j) * n + i]) / (2.0 * n), 1e-12);

    // Start: the given layout, centred, scaled to a standard deviation of 1e-4 along its first axis.
    // An axis with no spread (a one-dimensional start, e.g. PCA of 1-D heads) would stay flat for
    // ever (its gradient is 0): it gets a small deterministic spread instead.
    std::vector<double> y = init;
    double mean[2] = { 0.0, 0.0 }, sd[2] = { 0.0, 0.0 };
    for (int a = 0; a < 2; ++a) {
        for (int i = 0; i < n; ++i)
            mean[a] += y[2 * static_cast<size_t>(i) + a] / n;
        for (int i = 0; i < n; ++i) {
            double& v = y[2 * static_cast<size_t>(i) + a];
            v -= mean[a];
            sd[a] += v * v / n;
        }
        sd[a] = std::sqrt(sd[a]);
    }
    const double scale = sd[0] > 0.0 ? 1e-4 / sd[0] : (sd[1] > 0.0 ? 1e-4 / sd[1] : 0.0);
    for (int a = 0; a < 2; ++a)
        for (int i = 0; i < n; ++i) {
            double& v = y[2 * static_cast<size_t>(i) + a];
            v = sd[a] > 1e-9 * std::max(sd[0], sd[1]) && scale > 0.0
                ? v * scale
                : 1e-4 * std::sin(2.399963229728653 * i + 1.0 + a); // golden-angle spread
        }

    const double rate = std::max(n / o.exaggeration / 4.0, 50.0);
    std::vector<double> update(y.size(), 0.0), gains(y.size(), 1.0), grad(y.size(), 0.0);
    std::vector<double> num(static_cast<size_t>(n) * n, 0.0), rowTotals(static_cast<size_t>(n), 0.0);
    for (int it = 0; it < o.iterations; ++it) {
        const double exaggeration = it < o.exaggerationIterations ? o.exaggeration : 1.0;
        const double momentum = it < o.exaggerationIterations ? 0.5 : 0.8;
#pragma omp parallel for schedule(static)
        for (int i = 0; i < n; ++i) {
            double row = 0.0;
            for (int j = 0; j < n; ++j) {
                if (i == j)
                    continue;
                const double dx = y[2 * static_cast<size_t>(i)] - y[2 * static_cast<size_t>(j)];
                const double dy = y[2 * static_cast<size_t>(i) + 1] - y[2 * static_cast<size_t>(j) + 1];
                const double v = 1.0 / (1.0 + dx * dx + dy * dy);
                num[static_cast<size_t>(i) * n + j] = v;
                row += v;
            }
            rowTotals[static_cast<size_t>(i)] = row;
        }
        double total = 0.0; // summed in order: the same result for any thread count
        for (double t : rowTotals)
            total += t;
#pragma omp parallel for schedule(static)
        for (int i = 0; i < n; ++i) {
            double gx = 0.0, gy = 0.0;
            for (int j = 0; j < n; ++j) {
                if (i == j)
                    continue;
                const double v = num[static_cast<size_t>(i) * n + j];
                const double m = (exaggeration * p[static_cast<size_t>(i) * n + j] - v / total) * v;
                gx += m * (y[2 * static_cast<size_t>(i)] - y[2 * static_cast<size_t>(j)]);
                gy += m * (y[2 * static_cast<size_t>(i) + 1] - y[2 * static_cast<size_t>(j) + 1]);
            }
            grad[2 * static_cast<size_t>(i)] = 4.0 * gx;
            grad[2 * static_cast<size_t>(i) + 1] = 4.0 * gy;
        }
        for (size_t k = 0; k < y.size(); ++k) {
            gains[k] = (grad[k] > 0) != (update[k] > 0) ? gains[k] + 0.2 : gains[k] * 0.8;
            gains[k] = std::max(gains[k], 0.01);
            update[k] = momentum * update[k] - rate * gains[k] * grad[k];
            y[k] += update[k];
        }
    }
    return y;
}

} // namespace attn
