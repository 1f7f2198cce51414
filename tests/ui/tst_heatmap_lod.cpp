// Large maps go through a level-of-detail image: the visible region max-pooled to the plot's
// pixels, so a single strong weight stays visible; zooming in shows exact cells; hover is exact.
#include "AttentionEngine.h"
#include "Computation.h"
#include "HeatmapView.h"
#include "MapDownsampler.h"
#include "Pcg32.h"
#include "TokenAxisTicker.h"

#include <qcustomplot.h>

#include <QtTest>

#include <array>
#include <cmath>
#include <limits>

class TestHeatmapLod : public QObject {
    Q_OBJECT
private slots:
    void maxPoolKeepsPeaks();
    void poolingAndRangeMatchANaiveScan();
    void largeMapUsesScreenResolutionAndZoomsToExactCells();
    void engineLevelOfDetailGivesThePlainImageAndRange();
};

void TestHeatmapLod::maxPoolKeepsPeaks()
{
    std::vector<float> map(100 * 100, 0.01f);
    map[37 * 100 + 81] = 0.9f;
    const auto pooled = attn::MapDownsampler::maxPool(map.data(), 100, 100, 10, 10);
    QCOMPARE(pooled.size(), size_t(100));
    QCOMPARE(pooled[3 * 10 + 8], 0.9f);
    QCOMPARE(pooled[0], 0.01f);
    const auto region = attn::MapDownsampler::maxPoolRegion(map.data(), 100, 30, 50, 80, 90, 4, 2);
    QCOMPARE(region.size(), size_t(8));
    QCOMPARE(region[1 * 2 + 0], 0.9f); // row 37 falls in the second of four bands of [30, 50)
    QCOMPARE(region[0], 0.01f);
}

// The pooled image and the min/max equal a naive scan, for uneven block sizes and odd regions.
void TestHeatmapLod::poolingAndRangeMatchANaiveScan()
{
    const int rows = 257, cols = 301;
    std::vector<float> map(static_cast<size_t>(rows) * cols);
    attn::Pcg32 rng(3);
    for (float& v : map)
        v = rng.uniform(-1, 2);
    map[5 * cols + 7] = std::numeric_limits<float>::quiet_NaN(); // skipped by min and max
    auto band = [](int x, int h, int out) {
        int o = 0;
        while (o + 1 < out && static_cast<long long>(o + 1) * h / out <= x)
            ++o;
        return o;
    };
    for (const auto& [r0, r1, c0, c1, outR, outC] : std::vector<std::array<int, 6>>{
             {0, rows, 0, cols, 100, 97}, {13, 200, 29, 301, 17, 243}, {0, rows, 0, cols, rows, cols}, {40, 41, 3, 4, 1, 1}}) {
        std::pair<float, float> mm;
        const auto pooled = attn::MapDownsampler::maxPoolRegion(map.data(), cols, r0, r1, c0, c1, outR, outC, &mm);
        QCOMPARE(pooled.size(), static_cast<size_t>(outR) * outC);
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        std::vector<float> expected(pooled.size(), -std::numeric_limits<float>::infinity());
        for (int r = r0; r < r1; ++r)
            for (int c = c0; c < c1; ++c) {
                const float v = map[static_cast<size_t>(r) * cols + c];
                if (std::isnan(v))
                    continue;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                // Naive: output row o covers input rows [o h / outR, (o + 1) h / outR) (floored);
                // input column c goes to output column c outC / w.
                float& e = expected[static_cast<size_t>(band(r - r0, r1 - r0, outR)) * outC + (c - c0) * outC / (c1 - c0)];
                e = std::max(e, v);
            }
        QVERIFY(pooled == expected);
        QCOMPARE(mm.first, lo);
        QCOMPARE(mm.second, hi);
        if (r0 == 0 && r1 == rows && c0 == 0 && c1 == cols) {
            const auto [a, b] = attn::MapDownsampler::minMax(map.data(), map.size(), false);
            QCOMPARE(a, lo);
            QCOMPARE(b, hi);
        }
    }
    float positiveLo = std::numeric_limits<float>::infinity();
    for (float v : map)
        if (v > 0)
            positiveLo = std::min(positiveLo, v);
    QCOMPARE(attn::MapDownsampler::minMax(map.data(), map.size(), true).first, positiveLo);
    const std::vector<float> negative{-3.0f, -1.0f};
    QCOMPARE(attn::MapDownsampler::minMax(negative.data(), 2, true).first, std::numeric_limits<float>::infinity());
}

void TestHeatmapLod::largeMapUsesScreenResolutionAndZoomsToExactCells()
{
    const int n = 3000;
    attn::AttentionInput in;
    in.keys = attn::Matrix(n, 4);
    attn::Pcg32 rng(7);
    for (int i = 0; i < n; ++i) {
        for (int c = 0; c < 4; ++c)
            in.keys(i, c) = rng.uniform(-2, 2);
        in.keyLabels.push_back("t" + std::to_string(i));
    }
    attn::Mechanism m;
    m.keepScores = false;
    auto result = attn::AttentionEngine::compute(in, m);
    QVERIFY(result.ok());
    auto c = std::make_shared<Computation>();
    c->result = std::make_shared<const attn::AttentionResult>(std::move(*result));

    HeatmapView view;
    view.resize(900, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setComputation(c);
    QVERIFY(view.isLevelOfDetail());
    const QSize data = view.plotDataSize();
    const QRect area = view.plot()->axisRect()->rect();
    QVERIFY2(data.width() <= std::clamp(area.width(), 1024, 2048) && data.height() <= std::clamp(area.height(), 1024, 2048),
        qPrintable(QStringLiteral("%1x%2").arg(data.width()).arg(data.height())));
    QVERIFY(data.width() < n);
    // Each displayed cell is the maximum of the block it covers.
    const auto& r = *c->result;
    const int cols = data.width(), rows = data.height();
    float blockMax = 0.0f;
    const int r0 = 0, r1 = n / rows, c0 = 0, c1 = n / cols;
    for (int i = r0; i < r1; ++i)
        for (int j = c0; j < c1; ++j)
            blockMax = std::max(blockMax, r.weight(0, 0, i, j));
    QCOMPARE(view.plot()->findChild<QCPColorScale*>() != nullptr, true);
    const auto* map = qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
    QVERIFY(map);
    QCOMPARE(static_cast<float>(map->data()->cell(0, 0)), blockMax);
    // Token labels: as many as fit the axis (17 px apart along x, 15 along y), at multiples of a
    // 1-2-5 step, each the token's own label.
    view.plot()->replot(QCustomPlot::rpImmediateRefresh);
    auto checkLabels = [&](QCPAxis* axis, int spacing, int first, int last, int wantStep) {
        const QVector<double> ticks = axis->tickVector();
        const QVector<QString> labels = axis->tickVectorLabels();
        QCOMPARE(labels.size(), ticks.size());
        QVERIFY(!ticks.isEmpty());
        const int length = axis->orientation() == Qt::Horizontal ? axis->axisRect()->width() : axis->axisRect()->height();
        QVERIFY2(static_cast<int>(ticks.size() - 1) * spacing <= length, qPrintable(QString::number(ticks.size())));
        for (int t = 0; t < ticks.size(); ++t) {
            const int token = static_cast<int>(ticks[t]);
            QCOMPARE(ticks[t], static_cast<double>(token));
            QCOMPARE(token % wantStep, 0);
            QVERIFY(token >= first && token <= last);
            QCOMPARE(labels[t], QStringLiteral("t%1").arg(token));
            if (t > 0)
                QCOMPARE(token - static_cast<int>(ticks[t - 1]), wantStep);
        }
    };
    const int xStep = TokenAxisTicker::stepFor(n, view.plot()->axisRect()->width(), 17);
    QVERIFY(xStep >= 50 && xStep <= 200); // 3000 tokens across ~700 px
    checkLabels(view.plot()->xAxis, 17, 0, n - 1, xStep);
    checkLabels(view.plot()->yAxis, 15, 0, n - 1, TokenAxisTicker::stepFor(n, view.plot()->axisRect()->height(), 15));
    QCOMPARE(TokenAxisTicker::stepFor(1000, 600, 15), 50); // 40 fit: 25 tokens apart, rounded up to 50
    QCOMPARE(TokenAxisTicker::stepFor(4, 600, 15), 1);
    QCOMPARE(TokenAxisTicker::stepFor(4096, 630, 15), 100);
    QCOMPARE(TokenAxisTicker::stepFor(20, 100, 15), 5);
    QCOMPARE(TokenAxisTicker::stepFor(20, 5, 15), 20); // not even one fits: one label
    // Hover is exact regardless of the image.
    QCOMPARE(view.cellValue(1234, 2345), static_cast<double>(r.weight(0, 0, 1234, 2345)));
    QVERIFY(view.tooltipText(1234, 2345).contains(QString::number(r.weight(0, 0, 1234, 2345), 'g', 7)));
    // Zoom into 40 x 30 cells: the image becomes exact, cell for cell.
    view.plot()->xAxis->setRange(1000 - 0.5, 1040 - 0.5);
    view.plot()->yAxis->setRange(500 - 0.5, 530 - 0.5);
    QTest::qWait(120);
    QCOMPARE(view.plotDataSize(), QSize(40, 30));
    QCOMPARE(static_cast<float>(map->data()->cell(5, 7)), r.weight(0, 0, 507, 1005));
    // zoomed in, the labels of the tokens in view: every one of the 30 rows fits
    view.plot()->replot(QCustomPlot::rpImmediateRefresh);
    checkLabels(view.plot()->yAxis, 15, 500, 529, 1);
    QCOMPARE(view.plot()->yAxis->tickVector().size(), 30);
}

// From kLodMinSide up the whole-map image comes from the engine's block maxima, not from a pass
// over the map: it must be the image (and colour range) that pooling the map itself gives.
// N = 8192 in a 900 x 700 view asks for 1024 x 1024, whole 8 x 8 blocks.
void TestHeatmapLod::engineLevelOfDetailGivesThePlainImageAndRange()
{
    const int n = attn::AttentionEngine::kLodMinSide;
    attn::AttentionInput in;
    in.keys = attn::Matrix(n, 4);
    attn::Pcg32 rng(9);
    for (int i = 0; i < n; ++i) {
        for (int c = 0; c < 4; ++c)
            in.keys(i, c) = rng.uniform(-2, 2);
        in.keyLabels.push_back("t" + std::to_string(i));
    }
    attn::Mechanism m;
    m.keepScores = false;
    auto result = attn::AttentionEngine::compute(in, m);
    QVERIFY(result.ok());
    QVERIFY(!result->lodMax.empty());
    auto c = std::make_shared<Computation>();
    c->result = std::make_shared<const attn::AttentionResult>(std::move(*result));
    const auto& r = *c->result;

    HeatmapView view;
    view.resize(900, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setComputation(c);
    QVERIFY(view.isLevelOfDetail());
    QCOMPARE(view.plotDataSize(), QSize(1024, 1024));
    std::pair<float, float> mm;
    const auto plain = attn::MapDownsampler::maxPoolRegion(r.weightRow(0, 0, 0), n, 0, n, 0, n, 1024, 1024, &mm);
    const auto* map = qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
    QVERIFY(map);
    int differ = 0;
    for (int i = 0; i < 1024; ++i)
        for (int j = 0; j < 1024; ++j)
            differ += static_cast<float>(map->data()->cell(j, i)) != plain[static_cast<size_t>(i) * 1024 + j];
    QCOMPARE(differ, 0);
    QCOMPARE(map->dataRange().upper, static_cast<double>(mm.second));
    QCOMPARE(map->dataRange().lower, std::min(0.0, static_cast<double>(mm.first)));
    QCOMPARE(r.headMinWeight[0], attn::MapDownsampler::minMax(r.weightRow(0, 0, 0), size_t(n) * n, false).first);
    // Hover stays exact.
    QCOMPARE(view.cellValue(4321, 1234), static_cast<double>(r.weight(0, 0, 4321, 1234)));
}

QTEST_MAIN(TestHeatmapLod)
#include "tst_heatmap_lod.moc"
