// The analysis views, offscreen: the heads grid sorted and filtered by a statistic (tile order
// checked against HeadStatistics' values), the token toggles and Rollout mode changing the
// heatmap's labels and size, a click on a Q/K point selecting that token's row in the heatmap,
// and the greedy step-through on stories260K adding the token `attnscope generate` produces
// (the bundled copy under resources/models).
#include "AnalysisBar.h"
#include "AttentionRollout.h"
#include "AttentionWorker.h"
#include "BackgroundPool.h"
#include "DiffView.h"
#include "EmbeddingView.h"
#include "GenerationBar.h"
#include "HeadGridView.h"
#include "HeadStatistics.h"
#include "HeadsPage.h"
#include "HeatmapView.h"
#include "InputPanel.h"
#include "MainWindow.h"
#include "MechanismPanel.h"
#include "QueryKeyProjection.h"
#include "TokenViewWorker.h"
#include "ViewControls.h"

#include <QCheckBox>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QToolButton>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <functional>
#include <vector>

#include <qcustomplot.h>

class TestAnalysisViews : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void sortingReordersAndFiltersTiles();
    void togglesChangeTheHeatmap();
    void sessionKeepsTheAnalysis();
    void clickingAQueryKeyPointSelectsItsRow();
    void tsneRunsOffTheGuiThread();
    void supersededRolloutIsCancelled();
    void stepThroughAddsTheGeneratedToken();

private:
    // Runs `action` and returns the next view the token view worker delivers (it may deliver at
    // once, inside the action, when the derivation is quick).
    ComputationPtr waitForView(const std::function<void()>& action);
    void computeText(const QString& text, int heads);
    // Eight words, two heads; head 1 of layer 0 in the Q/K tab (nullptr when the result never came).
    EmbeddingView* openQkView();
    MainWindow* m_window = nullptr;
};

void TestAnalysisViews::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_analysis_views"));
    QStandardPaths::setTestModeEnabled(true);
}

void TestAnalysisViews::init()
{
    QSettings().clear(); // the heads order and filter persist: start every test from the defaults
    m_window = new MainWindow;
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void TestAnalysisViews::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

ComputationPtr TestAnalysisViews::waitForView(const std::function<void()>& action)
{
    QSignalSpy spy(m_window->tokenViewWorker(), &TokenViewWorker::ready);
    action();
    if (spy.isEmpty() && !spy.wait(20000))
        return nullptr;
    return spy.takeFirst().at(0).value<ComputationPtr>();
}

void TestAnalysisViews::computeText(const QString& text, int heads)
{
    attn::Mechanism m;
    m.heads = heads;
    m.dim = 32;
    m.projection = attn::ProjectionKind::Random;
    m.seed = 7;
    m_window->mechanismPanel()->setMechanism(m);
    attn::InputSpec spec;
    spec.kind = attn::InputKind::Text;
    spec.text = text.toStdString();
    m_window->inputPanel()->setSpec(spec);
    m_window->worker()->computeNow(m_window->inputPanel()->spec(), m_window->mechanismPanel()->mechanism());
}

EmbeddingView* TestAnalysisViews::openQkView()
{
    if (!waitForView([&] { computeText(QStringLiteral("one two three four five six seven eight"), 2); }))
        return nullptr;
    m_window->viewControls()->setHead(0, 1);
    emit m_window->viewControls()->headChanged(0, 1);
    m_window->showView(QStringLiteral("qk"));
    return m_window->embeddingView();
}

void TestAnalysisViews::sortingReordersAndFiltersTiles()
{
    const ComputationPtr c = waitForView(
        [&] { computeText(QStringLiteral("[CLS] the cat sat on the mat and looked at the dog [SEP]"), 4); });
    QVERIFY(c);
    QCOMPARE(c->result->heads, 4);
    HeadsPage* page = m_window->headsPage();
    HeadGridView* grid = page->grid();
    QCOMPARE(grid->tileOrder().size(), size_t { 5 }); // 4 heads + the mean tile
    page->setOrder(QStringLiteral("first"), false);
    const auto order = grid->tileOrder();
    QCOMPARE(order.size(), size_t { 4 });
    std::vector<double> expected;
    for (const auto& [layer, head] : order)
        expected.push_back(attn::HeadStatistics::forHead(*c->result, layer, head).firstTokenMass);
    for (size_t i = 1; i < expected.size(); ++i)
        QVERIFY2(expected[i - 1] >= expected[i], "tiles must descend by first-token mass");
    QCOMPARE(grid->tileValues(), expected);
    // The first tile sits top-left, the next to its right.
    QVERIFY(grid->tileRect(order[0].first, order[0].second).left()
        < grid->tileRect(order[1].first, order[1].second).left());
    page->setOrder(QStringLiteral("first"), true);
    QCOMPARE(grid->tileOrder().front(), order.back());
    // Filter at the median value: only the heads at or above it remain.
    const double threshold = expected[1];
    page->setOrder(QStringLiteral("first"), false);
    page->setFilter(true, true, threshold);
    QCOMPARE(grid->tileOrder().size(), size_t { 2 });
    QCOMPARE(grid->tileOrder()[0], order[0]);
    QVERIFY(!grid->tileRect(order[3].first, order[3].second).isValid()); // filtered tiles are hidden
    page->setOrder(QStringLiteral("layers"), false);
    QCOMPARE(grid->tileOrder().size(), size_t { 5 });
}

void TestAnalysisViews::togglesChangeTheHeatmap()
{
    QVERIFY(waitForView([&] { computeText(QStringLiteral("[CLS] the cat sat [SEP]"), 2); }));
    HeatmapView* map = m_window->heatmap();
    QCOMPARE(map->computation()->result->keyCount, 5);
    AnalysisBar* bar = m_window->analysisBar();
    ComputationPtr dropped = waitForView([&] { bar->dropSpecialBox()->setChecked(true); });
    QVERIFY(dropped);
    QCOMPARE(map->computation(), dropped);
    QCOMPARE(dropped->result->keyLabels, (std::vector<std::string> { "the", "cat", "sat" }));
    // Renormalised: each shown row sums to 1.
    for (int i = 0; i < 3; ++i) {
        double sum = 0.0;
        for (int j = 0; j < 3; ++j)
            sum += map->cellValue(i, j);
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
    // The Diff view's B gets the same token view, so A − B lines up.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->diffView()->viewB()->computation()
            && m_window->diffView()->viewB()->computation()->result->keyCount == 3,
        20000);
    QCOMPARE(m_window->diffView()->viewB()->computation()->result->keyLabels, dropped->result->keyLabels);
    // The first (sink) token alone: [SEP] stays.
    bar->dropSpecialBox()->setChecked(false);
    QVERIFY(waitForView([&] { bar->dropFirstBox()->setChecked(true); }));
    QCOMPARE(
        map->computation()->result->keyLabels, (std::vector<std::string> { "the", "cat", "sat", "[SEP]" }));
    QCOMPARE(m_window->headGrid()->tileOrder().size(), size_t { 3 }); // 2 heads + mean, of the filtered map
    ComputationPtr raw = waitForView([&] { bar->dropFirstBox()->setChecked(false); });
    QCOMPARE(raw->result->keyCount, 5);
    // Rollout mode: the heatmap shows one N x N map equal to the core's rollout of the result.
    QVERIFY(waitForView([&] { bar->setRollout(true, attn::HeadFusion::Max, 0.0); }));
    QCOMPARE(map->computation()->result->heads, 1);
    QCOMPARE(map->computation()->result->keyCount, 5);
    attn::RolloutOptions o;
    o.fusion = attn::HeadFusion::Max;
    const auto expected = attn::AttentionRollout::compute(*raw->result, o);
    QVERIFY(expected);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j)
            QVERIFY(std::abs(map->cellValue(i, j) - (*expected)[static_cast<size_t>(i) * 5 + j]) < 1e-6);
    QVERIFY(waitForView([&] { bar->setRollout(false, attn::HeadFusion::Mean, 0.0); }));
    QCOMPARE(map->computation()->result->heads, 2);
}

void TestAnalysisViews::sessionKeepsTheAnalysis()
{
    QVERIFY(waitForView([&] { computeText(QStringLiteral("[CLS] the cat sat [SEP]"), 2); }));
    AnalysisBar* bar = m_window->analysisBar();
    QVERIFY(waitForView([&] { bar->dropSpecialBox()->setChecked(true); }));
    QVERIFY(waitForView([&] { bar->setRollout(true, attn::HeadFusion::Min, 0.25); }));
    const ComputationPtr shown = m_window->heatmap()->computation(); // the rollout of the filtered tokens
    QVERIFY(shown);
    QCOMPARE(shown->result->heads, 1);
    QCOMPARE(shown->result->keyCount, 3);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("analysis.attnscope"));
    QCOMPARE(m_window->saveSession(path), QString());

    MainWindow other;
    other.show();
    QSignalSpy ready(other.tokenViewWorker(), &TokenViewWorker::ready);
    QCOMPARE(other.openSession(path), QString());
    QTRY_VERIFY_WITH_TIMEOUT(other.heatmap()->computation() && other.heatmap()->computation()->result->keyCount == 3
            && other.heatmap()->computation()->result->heads == 1,
        20000);
    QVERIFY(other.analysisBar()->dropSpecialBox()->isChecked());
    QVERIFY(!other.analysisBar()->dropFirstBox()->isChecked());
    const auto rollout = other.analysisBar()->rollout();
    QVERIFY(rollout);
    QCOMPARE(rollout->fusion, attn::HeadFusion::Min);
    QCOMPARE(rollout->discardRatio, 0.25);
    // The same map as before saving: rollout of the filtered tokens, cell for cell.
    QCOMPARE(other.heatmap()->computation()->result->keyLabels, (std::vector<std::string> { "the", "cat", "sat" }));
    QCOMPARE(other.heatmap()->computation()->result->weights, shown->result->weights);
}

void TestAnalysisViews::supersededRolloutIsCancelled()
{
    // A derivation superseded before it ran stops without computing (a long prompt's rollout is
    // seconds of N x N products): every pool thread is held while the rollout is asked for and then
    // switched off again; released, the rollout's job finds its flag set and delivers nothing, and
    // the view shows the plain result.
    QVERIFY(waitForView([&] { computeText(QStringLiteral("one two three four five six"), 2); }));
    const ComputationPtr plain = m_window->heatmap()->computation();
    TokenViewWorker* worker = m_window->tokenViewWorker();
    QSignalSpy ready(worker, &TokenViewWorker::ready);
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
    attn::RolloutOptions rollout;
    worker->setOptions({}, rollout); // queued behind the blockers
    QVERIFY(worker->isBusy());
    worker->setOptions({}, std::nullopt); // supersedes it: the plain result, at once
    QCOMPARE(ready.size(), 1);
    QVERIFY(!ready.first().at(1).value<ComputationPtr>());
    release = true;
    for (auto& f : blockers)
        f.waitForFinished();
    QTRY_VERIFY(!worker->isBusy());
    QCOMPARE(worker->cancelledDerivations(), 1);
    QCOMPARE(ready.size(), 1); // the cancelled rollout delivered nothing
    QCOMPARE(m_window->heatmap()->computation(), plain);
}

void TestAnalysisViews::clickingAQueryKeyPointSelectsItsRow()
{
    EmbeddingView* view = openQkView();
    QVERIFY(view);
    QCOMPARE(m_window->views()->currentWidget(), view);
    QVERIFY2(view->points().has_value(), qPrintable(view->message()));
    QCOMPARE(view->points()->queries, 8);
    QCOMPARE(view->points()->keys, 8);
    // A query point and a key point that are not hidden under another point.
    int query = -1, key = -1;
    for (int i = 0; i < 16; ++i) {
        if (view->pointAt(view->pointPosition(i)) != i)
            continue;
        if (i < 8 && i != 0 && query < 0)
            query = i;
        if (i >= 8 && i - 8 != query && key < 0)
            key = i;
    }
    QVERIFY(query > 0 && key >= 8);
    QVERIFY(view->pointText(query).contains(QLatin1String("query")));
    QVERIFY(view->pointText(key).contains(QLatin1String("key")));
    QSignalSpy selected(view, &EmbeddingView::tokenSelected);
    QTest::mouseClick(
        view->plot(), Qt::LeftButton, {}, view->plot()->mapFrom(view, view->pointPosition(query)));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(m_window->heatmap()->selectedQuery(), query);
    QTest::mouseClick(
        view->plot(), Qt::LeftButton, {}, view->plot()->mapFrom(view, view->pointPosition(key)));
    QCOMPARE(m_window->heatmap()->selectedQuery(), key - 8);
    // The mean of heads has no queries and keys of its own: a message, no points.
    m_window->viewControls()->setHead(0, -1);
    emit m_window->viewControls()->headChanged(0, -1);
    QVERIFY(!view->points().has_value());
    QVERIFY(view->message().contains(QLatin1String("one head")));
}

void TestAnalysisViews::tsneRunsOffTheGuiThread()
{
    EmbeddingView* view = openQkView();
    QVERIFY(view);
    QVERIFY(view->points().has_value());
    QVERIFY(!view->points()->tsne);
    QSignalSpy ready(view, &EmbeddingView::layoutReady);
    view->layoutBox()->setCurrentIndex(1);
    QVERIFY(view->isComputing() || !ready.isEmpty());
    QVERIFY(ready.wait(60000) || !ready.isEmpty());
    QVERIFY2(view->points().has_value(), qPrintable(view->message()));
    QVERIFY(view->points()->tsne);
    QCOMPARE(view->points()->queries + view->points()->keys, 16);
    QCOMPARE(view->plot()->xAxis->label(), QStringLiteral("t-SNE 1"));
    // The same points as the core computes (deterministic: no random start).
    const auto expected = attn::QueryKeyProjection::forHead(
        *m_window->current()->result, 0, 1, true, attn::QkLayout::Tsne);
    QVERIFY(expected);
    QCOMPARE(view->points()->x, expected->x);
    QCOMPARE(view->points()->y, expected->y);
    // Back to PCA: at once, on the GUI thread.
    view->layoutBox()->setCurrentIndex(0);
    QVERIFY(!view->isComputing());
    QVERIFY(!view->points()->tsne);
}

void TestAnalysisViews::stepThroughAddsTheGeneratedToken()
{
    const QString model = qEnvironmentVariable("ATTNSCOPE_BUNDLED_MODEL");
    QVERIFY2(QFileInfo::exists(model + QStringLiteral("/stories260K.bin")), qPrintable(model));
    // The token the command line generates after the prompt.
    QProcess cli;
    cli.start(qEnvironmentVariable("ATTNSCOPE_EXE"),
        { QStringLiteral("generate"), QStringLiteral("--model"), model, QStringLiteral("--text"),
            QStringLiteral("Once upon a time"), QStringLiteral("--steps"), QStringLiteral("1") });
    QVERIFY(cli.waitForFinished(60000));
    const QString generated = QString::fromUtf8(cli.readAllStandardOutput()).trimmed();
    QVERIFY2(generated.startsWith(QLatin1String("Once upon a time")) && generated.size() > 16,
        qPrintable(generated));

    attn::InputSpec spec;
    spec.kind = attn::InputKind::Model;
    spec.path = model.toStdString();
    spec.text = "Once upon a time";
    m_window->inputPanel()->setSpec(spec);
    const ComputationPtr first
        = waitForView([&] { m_window->worker()->computeNow(spec, m_window->mechanismPanel()->mechanism()); });
    QVERIFY(first);
    QCOMPARE(first->result->keyCount, 5);
    GenerationBar* bar = m_window->generationBar();
    QVERIFY(bar->isVisible());
    QVERIFY2(bar->predictionText().contains(QStringLiteral("“,”")), qPrintable(bar->predictionText()));
    // The Q/K view has the checkpoint's per-head queries and keys.
    QCOMPARE(m_window->embeddingView()->points()->queries, 5);

    const ComputationPtr stepped = waitForView([&] { QTest::mouseClick(bar->stepButton(), Qt::LeftButton); });
    QVERIFY(stepped);
    QCOMPARE(QString::fromStdString(stepped->input.text), generated);
    QCOMPARE(QString::fromStdString(m_window->inputPanel()->spec().text), generated);
    QCOMPARE(stepped->result->keyCount, 6);
    QCOMPARE(m_window->heatmap()->selectedQuery(), 5); // the new token's attention row
    QCOMPARE(bar->depth(), 1);

    const ComputationPtr back = waitForView([&] { QTest::mouseClick(bar->backButton(), Qt::LeftButton); });
    QVERIFY(back);
    QCOMPARE(back->input.text, std::string("Once upon a time"));
    QCOMPARE(back->result->keyCount, 5);
    QCOMPARE(bar->depth(), 0);
}

QTEST_MAIN(TestAnalysisViews)
#include "tst_analysis_views.moc"
