// The views on a long prompt's result (maps on demand, AttentionResult::maps) show what they show
// for the same prompt with its maps captured: the bundled stories260K run both ways (ModelRunner),
// each view given each result. The heatmap's cells and hover, the Details panel's top keys, the
// lines, the heads grid's tiles (made on a worker, a layer at a time) and its ranking, the matrix
// exports (.npy streamed, .csv) — and the refusals (JSON over the budget) name what they need.
#include "BackgroundPool.h"
#include "DetailsPanel.h"
#include "ExportOptions.h"
#include "ExportScene.h"
#include "HeadGridView.h"
#include "HeadStatistics.h"
#include "HeadsPage.h"
#include "HeatmapView.h"
#include "LinesView.h"
#include "MapDownsampler.h"
#include "MatrixExportJob.h"
#include "ExportProgress.h"
#include "ModelResultBuilder.h"
#include "ModelRunner.h"
#include "NpyFile.h"
#include "PipelinePage.h"
#include "PipelineView.h"
#include "StreamingAttention.h"
#include "ViewExportJob.h"
#include "ViewExporter.h"

#include <QPointer>
#include <QThread>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <random>

namespace {

ComputationPtr runModel(attn::InputSpec::MapCapture capture, uint64_t budget = 0)
{
    attn::InputSpec spec;
    spec.kind = attn::InputKind::Model;
    spec.path = qgetenv("ATTNSCOPE_BUNDLED_MODEL").toStdString();
    spec.text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. "
                "One day, she saw a big red ball in the park and ran to kick it. Her friend Tom came to help.";
    spec.mapCapture = capture;
    attn::ComputeControl control;
    control.memoryLimitBytes = budget;
    auto r = attn::ModelRunner::run(spec, control);
    if (!r) {
        qWarning("%s", r.error().c_str());
        return nullptr;
    }
    auto c = std::make_shared<Computation>();
    c->input = spec;
    c->result = std::make_shared<const attn::AttentionResult>(std::move(*r));
    return c;
}

// Largest difference of one colour channel between two images of the same size (-1: sizes differ).
int channelDifference(const QImage& a, const QImage& b)
{
    if (a.size() != b.size())
        return -1;
    int worst = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y), q = b.pixel(x, y);
            worst = std::max({worst, std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)), std::abs(qBlue(p) - qBlue(q))});
        }
    return worst;
}

QImage tileImage(HeadGridView& grid, int layer, int head)
{
    QImage canvas(grid.size(), QImage::Format_RGB32);
    QPainter p(&canvas);
    grid.paint(p, canvas.rect());
    p.end();
    return canvas.copy(grid.tileRect(canvas.rect(), layer, head).adjusted(1, 1, -1, -1));
}

// A long prompt's result with its maps on demand, made from a synthetic trace (one causal layer of
// random post-RoPE queries and keys): longer than the heatmap shows cell by cell (kLodSide), which
// the bundled model's 512-token context cannot reach.
ComputationPtr syntheticLongResult(int n)
{
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.5f);
    auto random = [&](int rows, int cols) {
        attn::Matrix m(rows, cols);
        for (Eigen::Index i = 0; i < m.size(); ++i)
            m.data()[i] = normal(rng);
        return m;
    };
    attn::AttentionTrace trace;
    trace.heads = 2;
    trace.kvHeads = 1;
    trace.tokens = n;
    trace.headDim = 8;
    trace.layers.resize(1);
    attn::LayerTrace& t = trace.layers[0];
    t.queries = random(n, 16);
    t.keys = random(n, 8);
    t.values = random(n, 8);
    t.rule.heads = 2;
    t.rule.kvHeads = 1;
    t.rule.headDim = 8;
    t.rule.causal = true;
    t.rule.scale = 0.35f;
    attn::Matrix context;
    attn::StreamingAttention::attend(t.queries, t.keys, t.values, t.rule, context, &t.rows);
    trace.headStats.resize(2);
    for (int i = 0; i < n; ++i)
        trace.tokenLabels.push_back("t" + std::to_string(i));
    auto c = std::make_shared<Computation>();
    c->result = std::make_shared<const attn::AttentionResult>(
        attn::ModelResultBuilder::build(std::move(trace), 16, true, "synthetic", uint64_t { 1 } << 30));
    return c;
}

QCPColorMap* colorMapOf(HeatmapView& view)
{
    return qobject_cast<QCPColorMap*>(view.plot()->plottable(0));
}

} // namespace

class TestMapsOnDemandViews : public QObject {
    Q_OBJECT
    ComputationPtr held;
    ComputationPtr lazy;

private slots:
    void initTestCase()
    {
        held = runModel(attn::InputSpec::MapCapture::Captured);
        lazy = runModel(attn::InputSpec::MapCapture::OnDemand);
        QVERIFY(held && lazy);
        QVERIFY(lazy->result->mapsOnDemand());
        QVERIFY(lazy->result->weights.empty());
        QVERIFY(held->result->queryCount > 40);
    }

    void heatmapShowsAnyHead()
    {
        HeatmapView a, b;
        a.resize(700, 600);
        b.resize(700, 600);
        a.setComputation(held);
        QVERIFY(!a.isMapPending()); // held maps: shown at once
        QSignalSpy ready(&b, &HeatmapView::mapReady);
        b.setComputation(lazy);
        QVERIFY(b.isMapPending()); // on demand and not cached: a worker makes it
        QCOMPARE(b.plotDataSize(), QSize(0, 0)); // nothing drawn yet: the plot says it is being made
        QVERIFY(ready.wait(20000));
        QVERIFY(!b.isMapPending());
        QVERIFY(std::abs(a.cellValue(5, 1) - b.cellValue(5, 1)) <= 1e-5);
        b.setHead(0, 0);
        QVERIFY(!b.isMapPending()); // now in the maps' cache: immediate
        const auto& r = *held->result;
        for (auto [l, h] : {std::pair {0, 0}, {2, 5}, {4, 7}}) {
            a.setHead(l, h);
            b.setHead(l, h);
            b.finishMap(); // made now, in this thread
            QVERIFY(!b.isMapPending());
            double worst = 0.0;
            for (int i = 0; i < r.queryCount; ++i)
                for (int j = 0; j <= i; ++j)
                    worst = std::max(worst, std::abs(a.cellValue(i, j) - b.cellValue(i, j)));
            QVERIFY2(worst <= 1e-5, qPrintable(QString::number(worst)));
            QVERIFY(std::isnan(b.cellValue(3, 9))); // masked (causal)
            const QString tip = b.tooltipText(40, 2);
            const double tipWeight = tip.section(QStringLiteral("weight "), 1).section('\n', 0, 0).toDouble();
            QVERIFY2(std::abs(tipWeight - r.weight(l, h, 40, 2)) <= 1e-5 * std::max(1.0, tipWeight), qPrintable(tip));
            QCOMPARE(tip.section('\n', 0, 0), a.tooltipText(40, 2).section('\n', 0, 0));
        }
        // the mean of heads, made from the maps a tile of rows at a time
        a.setHead(1, -1);
        b.setHead(1, -1);
        QVERIFY(b.isMapPending()); // the mean of heads is always a job
        QTRY_VERIFY_WITH_TIMEOUT(!b.isMapPending(), 20000);
        QVERIFY(std::abs(a.cellValue(30, 4) - b.cellValue(30, 4)) <= 1e-5);
        QVERIFY(std::abs(a.cellValue(30, 4)) > 0.0);
        // a head switched to and away before its map arrives: only the last one is shown
        b.setHead(3, 1);
        b.setHead(3, 2);
        QTRY_VERIFY_WITH_TIMEOUT(!b.isMapPending(), 20000);
        QCOMPARE(b.head(), 2);
        a.setHead(3, 2);
        QVERIFY(std::abs(a.cellValue(60, 7) - b.cellValue(60, 7)) <= 1e-5);
    }

    void longPromptImageMadeOnTheWorker()
    {
        // Over kLodSide tokens the heatmap shows a max-pooled image of the whole map; on demand the
        // worker makes it straight from the head's queries and keys (no map is made) and fills the
        // plot's cells, which the plot takes as they are. Those cells equal the ones the view makes
        // itself (finishMap, on this thread) and a naive max-pool of the exact map, bit for bit.
        const int n = 1300;
        const ComputationPtr c = syntheticLongResult(n);
        QVERIFY(c->result->mapsOnDemand());
        HeatmapView worker, here;
        worker.resize(700, 600);
        here.resize(700, 600);
        QSignalSpy ready(&worker, &HeatmapView::mapReady);
        worker.setComputation(c);
        QVERIFY(worker.isMapPending());
        QVERIFY(ready.wait(20000));
        QVERIFY(worker.isDrawnFromQueriesAndKeys());
        QCOMPARE(c->result->maps->cachedMaps(), 0); // the image needed no map
        here.setComputation(c);
        QVERIFY(here.isMapPending());
        here.finishMap();
        QVERIFY(here.isDrawnFromQueriesAndKeys());
        QVERIFY(!here.isMapPending());
        QCPColorMapData* a = colorMapOf(worker)->data();
        QCPColorMapData* b = colorMapOf(here)->data();
        QCOMPARE(worker.plotDataSize(), here.plotDataSize());
        const QSize size = worker.plotDataSize();
        QVERIFY(size.width() >= 1024 && size.width() < n); // pooled, at least 1024 cells a side
        QCOMPARE(a->keyRange().lower, b->keyRange().lower);
        QCOMPARE(a->keyRange().upper, b->keyRange().upper);
        QCOMPARE(a->valueRange().upper, b->valueRange().upper);
        auto map = c->result->maps->map(0, 0);
        QVERIFY(map.ok());
        // The reference, cell by cell: output row o covers the band of queries [o·N/R, (o+1)·N/R)
        // (at least one), key k goes to output column k·C/N; each cell the largest weight it covers.
        const int rows = size.height(), cols = size.width();
        std::vector<float> want(static_cast<size_t>(rows) * cols, -std::numeric_limits<float>::infinity());
        for (int o = 0; o < rows; ++o) {
            const int r0 = static_cast<int>(static_cast<long long>(o) * n / rows);
            const int r1 = std::max(static_cast<int>(static_cast<long long>(o + 1) * n / rows), r0 + 1);
            for (int q = r0; q < r1; ++q)
                for (int k = 0; k < n; ++k) {
                    float& cell = want[static_cast<size_t>(o) * cols + static_cast<size_t>(static_cast<long long>(k) * cols / n)];
                    cell = std::max(cell, (**map)[static_cast<size_t>(q) * n + k]);
                }
        }
        int differ = 0, differWant = 0;
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j) {
                const double x = a->cell(j, i);
                differ += x != b->cell(j, i);
                differWant += x != static_cast<double>(want[static_cast<size_t>(i) * cols + j]);
            }
        QCOMPARE(differ, 0);
        QCOMPARE(differWant, 0);
        QCOMPARE(a->cell(0, 0), 1.0); // query 0 attends only to itself
        QVERIFY(a->cell(size.width() - 1, 0) == 0.0); // above the diagonal: weight 0
        // the colour range is the whole map's: its minimum (0, masked) to its maximum (1)
        QCOMPARE(colorMapOf(worker)->dataRange().upper, colorMapOf(here)->dataRange().upper);
    }

    void longPromptHeadDrawnFromQueriesAndKeys()
    {
        // A head of a long prompt drawn without its map: hover, the colour range (per head and log)
        // and a zoomed region's image (made on a worker when the view stops) are the exact map's.
        const int n = 1300;
        const ComputationPtr c = syntheticLongResult(n);
        const auto& r = *c->result;
        HeatmapView view;
        view.resize(700, 600);
        view.setHead(0, 1);
        view.setComputation(c);
        QSignalSpy ready(&view, &HeatmapView::mapReady);
        QVERIFY(ready.wait(20000));
        QVERIFY(view.isDrawnFromQueriesAndKeys());
        QCOMPARE(r.maps->cachedMaps(), 0);
        const auto exact = r.maps->map(0, 1); // the reference (now cached, but the view does not look)
        QVERIFY(exact.ok());
        const auto& m = **exact;
        auto at = [&](int i, int j) { return m[static_cast<size_t>(i) * n + j]; };
        for (auto [i, j] : {std::pair {0, 0}, {1299, 3}, {640, 640}, {1000, 17}, {77, 76}}) {
            QVERIFY2(std::abs(view.cellValue(i, j) - at(i, j)) <= 1e-6, qPrintable(QString("%1,%2").arg(i).arg(j)));
            const QString tip = view.tooltipText(i, j);
            const double tipWeight = tip.section(QStringLiteral("weight "), 1).section('\n', 0, 0).toDouble();
            QVERIFY2(std::abs(tipWeight - at(i, j)) <= 1e-6, qPrintable(tip));
        }
        QVERIFY(std::isnan(view.cellValue(5, 900))); // masked (causal)
        QVERIFY(view.tooltipText(5, 900).endsWith(QStringLiteral("masked (weight 0)")));
        // Per head: 0 (the masked cells) to the largest weight; log: the smallest positive weight up.
        const auto [lo, hi] = attn::MapDownsampler::minMax(m.data(), m.size(), false);
        const auto [loPositive, hi2] = attn::MapDownsampler::minMax(m.data(), m.size(), true);
        QCOMPARE(lo, 0.0f);
        QCOMPARE(colorMapOf(view)->dataRange().lower, 0.0);
        QCOMPARE(colorMapOf(view)->dataRange().upper, static_cast<double>(hi));
        view.setRangeMode(HeatmapView::RangeMode::Log);
        QVERIFY(loPositive > 0.0f && loPositive < 1e-3f);
        QCOMPARE(colorMapOf(view)->dataRange().lower, std::max(static_cast<double>(loPositive), 1e-9));
        QCOMPARE(colorMapOf(view)->dataRange().upper, static_cast<double>(hi2));
        view.setRangeMode(HeatmapView::RangeMode::PerHead);

        // Zoomed to queries 50..1249 x keys 0..1199: pooled to 1024 x 1024 on a worker.
        QSignalSpy region(&view, &HeatmapView::regionReady);
        view.plot()->xAxis->setRange(-0.5, 1199.5);
        view.plot()->yAxis->setRange(49.5, 1249.5);
        QVERIFY(region.wait(20000));
        QVERIFY(!view.isRegionPending());
        QCOMPARE(view.plotDataSize(), QSize(1024, 1024));
        const auto want = attn::MapDownsampler::maxPoolRegion(m.data(), n, 50, 1250, 0, 1200, 1024, 1024);
        QCPColorMapData* cells = colorMapOf(view)->data();
        int differ = 0;
        for (int i = 0; i < 1024; ++i)
            for (int j = 0; j < 1024; ++j)
                differ += cells->cell(j, i) != static_cast<double>(want[static_cast<size_t>(i) * 1024 + j]);
        QCOMPARE(differ, 0);
        QCOMPARE(cells->keyRange().lower, -0.5 + 1200.0 / 1024 / 2);
        QCOMPARE(cells->valueRange().lower, 49.5 + 1200.0 / 1024 / 2);
        // Closer: queries 200..499 x keys 300..599 cell by cell, the masked cells (key > query) NaN.
        view.plot()->xAxis->setRange(299.5, 599.5);
        view.plot()->yAxis->setRange(199.5, 499.5);
        QVERIFY(region.wait(20000));
        QCOMPARE(view.plotDataSize(), QSize(300, 300));
        cells = colorMapOf(view)->data();
        int wrong = 0, masked = 0;
        for (int i = 0; i < 300; ++i)
            for (int j = 0; j < 300; ++j) {
                const double v = cells->cell(j, i);
                if (300 + j > 200 + i) {
                    masked += std::isnan(v);
                    wrong += !std::isnan(v);
                } else {
                    wrong += v != static_cast<double>(at(200 + i, 300 + j));
                }
            }
        QCOMPARE(wrong, 0);
        QCOMPARE(masked, 300 * 300 - (200 * 201 / 2)); // queries 300..499 see keys 300..q
        // Back to the whole map: the image made first, at once (no job).
        view.resetZoom();
        QTest::qWait(60); // the range timer
        QVERIFY(!view.isRegionPending());
        QCOMPARE(view.plotDataSize(), QSize(1024, 1024));
        QCOMPARE(colorMapOf(view)->data()->keyRange().lower, -0.5 + 1300.0 / 1024 / 2);
        // A region asked for and then another head shown: the region's image never replaces it. The
        // pool's threads are held so the region's job is still queued when the head changes.
        region.clear();
        std::atomic<bool> release {false};
        std::atomic<int> holding {0};
        const int threads = BackgroundPool::instance()->maxThreadCount();
        std::vector<QFuture<void>> blockers;
        for (int i = 0; i < threads; ++i)
            blockers.push_back(BackgroundPool::run([&] {
                ++holding;
                while (!release)
                    QThread::msleep(1);
            }));
        QTRY_COMPARE(holding.load(), threads);
        view.plot()->xAxis->setRange(99.5, 1199.5);
        view.plot()->yAxis->setRange(99.5, 1199.5);
        QTRY_VERIFY(view.isRegionPending()); // the range timer asked for it; it cannot run yet
        view.setHead(0, 0);
        QVERIFY(!view.isRegionPending());
        release = true;
        for (auto& f : blockers)
            f.waitForFinished();
        QVERIFY(ready.wait(20000));
        BackgroundPool::instance()->waitForDone(); // the region's job has run too
        QTest::qWait(50);                          // and its delivery been handled
        QCOMPARE(region.size(), 0);
        QCOMPARE(view.head(), 0);
        QCOMPARE(colorMapOf(view)->data()->keyRange().lower, -0.5 + 1300.0 / 1024 / 2);
    }

    void backgroundJobsRunBelowTheGuiThread()
    {
        // Our jobs run at nice kJobNice so the GUI thread gets a core when it needs one; the GUI
        // thread itself keeps its priority, and a thread lowered once stays lowered.
        const int gui = BackgroundPool::currentNice();
        const int job = std::max(gui, BackgroundPool::kJobNice);
        auto first = BackgroundPool::run([] { return BackgroundPool::currentNice(); });
        QTRY_VERIFY(first.isFinished()); // waiting with result() could run the job right here
        QCOMPARE(first.result(), job);
        auto second = BackgroundPool::run([](int add) { return BackgroundPool::currentNice() + add; }, 100);
        QTRY_VERIFY(second.isFinished());
        QCOMPARE(second.result(), job + 100);
        // result() at once: Qt may take the job back and run it on this, the GUI thread, which
        // must keep its priority all the same.
        const int third = BackgroundPool::run([] { return BackgroundPool::currentNice(); }).result();
        QVERIFY(third == job || third == gui);
        QCOMPARE(BackgroundPool::currentNice(), gui);
    }

    void matrixExportJobReportsAndCancels()
    {
        // A long prompt's .npy export on a worker (MatrixExportJob): progress in bytes up to the
        // file's size, the file equal to the synchronous export; cancelled, nothing is written and a
        // file already at the path stays as it was.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("all.npy"));
        const QString reference = dir.filePath(QStringLiteral("reference.npy"));
        QVERIFY(ViewExporter::exportMatrix(reference, lazy, 0, 0).isEmpty());
        const quint64 total = ViewExporter::matrixNpyBytes(lazy);
        QCOMPARE(static_cast<quint64>(QFileInfo(reference).size()), total);
        {
            MatrixExportJob job(path, lazy, 0, 0);
            QSignalSpy progress(&job, &MatrixExportJob::progress);
            QSignalSpy finished(&job, &MatrixExportJob::finished);
            job.start();
            QVERIFY(job.isRunning());
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(0).toString(), QString());
            QVERIFY(progress.size() >= 40); // one report per head's tile here (5 x 8 heads)
            quint64 last = 0;
            for (const auto& p : progress) {
                QVERIFY(p.at(0).toULongLong() >= last);
                QCOMPARE(p.at(1).toULongLong(), total);
                last = p.at(0).toULongLong();
            }
            QCOMPARE(last, total);
        }
        QFile a(path), b(reference);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(a.readAll(), b.readAll());
        a.close();

        // cancelled mid-stream (after the third report): the file there before is untouched
        const QString kept = dir.filePath(QStringLiteral("kept.npy"));
        {
            QFile f(kept);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("keep me");
        }
        std::atomic<bool> stop {false};
        int reports = 0;
        MatrixExportControl control;
        control.cancel = &stop;
        control.progress = [&](uint64_t, uint64_t) {
            if (++reports == 3)
                stop = true;
        };
        const QString error = ViewExporter::exportMatrix(kept, lazy, 0, 0, &control);
        QCOMPARE(error, QStringLiteral("export of '%1' cancelled: nothing was written").arg(kept));
        QCOMPARE(reports, 3);
        QFile k(kept);
        QVERIFY(k.open(QIODevice::ReadOnly));
        QCOMPARE(k.readAll(), QByteArray("keep me"));
        // cancelled before it starts, through the job
        MatrixExportJob job(dir.filePath(QStringLiteral("never.npy")), lazy, 0, 0);
        QSignalSpy finished(&job, &MatrixExportJob::finished);
        job.cancel();
        job.start();
        QVERIFY(finished.wait(20000));
        QVERIFY(finished.first().at(0).toString().contains(QLatin1String("cancelled: nothing was written")));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("never.npy"))));
        // its dialog: bytes as tenths of a percent and MB, Cancel stops the job, gone once it ends
        MatrixExportJob shown(dir.filePath(QStringLiteral("shown.npy")), lazy, 0, 0);
        QPointer<ExportProgress> dialog = new ExportProgress(&shown, nullptr);
        emit shown.progress(quint64 {384} << 20, quint64 {1024} << 20);
        QCOMPARE(dialog->value(), 375);
        QCOMPARE(dialog->labelText(), QStringLiteral("Exporting shown.npy: 384 of 1024 MB"));
        QSignalSpy shownFinished(&shown, &MatrixExportJob::finished);
        QPushButton* cancelButton = dialog->findChild<QPushButton*>();
        QVERIFY(cancelButton);
        cancelButton->click();
        shown.start();
        QVERIFY(shownFinished.wait(20000));
        QVERIFY(shownFinished.first().at(0).toString().contains(QLatin1String("cancelled")));
        QTRY_VERIFY(dialog.isNull());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("shown.npy"))));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 3); // all, reference, kept: no temporaries
    }

    void pictureExportJobDrawsWhatRenderDraws()
    {
        // A picture export of a long prompt: the scene's map is made on a worker (pending until
        // ready(); the window's loop runs meanwhile), then drawn on this thread and encoded and
        // written on a worker. Each file is what the synchronous ViewExporter::render makes, byte
        // for byte; progress counts files; a cancel keeps the files written and names them.
        QTemporaryDir dir;
        ExportOptions o;
        o.width = 900;
        o.height = 700;
        o.layer = 0;
        o.head = 1;
        o.range = QStringLiteral("log");
        {
            const ComputationPtr c = syntheticLongResult(1300);
            ExportScene scene(c, nullptr, o);
            QVERIFY(scene.error().isEmpty());
            QVERIFY(scene.isPending()); // head 1 is not in the maps' cache: a worker makes it
            QSignalSpy ready(&scene, &ExportScene::ready);
            QVERIFY(ready.wait(20000));
            QVERIFY(!scene.isPending());
            ExportOptions missing = o;
            missing.head = 5;
            QCOMPARE(ExportScene(c, nullptr, missing).error(),
                QStringLiteral("there is no head 5 in layer 0 (the result has 1 layer(s) of 2 head(s))"));
        }
        const ComputationPtr c = syntheticLongResult(1300); // a fresh cache: head 1 made on the worker again
        const QString one = dir.filePath(QStringLiteral("one.png"));
        {
            ViewExportJob job({{one, o}}, c, nullptr);
            QCOMPARE(job.describe(0, 1), QStringLiteral("Exporting one.png…"));
            QSignalSpy finished(&job, &ViewExportJob::finished);
            QSignalSpy progress(&job, &ViewExportJob::progress);
            job.start();
            QVERIFY(job.isRunning());
            QVERIFY(!QFileInfo::exists(one));
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(0).toString(), QString());
            QCOMPARE(progress.size(), 2);
            QCOMPARE(progress.last().at(0).toULongLong(), 1u);
            QCOMPARE(job.filesWritten(), 1);
        }
        QString error;
        const QByteArray reference = ViewExporter::render(ViewExporter::Format::Png, c, nullptr, o, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QFile f(one);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray written = f.readAll();
        QCOMPARE(written.size(), reference.size());
        QVERIFY(written == reference);
        QImage image;
        QVERIFY(image.loadFromData(written, "PNG"));
        QCOMPARE(image.size(), QSize(900, 700));

        // every head of a layer, one file each (the bundled model: 8 heads), as SVG
        ExportOptions e = o;
        e.range = QStringLiteral("per-head");
        const auto items = ViewExportJob::eachHead(dir.filePath(QStringLiteral("map.svg")), e, lazy->result->heads);
        QCOMPARE(items.size(), size_t {8});
        QCOMPARE(items[3].path, dir.filePath(QStringLiteral("map_head3.svg")));
        QCOMPARE(items[3].options.head, 3);
        {
            ViewExportJob job(items, lazy, nullptr);
            QCOMPARE(job.describe(3, 8), QStringLiteral("Exporting map_head3.svg: 3 of 8 files"));
            QSignalSpy finished(&job, &ViewExportJob::finished);
            QSignalSpy progress(&job, &ViewExportJob::progress);
            job.start();
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(0).toString(), QString());
            QCOMPARE(progress.size(), 9);
            for (int i = 0; i < 9; ++i) {
                QCOMPARE(progress.at(i).at(0).toULongLong(), static_cast<quint64>(i));
                QCOMPARE(progress.at(i).at(1).toULongLong(), 8u);
            }
        }
        for (const auto& item : items) {
            QFile svg(item.path);
            QVERIFY2(svg.open(QIODevice::ReadOnly), qPrintable(item.path));
            const QByteArray want = ViewExporter::render(ViewExporter::Format::Svg, lazy, nullptr, item.options, &error);
            QVERIFY(error.isEmpty());
            QVERIFY2(svg.readAll() == want, qPrintable(item.path));
        }

        // cancelled once the first file is written: that file stays whole, the rest are not written,
        // a file already at a later name is left as it was
        QTemporaryDir cancelDir;
        const auto pngs = ViewExportJob::eachHead(cancelDir.filePath(QStringLiteral("c.png")), e, lazy->result->heads);
        {
            QFile keep(pngs[2].path);
            QVERIFY(keep.open(QIODevice::WriteOnly));
            keep.write("keep me");
        }
        {
            ViewExportJob job(pngs, lazy, nullptr);
            QSignalSpy finished(&job, &ViewExportJob::finished);
            connect(&job, &ViewExportJob::progress, &job, [&job](quint64 done, quint64) {
                if (done == 1)
                    job.cancel();
            });
            job.start();
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(0).toString(),
                QStringLiteral("export cancelled after 1 of 8 files (each of those is complete; the others were not written)"));
            QCOMPARE(job.filesWritten(), 1);
        }
        QFile first(pngs[0].path);
        QVERIFY(first.open(QIODevice::ReadOnly));
        QVERIFY(first.readAll() == ViewExporter::render(ViewExporter::Format::Png, lazy, nullptr, pngs[0].options, &error));
        QVERIFY(!QFileInfo::exists(pngs[1].path));
        QFile kept(pngs[2].path);
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), QByteArray("keep me"));
        QCOMPARE(QDir(cancelDir.path()).entryList(QDir::Files).size(), 2); // no temporaries

        // cancelled before it starts: nothing; a bad name and an unwritable place are refused by name
        {
            const QString never = cancelDir.filePath(QStringLiteral("never.png"));
            ViewExportJob job({{never, o}}, c, nullptr);
            QSignalSpy finished(&job, &ViewExportJob::finished);
            job.cancel();
            job.start();
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(0).toString(),
                QStringLiteral("export of '%1' cancelled: nothing was written").arg(never));
            QVERIFY(!QFileInfo::exists(never));
        }
        {
            const QString txt = cancelDir.filePath(QStringLiteral("map.txt"));
            ViewExportJob job(ViewExportJob::eachHead(txt, e, 2), lazy, nullptr);
            QSignalSpy finished(&job, &ViewExportJob::finished);
            job.start();
            QVERIFY(finished.wait(20000));
            QCOMPARE(finished.first().at(0).toString(),
                QStringLiteral("'%1': choose a .png, .svg or .pdf file name").arg(cancelDir.filePath(QStringLiteral("map_head0.txt"))));
        }
        {
            const QString nowhere = cancelDir.filePath(QStringLiteral("no/such/dir/map.png"));
            ViewExportJob job({{nowhere, e}}, lazy, nullptr);
            QSignalSpy finished(&job, &ViewExportJob::finished);
            job.start();
            QVERIFY(finished.wait(20000));
            const QString message = finished.first().at(0).toString();
            QVERIFY2(message.contains(nowhere), qPrintable(message));
            QVERIFY(!QFileInfo::exists(nowhere));
        }
        QCOMPARE(QDir(cancelDir.path()).entryList(QDir::Files).size(), 2);
    }

    void headsGridScrollsAtAReadableTileSize()
    {
        // Every layer's heads and their mean in rows (5 x 9 tiles here, 24 x 15 on a 0.5B model):
        // in a page smaller than that, the tiles keep kMinTileSide pixels and the page scrolls.
        HeadsPage page;
        page.resize(320, 240);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        HeadGridView* grid = page.grid();
        grid->setComputation(held);
        const int side = HeadGridView::kMinTileSide;
        QCOMPARE(grid->columns(), 9);
        QCOMPARE(grid->rowsCount(), 5);
        QCOMPARE(grid->minimumGridSize(), QSize(8 + 9 * (side + 8), 8 + 5 * (side + 18 + 8)));
        QTRY_VERIFY(grid->width() >= grid->minimumGridSize().width());
        QVERIFY(grid->height() >= grid->minimumGridSize().height());
        QVERIFY(grid->tileRect(4, 7).width() >= side);
        QVERIFY(grid->tileRect(4, 7).bottom() < grid->height()); // the last row is inside, below the fold
        auto* scroll = page.findChild<QScrollArea*>();
        QVERIFY(scroll && scroll->widget() == grid);
        QTRY_VERIFY(scroll->verticalScrollBar()->maximum() > 0 && scroll->horizontalScrollBar()->maximum() > 0);
        // captions: the full one where it fits, a compact one on a 56 px tile, cut below that
        const QString wide = grid->captionAt(4, 7, 400);
        QVERIFY2(wide.startsWith(QLatin1String("L4 h7  H=")), qPrintable(wide));
        const QString entropy = wide.section(QStringLiteral("H="), 1);
        QVERIFY(std::abs(entropy.toDouble() - attn::HeadStatistics::forHead(*held->result, 4, 7).entropy) <= 0.005);
        QCOMPARE(grid->captionAt(4, 7, side), QStringLiteral("L4h7 ") + entropy);
        QVERIFY(grid->captionAt(4, 7, 20).endsWith(QChar(0x2026)));
        QCOMPARE(grid->captionAt(4, 99, 400), QString());
        // room enough: no scrolling, the tiles grow with the page
        page.resize(1400, 900);
        QTRY_VERIFY(scroll->verticalScrollBar()->maximum() == 0);
        QVERIFY(grid->tileRect(0, 0).width() > side);
    }

    void detailsAndLines()
    {
        DetailsPanel a, b;
        a.setComputation(held);
        b.setComputation(lazy);
        a.setHead(3, 2);
        b.setHead(3, 2);
        a.setSelectedQuery(40);
        b.setSelectedQuery(40);
        const QStringList ta = a.topKeysText(), tb = b.topKeysText();
        QVERIFY(!ta.isEmpty());
        QCOMPARE(tb.size(), ta.size());
        for (int k = 0; k < ta.size(); ++k) {
            QCOMPARE(tb[k].section(':', 0, 0), ta[k].section(':', 0, 0));
            QVERIFY(std::abs(tb[k].section(": ", 1).toDouble() - ta[k].section(": ", 1).toDouble()) <= 1e-5);
        }
        LinesView la, lb;
        la.setComputation(held);
        lb.setComputation(lazy);
        la.setLayer(2);
        lb.setLayer(2);
        QVERIFY(la.visibleLineCount() > 50);
        QVERIFY(std::abs(la.visibleLineCount() - lb.visibleLineCount()) <= 2); // a weight at the threshold may flip
    }

    void headsGridTilesArriveFromAWorker()
    {
        HeadGridView a, b;
        a.resize(900, 600);
        b.resize(900, 600);
        a.setComputation(held);
        QVERIFY(!a.tilesPending()); // held maps: drawn at once
        QSignalSpy ready(&b, &HeadGridView::tilesReady);
        b.setComputation(lazy);
        QVERIFY(b.tilesPending()); // on demand: a worker makes them
        QVERIFY(ready.wait(20000));
        QVERIFY(!b.tilesPending());
        QCOMPARE(b.tileOrder(), a.tileOrder());
        for (auto [l, h] : {std::pair {0, 0}, {2, 3}, {4, 7}, {1, HeadGridView::kMean}}) {
            const int d = channelDifference(tileImage(a, l, h), tileImage(b, l, h));
            QVERIFY2(d >= 0 && d <= 3, qPrintable(QString("L%1 H%2: %3").arg(l).arg(h).arg(d)));
        }
        // ranked by a streamed statistic: the same order as ranking the held maps
        HeadGridView::Ranking ranking;
        ranking.statistic = attn::HeadStatistic::FirstTokenMass;
        a.setRanking(ranking);
        b.setRanking(ranking);
        b.finishTiles(); // made now, in this thread
        QVERIFY(!b.tilesPending());
        const auto va = a.tileValues(), vb = b.tileValues();
        QCOMPARE(vb.size(), va.size());
        for (size_t k = 0; k < va.size(); ++k)
            QVERIFY(std::abs(va[k] - vb[k]) <= 1e-5);
        QVERIFY(channelDifference(tileImage(a, b.tileOrder()[0].first, b.tileOrder()[0].second),
                    tileImage(b, b.tileOrder()[0].first, b.tileOrder()[0].second))
            <= 3);
        // a new computation supersedes the running job: nothing of the old one lands
        b.setComputation(lazy);
        b.setComputation(held);
        QVERIFY(!b.tilesPending());
        QTest::qWait(200);
        QCOMPARE(b.tileOrder(), a.tileOrder());
    }

    void hiddenPipelineWaitsForALongPrompt()
    {
        // A long prompt's result (> 2000 tokens) reaching the hidden Pipeline tab is bound when shown;
        // a short one at once.
        auto longResult = std::make_shared<attn::AttentionResult>(*held->result);
        longResult->queryCount = longResult->keyCount = 2500;
        auto c = std::make_shared<Computation>(*held);
        c->result = longResult;
        PipelinePage page;
        page.setComputation(c);
        QTest::qWait(400); // longer than any parse debounce or layout: nothing happens while hidden
        QVERIFY(page.view()->graph().nodes.empty());
        page.show();
        QTRY_VERIFY_WITH_TIMEOUT(!page.view()->graph().nodes.empty(), 10000);
        PipelinePage shortPage;
        shortPage.setComputation(held);
        QTRY_VERIFY_WITH_TIMEOUT(!shortPage.view()->graph().nodes.empty(), 10000);
    }

    void matrixExports()
    {
        QTemporaryDir dir;
        const QString npy = dir.filePath(QStringLiteral("all.npy"));
        QCOMPARE(ViewExporter::exportMatrix(npy, lazy, 0, -1), QString());
        auto parsed = attn::NpyFile::readFile(npy.toStdString());
        QVERIFY(parsed.ok());
        const auto& r = *held->result;
        QCOMPARE(parsed->shape, (std::vector<int64_t> {5, 8, r.queryCount, r.keyCount}));
        double worst = 0.0;
        for (size_t k = 0; k < r.weights.size(); ++k)
            worst = std::max(worst, std::abs(static_cast<double>(parsed->data[k]) - r.weights[k]));
        QVERIFY2(worst <= 1e-5, qPrintable(QString::number(worst)));
        const QString heldNpy = dir.filePath(QStringLiteral("held.npy"));
        QCOMPARE(ViewExporter::exportMatrix(heldNpy, held, 0, -1), QString());
        QFile f(heldNpy);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().toStdString() == attn::NpyFile::serialize({5, 8, r.queryCount, r.keyCount}, r.weights.data()));
        const QString csv = dir.filePath(QStringLiteral("head.csv"));
        QCOMPARE(ViewExporter::exportMatrix(csv, lazy, 2, 3), QString());
        QVERIFY(QFileInfo(csv).size() > 1000);
        // JSON of every map over the budget: refused with the memory it needs, no file
        const auto tight = runModel(attn::InputSpec::MapCapture::OnDemand, 2ull << 20);
        QVERIFY(tight);
        const QString json = dir.filePath(QStringLiteral("all.json"));
        const QString error = ViewExporter::exportMatrix(json, tight, 0, -1);
        QVERIFY2(error.contains(QStringLiteral("needs about")) && error.contains(QStringLiteral("more than the memory budget of 2.0 MB")),
            qPrintable(error));
        QVERIFY(!QFileInfo::exists(json));
        // the heads view exported from an on-demand result has every tile (no placeholder left)
        ExportOptions o;
        o.view = QStringLiteral("heads");
        o.width = 900;
        o.height = 600;
        const QString png = dir.filePath(QStringLiteral("heads.png"));
        QCOMPARE(ViewExporter::exportView(png, lazy, nullptr, o), QString());
        const QString heldPng = dir.filePath(QStringLiteral("heads-held.png"));
        QCOMPARE(ViewExporter::exportView(heldPng, held, nullptr, o), QString());
        const int d = channelDifference(QImage(png), QImage(heldPng));
        QVERIFY2(d >= 0 && d <= 3, qPrintable(QString::number(d)));
    }
};

QTEST_MAIN(TestMapsOnDemandViews)
#include "tst_maps_on_demand_views.moc"
