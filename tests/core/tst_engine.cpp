// The engine against a naive double-loop reference for every score x normaliser x scope,
// identity and random projections, 1 and 2 heads, self and cross; then the invariants.
#include "AttentionEngine.h"
#include "NaiveAttention.h"
#include "Pcg32.h"
#include "ProjectionBuilder.h"
#include "SigmoidNormaliser.h"
#include "SoftmaxNormaliser.h"

#include <QtTest>

#include <omp.h>

#include <cstring>
#include <limits>

using namespace attn;

Q_DECLARE_METATYPE(attn::Mechanism)

namespace {
Matrix randomMatrix(int rows, int cols, uint64_t seed, float lo, float hi)
{
    Pcg32 rng(seed);
    Matrix m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m(r, c) = rng.uniform(lo, hi);
    return m;
}

AttentionInput makeInput(int n, int d, bool nonNegative, bool cross, uint64_t seed)
{
    AttentionInput in;
    const float lo = nonNegative ? 0.0f : -1.5f;
    in.keys = randomMatrix(n, d, seed, lo, 1.5f);
    for (int i = 0; i < n; ++i)
        in.keyLabels.push_back("k" + std::to_string(i));
    if (cross) {
        in.queries = randomMatrix(n - 2, d, seed + 100, lo, 1.5f);
        for (int i = 0; i < n - 2; ++i)
            in.queryLabels.push_back("q" + std::to_string(i));
    }
    return in;
}

struct Scope {
    const char* name;
    ScopeKind kind;
    int window, global;
    bool causal;
    std::vector<int> padded;
};
} // namespace

class TestEngine : public QObject {
    Q_OBJECT
private slots:
    void normalisersAreBitIdenticalAtAnyAddress();
    void matchesNaiveReference_data();
    void matchesNaiveReference();
    void largeInputMatchesNaiveReference_data();
    void largeInputMatchesNaiveReference();
    void softmaxRowsSumToOne();
    void maskedCellsAreExactlyZero();
    void hybridGlobalRowsAndColumnsComplete();
    void dynamicGateScalesRows();
    void combinationModes();
    void errors_data();
    void errors();
    void memoryBudgetRefusesHugeMaps();
    void cancelStopsTheComputation();
    void stagesHaveTheirShapes();
    void pcg32MatchesReferenceSequence();
    void randomProjectionIsDeterministic();
    void threadCountDoesNotChangeTheResult();
    void largeMapLevelOfDetailEqualsTheMapsBlockMaxima();
};

void TestEngine::matchesNaiveReference_data()
{
    QTest::addColumn<Mechanism>("mechanism");
    QTest::addColumn<bool>("cross");
    const std::vector<Scope> scopes{
        {"global", ScopeKind::Global, 0, 0, false, {}},
        {"local2", ScopeKind::Local, 2, 0, false, {}},
        {"hybrid2+1", ScopeKind::Hybrid, 2, 1, false, {}},
        {"causal", ScopeKind::Global, 0, 0, true, {}},
        {"local1-causal", ScopeKind::Local, 1, 0, true, {}},
        {"padded", ScopeKind::Global, 0, 0, false, {3, 6}},
    };
    for (ScoreKind score : {ScoreKind::Dot, ScoreKind::ScaledDot, ScoreKind::Additive, ScoreKind::Bilinear,
             ScoreKind::Cosine})
        for (NormKind norm : {NormKind::Softmax, NormKind::Sigmoid, NormKind::Ratio})
            for (const Scope& scope : scopes)
                for (ProjectionKind proj : {ProjectionKind::Identity, ProjectionKind::Random})
                    for (int heads : {1, 2})
                        for (bool cross : {false, true}) {
                            if (cross && scope.kind != ScopeKind::Global)
                                continue;
                            Mechanism m;
                            m.score = score;
                            m.norm = norm;
                            m.temperature = norm == NormKind::Ratio ? 1.0 : 0.7;
                            m.scope = scope.kind;
                            m.window = scope.window;
                            m.globalTokens = scope.global;
                            m.causal = scope.causal;
                            m.paddedKeys = scope.padded;
                            m.projection = proj;
                            m.heads = heads;
                            m.dim = 8;
                            m.seed = 11;
                            const std::string tag = std::string(toString(score)) + "/" + toString(norm) + "/" +
                                                    scope.name + "/" + toString(proj) + "/h" +
                                                    std::to_string(heads) + (cross ? "/cross" : "/self");
                            QTest::newRow(tag.c_str()) << m << cross;
                        }
    for (DynamicKind dyn : {DynamicKind::Gate, DynamicKind::Temperature})
        for (NormKind norm : {NormKind::Softmax, NormKind::Sigmoid}) {
            Mechanism m;
            m.norm = norm;
            m.dynamic = dyn;
            m.projection = ProjectionKind::Random;
            m.heads = 2;
            m.dim = 8;
            m.causal = true;
            const std::string tag = std::string("dynamic-") + toString(dyn) + "/" + toString(norm);
            QTest::newRow(tag.c_str()) << m << false;
        }
}

void TestEngine::matchesNaiveReference()
{
    QFETCH(Mechanism, mechanism);
    QFETCH(bool, cross);
    const bool nonNegative = mechanism.norm == NormKind::Ratio;
    const AttentionInput in = makeInput(9, 8, nonNegative, cross, 1234);

    auto weights = ProjectionBuilder::build(mechanism, 8);
    QVERIFY2(weights.ok(), weights.ok() ? "" : weights.error().c_str());
    const naive::Result ref = naive::attention(naive::toMat(in.queryMatrix()), naive::toMat(in.keys), mechanism, *weights);
    auto result = AttentionEngine::compute(in, mechanism);

    if (!ref.ok) {
        QVERIFY2(!result.ok(), "the reference found a negative score for ratio; the engine must refuse too");
        QVERIFY(QString::fromStdString(result.error()).contains(QLatin1String("non-negative")));
        return;
    }
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
    const AttentionResult& r = *result;
    QCOMPARE(r.heads, mechanism.heads);
    QCOMPARE(r.queryCount, static_cast<int>(in.queryMatrix().rows()));
    QCOMPARE(r.keyCount, 9);
    double maxWeightDiff = 0.0, maxScoreDiff = 0.0, maxOutDiff = 0.0;
    for (int h = 0; h < r.heads; ++h)
        for (int i = 0; i < r.queryCount; ++i)
            for (int j = 0; j < r.keyCount; ++j) {
                maxWeightDiff = std::max(maxWeightDiff, std::abs(r.weight(0, h, i, j) - ref.weights[h][i][j]));
                maxScoreDiff = std::max(maxScoreDiff,
                    std::abs(r.score(0, h, i, j) - ref.scores[h][i][j]) / std::max(1.0, std::abs(ref.scores[h][i][j])));
                if (naive::masked(mechanism, i, j)) {
                    QCOMPARE(r.weight(0, h, i, j), 0.0f);
                    QVERIFY(r.isMasked(i, j));
                } else {
                    QVERIFY(!r.isMasked(i, j));
                }
            }
    for (int i = 0; i < r.output.rows(); ++i)
        for (int c = 0; c < r.output.cols(); ++c)
            maxOutDiff = std::max(maxOutDiff,
                std::abs(r.output(i, c) - ref.output[i][c]) / std::max(1.0, std::abs(ref.output[i][c])));
    QVERIFY2(maxScoreDiff < 1e-5, qPrintable(QStringLiteral("score diff %1").arg(maxScoreDiff)));
    QVERIFY2(maxWeightDiff < 1e-5, qPrintable(QStringLiteral("weight diff %1").arg(maxWeightDiff)));
    QVERIFY2(maxOutDiff < 1e-5, qPrintable(QStringLiteral("output diff %1").arg(maxOutDiff)));
}

// Long enough that the engine splits each head into several row blocks of different sizes,
// runs them on every thread, and takes both the unmasked and the masked normaliser paths.
void TestEngine::largeInputMatchesNaiveReference_data()
{
    QTest::addColumn<Mechanism>("mechanism");
    struct Case {
        const char* name;
        ScoreKind score;
        NormKind norm;
        ScopeKind scope;
        bool causal;
        DynamicKind dynamic;
    };
    const Case cases[] = {
        {"scaled-dot/softmax/global", ScoreKind::ScaledDot, NormKind::Softmax, ScopeKind::Global, false, DynamicKind::None},
        {"scaled-dot/softmax/causal", ScoreKind::ScaledDot, NormKind::Softmax, ScopeKind::Global, true, DynamicKind::None},
        {"scaled-dot/softmax/local-causal", ScoreKind::ScaledDot, NormKind::Softmax, ScopeKind::Local, true, DynamicKind::None},
        {"dot/softmax/local", ScoreKind::Dot, NormKind::Softmax, ScopeKind::Local, false, DynamicKind::Temperature},
        {"cosine/sigmoid/causal", ScoreKind::Cosine, NormKind::Sigmoid, ScopeKind::Global, true, DynamicKind::Gate},
        // Sigmoid weights do not sum to 1, so a global sigmoid output sums 300 unnormalised terms
        // whose float32 rounding alone reaches ~1e-5: the window keeps that below the tolerance.
        {"scaled-dot/sigmoid/local", ScoreKind::ScaledDot, NormKind::Sigmoid, ScopeKind::Local, false, DynamicKind::None},
    };
    for (const Case& c : cases) {
        Mechanism m;
        m.score = c.score;
        m.norm = c.norm;
        m.scope = c.scope;
        m.window = 20;
        m.causal = c.causal;
        m.dynamic = c.dynamic;
        m.temperature = 0.8;
        m.projection = ProjectionKind::Random;
        m.heads = 4;
        m.dim = 32;
        m.seed = 7;
        QTest::newRow(c.name) << m;
    }
}

void TestEngine::largeInputMatchesNaiveReference()
{
    QFETCH(Mechanism, mechanism);
    const int n = 300;
    const AttentionInput in = makeInput(n, 24, false, false, 77);
    auto weights = ProjectionBuilder::build(mechanism, 24);
    QVERIFY(weights.ok());
    const naive::Result ref = naive::attention(naive::toMat(in.keys), naive::toMat(in.keys), mechanism, *weights);
    QVERIFY(ref.ok);
    for (bool keepScores : {true, false}) {
        Mechanism m = mechanism;
        m.keepScores = keepScores;
        auto result = AttentionEngine::compute(in, m);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
        const AttentionResult& r = *result;
        double maxWeightDiff = 0.0, maxScoreDiff = 0.0, maxOutDiff = 0.0;
        for (int h = 0; h < r.heads; ++h)
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) {
                    maxWeightDiff = std::max(maxWeightDiff, std::abs(r.weight(0, h, i, j) - ref.weights[h][i][j]));
                    if (keepScores)
                        maxScoreDiff = std::max(maxScoreDiff, std::abs(r.score(0, h, i, j) - ref.scores[h][i][j]) /
                                                                  std::max(1.0, std::abs(ref.scores[h][i][j])));
                    if (naive::masked(m, i, j) && r.weight(0, h, i, j) != 0.0f)
                        QFAIL(qPrintable(QStringLiteral("masked cell %1,%2 of head %3 is not 0").arg(i).arg(j).arg(h)));
                }
        for (int i = 0; i < r.output.rows(); ++i)
            for (int c = 0; c < r.output.cols(); ++c)
                maxOutDiff = std::max(maxOutDiff,
                    std::abs(r.output(i, c) - ref.output[i][c]) / std::max(1.0, std::abs(ref.output[i][c])));
        QVERIFY2(maxScoreDiff < 1e-5, qPrintable(QStringLiteral("score diff %1").arg(maxScoreDiff)));
        QVERIFY2(maxWeightDiff < 1e-5, qPrintable(QStringLiteral("weight diff %1").arg(maxWeightDiff)));
        QVERIFY2(maxOutDiff < 1e-5, qPrintable(QStringLiteral("output diff %1").arg(maxOutDiff)));
    }
}

void TestEngine::softmaxRowsSumToOne()
{
    const AttentionInput in = makeInput(40, 16, false, false, 5);
    for (ScoreKind score : {ScoreKind::Dot, ScoreKind::ScaledDot, ScoreKind::Additive, ScoreKind::Cosine}) {
        Mechanism m;
        m.score = score;
        m.heads = 4;
        m.projection = ProjectionKind::Random;
        m.dim = 16;
        m.scope = ScopeKind::Local;
        m.window = 5;
        auto r = AttentionEngine::compute(in, m);
        QVERIFY(r.ok());
        for (int h = 0; h < 4; ++h)
            for (int i = 0; i < 40; ++i) {
                double sum = 0.0;
                for (int j = 0; j < 40; ++j)
                    sum += r->weight(0, h, i, j);
                QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QStringLiteral("row %1 sums to %2").arg(i).arg(sum)));
            }
    }
}

void TestEngine::maskedCellsAreExactlyZero()
{
    const AttentionInput in = makeInput(30, 8, false, false, 9);
    Mechanism m;
    m.causal = true;
    m.scope = ScopeKind::Local;
    m.window = 3;
    auto r = AttentionEngine::compute(in, m);
    QVERIFY(r.ok());
    for (int i = 0; i < 30; ++i)
        for (int j = 0; j < 30; ++j) {
            const bool shouldHide = j > i || i - j > 3;
            QCOMPARE(r->isMasked(i, j), shouldHide);
            if (shouldHide)
                QCOMPARE(r->weight(0, 0, i, j), 0.0f); // causal upper triangle and outside the window
            else
                QVERIFY(r->weight(0, 0, i, j) > 0.0f);
        }
}

void TestEngine::hybridGlobalRowsAndColumnsComplete()
{
    const AttentionInput in = makeInput(20, 8, false, false, 10);
    Mechanism m;
    m.scope = ScopeKind::Hybrid;
    m.window = 1;
    m.globalTokens = 2;
    auto r = AttentionEngine::compute(in, m);
    QVERIFY(r.ok());
    for (int t = 0; t < 2; ++t)
        for (int x = 0; x < 20; ++x) {
            QVERIFY(r->weight(0, 0, t, x) > 0.0f); // a global token sees everything
            QVERIFY(r->weight(0, 0, x, t) > 0.0f); // and is seen by everything
        }
    QCOMPARE(r->weight(0, 0, 10, 5), 0.0f);
    QVERIFY(r->weight(0, 0, 10, 11) > 0.0f);
    QVERIFY(r->isMasked(10, 12));
}

void TestEngine::dynamicGateScalesRows()
{
    // With the gate, each row sums to g_i = sigmoid(w . x_i) instead of 1.
    const AttentionInput in = makeInput(6, 4, false, false, 3);
    Mechanism m;
    m.dynamic = DynamicKind::Gate;
    auto r = AttentionEngine::compute(in, m);
    QVERIFY(r.ok());
    auto w = ProjectionBuilder::build(m, 4);
    for (int i = 0; i < 6; ++i) {
        const double g = 1.0 / (1.0 + std::exp(-static_cast<double>(in.keys.row(i).dot(w->dynamicW))));
        double sum = 0.0;
        for (int j = 0; j < 6; ++j)
            sum += r->weight(0, 0, i, j);
        QVERIFY(std::abs(sum - g) < 1e-6);
        QVERIFY(std::abs(r->dynamic[i] - g) < 1e-6);
    }
}

void TestEngine::combinationModes()
{
    // Weights for 2 queries over 3 scalar keys v = [1, 2, 4]; compare each mode by hand.
    AttentionInput in;
    in.keys = Matrix(3, 1);
    in.keys << 1, 2, 4;
    in.keyLabels = {"a", "b", "c"};
    in.queries = Matrix(2, 1);
    *in.queries << 1, -1;
    in.queryLabels = {"p", "q"};
    Mechanism m;
    m.score = ScoreKind::Dot;
    auto plain = AttentionEngine::compute(in, m);
    QVERIFY(plain.ok());
    const auto a = [&](int i, int j) { return static_cast<double>(plain->weight(0, 0, i, j)); };
    // softmax([1,2,4]) and softmax([-1,-2,-4]) by hand
    const double e1 = std::exp(1.0), e2 = std::exp(2.0), e4 = std::exp(4.0);
    QVERIFY(std::abs(a(0, 2) - e4 / (e1 + e2 + e4)) < 1e-6);
    QVERIFY(std::abs(plain->output(0, 0) - (1 * a(0, 0) + 2 * a(0, 1) + 4 * a(0, 2))) < 1e-5);

    m.combine = CombineKind::ElementWise;
    auto elementWise = AttentionEngine::compute(in, m);
    QVERIFY(elementWise.ok());
    QCOMPARE(elementWise->output.rows(), 3); // one output per key
    for (int j = 0; j < 3; ++j) {
        const double received = (a(0, j) + a(1, j)) / 2.0;
        QVERIFY(std::abs(elementWise->output(j, 0) - received * in.keys(j, 0)) < 1e-6);
    }

    m.combine = CombineKind::SoftSelection;
    m.topK = 2;
    auto soft = AttentionEngine::compute(in, m);
    QVERIFY(soft.ok());
    // Query 0's two largest weights are keys c and b; query 1's are a and b.
    const double expect0 = (a(0, 2) * 4 + a(0, 1) * 2) / (a(0, 2) + a(0, 1));
    const double expect1 = (a(1, 0) * 1 + a(1, 1) * 2) / (a(1, 0) + a(1, 1));
    QVERIFY(std::abs(soft->output(0, 0) - expect0) < 1e-5);
    QVERIFY(std::abs(soft->output(1, 0) - expect1) < 1e-5);
}

void TestEngine::errors_data()
{
    QTest::addColumn<Mechanism>("mechanism");
    QTest::addColumn<int>("rows");
    QTest::addColumn<QString>("message");
    Mechanism m;
    m.heads = 3;
    QTest::newRow("heads do not divide") << m << 4 << QStringLiteral("3 heads do not divide the model dimension 8");
    m = {};
    m.temperature = 0.0;
    QTest::newRow("temperature 0") << m << 4 << QStringLiteral("temperature must be a positive number (got 0)");
    m.temperature = -2.0;
    QTest::newRow("temperature negative") << m << 4 << QStringLiteral("(got -2)");
    m = {};
    m.scope = ScopeKind::Local;
    m.window = 0;
    QTest::newRow("window 0") << m << 4 << QStringLiteral("window W must be at least 1 (got 0)");
    m.window = -3;
    QTest::newRow("window negative") << m << 4 << QStringLiteral("(got -3)");
    m = {};
    m.scope = ScopeKind::Hybrid;
    m.globalTokens = -1;
    QTest::newRow("global negative") << m << 4 << QStringLiteral("global tokens G must be 0 or more");
    m = {};
    m.heads = 0;
    QTest::newRow("zero heads") << m << 4 << QStringLiteral("at least 1");
    m = {};
    QTest::newRow("empty input") << m << 0 << QStringLiteral("the input is empty");
    m.paddedKeys = {7};
    QTest::newRow("padding out of range") << m << 4 << QStringLiteral("padded key index 7 is outside the input");
    m = {};
    m.projection = ProjectionKind::File;
    m.projectionFile = "/nonexistent/weights.safetensors";
    QTest::newRow("missing projection file") << m << 4 << QStringLiteral("/nonexistent/weights.safetensors");
}

void TestEngine::errors()
{
    QFETCH(Mechanism, mechanism);
    QFETCH(int, rows);
    QFETCH(QString, message);
    AttentionInput in = makeInput(std::max(rows, 1), 8, false, false, 1);
    in.keys.conservativeResize(rows, 8);
    in.keyLabels.resize(rows);
    auto r = AttentionEngine::compute(in, mechanism);
    QVERIFY(!r.ok());
    QVERIFY2(QString::fromStdString(r.error()).contains(message), r.error().c_str());
}

void TestEngine::memoryBudgetRefusesHugeMaps()
{
    const AttentionInput in = makeInput(64, 4, false, false, 2);
    Mechanism m;
    m.heads = 2;
    ComputeControl control;
    control.memoryLimitBytes = 64 * 64 * 4 * 2; // weights fit, weights + scores do not
    auto r = AttentionEngine::compute(in, m, control);
    QVERIFY(!r.ok());
    QVERIFY(QString::fromStdString(r.error()).contains(QLatin1String("more than the memory budget")));
    m.keepScores = false;
    QVERIFY(AttentionEngine::compute(in, m, control).ok());
    QCOMPARE(AttentionEngine::mapBytes(m, 64, 64, 2), uint64_t(64 * 64 * 4 * 2));

    // NaN in the input is refused with its position.
    AttentionInput bad = in;
    bad.keys(5, 2) = std::numeric_limits<float>::quiet_NaN();
    auto nan = AttentionEngine::compute(bad, m);
    QVERIFY(!nan.ok());
    QVERIFY(QString::fromStdString(nan.error()).contains(QLatin1String("row 5, column 2")));
}

void TestEngine::cancelStopsTheComputation()
{
    const AttentionInput in = makeInput(32, 8, false, false, 2);
    std::atomic<bool> cancel{true};
    ComputeControl control;
    control.cancel = &cancel;
    auto r = AttentionEngine::compute(in, Mechanism{}, control);
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error()), QStringLiteral("cancelled"));

    cancel = false;
    std::vector<double> progress;
    control.progress = [&](double f) { progress.push_back(f); };
    Mechanism m;
    m.heads = 4;
    QVERIFY(AttentionEngine::compute(in, m, control).ok());
    QCOMPARE(progress.size(), size_t(4));
    QCOMPARE(progress.back(), 1.0);
}

void TestEngine::stagesHaveTheirShapes()
{
    AttentionInput in = makeInput(6, 8, false, true, 4); // 4 queries, 6 keys
    Mechanism m;
    m.heads = 2;
    m.projection = ProjectionKind::Random;
    m.dim = 12;
    m.causal = true;
    auto r = AttentionEngine::compute(in, m);
    QVERIFY(r.ok());
    const auto names = r->stageNames();
    const std::vector<std::string> expected{"input", "query_input", "q", "k", "v", "scores", "masked_scores",
        "weights", "head_output", "concat", "output"};
    QCOMPARE(names, expected);
    QCOMPARE(r->stage("q")->shape, (std::vector<int64_t>{4, 12}));
    QCOMPARE(r->stage("k")->shape, (std::vector<int64_t>{6, 12}));
    QCOMPARE(r->stage("weights")->shape, (std::vector<int64_t>{1, 2, 4, 6}));
    QCOMPARE(r->stage("head_output")->shape, (std::vector<int64_t>{2, 4, 6}));
    QCOMPARE(r->stage("output")->shape, (std::vector<int64_t>{4, 12}));
    const Tensor masked = *r->stage("masked_scores");
    QVERIFY(std::isinf(masked.data[r->index(0, 1, 0, 3)]));
    QCOMPARE(masked.data[r->index(0, 1, 2, 1)], r->score(0, 1, 2, 1));
    QVERIFY(!r->stage("nonsense"));
}

void TestEngine::pcg32MatchesReferenceSequence()
{
    // pcg32_srandom_r(&rng, 42u, 54u) from the reference implementation (pcg-c-basic demo).
    Pcg32 rng(42u, 54u);
    const uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
    for (uint32_t e : expected)
        QCOMPARE(rng.next(), e);
}

void TestEngine::randomProjectionIsDeterministic()
{
    Mechanism m;
    m.projection = ProjectionKind::Random;
    m.dim = 6;
    m.seed = 5;
    auto a = ProjectionBuilder::build(m, 4);
    auto b = ProjectionBuilder::build(m, 4);
    QVERIFY(a.ok() && b.ok());
    QVERIFY(a->wq == b->wq && a->wo == b->wo);
    const float bound = std::sqrt(6.0f / 10.0f);
    QVERIFY(a->wq.maxCoeff() < bound && a->wq.minCoeff() >= -bound);
    // The first weight is the first PCG32 draw of stream 1 mapped into [-bound, bound).
    Pcg32 rng(5, 1);
    QCOMPARE(a->wq(0, 0), rng.uniform(-bound, bound));
    m.seed = 6;
    QVERIFY(ProjectionBuilder::build(m, 4)->wq != a->wq);
}

// Every product is a single-threaded GEMM inside the engine's tasks, so the number of threads
// decides only who computes a task, never how: 1 and 2 threads give the same bits. Covers both
// ways of projecting (a head in one task at N = 40, a projection loop before the heads at
// N = 600), the W_O loop, keepScores, and the soft-selection path (W_O after the region).
void TestEngine::threadCountDoesNotChangeTheResult()
{
    const int saved = omp_get_max_threads();
    for (const int n : {40, 600})
        for (const CombineKind combine : {CombineKind::WeightedSum, CombineKind::SoftSelection}) {
            Mechanism m;
            m.projection = ProjectionKind::Random;
            m.heads = 8;
            m.dim = 64;
            m.seed = 3;
            m.keepScores = n == 40;
            m.combine = combine;
            m.topK = 5;
            const AttentionInput in = makeInput(n, 48, false, false, 91);
            std::vector<AttentionResult> results;
            for (const int threads : {1, 2}) {
                omp_set_num_threads(threads);
                auto r = AttentionEngine::compute(in, m);
                QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
                results.push_back(std::move(*r));
            }
            omp_set_num_threads(saved);
            const AttentionResult &a = results[0], &b = results[1];
            QVERIFY(a.q == b.q && a.k == b.k && a.v == b.v);
            QVERIFY(a.weights == b.weights);
            QVERIFY(a.scores == b.scores);
            QVERIFY(a.concat == b.concat);
            QVERIFY(a.output == b.output);
            QCOMPARE(a.output.rows(), n);
        }
}

// AttentionResult::lodMax is gathered row by row inside the engine's tasks; it must equal the
// plain block maxima of the finished map bit for bit (partial last blocks: N = 8195 is not a
// multiple of 8; masked cells, exactly 0, included), and headMinWeight the map's minimum.
void TestEngine::largeMapLevelOfDetailEqualsTheMapsBlockMaxima()
{
    const int n = AttentionEngine::kLodMinSide + 3;
    Mechanism m;
    m.keepScores = false;
    m.causal = true;
    const AttentionInput in = makeInput(n, 4, false, false, 5);
    auto result = AttentionEngine::compute(in, m);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().c_str());
    const AttentionResult& r = *result;
    const int b = AttentionEngine::kLodBlock, rows = (n + b - 1) / b, cols = (n + b - 1) / b;
    QCOMPARE(r.lodBlock, b);
    QCOMPARE(r.lodMax.size(), static_cast<size_t>(r.heads) * rows * cols);
    QCOMPARE(r.headMinWeight.size(), static_cast<size_t>(r.heads));
    std::vector<float> expected(static_cast<size_t>(rows) * cols, -std::numeric_limits<float>::infinity());
    float lo = std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float w = r.weight(0, 0, i, j);
            float& e = expected[static_cast<size_t>(i / b) * cols + j / b];
            e = std::max(e, w);
            lo = std::min(lo, w);
        }
    QVERIFY(std::equal(expected.begin(), expected.end(), r.lodMax.begin()));
    QCOMPARE(r.headMinWeight[0], lo);
    QCOMPARE(lo, 0.0f); // the causal mask's zeros
    // Below the size no level of detail is kept.
    auto small = AttentionEngine::compute(makeInput(300, 4, false, false, 5), m);
    QVERIFY(small.ok() && small->lodMax.empty() && small->lodBlock == 0);
}

QTEST_APPLESS_MAIN(TestEngine)
// The same scores give the same weights, bit for bit, wherever the row sits in memory (the maps
// are std::vectors, 16-byte aligned at best): a reopened session or a second run must not differ
// in the last bit. Each row is normalised at 16 offsets and compared with offset 0, and with a
// float64 reference within 2e-7.
void TestEngine::normalisersAreBitIdenticalAtAnyAddress()
{
    const SoftmaxNormaliser softmax;
    const SigmoidNormaliser sigmoid;
    Pcg32 rng(7);
    for (const int n : {1, 9, 17, 37, 300, 1000}) {
        std::vector<float> scores(static_cast<size_t>(n));
        for (float& s : scores)
            s = rng.uniform() * 8.0f - 4.0f;
        std::vector<uint8_t> visible(static_cast<size_t>(n), 1);
        for (int j = 0; j < n; j += 3)
            visible[static_cast<size_t>(j)] = j == 0 ? 1 : 0;
        for (const Normaliser* norm : {static_cast<const Normaliser*>(&softmax), static_cast<const Normaliser*>(&sigmoid)})
            for (const uint8_t* mask : {static_cast<const uint8_t*>(nullptr), static_cast<const uint8_t*>(visible.data())}) {
                std::vector<float> reference;
                for (int offset = 0; offset < 16; ++offset) {
                    std::vector<float> buffer(static_cast<size_t>(n + 16), -1.0f);
                    std::copy(scores.begin(), scores.end(), buffer.begin() + offset);
                    float* row = buffer.data() + offset;
                    norm->normaliseRow(row, mask, row, n, 0.7f); // in place, as the engine does
                    std::vector<float> got(row, row + n);
                    if (offset == 0)
                        reference = got;
                    else
                        QVERIFY2(std::memcmp(got.data(), reference.data(), sizeof(float) * size_t(n)) == 0,
                            qPrintable(QStringLiteral("n = %1, offset %2").arg(n).arg(offset)));
                }
                if (norm != &softmax)
                    continue;
                double max = -1e300, sum = 0;
                for (int j = 0; j < n; ++j)
                    if (!mask || mask[j])
                        max = std::max(max, double(scores[size_t(j)]));
                for (int j = 0; j < n; ++j)
                    if (!mask || mask[j])
                        sum += std::exp((double(scores[size_t(j)]) - max) / 0.7f);
                for (int j = 0; j < n; ++j) {
                    const double expected = (!mask || mask[j]) ? std::exp((double(scores[size_t(j)]) - max) / 0.7f) / sum : 0.0;
                    QVERIFY(std::abs(reference[size_t(j)] - expected) < 2e-7);
                }
            }
    }
}

#include "tst_engine.moc"
