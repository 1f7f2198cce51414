// Every consumer of a result reads a long prompt's maps on demand exactly as it reads held maps:
// one prompt on the bundled stories260K (5 layers x 8 heads, 4 kv heads) run twice, maps captured
// and maps on demand (ModelRunner, InputSpec::MapCapture), and each analysis, export and statistic
// compared — within 1e-5 (the trace's maps are recomputed from q·k in another order), bit for bit
// where both read the same numbers. Requests over the memory budget are refused with what they need.
#include "AttentionRollout.h"
#include "HeadRanking.h"
#include "HeadStatistics.h"
#include "HeadThumbnails.h"
#include "MapDownsampler.h"
#include "ModelRunner.h"
#include "NpyFile.h"
#include "QueryKeyProjection.h"
#include "ResultExport.h"
#include "TokenView.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>

using namespace attn;

namespace {

std::string bundledModel() { return qgetenv("ATTNSCOPE_BUNDLED_MODEL").toStdString(); }

const char* kPrompt
    = "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. One day, "
      "she saw a big red ball in the park. She ran to the ball and kicked it very hard. The ball flew up high "
      "and landed in a tree. Lily was sad because she could not reach it. Her friend Tom came to help her. He "
      "was tall and strong. Tom climbed the tree and got the ball. Lily was very happy and said thank you. They "
      "played with the ball all day long. When the sun went down, they went home to eat dinner with their "
      "families. Lily told her mom about the ball and the tree, and her mom smiled and gave her a big hug.";

Expected<AttentionResult> run(InputSpec::MapCapture capture, uint64_t budget = 0)
{
    InputSpec spec;
    spec.kind = InputKind::Model;
    spec.path = bundledModel();
    spec.text = kPrompt;
    spec.mapCapture = capture;
    ComputeControl control;
    control.memoryLimitBytes = budget;
    return ModelRunner::run(spec, control);
}

double worstDifference(const float* a, const float* b, size_t n)
{
    double worst = 0.0;
    for (size_t k = 0; k < n; ++k)
        worst = std::max(worst, std::abs(static_cast<double>(a[k]) - static_cast<double>(b[k])));
    return worst;
}

void compareStats(const HeadStats& a, const HeadStats& b, double tolerance)
{
    QVERIFY(std::abs(a.entropy - b.entropy) <= tolerance);
    QVERIFY(std::abs(a.maxWeight - b.maxWeight) <= tolerance);
    QVERIFY(std::abs(a.meanDistance - b.meanDistance) <= tolerance * 100); // in positions, up to ~300
    QVERIFY(std::abs(a.firstTokenMass - b.firstTokenMass) <= tolerance);
    QVERIFY(std::abs(a.previousTokenMass - b.previousTokenMass) <= tolerance);
}

// Rollout by its definition, in double, straight from the held weights (AttentionRollout.h).
std::vector<double> naiveRollout(const AttentionResult& r)
{
    const int n = r.keyCount;
    std::vector<double> rollout(static_cast<size_t>(n) * n, 0.0), a(rollout.size()), next(rollout.size());
    for (int i = 0; i < n; ++i)
        rollout[static_cast<size_t>(i) * n + i] = 1.0;
    for (int l = 0; l < r.layers; ++l) {
        for (int i = 0; i < n; ++i) {
            double sum = 0.0;
            for (int j = 0; j < n; ++j) {
                double m = 0.0;
                for (int h = 0; h < r.heads; ++h)
                    m += r.weight(l, h, i, j);
                double v = 0.5 * m / r.heads + (i == j ? 0.5 : 0.0);
                a[static_cast<size_t>(i) * n + j] = v;
                sum += v;
            }
            for (int j = 0; j < n; ++j)
                a[static_cast<size_t>(i) * n + j] /= sum;
        }
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0.0;
                for (int k = 0; k < n; ++k)
                    s += a[static_cast<size_t>(i) * n + k] * rollout[static_cast<size_t>(k) * n + j];
                next[static_cast<size_t>(i) * n + j] = s;
            }
        rollout.swap(next);
    }
    return rollout;
}

} // namespace

class TestMapsOnDemand : public QObject {
    Q_OBJECT

    AttentionResult held;
    AttentionResult lazy;
    size_t cells = 0;

private slots:
    void initTestCase()
    {
        auto h = run(InputSpec::MapCapture::Captured);
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().c_str());
        auto l = run(InputSpec::MapCapture::OnDemand);
        QVERIFY2(l.ok(), l.ok() ? "" : l.error().c_str());
        held = std::move(*h);
        lazy = std::move(*l);
        QVERIFY(!held.mapsOnDemand());
        QVERIFY(lazy.mapsOnDemand());
        QVERIFY(lazy.weights.empty());
        QCOMPARE(lazy.layers, 5);
        QCOMPARE(lazy.heads, 8);
        QVERIFY2(lazy.queryCount > 150, qPrintable(QString::number(lazy.queryCount)));
        QCOMPARE(lazy.queryCount, held.queryCount);
        QCOMPARE(lazy.tokenIds, held.tokenIds);
        QCOMPARE(lazy.nextToken, held.nextToken);
        cells = static_cast<size_t>(held.queryCount) * static_cast<size_t>(held.keyCount);
    }

    void automaticChoosesByMemory()
    {
        // 5 x 8 maps of ~170^2 floats are a few MB: captured under the default budget, on demand once
        // the capture exceeds the budget (where the captured path is refused with what it needs).
        auto small = run(InputSpec::MapCapture::Automatic);
        QVERIFY(small.ok());
        QVERIFY(!small->mapsOnDemand());
        QCOMPARE(small->weights, held.weights);
        const uint64_t budget = held.allMapsBytes() / 2;
        auto big = run(InputSpec::MapCapture::Automatic, budget);
        QVERIFY2(big.ok(), big.ok() ? "" : big.error().c_str());
        QVERIFY(big->mapsOnDemand());
        QCOMPARE(big->maps->budgetBytes(), budget);
        auto captured = run(InputSpec::MapCapture::Captured, budget);
        QVERIFY(!captured.ok());
        QVERIFY2(QString::fromStdString(captured.error()).contains("more than the memory budget"), captured.error().c_str());
        QCOMPARE(held.allMapsBytes(), static_cast<uint64_t>(5 * 8) * cells * 4);
    }

    void headMapsEqualHeldMaps()
    {
        double worst = 0.0;
        for (int l = 0; l < 5; ++l)
            for (int h = 0; h < 8; ++h) {
                auto a = held.headMap(l, h);
                auto b = lazy.headMap(l, h);
                QVERIFY(a.ok() && b.ok());
                QCOMPARE(a->get(), held.weightRow(l, h, 0)); // held: a view, no copy
                worst = std::max(worst, worstDifference(a->get(), b->get(), cells));
                std::vector<float> copied(cells);
                lazy.copyMap(l, h, copied.data()); // parallel tiles, same rows as the map
                QCOMPARE(worstDifference(copied.data(), b->get(), cells), 0.0);
                QVERIFY(std::abs(lazy.weightAt(l, h, 100, 37) - held.weight(l, h, 100, 37)) <= 1e-5f);
                QCOMPARE(lazy.weightAt(l, h, 37, 100), 0.0f); // causal
            }
        QVERIFY2(worst <= 1e-5, qPrintable(QString::number(worst)));
        auto bad = lazy.headMap(5, 0);
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.error()), QStringLiteral("there is no head 0 in layer 5 (the result has 5 layer(s) x 8 head(s))"));
        QVERIFY(!held.headMap(0, 8).ok());
        QVERIFY(!held.headMap(-1, 0).ok());
    }

    void statisticsAndRankingFromTheTrace()
    {
        for (int l = 0; l < 5; ++l)
            for (int h = 0; h < 8; ++h) {
                const HeadStats fromMap = HeadStatistics::forHead(held, l, h);
                compareStats(HeadStatistics::forHead(lazy, l, h), fromMap, 1e-5);
                // the held path is the map's statistics, so the streamed ones are checked against a map
                compareStats(fromMap, HeadStatistics::compute(held.weightRow(l, h, 0), held.queryCount, held.keyCount), 0.0);
            }
        for (HeadStatistic s : {HeadStatistic::Entropy, HeadStatistic::FirstTokenMass, HeadStatistic::MeanDistance}) {
            const auto a = HeadRanking::rank(held, s, false);
            const auto b = HeadRanking::rank(lazy, s, false);
            QCOMPARE(a.size(), size_t {40});
            QCOMPARE(b.size(), a.size());
            for (size_t k = 0; k < a.size(); ++k)
                QVERIFY(std::abs(a[k].value - b[k].value) <= (s == HeadStatistic::MeanDistance ? 1e-3 : 1e-5));
        }
        const HeadThreshold sinks{HeadStatistic::FirstTokenMass, HeadThreshold::Compare::AtLeast, 0.3};
        const auto a = HeadRanking::rank(held, HeadStatistic::FirstTokenMass, false, sinks);
        const auto b = HeadRanking::rank(lazy, HeadStatistic::FirstTokenMass, false, sinks);
        QCOMPARE(a.size(), b.size());
    }

    void meanAndDifference()
    {
        for (int l : {0, 4}) {
            const auto a = HeadStatistics::meanOfHeads(held, l);
            const auto b = HeadStatistics::meanOfHeads(lazy, l);
            QCOMPARE(a.size(), cells);
            QCOMPARE(b.size(), cells);
            // held: the mean in double, by hand
            for (size_t c = 0; c < cells; c += 97) {
                double sum = 0.0;
                for (int h = 0; h < 8; ++h)
                    sum += held.weights[held.index(l, h, 0, 0) + c];
                QCOMPARE(a[c], static_cast<float>(sum / 8));
            }
            QVERIFY(worstDifference(a.data(), b.data(), cells) <= 1e-5);
            const auto d = HeadStatistics::difference(lazy, held, l, 3);
            QCOMPARE(d.size(), cells);
            QVERIFY(*std::max_element(d.begin(), d.end()) <= 1e-5f);
            QVERIFY(*std::min_element(d.begin(), d.end()) >= -1e-5f);
            QCOMPARE(HeadStatistics::difference(lazy, held, l, -1).size(), cells);
        }
        QVERIFY(HeadStatistics::meanOfHeads(lazy, 5).empty());
    }

    void rolloutOnDemand()
    {
        const auto a = AttentionRollout::compute(held);
        const auto b = AttentionRollout::compute(lazy);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->size(), cells);
        QVERIFY(worstDifference(a->data(), b->data(), cells) <= 1e-5);
        // the triangular product of a causal model's maps against the definition
        const auto ref = naiveRollout(held);
        double worst = 0.0;
        for (size_t c = 0; c < cells; ++c)
            worst = std::max(worst, std::abs(static_cast<double>((*a)[c]) - ref[c]));
        QVERIFY2(worst <= 1e-6, qPrintable(QString::number(worst)));
        RolloutOptions o;
        o.fusion = HeadFusion::Max;
        o.discardRatio = 0.3;
        o.lastLayer = 2;
        const auto c = AttentionRollout::compute(held, o);
        const auto d = AttentionRollout::compute(lazy, o);
        QVERIFY(c.ok() && d.ok());
        QVERIFY(worstDifference(c->data(), d->data(), cells) <= 1e-5);
        ComputeControl tight;
        tight.memoryLimitBytes = 1 << 20;
        const auto refused = AttentionRollout::compute(lazy, {}, tight);
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error()).contains("more than the memory budget of 1 MB"), refused.error().c_str());
        // cancelled after its first layer (set from the progress report): it stops before the second
        std::atomic<bool> stop {false};
        int reports = 0;
        ComputeControl cancelling;
        cancelling.cancel = &stop;
        cancelling.progress = [&](double fraction) {
            ++reports;
            QCOMPARE(fraction, 1.0 / lazy.layers);
            stop = true;
        };
        const auto cancelled = AttentionRollout::compute(lazy, {}, cancelling);
        QVERIFY(!cancelled.ok());
        QCOMPARE(QString::fromStdString(cancelled.error()), QString("cancelled"));
        QCOMPARE(reports, 1);
    }

    void tokenViewsOnDemand()
    {
        TokenViewOptions o;
        o.filter.dropFirst = true;
        o.mergeWords = true;
        const auto a = TokenView::apply(held, o);
        const auto b = TokenView::apply(lazy, o);
        QVERIFY2(a.ok(), a.ok() ? "" : a.error().c_str());
        QVERIFY2(b.ok(), b.ok() ? "" : b.error().c_str());
        QVERIFY(!b->mapsOnDemand()); // a derived result holds its (smaller) maps
        QCOMPARE(b->queryCount, a->queryCount);
        QVERIFY(a->queryCount < held.queryCount - 10); // words, not subwords
        QCOMPARE(b->keyLabels, a->keyLabels);
        QCOMPARE(b->weights.size(), a->weights.size());
        QVERIFY(worstDifference(a->weights.data(), b->weights.data(), a->weights.size()) <= 1e-5);
    }

    void derivedMapsOverTheBudgetAreRefused()
    {
        // A budget the trace and one map fit in but not every map of the token view.
        const uint64_t budget = 4ull << 20;
        auto r = run(InputSpec::MapCapture::OnDemand, budget);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        TokenViewOptions o;
        o.filter.dropFirst = true;
        const auto refused = TokenView::apply(*r, o);
        QVERIFY(!refused.ok());
        const int n = r->queryCount - 1;
        const double mb = 5.0 * 8 * n * n * 4 / (1024.0 * 1024.0);
        QCOMPARE(QString::fromStdString(refused.error()),
            QStringLiteral("dropping tokens holds every map of 5 layers x 8 heads (%1 x %1 tokens): %2 MB, more than the "
                           "memory budget of 4.0 MB; this prompt's maps are made one head at a time: look at single "
                           "heads, or use a shorter prompt")
                .arg(n)
                .arg(mb, 0, 'f', 1));
        o.filter.dropFirst = false;
        o.mergeWords = true;
        QVERIFY(TokenView::apply(*r, o).ok()); // the words' maps fit in 4 MB
        const auto words = TokenView::apply(held, o);
        QVERIFY(words.ok());
        auto tight = run(InputSpec::MapCapture::OnDemand, words->allMapsBytes() - 1);
        QVERIFY2(tight.ok(), tight.ok() ? "" : tight.error().c_str());
        const auto merged = TokenView::apply(*tight, o);
        QVERIFY(!merged.ok());
        QVERIFY(QString::fromStdString(merged.error()).startsWith("merging subwords into words holds every map of 5 layers x 8 heads"));
        QVERIFY(held.checkDerivedMaps("x", 10000, 10000).ok()); // held maps were within the budget already
    }

    void exportsStreamTheSameBytes()
    {
        // held: streamed == serialised, byte for byte
        std::string streamed;
        int pieces = 0;
        auto into = [&](const char* data, size_t size) {
            streamed.append(data, size);
            ++pieces;
            return true;
        };
        QVERIFY(ResultExport::streamWeightsNpy(held, {}, {}, into));
        QVERIFY(streamed == NpyFile::serialize({5, 8, held.queryCount, held.keyCount}, held.weights.data()));
        QVERIFY(streamed == ResultExport::weightsNpy(held));
        const int tiles = (held.queryCount + 63) / 64;
        QCOMPARE(pieces, 1 + 40 * tiles);
        // on demand: the same shape, the same maps within 1e-5; whole and streamed agree
        streamed.clear();
        QVERIFY(ResultExport::streamWeightsNpy(lazy, {}, {}, into));
        QVERIFY(streamed == ResultExport::weightsNpy(lazy));
        auto parsed = NpyFile::parse(streamed, "lazy.npy");
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->shape, (std::vector<int64_t> {5, 8, held.queryCount, held.keyCount}));
        QVERIFY(worstDifference(parsed->data.data(), held.weights.data(), held.weights.size()) <= 1e-5);
        // a selection is the slices, in the order asked
        streamed.clear();
        QVERIFY(ResultExport::streamWeightsNpy(lazy, {4, 1}, {7}, into));
        parsed = NpyFile::parse(streamed, "selection.npy");
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->shape, (std::vector<int64_t> {2, 1, held.queryCount, held.keyCount}));
        QVERIFY(worstDifference(parsed->data.data(), held.weightRow(4, 7, 0), cells) <= 1e-5);
        QVERIFY(worstDifference(parsed->data.data() + cells, held.weightRow(1, 7, 0), cells) <= 1e-5);
        // a sink that fails stops the stream at once
        int calls = 0;
        QVERIFY(!ResultExport::streamWeightsNpy(lazy, {}, {}, [&](const char*, size_t) { return ++calls < 3; }));
        QCOMPARE(calls, 3);
        // CSV and JSON read the same numbers
        const auto csvA = ResultExport::weightsCsv(held, 2, 5), csvB = ResultExport::weightsCsv(lazy, 2, 5);
        const QStringList linesA = QString::fromStdString(csvA).split('\n'), linesB = QString::fromStdString(csvB).split('\n');
        QCOMPARE(linesB.size(), linesA.size());
        QCOMPARE(linesB[0], linesA[0]);
        double worst = 0.0;
        for (int i = 1; i < linesA.size() - 1; ++i) {
            const QStringList a = linesA[i].split(','), b = linesB[i].split(',');
            QCOMPARE(b.size(), a.size());
            for (int k = 1; k < a.size(); ++k)
                worst = std::max(worst, std::abs(a[k].toDouble() - b[k].toDouble()));
        }
        QVERIFY(worst <= 1e-5);
        const auto ja = nlohmann::json::parse(ResultExport::json(held)), jb = nlohmann::json::parse(ResultExport::json(lazy));
        QCOMPARE(jb["shape"], ja["shape"]);
        QCOMPARE(jb["tokens"], ja["tokens"]);
        QVERIFY(std::abs(jb["attention"][3][6][100][40].get<double>() - ja["attention"][3][6][100][40].get<double>()) <= 1e-5);
        QCOMPARE(ResultExport::jsonBytes(lazy), static_cast<uint64_t>(40) * cells * 48);
        // the pipeline's weights stage is a whole tensor only when held
        QVERIFY(held.stage("weights").has_value());
        QVERIFY(!lazy.stage("weights").has_value());
        const auto names = lazy.stageNames();
        QVERIFY(std::find(names.begin(), names.end(), "weights") != names.end());
    }

    void thumbnailsArePooledMaps()
    {
        for (int side : {64, 1000}) {
            const std::vector<int> heads {0, 3, 7};
            const auto a = HeadThumbnails::compute(held, 2, heads, true, side);
            const auto b = HeadThumbnails::compute(lazy, 2, heads, true, side);
            QVERIFY(a && b);
            const int rows = std::min(side, held.queryCount);
            QCOMPARE(a->rows, rows);
            QCOMPARE(a->cols, rows);
            for (size_t k = 0; k < heads.size(); ++k) {
                const auto want = MapDownsampler::maxPool(held.weightRow(2, heads[k], 0), held.queryCount, held.keyCount, rows, rows);
                QVERIFY(a->heads[k] == want); // bit for bit
                QVERIFY(worstDifference(b->heads[k].data(), want.data(), want.size()) <= 1e-5);
            }
            const auto mean = HeadStatistics::meanOfHeads(held, 2);
            const auto wantMean = MapDownsampler::maxPool(mean.data(), held.queryCount, held.keyCount, rows, rows);
            QVERIFY(a->mean == wantMean);
            QVERIFY(worstDifference(b->mean.data(), wantMean.data(), wantMean.size()) <= 1e-5);
            const HeadStats s = HeadStatistics::compute(mean.data(), held.queryCount, held.keyCount);
            compareStats(a->meanStats, s, 1e-12);
            compareStats(b->meanStats, s, 1e-5);
        }
        const auto noMean = HeadThumbnails::compute(lazy, 0, {1}, false, 32);
        QVERIFY(noMean && noMean->mean.empty() && noMean->heads.size() == 1);
        std::atomic<bool> cancel {true};
        QVERIFY(!HeadThumbnails::compute(lazy, 0, {1}, true, 32, &cancel));
    }

    void queriesAndKeysFromTheTrace()
    {
        for (auto [l, h] : {std::pair {0, 0}, {3, 5}, {4, 7}}) {
            const auto a = QueryKeyProjection::headVectors(held, l, h);
            const auto b = QueryKeyProjection::headVectors(lazy, l, h);
            QVERIFY(a.ok() && b.ok());
            QCOMPARE(b->first.size(), a->first.size());
            QCOMPARE(b->second.size(), a->second.size());
            // relative to the vectors' size: post-RoPE keys reach ~10, and builds differ in rounding
            for (const auto* pair : {&a->first, &a->second}) {
                const std::vector<float>& want = *pair;
                const std::vector<float>& got = pair == &a->first ? b->first : b->second;
                double worst = 0.0;
                for (size_t k = 0; k < want.size(); ++k)
                    worst = std::max(worst, std::abs(static_cast<double>(want[k]) - got[k]) / std::max(1.0, std::abs(static_cast<double>(want[k]))));
                QVERIFY2(worst <= 1e-5, qPrintable(QString("L%1 H%2: %3").arg(l).arg(h).arg(worst)));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestMapsOnDemand)
#include "tst_maps_on_demand.moc"
