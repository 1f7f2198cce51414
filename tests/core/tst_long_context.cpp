// Long prompts without N x N maps: StreamingAttention (tiled, online softmax, statistics on the way)
// against a naive double-precision attention written here (its own masks, soft cap and softmax);
// AttentionMaps' exact maps, single weights and level-of-detail images against the materialised maps
// and MapDownsampler; TransformerStack::trace against forward() on the bundled stories260K and on
// the Hugging Face fixtures with grouped-query attention, sliding windows and soft caps; and the
// budget refusals with the memory they name.
#include "AttentionMaps.h"
#include "HeadStatistics.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "HfTextModel.h"
#include "LoadedModel.h"
#include "MallocTuning.h"
#include "MapDownsampler.h"
#include "SafetensorsFile.h"
#include "StreamingAttention.h"
#include "TransformerStack.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <cmath>
#include <random>

using namespace attn;

namespace {

Matrix randomMatrix(int rows, int cols, std::mt19937& rng, float spread)
{
    std::normal_distribution<float> normal(0.0f, spread);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = normal(rng);
    return m;
}

// The reference: per head, double precision, every mask rule spelled out again.
struct NaiveLayer {
    std::vector<std::vector<double>> maps; // [head][i * total + j]
    std::vector<double> context;           // [i][h * d + c]
};

NaiveLayer naiveAttention(const Matrix& q, const Matrix& k, const Matrix& v, const AttentionRule& r)
{
    const int n = static_cast<int>(q.rows()), total = static_cast<int>(k.rows()), d = r.headDim;
    NaiveLayer out;
    out.maps.assign(static_cast<size_t>(r.heads), std::vector<double>(static_cast<size_t>(n) * total, 0.0));
    out.context.assign(static_cast<size_t>(n) * r.heads * d, 0.0);
    for (int h = 0; h < r.heads; ++h) {
        const int g = h / (r.heads / r.kvHeads);
        for (int i = 0; i < n; ++i) {
            const int p = r.queryOffset + i;
            std::vector<double> s(static_cast<size_t>(total));
            std::vector<bool> seen(static_cast<size_t>(total));
            double top = -INFINITY;
            for (int j = 0; j < total; ++j) {
                seen[static_cast<size_t>(j)] = (!r.causal || j <= p) && (r.window <= 0 || p - j < r.window);
                if (!seen[static_cast<size_t>(j)])
                    continue;
                double dot = 0.0;
                for (int c = 0; c < d; ++c)
                    dot += static_cast<double>(q(i, h * d + c)) * k(j, g * d + c);
                dot *= r.scale;
                if (r.softCap > 0.0f)
                    dot = r.softCap * std::tanh(dot / r.softCap);
                s[static_cast<size_t>(j)] = dot;
                top = std::max(top, dot);
            }
            double sum = 0.0;
            for (int j = 0; j < total; ++j)
                if (seen[static_cast<size_t>(j)])
                    sum += std::exp(s[static_cast<size_t>(j)] - top);
            for (int j = 0; j < total; ++j) {
                const double a = seen[static_cast<size_t>(j)] ? std::exp(s[static_cast<size_t>(j)] - top) / sum : 0.0;
                out.maps[static_cast<size_t>(h)][static_cast<size_t>(i) * total + j] = a;
                for (int c = 0; c < d; ++c)
                    out.context[(static_cast<size_t>(i) * r.heads + h) * d + c] += a * v(j, g * d + c);
            }
        }
    }
    return out;
}

std::vector<float> toFloat(const std::vector<double>& x)
{
    return std::vector<float>(x.begin(), x.end());
}

void compareStats(const HeadStats& a, const HeadStats& b, double tolerance, const char* where)
{
    const double got[] = {a.entropy, a.maxWeight, a.meanDistance, a.firstTokenMass, a.previousTokenMass};
    const double want[] = {b.entropy, b.maxWeight, b.meanDistance, b.firstTokenMass, b.previousTokenMass};
    const char* names[] = {"entropy", "maxWeight", "meanDistance", "firstTokenMass", "previousTokenMass"};
    for (int s = 0; s < 5; ++s)
        if (std::abs(got[s] - want[s]) > tolerance * std::max(1.0, std::abs(want[s])))
            QFAIL(qPrintable(QString("%1: %2 is %3, the map gives %4")
                                 .arg(where, names[s])
                                 .arg(got[s], 0, 'g', 9)
                                 .arg(want[s], 0, 'g', 9)));
}

std::string bundledModel()
{
    return qgetenv("ATTNSCOPE_BUNDLED_MODEL").toStdString();
}

std::string fixtureDir(const std::string& family)
{
    return qgetenv("ATTNSCOPE_FIXTURES").toStdString() + "/hf/" + family;
}

// The trace of a prompt equals the materialised capture: every map of every layer, each head's
// statistics against HeadStatistics on the captured map, the last logits.
void traceEqualsForward(const TransformerStack& stack, const std::vector<int>& ids, const char* name)
{
    auto captured = stack.forward(ids, false);
    QVERIFY2(captured.ok(), captured.ok() ? "" : captured.error().c_str());
    auto traced = stack.trace(ids);
    QVERIFY2(traced.ok(), traced.ok() ? "" : traced.error().c_str());
    const int n = static_cast<int>(ids.size());
    QCOMPARE(traced->layerCount(), captured->layers);
    QCOMPARE(traced->heads, captured->heads);
    AttentionMaps maps(std::make_shared<AttentionTrace>(std::move(*traced)), uint64_t { 1 } << 30);
    double worst = 0.0;
    for (int l = 0; l < maps.layers(); ++l)
        for (int h = 0; h < maps.heads(); ++h) {
            auto m = maps.map(l, h);
            QVERIFY(m.ok());
            const float* want = captured->weights.data() + captured->mapOffset(l, h);
            for (size_t c = 0; c < static_cast<size_t>(n) * n; ++c)
                worst = std::max(worst, static_cast<double>(std::abs((**m)[c] - want[c])));
            compareStats(maps.trace().stats(l, h), HeadStatistics::compute(want, n, n), 1e-5, name);
        }
    qInfo("%s: %d tokens, largest map difference %.3g", name, n, worst);
    QVERIFY2(worst <= 1e-5, name);
    const auto& a = maps.trace().lastLogits;
    const auto& b = captured->lastLogits;
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        QVERIFY2(std::abs(a[i] - b[i]) <= 1e-4f * std::max(1.0f, std::abs(b[i])), name);
}

} // namespace

class TestLongContext : public QObject {
    Q_OBJECT

private slots:
    void streamingEqualsNaive_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("offset");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("window");
        QTest::addColumn<float>("softCap");
        // One row, tile edges (128 keys, 16..128-row query blocks), GQA groups of 1, 2, 7, windows
        // shorter and longer than a tile, Gemma's soft cap, a decode step against a cache (offset).
        QTest::newRow("one token") << 1 << 0 << 2 << 1 << true << 0 << 0.0f;
        QTest::newRow("bidirectional 130") << 130 << 0 << 4 << 4 << false << 0 << 0.0f;
        QTest::newRow("causal 300 gqa 7") << 300 << 0 << 14 << 2 << true << 0 << 0.0f;
        QTest::newRow("causal 257 mha") << 257 << 0 << 3 << 3 << true << 0 << 0.0f;
        QTest::newRow("window 40") << 200 << 0 << 4 << 2 << true << 40 << 0.0f;
        QTest::newRow("window 150") << 333 << 0 << 2 << 1 << true << 150 << 0.0f;
        QTest::newRow("soft cap 5") << 150 << 0 << 4 << 2 << true << 0 << 5.0f;
        QTest::newRow("bidirectional window") << 90 << 0 << 2 << 2 << false << 17 << 0.0f;
        QTest::newRow("decode step") << 1 << 199 << 4 << 2 << true << 0 << 0.0f;
        QTest::newRow("chunk after cache") << 37 << 100 << 4 << 1 << true << 64 << 0.0f;
    }

    void streamingEqualsNaive()
    {
        QFETCH(int, n);
        QFETCH(int, offset);
        QFETCH(int, heads);
        QFETCH(int, kvHeads);
        QFETCH(bool, causal);
        QFETCH(int, window);
        QFETCH(float, softCap);
        std::mt19937 rng(static_cast<unsigned>(n * 7919 + heads * 31 + window));
        AttentionRule rule;
        rule.heads = heads;
        rule.kvHeads = kvHeads;
        rule.headDim = 16;
        rule.causal = causal;
        rule.queryOffset = offset;
        rule.scale = 0.25f;
        rule.softCap = softCap;
        rule.window = window;
        const int total = offset + n;
        // Spread 2: scores up to ~±30, peaked rows, so the online rescaling matters.
        const Matrix q = randomMatrix(n, heads * 16, rng, 2.0f);
        const Matrix k = randomMatrix(total, kvHeads * 16, rng, 2.0f);
        const Matrix v = randomMatrix(total, kvHeads * 16, rng, 1.0f);
        Matrix context;
        RowStatistics stats;
        StreamingAttention::attend(q, k, v, rule, context, &stats);
        const NaiveLayer ref = naiveAttention(q, k, v, rule);
        double worstContext = 0.0;
        for (int i = 0; i < n; ++i)
            for (int c = 0; c < heads * 16; ++c)
                worstContext = std::max(worstContext,
                    std::abs(context(i, c) - ref.context[static_cast<size_t>(i) * heads * 16 + c]));
        QVERIFY2(worstContext <= 1e-5, qPrintable(QString("context differs by %1").arg(worstContext)));
        // The exact map from the row maxima and sums, and the streamed statistics against the map's.
        std::vector<float> map(static_cast<size_t>(n) * total);
        for (int h = 0; h < heads; ++h) {
            StreamingAttention::weights(q, k, rule, h, stats.rowMax.data() + stats.at(h, 0),
                stats.rowSum.data() + stats.at(h, 0), 0, n, map.data());
            double worst = 0.0;
            for (size_t c = 0; c < map.size(); ++c)
                worst = std::max(worst, std::abs(map[c] - ref.maps[static_cast<size_t>(h)][c]));
            QVERIFY2(worst <= 1e-5, qPrintable(QString("head %1's map differs by %2").arg(h).arg(worst)));
            if (offset == 0) {
                const std::vector<float> refMap = toFloat(ref.maps[static_cast<size_t>(h)]);
                compareStats(stats.summary(h), HeadStatistics::compute(refMap.data(), n, total), 1e-5, "streamed");
            }
        }
    }

    void statisticsSeeTheirFeature()
    {
        // Hand-made: 3 tokens, one head, d = 1, causal, q = k = 0 except k_0 large: every query puts
        // nearly all weight on key 0 (a sink), so firstTokenMass ~ 1 and previousTokenMass ~ 0 except
        // row 1 (key 0 is its previous token); the exact numbers by hand: row 2 has scores 10, 0, 0.
        AttentionRule rule;
        rule.causal = true;
        Matrix q(3, 1), k(3, 1), v(3, 1);
        q << 1, 1, 1;
        k << 10, 0, 0;
        v << 1, 2, 3;
        Matrix context;
        RowStatistics stats;
        StreamingAttention::attend(q, k, v, rule, context, &stats);
        const double e = std::exp(-10.0);
        QVERIFY(std::abs(stats.firstWeight[0] - 1.0) < 1e-7);
        QVERIFY(std::abs(stats.firstWeight[1] - 1.0 / (1.0 + e)) < 1e-7);
        QVERIFY(std::abs(stats.firstWeight[2] - 1.0 / (1.0 + 2.0 * e)) < 1e-7);
        QVERIFY(std::abs(stats.previousWeight[2] - e / (1.0 + 2.0 * e)) < 1e-9);
        QVERIFY(std::abs(stats.distance[2] - (2.0 + e) / (1.0 + 2.0 * e)) < 1e-6);
        QVERIFY(std::abs(context(2, 0) - (1.0 + 5.0 * e) / (1.0 + 2.0 * e)) < 1e-6);
        const HeadStats s = stats.summary(0);
        QVERIFY(std::abs(s.maxWeight - 1.0) < 1e-7);
        QVERIFY(std::abs(s.previousTokenMass - (1.0 / (1.0 + e) + e / (1.0 + 2.0 * e)) / 2.0) < 1e-7);
    }

    void mapsOnDemand()
    {
        // A 400-token causal GQA layer traced by hand: exact maps, single weights and LOD images
        // against the naive map and MapDownsampler::maxPool of it.
        std::mt19937 rng(4);
        AttentionRule rule;
        rule.heads = 4;
        rule.kvHeads = 2;
        rule.headDim = 8;
        rule.causal = true;
        rule.scale = 0.35f;
        const int n = 400;
        auto trace = std::make_shared<AttentionTrace>();
        trace->heads = 4;
        trace->kvHeads = 2;
        trace->tokens = n;
        trace->headDim = 8;
        trace->layers.resize(1);
        LayerTrace& t = trace->layers[0];
        t.queries = randomMatrix(n, 32, rng, 2.0f);
        t.keys = randomMatrix(n, 16, rng, 2.0f);
        t.values = randomMatrix(n, 16, rng, 1.0f);
        t.rule = rule;
        Matrix context;
        StreamingAttention::attend(t.queries, t.keys, t.values, rule, context, &t.rows);
        const NaiveLayer ref = naiveAttention(t.queries, t.keys, t.values, rule);
        // Room for exactly two cached maps (a quarter of the budget).
        const uint64_t budget = 8 * AttentionMaps::mapBytes(n) + 16;
        AttentionMaps maps(trace, budget);
        for (int h = 0; h < 4; ++h) {
            auto m = maps.map(0, h);
            QVERIFY(m.ok());
            const std::vector<float> want = toFloat(ref.maps[static_cast<size_t>(h)]);
            double worst = 0.0;
            for (size_t c = 0; c < want.size(); ++c)
                worst = std::max(worst, static_cast<double>(std::abs((**m)[c] - want[c])));
            QVERIFY2(worst <= 1e-5, qPrintable(QString("map %1 differs by %2").arg(h).arg(worst)));
            QCOMPARE(maps.weight(0, h, 10, 11), 0.0f); // above the diagonal
            QVERIFY(std::abs(maps.weight(0, h, 399, 17) - want[399 * n + 17]) <= 1e-5f);
            QVERIFY(std::abs(maps.weight(0, h, 0, 0) - 1.0f) <= 1e-6f);
            for (auto [rows, cols] : {std::pair {100, 100}, {7, 333}, {400, 400}, {1, 1}, {3000, 50}}) {
                const auto lod = maps.levelOfDetail(0, h, rows, cols);
                const auto pooled = MapDownsampler::maxPool((**m).data(), n, n, rows, cols);
                QCOMPARE(lod.size(), pooled.size());
                for (size_t c = 0; c < lod.size(); ++c)
                    QCOMPARE(lod[c], pooled[c]); // same weights, same pooling: bit for bit
            }
            // The heatmap's image of a region, from Q and K: maxPoolRegion of the exact map bit for
            // bit, and the region's smallest, largest and smallest positive weight by a plain scan.
            struct Region {
                int row0, row1, col0, col1, outRows, outCols;
            };
            for (const Region g : {Region {0, n, 0, n, 100, 100}, Region {0, n, 0, n, 7, 333}, Region {37, 291, 5, 377, 50, 61},
                     Region {200, 201, 0, n, 1, 400}, Region {0, n, 399, 400, 400, 1}, Region {13, 90, 150, 160, 500, 500},
                     Region {0, n, 0, n, 400, 400}}) {
                const auto image = maps.regionImage(0, h, g.row0, g.row1, g.col0, g.col1, g.outRows, g.outCols);
                std::pair<float, float> minMax;
                const auto pooled = MapDownsampler::maxPoolRegion(
                    (**m).data(), n, g.row0, g.row1, g.col0, g.col1, g.outRows, g.outCols, &minMax);
                QCOMPARE(image.rows, std::min(g.outRows, g.row1 - g.row0));
                QCOMPARE(image.cols, std::min(g.outCols, g.col1 - g.col0));
                QCOMPARE(image.cells.size(), pooled.size());
                int differ = 0;
                for (size_t c = 0; c < pooled.size(); ++c)
                    differ += image.cells[c] != pooled[c];
                QCOMPARE(differ, 0);
                float lo = 1e9f, hi = -1.0f, loPositive = std::numeric_limits<float>::infinity();
                for (int i = g.row0; i < g.row1; ++i)
                    for (int j = g.col0; j < g.col1; ++j) {
                        const float v = (**m)[static_cast<size_t>(i) * n + j];
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                        if (v > 0.0f)
                            loPositive = std::min(loPositive, v);
                    }
                QCOMPARE(image.min, lo);
                QCOMPARE(image.max, hi);
                QCOMPARE(image.min, minMax.first);
                QCOMPARE(image.max, minMax.second);
                QCOMPARE(image.minPositive, loPositive);
            }
            // Above the diagonal only (causal): every weight 0, none positive.
            const auto upper = maps.regionImage(0, h, 0, 10, 300, 400, 10, 10);
            QCOMPARE(upper.max, 0.0f);
            QCOMPARE(upper.min, 0.0f);
            QVERIFY(std::isinf(upper.minPositive));
            // One cell asked for at any size: that cell (query 0 sees only key 0, weight 1).
            QCOMPARE(maps.regionImage(0, h, 0, 1, 0, 1, 4, 4).cells, std::vector<float> {(**m)[0]});
            QVERIFY(std::abs((**m)[0] - 1.0f) <= 1e-6f);
        }
        QCOMPARE(maps.cachedMaps(), 2);
        QCOMPARE(maps.cachedBytes(), 2 * AttentionMaps::mapBytes(n));
        // The cached map is the same object the second time.
        auto again1 = maps.map(0, 3);
        auto again2 = maps.map(0, 3);
        QVERIFY(again1->get() == again2->get());
        // Over the budget: refused with the memory it needs.
        AttentionMaps small(trace, 600000);
        auto refused = small.map(0, 1);
        QVERIFY(!refused.ok());
        QCOMPARE(QString::fromStdString(refused.error()),
            QString("the attention map of layer 0 head 1 (400 x 400 tokens) needs 0.6 MB, more than the memory "
                    "budget of 0.6 MB"));
        AttentionMaps tiny(trace, 1000);
        QCOMPARE(QString::fromStdString(tiny.map(0, 0).error()),
            QString("the attention map of layer 0 head 0 (400 x 400 tokens) needs 0.6 MB, more than the memory "
                    "budget of 0.0 MB"));
        // A budget whose quarter holds no map: nothing is cached, and a released map's storage is
        // recycled for the next request, which must still hold exactly its own head's weights.
        AttentionMaps uncached(trace, 2 * AttentionMaps::mapBytes(n));
        {
            auto first = uncached.map(0, 0);
            QVERIFY(first.ok());
            QCOMPARE(uncached.cachedMaps(), 0);
            QCOMPARE(uncached.recycledBuffers(), 0);
        }
        QCOMPARE(uncached.recycledBuffers(), 1);
        {
            auto second = uncached.map(0, 1);
            QVERIFY(second.ok());
            QCOMPARE(uncached.recycledBuffers(), 0);
            double worst = 0.0;
            for (size_t c = 0; c < ref.maps[1].size(); ++c)
                worst = std::max(worst, std::abs((**second)[c] - ref.maps[1][c]));
            QVERIFY2(worst <= 1e-5, qPrintable(QString("the recycled map differs by %1").arg(worst)));
        }
        QCOMPARE(uncached.recycledBuffers(), 1);
        // LOD images and single weights never need the map.
        QCOMPARE(tiny.levelOfDetail(0, 2, 50, 50).size(), size_t { 2500 });
        QCOMPARE(tiny.regionImage(0, 2, 0, n, 0, n, 40, 40).cells.size(), size_t { 1600 });
        QCOMPARE(tiny.cachedMaps(), 0);
    }

    void traceOfStories260k()
    {
        auto loaded = LoadedModel::load(bundledModel());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().c_str());
        std::vector<int> ids;
        std::mt19937 rng(11);
        for (int i = 0; i < 300; ++i)
            ids.push_back(static_cast<int>(rng() % 512));
        traceEqualsForward(*(*loaded)->stack(), ids, "stories260K");
    }

    void traceOfHuggingFaceFamilies_data()
    {
        QTest::addColumn<QString>("family");
        // Grouped queries and biases (qwen2), a sliding window (mistral), soft caps, alternating
        // windows and query_pre_attn_scalar (gemma2), partial rotary (phi3), an encoder (bert).
        for (const char* f : {"qwen2", "mistral", "gemma2", "phi3", "llama3", "bert", "gpt2"})
            QTest::newRow(f) << QString(f);
    }

    void traceOfHuggingFaceFamilies()
    {
        QFETCH(QString, family);
        const std::string dir = fixtureDir(family.toStdString());
        auto config = HfConfig::readFile(dir + "/config.json");
        QVERIFY2(config.ok(), config.ok() ? "" : config.error().c_str());
        auto checkpoint = HfCheckpoint::open(dir + "/model.safetensors");
        QVERIFY2(checkpoint.ok(), checkpoint.ok() ? "" : checkpoint.error().c_str());
        auto model = HfTextModel::load(*config, *checkpoint);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().c_str());
        const TransformerStack& stack = (*model)->stack();
        std::vector<int> ids;
        std::mt19937 rng(5);
        const int n = std::min(stack.spec().maxPositions, 24);
        for (int i = 0; i < n; ++i)
            ids.push_back(static_cast<int>(rng() % static_cast<unsigned>(stack.spec().vocab)));
        traceEqualsForward(stack, ids, qPrintable(family));
    }

    void lazyLayersEqualHeldLayers_data()
    {
        QTest::addColumn<QString>("family");
        for (const char* f : {"qwen2", "gemma2", "phi3", "bert", "gpt2"})
            QTest::newRow(f) << QString(f);
    }

    void lazyLayersEqualHeldLayers()
    {
        // The same checkpoint with its layers held and read layer by layer (HfLazyWeights): the same
        // arithmetic on the same float32 values, so every map and logit is bit for bit the same.
        QFETCH(QString, family);
        const std::string dir = fixtureDir(family.toStdString());
        auto config = HfConfig::readFile(dir + "/config.json");
        QVERIFY(config.ok());
        auto checkpoint = HfCheckpoint::open(dir + "/model.safetensors");
        QVERIFY(checkpoint.ok());
        auto shared = std::make_shared<const HfCheckpoint>(std::move(*checkpoint));
        auto held = HfTextModel::load(*config, shared, {}, HfLoadOptions { 0 });
        // The lazy model from a copy of the file that is deleted once it is loaded: its layers come
        // from the bytes the load kept, never from the file again.
        QTemporaryDir tmp;
        const std::string copy = tmp.path().toStdString() + "/model.safetensors";
        QVERIFY(QFile::copy(QString::fromStdString(dir + "/model.safetensors"), QString::fromStdString(copy)));
        auto copied = HfCheckpoint::open(copy);
        QVERIFY(copied.ok());
        auto lazy = HfTextModel::load(
            *config, std::make_shared<const HfCheckpoint>(std::move(*copied)), {}, HfLoadOptions { 1 });
        QVERIFY(QFile::remove(QString::fromStdString(copy)));
        QVERIFY(held.ok() && lazy.ok());
        QVERIFY(!(*held)->lazyLayers());
        QVERIFY((*lazy)->lazyLayers());
        QVERIFY((*lazy)->stack().weights().layers.empty());
        std::vector<int> ids;
        for (int i = 0; i < std::min(20, (*held)->stack().spec().maxPositions); ++i)
            ids.push_back((i * 37 + 3) % (*held)->stack().spec().vocab);
        auto a = (*held)->forward(ids);
        auto b = (*lazy)->forward(ids);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->weights == b->weights);
        QVERIFY(a->lastLogits == b->lastLogits);
        if ((*held)->stack().spec().causal) {
            auto ga = (*held)->generateGreedy(ids, 4);
            auto gb = (*lazy)->generateGreedy(ids, 4);
            QVERIFY(ga.ok() && gb.ok());
            QVERIFY(*ga == *gb);
        }
    }

    void lazyLayersAreCheckedWhenLoaded()
    {
        // A NaN in the last layer's down projection: refused when the model is opened, not halfway
        // through a forward pass.
        const std::string dir = fixtureDir("qwen2");
        auto config = HfConfig::readFile(dir + "/config.json");
        QVERIFY(config.ok());
        auto file = SafetensorsFile::open(dir + "/model.safetensors");
        QVERIFY(file.ok());
        std::vector<Tensor> tensors;
        std::string poisoned;
        for (const auto& e : file->entries()) {
            auto t = file->tensor(e.name);
            QVERIFY(t.ok());
            if (e.name.find("layers." + std::to_string(config->layers - 1) + ".mlp.down_proj.weight")
                != std::string::npos) {
                t->data[5] = std::nanf("");
                poisoned = e.name;
            }
            tensors.push_back(std::move(*t));
        }
        QVERIFY(!poisoned.empty());
        QTemporaryDir tmp;
        const std::string path = tmp.path().toStdString() + "/model.safetensors";
        {
            std::ofstream out(path, std::ios::binary);
            const std::string bytes = SafetensorsFile::serialize(tensors);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        }
        auto checkpoint = HfCheckpoint::open(path);
        QVERIFY(checkpoint.ok());
        auto lazy = HfTextModel::load(
            *config, std::make_shared<const HfCheckpoint>(std::move(*checkpoint)), {}, HfLoadOptions { 1 });
        QVERIFY(!lazy.ok());
        QVERIFY2(QString::fromStdString(lazy.error()).contains(QString::fromStdString(poisoned)), lazy.error().c_str());
        QVERIFY2(QString::fromStdString(lazy.error()).contains("NaN"), lazy.error().c_str());
    }

    void hugePageTunables()
    {
        const std::string modes = "always [madvise] never";
        QCOMPARE(MallocTuning::tunablesFor(nullptr, modes), std::string("glibc.malloc.hugetlb=1"));
        QCOMPARE(MallocTuning::tunablesFor("", "[always] madvise never"), std::string("glibc.malloc.hugetlb=1"));
        QCOMPARE(MallocTuning::tunablesFor("glibc.malloc.check=3", modes),
            std::string("glibc.malloc.check=3:glibc.malloc.hugetlb=1"));
        // Set already (after the re-exec, or by the user, even to 0): never a second exec.
        QCOMPARE(MallocTuning::tunablesFor("glibc.malloc.hugetlb=1", modes), std::string());
        QCOMPARE(MallocTuning::tunablesFor("glibc.malloc.hugetlb=0", modes), std::string());
        QCOMPARE(MallocTuning::tunablesFor(nullptr, "always madvise [never]"), std::string());
        QCOMPARE(MallocTuning::tunablesFor(nullptr, ""), std::string());
    }

    void traceRefusedOverBudget()
    {
        auto loaded = LoadedModel::load(bundledModel());
        QVERIFY(loaded.ok());
        const std::vector<int> ids(500, 7);
        ComputeControl control;
        control.memoryLimitBytes = 1 << 20;
        auto t = (*loaded)->stack()->trace(ids, control);
        QVERIFY(!t.ok());
        // stories260K: 5 layers, 8 heads, 4 kv heads, head size 8: 500 x ((8 + 2 x 4) x 8 + 6 x 8) floats
        // per layer, 1 760 000 bytes in all.
        QCOMPARE(QString::fromStdString(t.error()),
            QString("the queries, keys and values of 500 tokens over 5 layers need 1.7 MB, more than the memory "
                    "budget of 1.0 MB: use a shorter input"));
    }
};

QTEST_GUILESS_MAIN(TestLongContext)
#include "tst_long_context.moc"
