// The Overlay view on a hand-made result (a 2 x 3 grid of 10 px patches over a grey 30 x 20
// picture): the heat layer's colours are the colour map at w / max w (so the brightest patch is the
// largest weight and brightness is monotone in the weight), opacity blends with the picture,
// received = column sums, spatial = the result's map; a click selects the query, hover text,
// exports (PNG of the requested size, SVG QSvgRenderer accepts) through the CLI, and the failures.
#include "AttentionRollout.h"
#include "AttentionWorker.h"
#include "ColorMap.h"
#include "ErrorBanner.h"
#include "ImageInputPage.h"
#include "InputPanel.h"
#include "MainWindow.h"
#include "MechanismPanel.h"
#include "NpyFile.h"
#include "OverlayPage.h"
#include "OverlayView.h"
#include "Session.h"
#include "ViewExporter.h"
#include "VitFixturePicture.h"

#include <QDropEvent>
#include <QImage>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QtTest>

#include <algorithm>
#include <numeric>

class TestOverlay : public QObject {
    Q_OBJECT
private slots:
    void coloursFollowWeights();
    void opacityBlendsWithPicture();
    void receivedIsColumnSums();
    void spatialMode();
    void maskedKeysLeftUncoloured();
    void clickSelectsQuery();
    void tooltipText();
    void rolloutNeedsLayersAndProvider();
    void exportFailures();
    void cliExports();
    void windowOpensDroppedPicture();
    void windowRunsAPictureThroughAViT();
};

namespace {
constexpr int kRows = 2, kCols = 3, kN = kRows * kCols;
// Query 4 (patch 1,1): distinct weights, largest on key 1 (patch 0,1).
const float kRow4[kN] = {0.02f, 0.35f, 0.08f, 0.20f, 0.12f, 0.23f};

ComputationPtr makeComputation(int layers = 1)
{
    auto r = std::make_shared<attn::AttentionResult>();
    r->layers = layers;
    r->heads = 1;
    r->queryCount = r->keyCount = kN;
    r->gridRows = kRows;
    r->gridCols = kCols;
    r->gridPatch = 10;
    r->gridWidth = 30;
    r->gridHeight = 20;
    r->mask = attn::MaskSpec(attn::Mechanism{}, kN, kN);
    r->weights.assign(static_cast<size_t>(layers) * kN * kN, 0.0f);
    for (int l = 0; l < layers; ++l)
        for (int i = 0; i < kN; ++i)
            for (int j = 0; j < kN; ++j) // row i: (i + j) % kN + 1, then kRow4 for query 4
                r->weights[r->index(l, 0, i, j)] = i == 4 ? kRow4[j] : static_cast<float>((i + j) % kN + 1) / 21.0f;
    for (int i = 0; i < kN; ++i)
        r->keyLabels.push_back(std::to_string(i / kCols) + "," + std::to_string(i % kCols));
    r->queryLabels = r->keyLabels;
    r->spatialMap = {0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.2f};
    auto image = std::make_shared<attn::ImageBuffer>();
    image->width = 30;
    image->height = 20;
    image->rgb.assign(30 * 20 * 3, 100); // grey (100, 100, 100)
    auto c = std::make_shared<Computation>();
    c->input.kind = attn::InputKind::Image;
    c->input.image = image;
    c->result = r;
    return c;
}

// Render the view alone (no caption, bar or grid) and sample each patch's centre.
std::vector<QRgb> patchColours(OverlayView& view, QImage* out = nullptr)
{
    view.setCaptionVisible(false);
    view.setColorBarVisible(false);
    view.setGridVisible(false);
    QImage image(300, 200, QImage::Format_RGB32);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        view.paint(p, QRectF(image.rect()));
    }
    std::vector<QRgb> colours;
    for (int cell = 0; cell < kN; ++cell)
        colours.push_back(image.pixel(view.cellRect(cell, QRectF(image.rect())).center().toPoint()));
    if (out)
        *out = image;
    return colours;
}

bool near(QRgb a, QRgb b, int tolerance = 2)
{
    return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}
} // namespace

void TestOverlay::coloursFollowWeights()
{
    OverlayView view;
    view.setComputation(makeComputation());
    view.setColorMap(QStringLiteral("viridis"));
    view.setOpacity(1.0);
    view.selectQuery(4);
    const auto values = view.cellValues();
    QCOMPARE(values, std::vector<float>(kRow4, kRow4 + kN));
    const auto colours = patchColours(view);
    const ColorMap viridis = ColorMap::byName(QStringLiteral("viridis"));
    for (int cell = 0; cell < kN; ++cell)
        QVERIFY2(near(colours[cell], viridis.color(kRow4[cell] / 0.35)),
            qPrintable(QStringLiteral("patch %1: %2 vs %3").arg(cell).arg(colours[cell], 0, 16).arg(viridis.color(kRow4[cell] / 0.35), 0, 16)));
    // Brightest at the largest weight, and brightness rises with the weight.
    std::vector<int> order(kN);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [](int a, int b) { return kRow4[a] < kRow4[b]; });
    QCOMPARE(order.back(), 1);
    for (int k = 1; k < kN; ++k)
        QVERIFY2(qGray(colours[order[k]]) > qGray(colours[order[k - 1]]),
            qPrintable(QStringLiteral("weight %1 is not brighter than %2").arg(kRow4[order[k]]).arg(kRow4[order[k - 1]])));
    // The largest weight gets the map's top colour exactly (viridis yellow).
    QVERIFY(near(colours[1], qRgb(0xfd, 0xe7, 0x25), 3));
}

void TestOverlay::opacityBlendsWithPicture()
{
    OverlayView view;
    view.setComputation(makeComputation());
    view.setColorMap(QStringLiteral("viridis"));
    view.selectQuery(4);
    view.setOpacity(0.5);
    const auto colours = patchColours(view);
    const ColorMap viridis = ColorMap::byName(QStringLiteral("viridis"));
    for (int cell = 0; cell < kN; ++cell) {
        const QRgb c = viridis.color(kRow4[cell] / 0.35);
        // alpha = round(0.5 * 255) = 128 over grey 100.
        const QRgb expected = qRgb((qRed(c) * 128 + 100 * 127) / 255, (qGreen(c) * 128 + 100 * 127) / 255,
            (qBlue(c) * 128 + 100 * 127) / 255);
        QVERIFY2(near(colours[cell], expected, 3), qPrintable(QStringLiteral("patch %1").arg(cell)));
    }
    view.setOpacity(0.0); // the picture alone
    for (QRgb c : patchColours(view))
        QVERIFY(near(c, qRgb(100, 100, 100), 1));
}

void TestOverlay::receivedIsColumnSums()
{
    const auto c = makeComputation();
    OverlayView view;
    view.setComputation(c);
    view.setMode(OverlayView::Mode::Received);
    const auto values = view.cellValues();
    QCOMPARE(values.size(), size_t(kN));
    for (int j = 0; j < kN; ++j) {
        double sum = kRow4[j];
        for (int i = 0; i < kN; ++i)
            if (i != 4)
                sum += ((i + j) % kN + 1) / 21.0;
        QVERIFY2(std::abs(values[j] - sum) < 1e-6, qPrintable(QStringLiteral("key %1: %2 vs %3").arg(j).arg(values[j]).arg(sum)));
    }
    // Key 0 receives 0.02 + (2+3+4+6+1)/21 = 0.78190..., key 1: 0.35 + (3+4+5+1+2)/21 = 1.06428...
    QVERIFY(std::abs(values[0] - 0.781905f) < 1e-5);
    QVERIFY(std::abs(values[1] - 1.064286f) < 1e-5);
    QCOMPARE(view.tooltipFor(1), QStringLiteral("patch 0,1 — received 1.06429"));
}

void TestOverlay::spatialMode()
{
    OverlayView view;
    view.setComputation(makeComputation());
    view.setMode(OverlayView::Mode::Spatial);
    view.setOpacity(1.0);
    QCOMPARE(view.cellValues(), (std::vector<float>{0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.2f}));
    const auto colours = patchColours(view);
    // Brightest patch: 0 (0.9); darkest: 1 (0.1).
    const auto brightest = std::max_element(colours.begin(), colours.end(), [](QRgb a, QRgb b) { return qGray(a) < qGray(b); });
    const auto darkest = std::min_element(colours.begin(), colours.end(), [](QRgb a, QRgb b) { return qGray(a) < qGray(b); });
    QCOMPARE(int(brightest - colours.begin()), 0);
    QCOMPARE(int(darkest - colours.begin()), 1);
    QCOMPARE(view.tooltipFor(4), QStringLiteral("patch 1,1 — spatial weight 0.70000"));
    // The map spans its own range: 0.1 gets the colour map's bottom, 0.9 its top, 0.5 the middle
    // ((0.5 - 0.1) / 0.8), so close sigmoid values still differ visibly.
    const ColorMap viridis = ColorMap::byName(QStringLiteral("viridis"));
    view.setColorMap(QStringLiteral("viridis"));
    const auto spread = patchColours(view);
    const float spatial[] = {0.9f, 0.1f, 0.5f, 0.3f, 0.7f, 0.2f};
    for (int cell = 0; cell < kN; ++cell)
        QVERIFY2(near(spread[cell], viridis.color((spatial[cell] - 0.1) / 0.8)), qPrintable(QStringLiteral("patch %1").arg(cell)));
}

void TestOverlay::maskedKeysLeftUncoloured()
{
    auto c = std::const_pointer_cast<Computation>(makeComputation());
    auto r = std::make_shared<attn::AttentionResult>(*c->result);
    attn::Mechanism causal;
    causal.causal = true;
    r->mask = attn::MaskSpec(causal, kN, kN);
    c->result = r;
    OverlayView view;
    view.setComputation(c);
    view.setOpacity(1.0);
    view.selectQuery(1); // causal: keys 2..5 are masked for query 1
    const auto colours = patchColours(view);
    for (int cell = 2; cell < kN; ++cell)
        QVERIFY(near(colours[cell], qRgb(100, 100, 100), 1)); // the picture shows through
    QVERIFY(!near(colours[0], qRgb(100, 100, 100), 10));
    QVERIFY(view.tooltipFor(3).endsWith(QStringLiteral(" (masked)")));
}

void TestOverlay::clickSelectsQuery()
{
    OverlayView view;
    view.resize(300, 200);
    view.setComputation(makeComputation());
    QCOMPARE(view.selectedQuery(), 4); // default: the centre patch (row 1, column 1)
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy selected(&view, &OverlayView::querySelected);
    QSignalSpy hovered(&view, &OverlayView::cellHovered);
    const QPoint centre = view.cellRect(2, QRectF(view.rect())).center().toPoint();
    QCOMPARE(view.cellAt(QPointF(centre), QRectF(view.rect())), 2);
    QTest::mouseMove(&view, centre);
    QTRY_VERIFY(!hovered.isEmpty());
    QCOMPARE(hovered.last().at(0).toInt(), 2);
    QTest::mouseClick(&view, Qt::LeftButton, {}, centre);
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.first().at(0).toInt(), 2);
    QCOMPARE(view.selectedQuery(), 2);
    // Row 2 of the map is now drawn: (2 + j) % 6 + 1 over 21.
    const auto values = view.cellValues();
    QCOMPARE(values[0], 3.0f / 21.0f);
    QCOMPARE(values[3], 6.0f / 21.0f);
    // Outside the grid (the caption strip): nothing.
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(selected.count(), 1);
}

void TestOverlay::tooltipText()
{
    OverlayView view;
    view.setComputation(makeComputation());
    view.selectQuery(4);
    QCOMPARE(view.tooltipFor(1), QStringLiteral("patch 0,1 — weight 0.35000"));
    QCOMPARE(view.tooltipFor(5), QStringLiteral("patch 1,2 — weight 0.23000"));
    QCOMPARE(view.tooltipFor(6), QString()); // no such patch
    QCOMPARE(view.tooltipFor(-1), QString());
}

void TestOverlay::rolloutNeedsLayersAndProvider()
{
    const auto one = makeComputation(1), three = makeComputation(3);
    QVERIFY(OverlayView::hasRolloutProvider()); // the core's rollout (AttentionRollout) by default
    QVERIFY(!OverlayView::isModeAvailable(OverlayView::Mode::Rollout, *one->result)); // one layer: nothing to roll
    QVERIFY(OverlayView::isModeAvailable(OverlayView::Mode::Rollout, *three->result));
    OverlayView view;
    view.setComputation(three);
    view.setMode(OverlayView::Mode::Rollout);
    view.selectQuery(5);
    // Row 5 of R = Â_3 Â_2 Â_1 (mean of heads, half identity): the core's rollout, checked against a
    // naive one in tst_analysis; here the overlay must show exactly that row.
    const auto rollout = attn::AttentionRollout::compute(*three->result);
    QVERIFY(rollout);
    const std::vector<float> row(rollout->begin() + 5 * kN, rollout->begin() + 6 * kN);
    QCOMPARE(view.cellValues(), row);
    float sum = 0.0f;
    for (float v : row)
        sum += v;
    QVERIFY(std::abs(sum - 1.0f) < 1e-5f);
    // Another provider can stand in (and the default comes back).
    OverlayView::setRolloutProvider([](const attn::AttentionResult& r, int, int query) {
        return std::vector<float>(static_cast<size_t>(r.keyCount), static_cast<float>(query));
    });
    QCOMPARE(view.cellValues(), std::vector<float>(kN, 5.0f));
    OverlayView::setRolloutProvider({});
    QVERIFY(!OverlayView::isModeAvailable(OverlayView::Mode::Rollout, *three->result));
    OverlayView::setRolloutProvider(OverlayView::defaultRolloutProvider());
    QCOMPARE(view.cellValues(), row);
}

void TestOverlay::exportFailures()
{
    // Not a picture: the overlay refuses with a message.
    auto text = std::const_pointer_cast<Computation>(makeComputation());
    auto r = std::make_shared<attn::AttentionResult>(*text->result);
    r->gridRows = r->gridCols = 0;
    text->result = r;
    ExportOptions o;
    o.view = QStringLiteral("overlay");
    o.width = 200;
    o.height = 150;
    QString error;
    QVERIFY(ViewExporter::render(ViewExporter::Format::Png, text, nullptr, o, &error).isEmpty());
    QCOMPARE(error, QStringLiteral("the overlay view needs an image input (--image F)"));
    o.overlayMode = QStringLiteral("rollout");
    QVERIFY(ViewExporter::render(ViewExporter::Format::Png, makeComputation(), nullptr, o, &error).isEmpty());
    QCOMPARE(error, QStringLiteral("the rollout overlay needs several layers and the rollout engine"));
    o.overlayMode = QStringLiteral("query");
    o.query = 6;
    QVERIFY(ViewExporter::render(ViewExporter::Format::Png, makeComputation(), nullptr, o, &error).isEmpty());
    QCOMPARE(error, QStringLiteral("there is no query patch 2,0 in the 2 x 3 grid"));
    // A good one: PNG at the requested size with the heat layer in it.
    o.query = 4;
    error.clear();
    const QByteArray png = ViewExporter::render(ViewExporter::Format::Png, makeComputation(), nullptr, o, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QImage image;
    QVERIFY(image.loadFromData(png, "PNG"));
    QCOMPARE(image.size(), QSize(200, 150));
}

void TestOverlay::cliExports()
{
    // Through the executable: a generated 64 x 48 picture of 4 x 3 colour blocks (PIL), patch 16.
    const QByteArray blocks = QByteArray::fromBase64(
        "iVBORw0KGgoAAAANSUhEUgAAAEAAAAAwCAIAAAAuKetIAAAAaUlEQVR42u3ZyQnAMAwEwE1IHa4pL9eSmlylaxDBOWD2LQsG9LDQlrRUcmYU6/vS/"
        "nt+HgAAAAAAAAAAAID3cuQaxSe9WL+2vxECAAAAAAAAAAAAuLMPfOt/H/cBAAAAAAAAAAAAgKcyAcvoCAya3G39AAAAAElFTkSuQmCC");
    QTemporaryDir dir;
    const QString picture = dir.filePath(QStringLiteral("blocks.png"));
    {
        QFile f(picture);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(blocks);
    }
    auto run = [&](const QStringList& args, QString* err = nullptr) {
        QProcess p;
        p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), args);
        p.waitForFinished(120000);
        if (err)
            *err = QString::fromUtf8(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    };
    const QStringList base{QStringLiteral("export"), QStringLiteral("--image"), picture, QStringLiteral("--patch"),
        QStringLiteral("16"), QStringLiteral("--view"), QStringLiteral("overlay")};
    QString err;
    const QString png = dir.filePath(QStringLiteral("o.png"));
    QCOMPARE(run(base + QStringList{QStringLiteral("--query"), QStringLiteral("2,3"), QStringLiteral("--width"),
                           QStringLiteral("640"), QStringLiteral("--height"), QStringLiteral("480"), QStringLiteral("--out"), png},
                 &err),
        0);
    QImage image(png);
    QCOMPARE(image.size(), QSize(640, 480));
    const QString svg = dir.filePath(QStringLiteral("o.svg"));
    QCOMPARE(run(base + QStringList{QStringLiteral("--overlay-mode"), QStringLiteral("received"), QStringLiteral("--out"), svg}), 0);
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF(), QRectF(0, 0, 1600, 1200)); // the default export size
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    QVERIFY(svgText.contains("<image")); // the picture
    // Query outside the 3 x 4 grid: bad input, no file.
    const QString bad = dir.filePath(QStringLiteral("bad.png"));
    QCOMPARE(run(base + QStringList{QStringLiteral("--query"), QStringLiteral("3,0"), QStringLiteral("--out"), bad}, &err), 1);
    QVERIFY2(err.contains(QStringLiteral("--query 3,0 is outside the 3 x 4 patch grid")), qPrintable(err));
    QVERIFY(!QFile::exists(bad));
    // Overlay options without the overlay view, a malformed query: usage errors.
    QCOMPARE(run({QStringLiteral("export"), QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--query"),
                     QStringLiteral("1,1"), QStringLiteral("--out"), bad},
                 &err),
        2);
    QVERIFY2(err.contains(QStringLiteral("--query is for --view overlay")), qPrintable(err));
    QCOMPARE(run(base + QStringList{QStringLiteral("--query"), QStringLiteral("x"), QStringLiteral("--out"), bad}, &err), 2);
    QCOMPARE(run({QStringLiteral("export"), QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--view"),
                     QStringLiteral("overlay"), QStringLiteral("--out"), bad},
                 &err),
        2);
    QVERIFY2(err.contains(QStringLiteral("--view overlay needs an image input")), qPrintable(err));
}

void TestOverlay::windowOpensDroppedPicture()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_overlay"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QTemporaryDir dir;
    QImage blocks(64, 48, QImage::Format_RGB32);
    for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 64; ++x)
            blocks.setPixel(x, y, qRgb((x / 16) * 80, (y / 16) * 120, ((x / 16 + y / 16) % 2) ? 200 : 30));
    const QString picture = dir.filePath(QStringLiteral("blocks.png"));
    QVERIFY(blocks.save(picture));
    const QString broken = dir.filePath(QStringLiteral("broken.png"));
    {
        QFile f(broken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n not really");
    }

    struct DropWindow : MainWindow {
        using MainWindow::dropEvent; // QApplication only routes drops from a real drag
    } w;
    w.show(); // the banner reports only while visible
    QVERIFY(!w.views()->isTabVisible(w.views()->indexOf(w.overlayPage()))); // no picture yet: no Overlay tab
    QSignalSpy finished(w.worker(), &AttentionWorker::finished);
    // Drop the picture on the window, as a file manager would.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(picture)});
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    w.dropEvent(&drop);
    QTRY_VERIFY2_WITH_TIMEOUT(!finished.isEmpty(),
        qPrintable(w.errorBanner()->text() + QStringLiteral(" | tab ") + QString::number(int(w.inputPanel()->spec().kind)) +
                   QStringLiteral(" | ") + w.inputPanel()->imagePage()->summary()),
        20000);
    const ComputationPtr c = w.current();
    QVERIFY(c);
    QCOMPARE(c->result->gridRows, 3);
    QCOMPARE(c->result->gridCols, 4);
    QCOMPARE(c->result->keyLabels.front(), std::string("0,0"));
    QVERIFY(w.views()->isTabVisible(w.views()->indexOf(w.overlayPage())));
    QCOMPARE(w.views()->currentWidget(), static_cast<QWidget*>(w.overlayPage()));
    QCOMPARE(w.inputPanel()->spec().kind, attn::InputKind::Image);
    QCOMPARE(w.inputPanel()->imagePage()->summary(), QStringLiteral("64×48, 3×4 patches of 16 px"));
    QCOMPARE(w.overlayPage()->view()->selectedQuery(), 6); // centre patch 1,2
    // Clicking a patch in the overlay selects that query in the heatmap too.
    emit w.overlayPage()->view()->querySelected(9);
    QCOMPARE(w.session().view.selectedQuery, 9);
    // A broken picture: its message in the banner, the last good result stays.
    QVERIFY(w.openPath(broken));
    QTRY_VERIFY_WITH_TIMEOUT(w.errorBanner()->text().contains(QStringLiteral("broken.png': corrupt or truncated")), 20000);
    QCOMPARE(w.current(), c);
}

// A ViT checkpoint folder opened in the window goes to the Image tab (the Model tab takes text):
// the bundled picture until one is opened, the model's grid, the encoding controls disabled; the
// picture the PyTorch fixture was made from gives the fixture's attention within 1e-4.
void TestOverlay::windowRunsAPictureThroughAViT()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_overlay"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    const QString vit = qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/hf/vit");
    const QImage picture = vitFixturePicture(vit);
    QVERIFY(!picture.isNull());
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("vit-input.png"));
    QVERIFY(picture.save(png));

    MainWindow w;
    w.show();
    QSignalSpy finished(w.worker(), &AttentionWorker::finished);
    QVERIFY(w.openPath(vit));
    ImageInputPage* page = w.inputPanel()->imagePage();
    QCOMPARE(w.inputPanel()->spec().kind, attn::InputKind::Image);
    QCOMPARE(page->modelPath(), vit);
    QVERIFY(!page->findChild<QSpinBox*>()->isEnabled()); // the config fixes the patches
    // No picture was open: the bundled one, through the model: CLS + 4 x 4 patches, 2 layers x 4 heads.
    QTRY_VERIFY2_WITH_TIMEOUT(!finished.isEmpty() && w.current() && w.current()->result->layers == 2,
        qPrintable(w.errorBanner()->text()), 20000);
    QVERIFY2(page->summary().endsWith(QStringLiteral("Through the ViT: resized to its 16×16 input, 4×4 patches of 4 px + CLS")),
        qPrintable(page->summary()));
    QCOMPARE(w.current()->result->heads, 4);
    QCOMPARE(w.current()->result->keyCount, 17);
    QCOMPARE(w.current()->result->keyLabels.front(), std::string("CLS"));
    QCOMPARE(w.current()->result->gridRows, 4);
    QVERIFY(OverlayView::isModeAvailable(OverlayView::Mode::Rollout, *w.current()->result));
    QVERIFY(!w.mechanismPanel()->isEnabled()); // the checkpoint brings its own mechanism
    QVERIFY2(!w.statusBar()->currentMessage().contains(QStringLiteral("next token")), qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(w.statusBar()->currentMessage().startsWith(QStringLiteral("model.safetensors (vit, 2 layers")));

    // The fixture's picture: every layer and head equals PyTorch's.
    const ComputationPtr before = w.current();
    QVERIFY(w.openPath(png));
    QTRY_VERIFY2_WITH_TIMEOUT(w.current() != before, qPrintable(w.errorBanner()->text()), 20000);
    const auto reference = attn::NpyFile::readFile((vit + QStringLiteral("/attention.npy")).toStdString());
    QVERIFY(reference.ok());
    const std::vector<float>& got = w.current()->result->weights;
    QCOMPARE(got.size(), reference->data.size()); // [2, 4, 17, 17]
    double maxDiff = 0.0;
    for (size_t k = 0; k < got.size(); ++k)
        maxDiff = std::max(maxDiff, static_cast<double>(std::abs(got[k] - reference->data[k])));
    QVERIFY2(maxDiff <= 1e-4, qPrintable(QString::number(maxDiff)));
    QCOMPARE(w.session().input.modelPath, vit.toStdString()); // sessions keep the model

    // A checkpoint that is not a ViT is refused with its reason; the ViT stays.
    QVERIFY(!page->setModelPath(qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/hf/gpt2")));
    QTRY_VERIFY_WITH_TIMEOUT(w.errorBanner()->text().contains(QStringLiteral("is a gpt2 model, not a vision transformer (ViT)")), 5000);
    QCOMPARE(page->modelPath(), vit);
    QCOMPARE(page->findChild<QLineEdit*>(QStringLiteral("imageModel"))->text(), vit);
    // Clearing it gives the engine's encoders back: 16 px patches of a 16 x 16 picture = 1 cell.
    QVERIFY(page->setModelPath(QString()));
    QVERIFY(page->findChild<QSpinBox*>()->isEnabled());
    QTRY_VERIFY(w.mechanismPanel()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(w.current()->result->layers == 1, 20000);
    QCOMPARE(w.current()->result->keyCount, 1);
}

QTEST_MAIN(TestOverlay)
#include "tst_overlay.moc"
