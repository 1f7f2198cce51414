// The analyses: attention rollout (hand-computed and against tests/fixtures/analysis, made by
// tests/tools/make_analysis_fixtures.py with torch), token filtering with renormalisation, subword
// -> word aggregation for each tokenizer family, head ranking, and the query/key PCA (numpy).
#include "AttentionRollout.h"
#include "HeadRanking.h"
#include "NpyFile.h"
#include "QueryKeyProjection.h"
#include "Session.h"
#include "TokenFilter.h"
#include "TsneEmbedding.h"
#include "WordAggregation.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

using namespace attn;

namespace {

std::string fixture(const std::string& name)
{
    return qgetenv("ATTNSCOPE_FIXTURES").toStdString() + "/analysis/" + name;
}

NpyArray loadNpy(const std::string& name)
{
    auto a = NpyFile::readFile(fixture(name));
    if (!a)
        qFatal("%s", a.error().c_str());
    return *a;
}

// A self-attention result from explicit maps [L][H][N][N].
AttentionResult makeResult(
    int layers, int heads, int n, std::vector<float> weights, std::vector<std::string> labels = {})
{
    AttentionResult r;
    r.layers = layers;
    r.heads = heads;
    r.queryCount = r.keyCount = n;
    r.weights = std::move(weights);
    if (labels.empty())
        for (int i = 0; i < n; ++i)
            labels.push_back("t" + std::to_string(i));
    r.queryLabels = r.keyLabels = r.outputLabels = labels;
    r.mechanism.heads = heads;
    r.mask = MaskSpec(r.mechanism, n, n);
    return r;
}

void compareMaps(const std::vector<float>& actual, const float* expected, size_t count, double tolerance)
{
    QCOMPARE(actual.size(), count);
    for (size_t i = 0; i < count; ++i)
        if (std::abs(actual[i] - expected[i]) > tolerance)
            QFAIL(qPrintable(
                QStringLiteral("element %1: %2, expected %3").arg(i).arg(actual[i]).arg(expected[i])));
}

void checkRowsSumToOne(const std::vector<float>& map, int rows, int cols)
{
    for (int i = 0; i < rows; ++i) {
        double sum = 0.0;
        for (int j = 0; j < cols; ++j)
            sum += map[static_cast<size_t>(i) * cols + j];
        QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QStringLiteral("row %1 sums to %2").arg(i).arg(sum)));
    }
}

} // namespace

class TestAnalysis : public QObject {
    Q_OBJECT
private slots:
    void sessionsKeepTheAnalysis()
    {
        Session s;
        s.input.text = "[CLS] a b [SEP]";
        s.view.tokens.filter.dropSpecial = true;
        s.view.tokens.mergeWords = true;
        s.view.rollout = RolloutOptions { HeadFusion::Max, 0.5, -1 };
        const std::string text = SessionFile::serialize(s);
        auto back = SessionFile::parse(text, "s.attnscope");
        QVERIFY2(back, back ? "" : back.error().c_str());
        QVERIFY(back->view.tokens.filter.dropSpecial);
        QVERIFY(!back->view.tokens.filter.dropFirst);
        QVERIFY(back->view.tokens.mergeWords);
        QVERIFY(back->view.rollout);
        QCOMPARE(back->view.rollout->fusion, HeadFusion::Max);
        QCOMPARE(back->view.rollout->discardRatio, 0.5);
        QCOMPARE(SessionFile::serialize(*back), text);
        // Rollout off is saved as null, and read back as off.
        s.view.rollout.reset();
        auto off = SessionFile::parse(SessionFile::serialize(s), "s.attnscope");
        QVERIFY(off && !off->view.rollout);
        QVERIFY(nlohmann::json::parse(SessionFile::serialize(s))["view"]["analysis"]["rollout"].is_null());
        // A session written before the analysis strip was saved: everything off.
        auto old = SessionFile::parse(R"({"format": "attnscope-session", "version": 1, "input": {"type": "text", "text": "a"},
            "mechanism": {}, "view": {"view": "heatmap"}})", "old.attnscope");
        QVERIFY2(old, old ? "" : old.error().c_str());
        QVERIFY(!old->view.tokens.any());
        QVERIFY(!old->view.rollout);
        // Wrong values name the key.
        auto bad = SessionFile::parse(R"({"format": "attnscope-session", "version": 1, "input": {"type": "text", "text": "a"},
            "mechanism": {}, "view": {"analysis": {"rollout": {"discard": -0.1}}}})", "bad.attnscope");
        QVERIFY(!bad);
        QCOMPARE(QString::fromStdString(bad.error()),
            QStringLiteral("bad.attnscope: view.analysis: rollout \"discard\" is -0.1; it must be in [0, 1)"));
    }

    void rolloutHandComputed()
    {
        // Â1 = [[1,0,0],[.25,.75,0],[.1,.15,.75]], Â2 = [[1,0,0],[.5,.5,0],[.25,.25,.5]]; R = Â2 Â1.
        auto r = makeResult(2, 1, 3,
            { 1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f, /* layer 2 */ 1, 0, 0, 1, 0, 0, 0.5f, 0.5f, 0 });
        auto rollout = AttentionRollout::compute(r);
        QVERIFY2(rollout, rollout ? "" : rollout.error().c_str());
        const float expected[] = { 1, 0, 0, 0.625f, 0.375f, 0, 0.3625f, 0.2625f, 0.375f };
        compareMaps(*rollout, expected, 9, 1e-6);
        // Only the first layer: Â1 itself.
        RolloutOptions first;
        first.lastLayer = 0;
        const float a1[] = { 1, 0, 0, 0.25f, 0.75f, 0, 0.1f, 0.15f, 0.75f };
        compareMaps(*AttentionRollout::compute(r, first), a1, 9, 1e-6);
    }

    void rolloutFusionAndDiscardByHand()
    {
        // Two heads, one layer: row 0 of head 0 is [.1,.6,.3], of head 1 [.5,.2,.3].
        auto r = makeResult(
            1, 2, 3, { 0.1f, 0.6f, 0.3f, 0, 1, 0, 0, 0, 1, /* head 1 */ 0.5f, 0.2f, 0.3f, 0, 1, 0, 0, 0, 1 });
        auto fusedMin = AttentionRollout::fuseHeads(r, 0, HeadFusion::Min);
        QCOMPARE(fusedMin[0], 0.1f * 1.0);
        QVERIFY(std::abs(fusedMin[1] - 0.2) < 1e-7);
        auto fusedMax = AttentionRollout::fuseHeads(r, 0, HeadFusion::Max);
        QVERIFY(std::abs(fusedMax[0] - 0.5) < 1e-7 && std::abs(fusedMax[1] - 0.6) < 1e-7);
        // Mean row 0 = [.3,.4,.3]; discard 0.5 -> floor(0.5 * 2) = 1 off-diagonal weight: key 2 (0.3 < 0.4).
        // Â row 0 = (0.5 * [.3,.4,0] + [.5,0,0]) / 0.85 = [.65,.2,0] / .85.
        RolloutOptions o;
        o.discardRatio = 0.5;
        auto rollout = AttentionRollout::compute(r, o);
        QVERIFY(rollout);
        QVERIFY(std::abs((*rollout)[0] - 0.65f / 0.85f) < 1e-6);
        QVERIFY(std::abs((*rollout)[1] - 0.2f / 0.85f) < 1e-6);
        QCOMPARE((*rollout)[2], 0.0f);
        // Row 1 = [0,1,0]: the smallest off-diagonal tie (keys 0 and 2 both 0) discards key 0; nothing
        // changes.
        QVERIFY(std::abs((*rollout)[4] - 1.0f) < 1e-6);
    }

    void rolloutAgainstTorch_data()
    {
        QTest::addColumn<QString>("fusion");
        QTest::addColumn<double>("ratio");
        QTest::addColumn<QString>("file");
        for (const char* f : { "mean", "min", "max" }) {
            QTest::newRow(qPrintable(QStringLiteral("%1 0").arg(QLatin1String(f)))) << QString::fromLatin1(
                f) << 0.0 << QStringLiteral("rollout_%1_0p0.npy").arg(QLatin1String(f));
            QTest::newRow(qPrintable(QStringLiteral("%1 0.5").arg(QLatin1String(f)))) << QString::fromLatin1(
                f) << 0.5 << QStringLiteral("rollout_%1_0p5.npy").arg(QLatin1String(f));
        }
    }
    void rolloutAgainstTorch()
    {
        QFETCH(QString, fusion);
        QFETCH(double, ratio);
        QFETCH(QString, file);
        const NpyArray w = loadNpy("weights.npy");
        QCOMPARE(w.shape, (std::vector<int64_t> { 3, 4, 6, 6 }));
        auto r = makeResult(3, 4, 6, w.data);
        r.mechanism.causal = true;
        RolloutOptions o;
        o.fusion = *AttentionRollout::parseFusion(fusion.toStdString());
        o.discardRatio = ratio;
        auto rollout = AttentionRollout::compute(r, o);
        QVERIFY(rollout);
        const NpyArray expected = loadNpy(file.toStdString());
        compareMaps(*rollout, expected.data.data(), 36, 1e-5);
        checkRowsSumToOne(*rollout, 6, 6);
        // Causal maps roll out causally: nothing above the diagonal.
        for (int i = 0; i < 6; ++i)
            for (int j = i + 1; j < 6; ++j)
                QCOMPARE((*rollout)[static_cast<size_t>(i) * 6 + j], 0.0f);
    }

    void rolloutRefusesBadInput()
    {
        auto r = makeResult(1, 1, 2, { 1, 0, 0.5f, 0.5f });
        RolloutOptions o;
        o.discardRatio = 1.0;
        QVERIFY(AttentionRollout::compute(r, o).error().find("discard ratio") != std::string::npos);
        o.discardRatio = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(!AttentionRollout::compute(r, o));
        r.weights[1] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY(AttentionRollout::compute(r).error().find("NaN") != std::string::npos);
        auto cross = makeResult(1, 1, 2, { 1, 0, 0.5f, 0.5f });
        cross.keyCount = 1;
        cross.cross = true;
        QVERIFY(AttentionRollout::compute(cross).error().find("self-attention") != std::string::npos);
        auto big = makeResult(1, 1, 2, { 1, 0, 0.5f, 0.5f });
        ComputeControl tight;
        tight.memoryLimitBytes = 16;
        QVERIFY(AttentionRollout::compute(big, {}, tight).error().find("memory budget") != std::string::npos);
        QVERIFY(!AttentionRollout::parseFusion("median"));
        // The per-patch map: CLS row and the mean over queries, keys from 1.
        const std::vector<float> rollout { 1, 0, 0, 0.5f, 0.25f, 0.25f, 0.2f, 0.3f, 0.5f };
        QCOMPARE(AttentionRollout::patchMap(rollout, 3, 0, 1), (std::vector<float> { 0, 0 }));
        const auto mean = AttentionRollout::patchMap(rollout, 3, -1, 1);
        QVERIFY(std::abs(mean[0] - 0.55f / 3) < 1e-6 && std::abs(mean[1] - 0.75f / 3) < 1e-6);
        QVERIFY(AttentionRollout::patchMap(rollout, 3, 0, 3).empty());
    }

    void tsneAffinitiesHitThePerplexity()
    {
        // 20 points in 3-D on a deterministic spiral; every row of p_j|i sums to 1 with entropy ln(5).
        const int n = 20, dim = 3;
        std::vector<double> x;
        for (int i = 0; i < n; ++i) {
            x.push_back(std::cos(0.7 * i) * (1 + 0.1 * i));
            x.push_back(std::sin(0.7 * i) * (1 + 0.1 * i));
            x.push_back(0.05 * i * i);
        }
        const auto p = TsneEmbedding::conditionalAffinities(x, n, dim, 5.0);
        for (int i = 0; i < n; ++i) {
            double sum = 0.0, entropy = 0.0;
            for (int j = 0; j < n; ++j) {
                const double v = p[static_cast<size_t>(i) * n + j];
                sum += v;
                if (v > 0)
                    entropy -= v * std::log(v);
            }
            QCOMPARE(p[static_cast<size_t>(i) * n + i], 0.0);
            QVERIFY(std::abs(sum - 1.0) < 1e-12);
            QVERIFY2(std::abs(entropy - std::log(5.0)) < 1e-4, qPrintable(QString::number(entropy)));
        }
        QCOMPARE(TsneEmbedding::effectivePerplexity(30.0, 10), 3.0);
        QCOMPARE(TsneEmbedding::effectivePerplexity(30.0, 1000), 30.0);
    }

    void tsneSeparatesClusters()
    {
        // Three clusters of 12 points in 8-D, centres 10 apart, spread 0.5; a PCA-like start that
        // mixes them (all on one line, interleaved). t-SNE must pull every cluster together: each
        // point's nearest 2-D neighbour is in its own cluster, and the widest cluster is narrower
        // than the closest gap between two clusters.
        const int per = 12, k = 3, n = per * k, dim = 8;
        std::vector<double> x(static_cast<size_t>(n) * dim), init(static_cast<size_t>(n) * 2);
        for (int i = 0; i < n; ++i) {
            const int c = i % k;
            for (int d = 0; d < dim; ++d)
                x[static_cast<size_t>(i) * dim + d] = (d == c ? 10.0 : 0.0) + 0.5 * std::sin(1.3 * i + 0.7 * d);
            init[2 * static_cast<size_t>(i)] = i;
            init[2 * static_cast<size_t>(i) + 1] = 0.0;
        }
        auto y = TsneEmbedding::embed(x, n, dim, init);
        QVERIFY2(y, y ? "" : y.error().c_str());
        auto dist = [&](int a, int b) {
            return std::hypot((*y)[2 * a] - (*y)[2 * b], (*y)[2 * a + 1] - (*y)[2 * b + 1]);
        };
        double widest = 0.0, closestGap = 1e300;
        for (int a = 0; a < n; ++a) {
            int nearest = -1;
            for (int b = 0; b < n; ++b) {
                if (a == b)
                    continue;
                if (nearest < 0 || dist(a, b) < dist(a, nearest))
                    nearest = b;
                if (a % k == b % k)
                    widest = std::max(widest, dist(a, b));
                else
                    closestGap = std::min(closestGap, dist(a, b));
            }
            QCOMPARE(nearest % k, a % k);
        }
        QVERIFY2(widest < closestGap, qPrintable(QStringLiteral("%1 vs %2").arg(widest).arg(closestGap)));
        // Deterministic: the same input gives the same picture.
        auto again = TsneEmbedding::embed(x, n, dim, init);
        QVERIFY(again);
        QCOMPARE(*again, *y);
        // Errors name the problem.
        QVERIFY(TsneEmbedding::embed(std::vector<double>(3 * dim), 3, dim, std::vector<double>(6)).error().find("at least 4 points") != std::string::npos);
        const int tooMany = TsneEmbedding::kMaxPoints + 1;
        QVERIFY(TsneEmbedding::embed(std::vector<double>(tooMany), tooMany, 1, std::vector<double>(2 * tooMany))
                    .error().find("limited to 2000 points") != std::string::npos);
        x[5] = std::nan("");
        QVERIFY(TsneEmbedding::embed(x, n, dim, init).error().find("NaN") != std::string::npos);
    }

    void tokenViewsKeepWindowsAndPadding()
    {
        // A local window W = 1 over 6 tokens "[CLS] ▁un happy ▁day [SEP] [PAD]", the last key padded.
        const int n = 6;
        std::vector<float> w(n * n, 1.0f / n);
        auto r = makeResult(1, 1, n, w, { "[CLS]", "\xE2\x96\x81" "un", "happy", "\xE2\x96\x81" "day", "[SEP]", "[PAD]" });
        r.mechanism.scope = ScopeKind::Local;
        r.mechanism.window = 1;
        r.mechanism.paddedKeys = { 5 };
        r.mask = MaskSpec(r.mechanism, n, n);
        // Dropping the special tokens keeps positions 1, 2, 3: "▁un"-"▁day" (distance 2) stays masked.
        TokenFilterOptions o;
        o.dropSpecial = true;
        auto f = TokenFilter::apply(r, o);
        QVERIFY2(f, f ? "" : f.error().c_str());
        QCOMPARE(f->keyCount, 3);
        QVERIFY(f->warnings.empty());
        QCOMPARE(f->mechanism.scope, ScopeKind::Local);
        QVERIFY(!f->isMasked(0, 1));
        QVERIFY(f->isMasked(0, 2));
        QVERIFY(f->isMasked(2, 0));
        QVERIFY(!f->isMasked(2, 1));
        // Dropping only the first token keeps [PAD] (now key 4) padded, and [SEP] (3) out of "▁un"'s window.
        TokenFilterOptions first;
        first.dropFirst = true;
        auto g = TokenFilter::apply(r, first);
        QVERIFY(g);
        QCOMPARE(g->mechanism.paddedKeys, (std::vector<int> { 4 }));
        QVERIFY(g->isMasked(2, 4)); // padding: masked even inside the window (day-[PAD] distance 2 anyway)
        QVERIFY(g->isMasked(3, 4)); // [SEP] -> [PAD]: distance 1, masked only by the padding
        QVERIFY(g->isMasked(0, 2)); // ▁un -> ▁day: distance 2
        QVERIFY(!g->isMasked(0, 1));
        // Merging subwords: "▁un"+"happy" is one word; a word cell is masked only when every token
        // cell under it is. [CLS]-"unhappy": [CLS]->▁un distance 1, visible; [CLS]-"day": distance 3.
        auto m = WordAggregation::apply(r);
        QVERIFY2(m, m ? "" : m.error().c_str());
        QCOMPARE(m->keyLabels, (std::vector<std::string> { "[CLS]", "unhappy", "day", "[SEP]", "[PAD]" }));
        QVERIFY(!m->isMasked(0, 1));
        QVERIFY(m->isMasked(0, 2));
        QVERIFY(!m->isMasked(2, 1)); // ▁day -> happy: distance 1
        QVERIFY(m->isMasked(1, 3));  // un/happy -> [SEP]: distances 3 and 2
        QCOMPARE(m->mechanism.paddedKeys, (std::vector<int> { 4 }));
        QVERIFY(m->isMasked(3, 4)); // [SEP] -> [PAD]: padding
        // Both, as the token view chains them: drop the specials, then merge.
        auto both = WordAggregation::apply(*f);
        QVERIFY(both);
        QCOMPARE(both->keyLabels, (std::vector<std::string> { "unhappy", "day" }));
        QVERIFY(!both->isMasked(0, 1));
        QVERIFY(!both->isMasked(1, 0));
    }

    void tokenFilterRenormalises()
    {
        auto r = makeResult(1, 1, 3, { 1, 0, 0, 0.6f, 0.4f, 0, 0.5f, 0.2f, 0.3f }, { "<s>", "a", "b" });
        r.mechanism.causal = true;
        r.mask = MaskSpec(r.mechanism, 3, 3);
        TokenFilterOptions o;
        o.dropSpecial = true;
        auto f = TokenFilter::apply(r, o);
        QVERIFY(f);
        QCOMPARE(f->queryCount, 2);
        QCOMPARE(f->keyLabels, (std::vector<std::string> { "a", "b" }));
        // a: [.4, 0] / .4; b: [.2, .3] / .5
        const float expected[] = { 1, 0, 0.4f, 0.6f };
        compareMaps(f->weights, expected, 4, 1e-6);
        QVERIFY(f->isMasked(0, 1)); // causal carries over
        QVERIFY(!f->isMasked(1, 0));
        // Flags win over spelling: "a" flagged special, "<s>" not; dropFirst drops "<s>" too.
        r.specialTokens = { 0, 1, 0 };
        o.dropFirst = true;
        auto both = TokenFilter::apply(r, o);
        QVERIFY(both);
        QCOMPARE(both->keyLabels, (std::vector<std::string> { "b" }));
        QCOMPARE(both->weights, (std::vector<float> { 1.0f }));
        QCOMPARE(both->specialTokens, (std::vector<uint8_t> { 0 }));
        // Nothing left: a clear error.
        auto single = makeResult(1, 1, 1, { 1 }, { "[CLS]" });
        TokenFilterOptions special;
        special.dropSpecial = true;
        QVERIFY(TokenFilter::apply(single, special).error().find("no token") != std::string::npos);
        QVERIFY(TokenFilter::looksSpecial("[SEP]") && TokenFilter::looksSpecial("<|endoftext|>")
            && TokenFilter::looksSpecial("</s>") && !TokenFilter::looksSpecial("[x]")
            && !TokenFilter::looksSpecial("<3"));
    }

    void tokenFilterSubsetsPerHeadVectors()
    {
        // 1 layer, 2 heads, 3 tokens, headDim 1: queries = 10*h + i, keys = -(10*h + i).
        auto r = makeResult(1, 2, 3, std::vector<float>(18, 1.0f / 3));
        r.headDim = 1;
        r.layerQueries = { 0, 1, 2, 10, 11, 12 };
        r.layerKeys = { 0, -1, -2, -10, -11, -12 };
        TokenFilterOptions o;
        o.dropFirst = true;
        auto f = TokenFilter::apply(r, o);
        QVERIFY(f);
        QCOMPARE(f->layerQueries, (std::vector<float> { 1, 2, 11, 12 }));
        QCOMPARE(f->layerKeys, (std::vector<float> { -1, -2, -11, -12 }));
        QCOMPARE(f->weights[0], 0.5f);
    }

    void wordGroups_data()
    {
        QTest::addColumn<QStringList>("labels");
        QTest::addColumn<QStringList>("words");
        QTest::addColumn<QList<int>>("wordOfToken");
        QTest::newRow("wordpiece") << QStringList { QStringLiteral("[CLS]"), QStringLiteral("play"),
            QStringLiteral("##ing"), QStringLiteral("fast"), QStringLiteral("."), QStringLiteral("##x"),
            QStringLiteral("[SEP]") }
                                   << QStringList { QStringLiteral("[CLS]"), QStringLiteral("playing"),
                                          QStringLiteral("fast"), QStringLiteral("."), QStringLiteral("x"),
                                          QStringLiteral("[SEP]") }
                                   << QList<int> { 0, 1, 1, 2, 3, 4, 5 };
        QTest::newRow("gpt2") << QStringList { QStringLiteral("The"), QString::fromUtf8("\u0120play"),
            QStringLiteral("ers"), QStringLiteral(","), QString::fromUtf8("\u0120won"),
            QStringLiteral("<|endoftext|>") }
                              << QStringList { QStringLiteral("The"), QStringLiteral("players"),
                                     QStringLiteral(","), QStringLiteral("won"),
                                     QStringLiteral("<|endoftext|>") }
                              << QList<int> { 0, 1, 1, 2, 3, 4 };
        QTest::newRow("sentencepiece")
            << QStringList { QStringLiteral("<s>"), QString::fromUtf8("\u2581The"),
                   QString::fromUtf8("\u2581play"), QStringLiteral("ers"), QString::fromUtf8("\u2581won"),
                   QStringLiteral("!") }
            << QStringList { QStringLiteral("<s>"), QStringLiteral("The"), QStringLiteral("players"),
                   QStringLiteral("won"), QStringLiteral("!") }
            << QList<int> { 0, 1, 2, 2, 3, 4 };
        // llama2.c (stories260K's pieces for "... play outside in the park."): a lone " " starts "outside".
        QTest::newRow("llama2c") << QStringList { QStringLiteral("<s>"), QStringLiteral(" play"),
            QStringLiteral(" "), QStringLiteral("out"), QStringLiteral("s"), QStringLiteral("id"),
            QStringLiteral("e"), QStringLiteral(" p"), QStringLiteral("ar"), QStringLiteral("k"),
            QStringLiteral(".") }
                                 << QStringList { QStringLiteral("<s>"), QStringLiteral("play"),
                                        QStringLiteral("outside"), QStringLiteral("park"),
                                        QStringLiteral(".") }
                                 << QList<int> { 0, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4 };
        QTest::newRow("engine words")
            << QStringList { QStringLiteral("the"), QStringLiteral("cat"), QStringLiteral(".") }
            << QStringList { QStringLiteral("the"), QStringLiteral("cat"), QStringLiteral(".") }
            << QList<int> { 0, 1, 2 };
    }
    void wordGroups()
    {
        QFETCH(QStringList, labels);
        QFETCH(QStringList, words);
        QFETCH(QList<int>, wordOfToken);
        std::vector<std::string> l;
        for (const QString& s : labels)
            l.push_back(s.toStdString());
        const WordGroups g = WordAggregation::group(l);
        QStringList got;
        for (const auto& s : g.labels)
            got << QString::fromStdString(s);
        QCOMPARE(got, words);
        QCOMPARE(QList<int>(g.wordOfToken.begin(), g.wordOfToken.end()), wordOfToken);
    }

    void wordMapAgainstNumpy()
    {
        std::ifstream in(fixture("words.json"));
        const auto j = nlohmann::json::parse(in);
        const auto labels = j["labels"].get<std::vector<std::string>>();
        const auto groups = j["groups"].get<std::vector<std::vector<int>>>();
        const NpyArray map = loadNpy("words_map.npy");
        auto r = makeResult(1, 1, 7, map.data, labels);
        auto words = WordAggregation::apply(r);
        QVERIFY(words);
        const WordGroups g = WordAggregation::group(labels);
        QCOMPARE(g.words, groups);
        QCOMPARE(words->keyCount, static_cast<int>(groups.size()));
        QCOMPARE(words->keyLabels[2], std::string("players"));
        const NpyArray expected = loadNpy("words_expected.npy");
        compareMaps(words->weights, expected.data.data(), expected.data.size(), 1e-6);
        checkRowsSumToOne(words->weights, 6, 6);
        QCOMPARE(words->specialTokens.front(), uint8_t { 1 }); // <|endoftext|> stays special
    }

    void wordMapByHand()
    {
        // Tokens a ##b c: words {a,b}, {c}. Rows: [.5,.3,.2], [.1,.1,.8], [.3,.3,.4].
        // FROM ab = mean of rows 0,1; TO ab = sum of keys 0,1: [(.8+.2)/2, (.2+.8)/2] = [.5, .5]; c: [.6,
        // .4].
        auto r = makeResult(
            1, 1, 3, { 0.5f, 0.3f, 0.2f, 0.1f, 0.1f, 0.8f, 0.3f, 0.3f, 0.4f }, { "a", "##b", "c" });
        auto w = WordAggregation::apply(r);
        QVERIFY(w);
        QCOMPARE(w->keyLabels, (std::vector<std::string> { "ab", "c" }));
        compareMaps(w->weights, std::vector<float> { 0.5f, 0.5f, 0.6f, 0.4f }.data(), 4, 1e-6);
        auto bad = r;
        bad.keyLabels.pop_back();
        QVERIFY(WordAggregation::apply(bad).error().find("label") != std::string::npos);
    }

    void rankingOrdersAndFilters()
    {
        // Three heads of 2 tokens; first-token mass (mean of column 0): h0 0.75, h1 0.5, h2 1.0.
        auto r = makeResult(1, 3, 2, { 1, 0, 0.5f, 0.5f, /* h1 */ 1, 0, 0, 1, /* h2 */ 1, 0, 1, 0 });
        auto desc = HeadRanking::rank(r, HeadStatistic::FirstTokenMass, false);
        QCOMPARE(desc.size(), size_t { 3 });
        QCOMPARE(desc[0].head, 2);
        QCOMPARE(desc[1].head, 0);
        QCOMPARE(desc[2].head, 1);
        QCOMPARE(desc[1].value, 0.75);
        auto asc = HeadRanking::rank(r, HeadStatistic::FirstTokenMass, true,
            HeadThreshold { HeadStatistic::FirstTokenMass, HeadThreshold::Compare::AtLeast, 0.7 });
        QCOMPARE(asc.size(), size_t { 2 });
        QCOMPARE(asc[0].head, 0);
        QCOMPARE(asc[1].head, 2);
        // Previous-token mass (row 1's weight on key 0): h0 .5, h1 0, h2 1; filter by another statistic.
        auto prev = HeadRanking::rank(r, HeadStatistic::PreviousTokenMass, false,
            HeadThreshold { HeadStatistic::FirstTokenMass, HeadThreshold::Compare::AtMost, 0.8 });
        QCOMPARE(prev.size(), size_t { 2 });
        QCOMPARE(prev[0].head, 0);
        QCOMPARE(prev[0].value, 0.5);
        QCOMPARE(*HeadRanking::parse("first"), HeadStatistic::FirstTokenMass);
        QVERIFY(!HeadRanking::parse("sinkiness"));
    }

    void rankingGridDistance()
    {
        // A 2 x 2 picture with a CLS token first: patch 0 (row 0, col 0) attends to patch 3 (row 1, col 1).
        std::vector<float> w(25, 0.0f);
        for (int i = 0; i < 5; ++i)
            w[static_cast<size_t>(i) * 5 + i] = 1.0f;
        w[1 * 5 + 1] = 0.0f;
        w[1 * 5 + 4] = 1.0f;
        auto r = makeResult(1, 1, 5, w);
        r.gridRows = r.gridCols = 2;
        // Patch rows: distances sqrt(2), 0, 0, 0 -> mean sqrt(2) / 4.
        QVERIFY(
            std::abs(HeadRanking::value(r, 0, 0, HeadStatistic::MeanDistance) - std::sqrt(2.0) / 4) < 1e-9);
        r.gridRows = 0; // positions: rows 1 -> |1-4| = 3, others 0 -> 3/5
        QVERIFY(std::abs(HeadRanking::value(r, 0, 0, HeadStatistic::MeanDistance) - 0.6) < 1e-9);
    }

    void pcaAgainstNumpy_data()
    {
        QTest::addColumn<bool>("translate");
        QTest::newRow("translated") << true;
        QTest::newRow("plain") << false;
    }
    void pcaAgainstNumpy()
    {
        QFETCH(bool, translate);
        const NpyArray q = loadNpy("pca_queries.npy"), k = loadNpy("pca_keys.npy");
        const std::string name = translate ? "translated" : "plain";
        const NpyArray expected = loadNpy("pca_" + name + ".npy");
        std::ifstream in(fixture("pca.json"));
        const auto ratios = nlohmann::json::parse(in)[name].get<std::vector<double>>();
        auto p = QueryKeyProjection::project(q.data.data(), 7, k.data.data(), 7, 5, translate);
        QVERIFY(p);
        QVERIFY(std::abs(p->explained[0] - ratios[0]) < 1e-5);
        QVERIFY(std::abs(p->explained[1] - ratios[1]) < 1e-5);
        for (int c = 0; c < 2; ++c) {
            const auto& got = c == 0 ? p->x : p->y;
            // Up to sign (the sign rules agree, so this also confirms them when the product is +).
            double dot = 0.0;
            for (int i = 0; i < 14; ++i)
                dot += got[static_cast<size_t>(i)] * expected.data[static_cast<size_t>(i) * 2 + c];
            const double sign = dot < 0 ? -1.0 : 1.0;
            QCOMPARE(sign, 1.0);
            for (int i = 0; i < 14; ++i)
                QVERIFY2(std::abs(sign * got[static_cast<size_t>(i)]
                             - expected.data[static_cast<size_t>(i) * 2 + c])
                        < 1e-4,
                    qPrintable(QStringLiteral("component %1 point %2").arg(c).arg(i)));
        }
        if (translate) { // the clouds share a centroid: mean x of queries == mean x of keys
            double qx = 0.0, kx = 0.0;
            for (int i = 0; i < 7; ++i) {
                qx += p->x[static_cast<size_t>(i)];
                kx += p->x[static_cast<size_t>(i + 7)];
            }
            QVERIFY(std::abs(qx - kx) < 1e-4);
        }
    }

    void pcaFromEngineColumnsAndBadInput()
    {
        AttentionResult r = makeResult(1, 2, 3, std::vector<float>(18, 1.0f / 3));
        r.headDim = 2;
        r.q = Matrix(3, 4);
        r.k = Matrix(3, 4);
        r.q << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
        r.k = r.q.array() + 10.0f;
        auto v = QueryKeyProjection::headVectors(r, 0, 1);
        QVERIFY(v);
        QCOMPARE(v->first, (std::vector<float> { 3, 4, 7, 8, 11, 12 }));
        QCOMPARE(v->second, (std::vector<float> { 13, 14, 17, 18, 21, 22 }));
        // Points on the line y = x + 1: all variance in the first component.
        auto p = QueryKeyProjection::forHead(r, 0, 1, false);
        QVERIFY(p);
        QVERIFY(std::abs(p->explained[0] - 1.0) < 1e-9);
        QVERIFY(std::abs(p->explained[1]) < 1e-9);
        QVERIFY(!QueryKeyProjection::headVectors(r, 0, 2));
        r.q = Matrix();
        QVERIFY(QueryKeyProjection::forHead(r, 0, 0).error().find("per-head") != std::string::npos);
        const float nan[] = { std::numeric_limits<float>::quiet_NaN() };
        QVERIFY(QueryKeyProjection::project(nan, 1, nan, 1, 1).error().find("NaN") != std::string::npos);
        QVERIFY(!QueryKeyProjection::project(nan, 0, nan, 1, 1));
        // Identical points: no variance, ratios 0, no NaN.
        const float same[] = { 1, 1, 1, 1 };
        auto flat = QueryKeyProjection::project(same, 1, same + 2, 1, 2, false);
        QVERIFY(flat);
        QCOMPARE(flat->explained[0], 0.0);
        QCOMPARE(flat->x[0], 0.0f);
    }
};

QTEST_MAIN(TestAnalysis)
#include "tst_analysis.moc"
