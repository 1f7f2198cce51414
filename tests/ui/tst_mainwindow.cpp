// The desktop window as a user drives it, offscreen: samples load and show the engine's exact
// weights; hover, click, head tiles, recomputation, cancel, sessions and errors.
#include "AttentionEngine.h"
#include "AttentionWorker.h"
#include "DetailsPanel.h"
#include "DiffView.h"
#include "ErrorBanner.h"
#include "HeadGridView.h"
#include "HeatmapView.h"
#include "InputBuilder.h"
#include "InputPanel.h"
#include "LinesPage.h"
#include "LinesView.h"
#include "MainWindow.h"
#include "MechanismPanel.h"
#include "NpyFile.h"
#include "SampleCatalog.h"
#include "Session.h"
#include "ViewControls.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QtTest>

#include <qcustomplot.h>

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void startsWithTheDefaultSampleAndItsExactWeights();
    void everySampleOpens();
    void hoverTooltipNamesTokensWeightAndScore();
    void maskedCellsAreDrawnAsMaskedNotZero();
    void clickSelectsQueryAndDetailsShowTopKeys();
    void headTileOpensThatHead();
    void changingScoreRecomputes();
    void newerRequestCancelsTheRunningOne();
    void cancelStopsAndKeepsThePicture();
    void errorsAreInlineAndTheLastPictureStays();
    void linesViewFollowsThresholdAndHeads();
    void diffViewShowsDifference();
    void sessionRoundTripRestoresWeightsAndOptions();
    void sessionFromANewerVersionIsRefused();
    void modelTabShowsEveryLayerAndHead();

private:
    ComputationPtr waitForResult();
    MainWindow* m_window = nullptr;
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::init()
{
    m_window = new MainWindow;
    m_window->resize(1400, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void TestMainWindow::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

ComputationPtr TestMainWindow::waitForResult()
{
    QSignalSpy spy(m_window->worker(), &AttentionWorker::finished);
    if (!spy.wait(10000))
        return nullptr;
    return spy.takeFirst().at(0).value<ComputationPtr>();
}

void TestMainWindow::startsWithTheDefaultSampleAndItsExactWeights()
{
    QVERIFY(m_window->openSample(QStringLiteral("seed000-cross")));
    const ComputationPtr c = waitForResult();
    QVERIFY(c);
    QCOMPARE(m_window->current(), c);
    // The heatmap draws exactly the engine's weights; compare with an independent run.
    const auto sample = SampleCatalog::find(QStringLiteral("seed000-cross"));
    auto input = attn::InputBuilder::build(sample->input, sample->mechanism.dim);
    auto expected = attn::AttentionEngine::compute(*input, sample->mechanism);
    QVERIFY(expected.ok());
    HeatmapView* map = m_window->heatmap();
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            QCOMPARE(map->cellValue(i, j), static_cast<double>(expected->weight(0, 0, i, j)));
    QVERIFY(std::abs(map->cellValue(0, 3) - 9.932621e-01) < 1e-6); // the digest's number
}

void TestMainWindow::everySampleOpens()
{
    for (const auto& s : SampleCatalog::all()) {
        QVERIFY(m_window->openSample(QString::fromStdString(s.name)));
        const ComputationPtr c = waitForResult();
        QVERIFY2(c, s.name.c_str());
        QCOMPARE(c->result->heads, s.mechanism.heads);
        QVERIFY2(m_window->errorBanner()->text().isEmpty(), qPrintable(m_window->errorBanner()->text()));
    }
    QVERIFY(SampleCatalog::problems().isEmpty());
}

void TestMainWindow::hoverTooltipNamesTokensWeightAndScore()
{
    m_window->openSample(QStringLiteral("seed004-sigmoid"));
    QVERIFY(waitForResult());
    HeatmapView* map = m_window->heatmap();
    const QString text = map->tooltipText(0, 1);
    QVERIFY2(text.contains(QStringLiteral("query 0 “[2,0,1]” → key 1 “[2,3,1]”")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("weight 0.9933072")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("raw score 5")), qPrintable(text)); // f(x) = 2*2 + 1
    // The same cell under the mouse.
    const QPoint centre = map->cellCenter(0, 1);
    const auto cell = map->cellAt(centre);
    QVERIFY(cell);
    QCOMPARE(cell->first, 0);
    QCOMPARE(cell->second, 1);
}

void TestMainWindow::maskedCellsAreDrawnAsMaskedNotZero()
{
    m_window->openSample(QStringLiteral("text-attention")); // causal
    QVERIFY(waitForResult());
    HeatmapView* map = m_window->heatmap();
    QVERIFY(std::isnan(map->cellValue(0, 5)));  // above the diagonal: masked, drawn in the masked colour
    QVERIFY(!std::isnan(map->cellValue(5, 0)));
    QVERIFY(map->tooltipText(0, 5).contains(QLatin1String("masked")));
}

void TestMainWindow::clickSelectsQueryAndDetailsShowTopKeys()
{
    m_window->openSample(QStringLiteral("text-fox"));
    const ComputationPtr c = waitForResult();
    QVERIFY(c);
    HeatmapView* map = m_window->heatmap();
    QSignalSpy selected(map, &HeatmapView::querySelected);
    QTest::mouseClick(map->plot(), Qt::LeftButton, {}, map->cellCenter(6, 0)); // query "the"
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.first().at(0).toInt(), 6);
    QCOMPARE(map->selectedQuery(), 6);
    const QStringList top = m_window->details()->topKeysText();
    QVERIFY(top.size() >= 3);
    // "the" attends to the three occurrences of "the" most (identical embeddings).
    for (int k = 0; k < 3; ++k)
        QVERIFY2(top[k].startsWith(QLatin1String("the: ")) || top[k].startsWith(QLatin1String("The: ")), qPrintable(top.join(QLatin1Char('|'))));
    const float w = c->result->weight(0, 0, 6, 0);
    QVERIFY(top.join(QLatin1Char('|')).contains(QString::number(w, 'g', 7)));
}

void TestMainWindow::headTileOpensThatHead()
{
    m_window->openSample(QStringLiteral("seed001-text")); // 4 heads
    QVERIFY(waitForResult());
    m_window->views()->setCurrentWidget(m_window->headGrid());
    QApplication::processEvents();
    HeadGridView* grid = m_window->headGrid();
    const QRect tile = grid->tileRect(0, 2);
    QVERIFY(tile.isValid());
    QTest::mouseClick(grid, Qt::LeftButton, {}, tile.center());
    QCOMPARE(m_window->views()->currentWidget(), m_window->heatmap());
    QCOMPARE(m_window->heatmap()->head(), 2);
    QCOMPARE(m_window->viewControls()->head(), 2);
    const auto& r = *m_window->current()->result;
    QCOMPARE(m_window->heatmap()->cellValue(3, 1), static_cast<double>(r.weight(0, 2, 3, 1)));
    // The mean tile.
    QTest::mouseClick(grid, Qt::LeftButton, {}, grid->tileRect(0, HeadGridView::kMean).center());
    QCOMPARE(m_window->heatmap()->head(), HeatmapView::kMeanHead);
    double mean = 0;
    for (int h = 0; h < 4; ++h)
        mean += r.weight(0, h, 3, 1);
    QVERIFY(std::abs(m_window->heatmap()->cellValue(3, 1) - mean / 4) < 1e-6);
}

void TestMainWindow::changingScoreRecomputes()
{
    m_window->openSample(QStringLiteral("text-fox"));
    const ComputationPtr before = waitForResult();
    QVERIFY(before);
    const double cellBefore = m_window->heatmap()->cellValue(0, 1);
    QSignalSpy started(m_window->worker(), &AttentionWorker::started);
    QComboBox* score = m_window->mechanismPanel()->scoreBox();
    score->setCurrentIndex(score->findData(QStringLiteral("additive")));
    const ComputationPtr after = waitForResult();
    QVERIFY(after);
    QCOMPARE(started.count(), 1); // debounced: one computation
    QCOMPARE(after->mechanism.score, attn::ScoreKind::Additive);
    QVERIFY(after->result.get() != before->result.get());
    QVERIFY(m_window->heatmap()->cellValue(0, 1) != cellBefore);
    QCOMPARE(m_window->heatmap()->cellValue(0, 1), static_cast<double>(after->result->weight(0, 0, 0, 1)));
}

void TestMainWindow::newerRequestCancelsTheRunningOne()
{
    // A burst of edits gives exactly one result: the last state.
    m_window->openSample(QStringLiteral("text-fox"));
    QVERIFY(waitForResult());
    QSpinBox* heads = m_window->mechanismPanel()->headsBox();
    QSignalSpy finished(m_window->worker(), &AttentionWorker::finished);
    heads->setValue(2);
    heads->setValue(4);
    heads->setValue(8);
    QVERIFY(finished.wait(10000));
    QTest::qWait(400);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<ComputationPtr>()->result->heads, 8);
}

void TestMainWindow::cancelStopsAndKeepsThePicture()
{
    m_window->openSample(QStringLiteral("text-fox"));
    const ComputationPtr shown = waitForResult();
    QVERIFY(shown);
    AttentionWorker* worker = m_window->worker();
    QSignalSpy finished(worker, &AttentionWorker::finished);
    QSignalSpy cancelled(worker, &AttentionWorker::cancelled);
    attn::InputSpec big;
    big.kind = attn::InputKind::Text;
    QString words;
    for (int i = 0; i < 3000; ++i)
        words += QStringLiteral("word%1 ").arg(i % 97);
    big.text = words.toStdString();
    attn::Mechanism heavy;
    heavy.heads = 16;
    heavy.score = attn::ScoreKind::Additive;
    worker->computeNow(big, heavy);
    worker->cancel();
    QCOMPARE(cancelled.count(), 1);
    QTest::qWait(1500);
    QCOMPARE(finished.count(), 0); // the cancelled result never arrives
    QCOMPARE(m_window->current(), shown);
}

void TestMainWindow::errorsAreInlineAndTheLastPictureStays()
{
    m_window->openSample(QStringLiteral("seq-clusters"));
    const ComputationPtr good = waitForResult();
    QVERIFY(good);
    QSignalSpy failed(m_window->worker(), &AttentionWorker::failed);
    attn::InputSpec bad;
    bad.kind = attn::InputKind::Sequence;
    bad.text = "1,2;3";
    m_window->inputPanel()->setSpec(bad);
    emit m_window->inputPanel()->inputChanged();
    QVERIFY(failed.wait(5000));
    QVERIFY2(m_window->errorBanner()->text().contains(QLatin1String("element 2 has 1 value")),
        qPrintable(m_window->errorBanner()->text()));
    QCOMPARE(m_window->current(), good);
    m_window->errorBanner()->dismiss();
    QVERIFY(m_window->errorBanner()->text().isEmpty());
    QVERIFY(!m_window->openPath(QStringLiteral("/nonexistent/file.csv")));
    QVERIFY(m_window->errorBanner()->text().contains(QLatin1String("/nonexistent/file.csv")));
}

void TestMainWindow::linesViewFollowsThresholdAndHeads()
{
    m_window->openSample(QStringLiteral("seed001-text")); // 9 tokens, 4 heads
    const ComputationPtr c = waitForResult();
    QVERIFY(c);
    LinesPage* page = m_window->linesPage();
    LinesView* view = page->view();
    page->thresholdSlider()->setValue(0);
    const auto& r = *c->result;
    int positive = 0;
    for (float w : r.weights)
        positive += w > 0.0f;
    QCOMPARE(view->visibleLineCount(), positive);
    page->thresholdSlider()->setValue(20);
    int strong = 0;
    for (float w : r.weights)
        strong += w >= 0.2f;
    QCOMPARE(view->visibleLineCount(), strong);
    view->setHeadEnabled(0, false);
    int withoutHead0 = 0;
    for (int h = 1; h < 4; ++h)
        for (int i = 0; i < 9; ++i)
            for (int j = 0; j < 9; ++j)
                withoutHead0 += r.weight(0, h, i, j) >= 0.2f;
    QCOMPARE(view->visibleLineCount(), withoutHead0);
    view->setFocusToken(0, 3); // hover query 3: only its lines
    int ofQuery3 = 0;
    for (int h = 1; h < 4; ++h)
        for (int j = 0; j < 9; ++j)
            ofQuery3 += r.weight(0, h, 3, j) >= 0.2f;
    QCOMPARE(view->visibleLineCount(), ofQuery3);
}

void TestMainWindow::diffViewShowsDifference()
{
    m_window->openSample(QStringLiteral("text-fox"));
    const ComputationPtr a = waitForResult();
    QVERIFY(a);
    DiffView* diff = m_window->diffView();
    QSignalSpy bReady(diff->worker(), &AttentionWorker::finished);
    QVERIFY(bReady.wait(5000));
    const ComputationPtr b = bReady.first().at(0).value<ComputationPtr>();
    QCOMPARE(b->mechanism.score, attn::ScoreKind::Additive); // the default comparison
    QCOMPARE(diff->viewDiff()->cellValue(2, 5),
        static_cast<double>(a->result->weight(0, 0, 2, 5) - b->result->weight(0, 0, 2, 5)));
    QVERIFY(diff->viewDiff()->tooltipText(2, 5).contains(QLatin1String("difference")));
}

void TestMainWindow::sessionRoundTripRestoresWeightsAndOptions()
{
    m_window->openSample(QStringLiteral("seed001-text"));
    QVERIFY(waitForResult());
    QComboBox* score = m_window->mechanismPanel()->scoreBox();
    score->setCurrentIndex(score->findData(QStringLiteral("cosine")));
    const ComputationPtr before = waitForResult();
    QVERIFY(before);
    m_window->viewControls()->setHead(0, 3);
    m_window->viewControls()->setColorMap(QStringLiteral("magma"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.attnscope"));
    QCOMPARE(m_window->saveSession(path), QString());

    auto* other = new MainWindow;
    other->show();
    QSignalSpy spy(other->worker(), &AttentionWorker::finished);
    QCOMPARE(other->openSession(path), QString());
    QVERIFY(spy.wait(10000));
    QApplication::processEvents();
    const ComputationPtr after = other->current();
    QVERIFY(after);
    QCOMPARE(after->result->weights, before->result->weights); // identical, bit for bit
    QCOMPARE(after->mechanism.score, attn::ScoreKind::Cosine);
    QCOMPARE(after->mechanism.heads, 4);
    QCOMPARE(other->viewControls()->colorMap(), QStringLiteral("magma"));
    QCOMPARE(other->heatmap()->head(), 3);
    QCOMPARE(other->session().mechanism.seed, before->mechanism.seed);
    delete other;
}

void TestMainWindow::sessionFromANewerVersionIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("new.attnscope"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "attnscope-session", "version": 99, "input": {"type": "text", "text": "a"}, "mechanism": {}})");
    f.close();
    const QString error = m_window->openSession(path);
    QVERIFY2(error.contains(QLatin1String("newer AttnScope (format version 99")), qPrintable(error));
    const QString gone = dir.filePath(QStringLiteral("gone.attnscope"));
    QFile g(gone);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(R"({"format": "attnscope-session", "version": 1, "input": {"type": "sequence-file", "path": "/nonexistent/x.csv"}, "mechanism": {}})");
    g.close();
    QVERIFY(m_window->openSession(gone).contains(QLatin1String("input file '/nonexistent/x.csv' is gone")));
    QVERIFY(m_window->openSession(dir.filePath(QStringLiteral("missing.attnscope"))).contains(QLatin1String("cannot open")));
}

void TestMainWindow::modelTabShowsEveryLayerAndHead()
{
    const QString model = qEnvironmentVariable("ATTNSCOPE_SHARED") + QStringLiteral("/models/stories260k");
    if (!QFileInfo::exists(model + QStringLiteral("/stories260K.bin")))
        QSKIP("the shared model is absent: skipping the Model tab test");
    QVERIFY(m_window->openPath(model)); // a folder opens in the Model tab
    QVERIFY(waitForResult());
    QVERIFY(!m_window->mechanismPanel()->isEnabled());
    attn::InputSpec spec;
    spec.kind = attn::InputKind::Model;
    spec.path = model.toStdString();
    spec.text = "Once upon a time";
    m_window->inputPanel()->setSpec(spec);
    emit m_window->inputPanel()->inputChanged();
    const ComputationPtr c = waitForResult();
    QVERIFY(c);
    const auto& r = *c->result;
    QCOMPARE(r.layers, 5);
    QCOMPARE(r.heads, 8);
    QCOMPARE(r.keyLabels.front(), std::string("<s>"));
    QCOMPARE(r.nextToken, std::string(","));
    auto expected = attn::NpyFile::readFile(
        (qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/llama2c/once_upon_a_time/attention.npy")).toStdString());
    QVERIFY(expected.ok());
    QCOMPARE(expected->data.size(), r.weights.size());
    // Layer 4, head 7 in the heatmap equals the independent PyTorch reference.
    m_window->viewControls()->setHead(4, 7);
    emit m_window->viewControls()->headChanged(4, 7);
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j <= i; ++j)
            QVERIFY(std::abs(m_window->heatmap()->cellValue(i, j) - expected->data[r.index(4, 7, i, j)]) < 1e-4);
    QVERIFY(std::isnan(m_window->heatmap()->cellValue(1, 3))); // causal: masked
    // The heads grid has a tile for every layer and head.
    QVERIFY(m_window->headGrid()->tileRect(4, 7).isValid());
    QCOMPARE(m_window->headGrid()->rowsCount(), 5);
    QCOMPARE(m_window->headGrid()->columns(), 9);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
