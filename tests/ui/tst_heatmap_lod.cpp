// Large maps go through a level-of-detail image: the visible region max-pooled to the plot's
// pixels, so a single strong weight stays visible; zooming in shows exact cells; hover is exact.
#include "AttentionEngine.h"
#include "Computation.h"
#include "HeatmapView.h"
#include "MapDownsampler.h"
#include "Pcg32.h"

#include <qcustomplot.h>

#include <QtTest>

class TestHeatmapLod : public QObject {
    Q_OBJECT
private slots:
    void maxPoolKeepsPeaks();
    void largeMapUsesScreenResolutionAndZoomsToExactCells();
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
    // Hover is exact regardless of the image.
    QCOMPARE(view.cellValue(1234, 2345), static_cast<double>(r.weight(0, 0, 1234, 2345)));
    QVERIFY(view.tooltipText(1234, 2345).contains(QString::number(r.weight(0, 0, 1234, 2345), 'g', 7)));
    // Zoom into 40 x 30 cells: the image becomes exact, cell for cell.
    view.plot()->xAxis->setRange(1000 - 0.5, 1040 - 0.5);
    view.plot()->yAxis->setRange(500 - 0.5, 530 - 0.5);
    QTest::qWait(120);
    QCOMPARE(view.plotDataSize(), QSize(40, 30));
    QCOMPARE(static_cast<float>(map->data()->cell(5, 7)), r.weight(0, 0, 507, 1005));
}

QTEST_MAIN(TestHeatmapLod)
#include "tst_heatmap_lod.moc"
