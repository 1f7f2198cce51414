// Image input (issue #5, core): patch vectors, pooling and 2-D positions on tiny synthetic
// pictures with exact values; CIELAB against published reference colours; Sobel gradient,
// orientation and contrast on hand-drawn edges; seed 003's spatial map against a naive
// convolution written here; 2-D window masks; the engine on patches against the naive
// reference; bad options and missing pictures; JSON, sessions and the bundled image samples.
#include "AttentionComputer.h"
#include "AttentionEngine.h"
#include "FileBytes.h"
#include "ImageFeatureEncoder.h"
#include "ImageGrid.h"
#include "ImagePatchEncoder.h"
#include "InputBuilder.h"
#include "MechanismJson.h"
#include "NaiveAttention.h"
#include "NpyFile.h"
#include "Pcg32.h"
#include "ProjectionBuilder.h"
#include "SampleLibrary.h"
#include "Session.h"
#include "SpatialAttentionMap.h"

#include <QImage>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <set>

using namespace attn;

namespace {
// byte(x, y, ch) = 10 x + 40 y + ch: every pixel and channel distinct, all below 256 up to 7 x 5.
uint8_t ramp(int x, int y, int ch)
{
    return static_cast<uint8_t>(10 * x + 40 * y + ch);
}

ImageBuffer makeImage(int w, int h, const std::function<uint8_t(int, int, int)>& f)
{
    ImageBuffer im;
    im.width = w;
    im.height = h;
    im.rgb.resize(static_cast<size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int ch = 0; ch < 3; ++ch)
                im.rgb[(static_cast<size_t>(y) * w + x) * 3 + ch] = f(x, y, ch);
    return im;
}

ImageBuffer solid(int w, int h, uint8_t r, uint8_t g, uint8_t b)
{
    return makeImage(w, h, [=](int, int, int ch) { return ch == 0 ? r : ch == 1 ? g : b; });
}

ImageOptions patches(int p, ImageFit fit = ImageFit::Crop, int k = 0, bool positions = false)
{
    ImageOptions o;
    o.patch = p;
    o.fit = fit;
    o.patchPixels = k;
    o.positions = positions;
    o.encoding = ImageEncoding::Patches;
    return o;
}

ImageOptions features(int p, bool positions = false)
{
    ImageOptions o;
    o.patch = p;
    o.positions = positions;
    o.encoding = ImageEncoding::Features;
    return o;
}

std::set<int> visibleKeys(const MaskSpec& mask, int query)
{
    std::set<int> out;
    for (int j = 0; j < mask.keyCount(); ++j)
        if (!mask.isMasked(query, j))
            out.insert(j);
    return out;
}

// Decoded here as the app does (Qt); the core only ever sees the buffer.
ImageBuffer decode(const QString& path)
{
    const QImage picture = QImage(path).convertToFormat(QImage::Format_RGB888);
    ImageBuffer buffer;
    buffer.width = picture.width();
    buffer.height = picture.height();
    buffer.rgb.resize(static_cast<size_t>(picture.width()) * picture.height() * 3);
    for (int y = 0; y < picture.height(); ++y)
        std::memcpy(&buffer.rgb[static_cast<size_t>(y) * picture.width() * 3], picture.constScanLine(y),
            static_cast<size_t>(picture.width()) * 3);
    return buffer;
}

QString errorOf(const Expected<AttentionInput>& r)
{
    return r.ok() ? QString() : QString::fromStdString(r.error());
}
} // namespace

class TestImage : public QObject {
    Q_OBJECT
private slots:
    void patchVectorsAreThePixels();
    void cropKeepsTheTopLeftCells();
    void padRepeatsTheEdgePixels();
    void poolingAveragesBlocks();
    void positionsAreTwoSinusoids();
    void labOfReferenceColours();
    void featuresOfSolidColour();
    void gradientOfVerticalAndHorizontalEdges();
    void contrastIsStdOfLightness();
    void featurePositionsAreCellCentres();
    void spatialMapMatchesNaiveConvolution();
    void spatialKernelsAreSeededAndBounded();
    void spatialMapMatchesSeedModuleInTorch();
    void windowsAreTwoDimensionalOnGrids();
    void engineOnPatchesMatchesNaiveWithGridMask();
    void inputBuilderFillsGridAndSpatialMap();
    void badOptionsGiveClearMessages();
    void missingPictureMessages();
    void imageInputJsonRoundTrip();
    void imageInputJsonErrors();
    void bundledImageSamplesCompute();
    void imageSamplesPairSimilarRegions();

private:
    AttentionResult runSample(const std::string& name, ImageBuffer* decoded = nullptr);
};

void TestImage::patchVectorsAreThePixels()
{
    const ImageBuffer im = makeImage(6, 4, ramp);
    auto in = ImagePatchEncoder::encode(im, patches(2));
    QVERIFY2(in.ok(), qPrintable(errorOf(in)));
    QCOMPARE(in->gridRows, 2);
    QCOMPARE(in->gridCols, 3);
    QCOMPARE(in->gridPatch, 2);
    QCOMPARE(in->gridWidth, 6);
    QCOMPARE(in->gridHeight, 4);
    QCOMPARE(in->keys.rows(), 6);
    QCOMPARE(in->keys.cols(), 12);
    QCOMPARE(in->keyLabels, (std::vector<std::string> { "0,0", "0,1", "0,2", "1,0", "1,1", "1,2" }));
    // Cell (1,2) = row 5 starts with pixel (4,2): R = 40 + 80 = 120; ends with (5,3) B = 50 + 120 + 2.
    QCOMPARE(in->keys(5, 0), 120.0f / 255.0f);
    QCOMPARE(in->keys(5, 11), 172.0f / 255.0f);
    // Cell (0,1), pixel (px=1, py=0) = image (3,0), G: component (0*2+1)*3+1 = 4 -> 31.
    QCOMPARE(in->keys(1, 4), 31.0f / 255.0f);
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c)
            for (int py = 0; py < 2; ++py)
                for (int px = 0; px < 2; ++px)
                    for (int ch = 0; ch < 3; ++ch)
                        QCOMPARE(in->keys(r * 3 + c, (py * 2 + px) * 3 + ch),
                            static_cast<float>(ramp(2 * c + px, 2 * r + py, ch)) / 255.0f);
}

void TestImage::cropKeepsTheTopLeftCells()
{
    // 7 x 5 with P = 2, crop: 2 x 3 cells covering 6 x 4 pixels, exactly the 6 x 4 picture's.
    auto cropped = ImagePatchEncoder::encode(makeImage(7, 5, ramp), patches(2, ImageFit::Crop));
    auto exact = ImagePatchEncoder::encode(makeImage(6, 4, ramp), patches(2));
    QVERIFY(cropped.ok() && exact.ok());
    QCOMPARE(cropped->gridRows, 2);
    QCOMPARE(cropped->gridCols, 3);
    QCOMPARE(cropped->gridWidth, 6);
    QCOMPARE(cropped->gridHeight, 4);
    QVERIFY(cropped->keys == exact->keys);
}

void TestImage::padRepeatsTheEdgePixels()
{
    auto in = ImagePatchEncoder::encode(makeImage(7, 5, ramp), patches(2, ImageFit::Pad));
    QVERIFY2(in.ok(), qPrintable(errorOf(in)));
    QCOMPARE(in->gridRows, 3);
    QCOMPARE(in->gridCols, 4);
    QCOMPARE(in->gridWidth, 8);
    QCOMPARE(in->gridHeight, 6);
    QCOMPARE(in->keyLabels.back(), std::string("2,3"));
    // Cell (2,3) covers x 6..7, y 4..5: only pixel (6,4) exists, its R = 60 + 160 = 220 everywhere.
    for (int px = 0; px < 4; ++px)
        for (int ch = 0; ch < 3; ++ch)
            QCOMPARE(in->keys(11, px * 3 + ch), static_cast<float>(220 + ch) / 255.0f);
    // Cell (0,3): x 6..7 -> column 6 repeated; y 0..1 real rows. Pixel (px=1, py=1) = (6,1) -> 100.
    QCOMPARE(in->keys(3, 9), 100.0f / 255.0f);
    QCOMPARE(in->keys(3, 6), 100.0f / 255.0f); // (px=0, py=1) = (6,1) as well
    QCOMPARE(in->keys(3, 0), 60.0f / 255.0f); // (6,0)
    // An exact multiple is the same with either fit.
    auto a = ImagePatchEncoder::encode(makeImage(6, 4, ramp), patches(2, ImageFit::Pad));
    auto b = ImagePatchEncoder::encode(makeImage(6, 4, ramp), patches(2, ImageFit::Crop));
    QVERIFY(a->keys == b->keys);
}

void TestImage::poolingAveragesBlocks()
{
    // 4 x 4, P = 4, k = 2: one cell of 2 x 2 pooled pixels, each the mean of a 2 x 2 block.
    auto in = ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(4, ImageFit::Crop, 2));
    QVERIFY2(in.ok(), qPrintable(errorOf(in)));
    QCOMPARE(in->keys.rows(), 1);
    QCOMPARE(in->keys.cols(), 12);
    // Block (0,0): R of (0,0),(1,0),(0,1),(1,1) = 0, 10, 40, 50 -> 25.
    QCOMPARE(in->keys(0, 0), static_cast<float>(25.0 / 255.0));
    // Block (px=1, py=1): (2,2),(3,2),(2,3),(3,3) B = 102, 112, 142, 152 -> 127.
    QCOMPARE(in->keys(0, 9 + 2), static_cast<float>(127.0 / 255.0));
    // k = 1: the cell's mean colour; R mean over 16 pixels = 15 + 60 = 75.
    auto mean = ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(4, ImageFit::Crop, 1));
    QVERIFY(mean.ok());
    QCOMPARE(mean->keys.cols(), 3);
    QCOMPARE(mean->keys(0, 0), static_cast<float>(75.0 / 255.0));
    QCOMPARE(mean->keys(0, 1), static_cast<float>(76.0 / 255.0));
    // k = P is the same as k = 0 (no pooling).
    auto full = ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(4, ImageFit::Crop, 4));
    auto none = ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(4));
    QVERIFY(full->keys == none->keys);
}

void TestImage::positionsAreTwoSinusoids()
{
    const ImageBuffer im = makeImage(6, 4, ramp);
    auto with = ImagePatchEncoder::encode(im, patches(2, ImageFit::Crop, 0, true));
    auto without = ImagePatchEncoder::encode(im, patches(2));
    QVERIFY(with.ok() && without.ok());
    const Matrix pe = with->keys - without->keys;
    // d = 12: row sinusoid in components 0..5, column sinusoid in 6..11, scale sqrt(2 / sqrt(6)).
    // Cell (1,2): row 1, column 2. Values computed by hand (Python, double precision).
    const int cell = 5;
    QVERIFY(std::abs(pe(cell, 0) - 0.7603548678519646) < 1e-6); // s sin(1)
    QVERIFY(std::abs(pe(cell, 1) - 0.48821824613747034) < 1e-6); // s cos(1)
    QVERIFY(std::abs(pe(cell, 2) - 0.04192643128867212) < 1e-6); // s sin(1 / 10000^(2/6))
    QVERIFY(std::abs(pe(cell, 6) - 0.8216429767569623) < 1e-6); // s sin(2)
    QVERIFY(std::abs(pe(cell, 11) - 0.9035936153248832) < 1e-6); // s cos(2 / 10000^(4/6))
    // Cell (0,0): sin(0) = 0 and cos(0) = s in both halves.
    const float s = static_cast<float>(std::sqrt(2.0 / std::sqrt(6.0)));
    for (int i = 0; i < 12; ++i)
        QVERIFY(std::abs(pe(0, i) - (i % 2 ? s : 0.0f)) < 1e-6f);
    // The row half depends only on the row, the column half only on the column.
    QVERIFY((pe.row(3).head(6) - pe.row(5).head(6)).norm() < 1e-6f);
    QVERIFY((pe.row(1).tail(6) - pe.row(4).tail(6)).norm() < 1e-6f);
    QVERIFY((pe.row(0) - ImagePatchEncoder::positions(2, 3, 12).row(0)).norm() < 1e-6f);
}

void TestImage::labOfReferenceColours()
{
    struct Ref {
        uint8_t r, g, b;
        double l, a, bb;
    };
    // Published sRGB (D65) -> CIELAB values.
    const Ref refs[] = { { 255, 0, 0, 53.2408, 80.0925, 67.2032 }, { 0, 255, 0, 87.7347, -86.1827, 83.1793 },
        { 0, 0, 255, 32.2970, 79.1875, -107.8602 }, { 255, 255, 255, 100.0, 0.0, 0.0 },
        { 0, 0, 0, 0.0, 0.0, 0.0 }, { 128, 128, 128, 53.5850, 0.0, 0.0 } };
    for (const Ref& ref : refs) {
        const auto lab = ImageFeatureEncoder::lab(ref.r, ref.g, ref.b);
        QVERIFY2(std::abs(lab[0] - ref.l) < 1e-3 && std::abs(lab[1] - ref.a) < 1e-3
                && std::abs(lab[2] - ref.bb) < 1e-3,
            qPrintable(QStringLiteral("(%1,%2,%3) -> %4 %5 %6")
                           .arg(ref.r)
                           .arg(ref.g)
                           .arg(ref.b)
                           .arg(lab[0])
                           .arg(lab[1])
                           .arg(lab[2])));
    }
}

void TestImage::featuresOfSolidColour()
{
    auto in = ImageFeatureEncoder::encode(solid(4, 4, 255, 0, 0), features(2));
    QVERIFY2(in.ok(), qPrintable(errorOf(in)));
    QCOMPARE(in->keys.rows(), 4);
    QCOMPARE(in->keys.cols(), ImageFeatureEncoder::kFeatureCount);
    const float expected[] = { 0.532408f, 0.800925f, 0.672032f, 0, 0, 0, 0 };
    for (int cell = 0; cell < 4; ++cell)
        for (int f = 0; f < 7; ++f)
            QVERIFY2(std::abs(in->keys(cell, f) - expected[f]) < 1e-5f,
                qPrintable(
                    QStringLiteral("cell %1 feature %2 = %3").arg(cell).arg(f).arg(in->keys(cell, f))));
}

void TestImage::gradientOfVerticalAndHorizontalEdges()
{
    // Black left half, white right half, P = 2: columns 1 and 2 each see the step (gx = 4 on l),
    // so each 2 x 2 cell has two pixels of m / 4 = 1 and two of 0: mean 0.5; the edge is vertical,
    // its gradient horizontal: cos 2θ = 1, sin 2θ = 0, so feature 4 is 0.5 too.
    auto v = ImageFeatureEncoder::encode(
        makeImage(4, 4, [](int x, int, int) { return x < 2 ? 0 : 255; }), features(2));
    QVERIFY(v.ok());
    for (int cell = 0; cell < 4; ++cell) {
        QVERIFY(std::abs(v->keys(cell, 3) - 0.5f) < 1e-6f);
        QVERIFY(std::abs(v->keys(cell, 4) - 0.5f) < 1e-6f);
        QVERIFY(std::abs(v->keys(cell, 5)) < 1e-6f);
        QVERIFY(std::abs(v->keys(cell, 6)) < 1e-6f); // each cell is one flat colour
    }
    QVERIFY(std::abs(v->keys(0, 0)) < 1e-6f); // black
    QVERIFY(std::abs(v->keys(1, 0) - 1.0f) < 1e-6f); // white, L* = 100
    // The same edge turned horizontal: cos 2θ = -1.
    auto h = ImageFeatureEncoder::encode(
        makeImage(4, 4, [](int, int y, int) { return y < 2 ? 0 : 255; }), features(2));
    QVERIFY(h.ok());
    for (int cell = 0; cell < 4; ++cell) {
        QVERIFY(std::abs(h->keys(cell, 3) - 0.5f) < 1e-6f);
        QVERIFY(std::abs(h->keys(cell, 4) + 0.5f) < 1e-6f);
        QVERIFY(std::abs(h->keys(cell, 5)) < 1e-6f);
    }
    // A diagonal step (white where x > y) on one 4 x 4 cell: gx = -gy on the edge, so 2θ points
    // along -y: cos 2θ ~ 0, sin 2θ < 0 (gx gy < 0).
    auto d = ImageFeatureEncoder::encode(
        makeImage(4, 4, [](int x, int y, int) { return x > y ? 255 : 0; }), features(4));
    QVERIFY(d.ok());
    QVERIFY(std::abs(d->keys(0, 4)) < 1e-6f);
    QVERIFY(d->keys(0, 5) < -0.1f);
}

void TestImage::contrastIsStdOfLightness()
{
    // One 4 x 4 cell, half black half white: l = 0 or 1, mean 0.5, population std 0.5.
    auto in = ImageFeatureEncoder::encode(
        makeImage(4, 4, [](int x, int, int) { return x < 2 ? 0 : 255; }), features(4));
    QVERIFY(in.ok());
    QVERIFY(std::abs(in->keys(0, 0) - 0.5f) < 1e-6f);
    QVERIFY(std::abs(in->keys(0, 6) - 0.5f) < 1e-6f);
    QVERIFY(std::abs(in->keys(0, 3) - 0.5f) < 1e-6f); // 8 of 16 pixels on the step
    // Grey 128 next to black in alternate columns: l = 0.53585 or 0, std = 0.53585 / 2.
    auto g = ImageFeatureEncoder::encode(
        makeImage(4, 4, [](int x, int, int) { return x % 2 ? 128 : 0; }), features(4));
    QVERIFY(g.ok());
    QVERIFY(std::abs(g->keys(0, 6) - 0.5358502f / 2) < 1e-5f);
}

void TestImage::featurePositionsAreCellCentres()
{
    auto in = ImageFeatureEncoder::encode(solid(6, 4, 10, 20, 30), features(2, true));
    QVERIFY(in.ok());
    QCOMPARE(in->keys.cols(), 9);
    QCOMPARE(in->keys(5, 7), 0.75f); // row 1 of 2: 1.5 / 2
    QCOMPARE(in->keys(5, 8), 2.5f / 3.0f); // column 2 of 3
    QCOMPARE(in->keys(0, 7), 0.25f);
    QCOMPARE(in->keys(0, 8), 0.5f / 3.0f);
    QCOMPARE(std::string(ImageFeatureEncoder::featureName(8)), std::string("col"));
}

void TestImage::spatialMapMatchesNaiveConvolution()
{
    const int rows = 5, cols = 6, ch = 4;
    Pcg32 rng(2024);
    Matrix x(rows * cols, ch);
    for (int i = 0; i < x.rows(); ++i)
        for (int c = 0; c < ch; ++c)
            x(i, c) = rng.uniform(-1.0f, 1.0f);
    const SpatialKernels k = SpatialAttentionMap::kernels(ch);
    const SpatialAttention out = SpatialAttentionMap::compute(x, rows, cols);
    QCOMPARE(out.rows, rows);
    QCOMPARE(out.cols, cols);
    QCOMPARE(out.map.size(), size_t(rows * cols));

    // Naive: x1 = 1x1 conv of x; z = 7x7 conv (zero padding 3) of [x, x1]; a = sigmoid(z).
    std::vector<std::vector<double>> cat(rows * cols, std::vector<double>(2 * ch));
    for (int cell = 0; cell < rows * cols; ++cell)
        for (int o = 0; o < ch; ++o) {
            double s = k.b1[o];
            for (int i = 0; i < ch; ++i)
                s += double(k.w1(o, i)) * x(cell, i);
            cat[cell][o] = x(cell, o);
            cat[cell][ch + o] = s;
            QVERIFY(std::abs(out.conv1(cell, o) - s) < 1e-5);
        }
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            double z = k.b2;
            for (int i = 0; i < 2 * ch; ++i)
                for (int dy = -3; dy <= 3; ++dy)
                    for (int dx = -3; dx <= 3; ++dx) {
                        const int rr = r + dy, cc = c + dx;
                        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols)
                            z += double(k.w2[(i * 7 + dy + 3) * 7 + dx + 3]) * cat[rr * cols + cc][i];
                    }
            const double a = 1.0 / (1.0 + std::exp(-z));
            const int cell = r * cols + c;
            QVERIFY2(std::abs(out.map[cell] - a) < 1e-6,
                qPrintable(QStringLiteral("(%1,%2): %3 vs %4").arg(r).arg(c).arg(out.map[cell]).arg(a)));
            QVERIFY(std::abs(out.logits[cell] - z) < 1e-5);
            QVERIFY(out.map[cell] > 0.0f && out.map[cell] < 1.0f);
            for (int i = 0; i < ch; ++i)
                QVERIFY(std::abs(out.reweighted(cell, i) - a * x(cell, i)) < 1e-6);
        }
}

void TestImage::spatialKernelsAreSeededAndBounded()
{
    const SpatialKernels a = SpatialAttentionMap::kernels(7), b = SpatialAttentionMap::kernels(7);
    QVERIFY(a.w1 == b.w1 && a.b1 == b.b1 && a.w2 == b.w2 && a.b2 == b.b2);
    QCOMPARE(a.w2.size(), size_t(2 * 7 * 49));
    // The first weight is PCG32(3, kStream)'s first draw, U(-1/sqrt(7), 1/sqrt(7)).
    Pcg32 rng(SpatialAttentionMap::kSeed, SpatialAttentionMap::kStream);
    const float bound1 = 1.0f / std::sqrt(7.0f);
    QCOMPARE(a.w1(0, 0), rng.uniform(-bound1, bound1));
    const float bound2 = 1.0f / std::sqrt(float(2 * 7 * 49));
    for (float w : a.w2)
        QVERIFY(std::abs(w) <= bound2);
    QVERIFY(a.w1.cwiseAbs().maxCoeff() <= bound1);
    // Not degenerate: the weights spread over most of their range.
    QVERIFY(a.w1.cwiseAbs().maxCoeff() > 0.5f * bound1);
}

// Seed 003's own PyTorch module (tests/tools/make_spatial_fixture.py) with its kernels loaded
// into SpatialKernels: same map, so the layouts (cross-correlation, [in][ky][kx], cat(x, x1)) agree.
void TestImage::spatialMapMatchesSeedModuleInTorch()
{
    const std::string dir = qgetenv("ATTNSCOPE_FIXTURES").toStdString() + "/spatial/";
    auto load = [&](const char* name) {
        auto a = NpyFile::readFile(dir + name);
        if (!a)
            qFatal("%s", a.error().c_str());
        return *a;
    };
    const NpyArray features = load("features.npy"), w1 = load("w1.npy"), b1 = load("b1.npy"),
                   w2 = load("w2.npy"), b2 = load("b2.npy"), map = load("map.npy");
    QCOMPARE(map.shape, (std::vector<int64_t> { 6, 9 }));
    const int ch = static_cast<int>(features.shape[1]);
    QCOMPARE(ch, 5);
    SpatialKernels k;
    k.channels = ch;
    k.w1 = Eigen::Map<const Matrix>(w1.data.data(), ch, ch);
    k.b1 = Eigen::Map<const Vector>(b1.data.data(), ch);
    k.w2 = w2.data;
    QCOMPARE(k.w2.size(), size_t(2 * ch * 49));
    k.b2 = b2.data[0];
    const Matrix x = Eigen::Map<const Matrix>(features.data.data(), 6 * 9, ch);
    const SpatialAttention out = SpatialAttentionMap::compute(x, 6, 9, k);
    float lo = 1.0f, hi = 0.0f;
    for (size_t i = 0; i < map.data.size(); ++i) {
        QVERIFY2(std::abs(out.map[i] - map.data[i]) < 1e-5f,
            qPrintable(QStringLiteral("cell %1: %2 vs torch %3").arg(i).arg(out.map[i]).arg(map.data[i])));
        lo = std::min(lo, out.map[i]);
        hi = std::max(hi, out.map[i]);
    }
    QVERIFY(hi - lo > 0.5f); // the fixture's map is far from flat: a transposed kernel would not pass
}

void TestImage::windowsAreTwoDimensionalOnGrids()
{
    Mechanism m;
    m.scope = ScopeKind::Local;
    m.window = 1;
    const MaskSpec grid(m, 25, 25, 5, 5);
    QVERIFY(grid.isGrid());
    QVERIFY(!grid.isTrivial());
    // Centre (2,2) = 12 sees exactly its 3 x 3 neighbourhood; the corner (0,0) its 2 x 2.
    QCOMPARE(visibleKeys(grid, 12), (std::set<int> { 6, 7, 8, 11, 12, 13, 16, 17, 18 }));
    QCOMPARE(visibleKeys(grid, 0), (std::set<int> { 0, 1, 5, 6 }));
    QCOMPARE(visibleKeys(grid, 9), (std::set<int> { 3, 4, 8, 9, 13, 14 })); // (1,4): right edge
    // Cells 4 and 5 are neighbours in 1-D (|i - j| = 1) but 4 columns apart on the grid.
    QVERIFY(grid.isMasked(4, 5));
    QVERIFY(!MaskSpec(m, 25, 25).isMasked(4, 5));
    std::vector<uint8_t> row(25);
    grid.fillRow(12, row.data());
    for (int j = 0; j < 25; ++j)
        QCOMPARE(row[j] != 0, visibleKeys(grid, 12).count(j) == 1);

    m.window = 2; // 5 x 5 around the centre: everything.
    QCOMPARE(visibleKeys(MaskSpec(m, 25, 25, 5, 5), 12).size(), size_t(25));

    m.window = 1;
    m.scope = ScopeKind::Hybrid;
    m.globalTokens = 2; // cells 0 and 1 in row-major order
    const MaskSpec hybrid(m, 25, 25, 5, 5);
    QCOMPARE(visibleKeys(hybrid, 24), (std::set<int> { 0, 1, 18, 19, 23, 24 }));
    QCOMPARE(visibleKeys(hybrid, 1).size(), size_t(25));

    m.scope = ScopeKind::Local;
    m.causal = true; // causal stays 1-D in row-major order
    QCOMPARE(visibleKeys(MaskSpec(m, 25, 25, 5, 5), 12), (std::set<int> { 6, 7, 8, 11, 12 }));

    // A grid that does not match (cross-attention, other counts): 1-D windows.
    m.causal = false;
    const MaskSpec cross(m, 3, 25, 5, 5);
    QVERIFY(!cross.isGrid());
    QCOMPARE(visibleKeys(cross, 2), (std::set<int> { 1, 2, 3 }));
}

void TestImage::engineOnPatchesMatchesNaiveWithGridMask()
{
    // A 10 x 10 picture, P = 2, pooled to 1 x 1: 25 cells of 3 components (mean RGB) + positions.
    const ImageBuffer im = makeImage(10, 10, [](int x, int y, int ch) {
        return static_cast<uint8_t>((x * 37 + y * 91 + ch * 53 + x * y * 7) % 256);
    });
    auto in = ImagePatchEncoder::encode(im, patches(2, ImageFit::Crop, 1, true));
    QVERIFY(in.ok());
    QCOMPARE(in->keys.cols(), 3);
    for (ScopeKind scope : { ScopeKind::Local, ScopeKind::Hybrid }) {
        Mechanism m;
        m.scope = scope;
        m.window = 1;
        m.globalTokens = 2;
        m.projection = ProjectionKind::Random;
        m.dim = 8;
        m.heads = 2;
        m.score = ScoreKind::ScaledDot;
        auto r = AttentionEngine::compute(*in, m);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        QCOMPARE(r->gridRows, 5);
        QCOMPARE(r->gridCols, 5);
        QVERIFY(r->mask.isGrid());
        auto w = ProjectionBuilder::build(m, 3);
        QVERIFY(w.ok());
        const naive::Mat x = naive::toMat(in->keys);
        const naive::Result ref = naive::attention(x, x, m, *w, 5);
        QVERIFY(ref.ok);
        for (int h = 0; h < 2; ++h)
            for (int i = 0; i < 25; ++i)
                for (int j = 0; j < 25; ++j) {
                    QVERIFY2(std::abs(r->weight(0, h, i, j) - ref.weights[h][i][j]) < 1e-5,
                        qPrintable(QStringLiteral("head %1 (%2,%3)").arg(h).arg(i).arg(j)));
                    if (naive::masked(m, i, j, 5))
                        QCOMPARE(r->weight(0, h, i, j), 0.0f);
                }
        for (int i = 0; i < 25; ++i)
            for (int c = 0; c < r->output.cols(); ++c)
                QVERIFY(std::abs(r->output(i, c) - ref.output[i][c]) < 1e-4);
        // Cell 12 sees 9 keys (local) or 9 + the 2 global cells (hybrid).
        int visible = 0;
        for (int j = 0; j < 25; ++j)
            visible += r->weight(0, 0, 12, j) > 0.0f;
        QCOMPARE(visible, scope == ScopeKind::Local ? 9 : 11);
    }
}

void TestImage::inputBuilderFillsGridAndSpatialMap()
{
    InputSpec spec;
    spec.kind = InputKind::Image;
    spec.path = "synthetic.png";
    auto image = std::make_shared<ImageBuffer>(makeImage(7, 5, ramp));
    spec.image = image;
    spec.imageOptions = patches(2, ImageFit::Pad);
    auto in = InputBuilder::build(spec, 64);
    QVERIFY2(in.ok(), qPrintable(errorOf(in)));
    QCOMPARE(in->gridRows, 3);
    QCOMPARE(in->gridCols, 4);
    // The spatial map is the one of the feature grid (same P and fit, no positions), for patches too.
    auto feats = ImageFeatureEncoder::encode(*image, features(2));
    ImageOptions padded = features(2);
    padded.fit = ImageFit::Pad;
    feats = ImageFeatureEncoder::encode(*image, padded);
    QVERIFY(feats.ok());
    const SpatialAttention sa = SpatialAttentionMap::compute(feats->keys, 3, 4);
    QCOMPARE(in->spatialMap, sa.map);

    Mechanism m;
    auto r = AttentionComputer::compute(spec, m);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
    QCOMPARE(r->gridRows, 3);
    QCOMPARE(r->gridCols, 4);
    QCOMPARE(r->gridPatch, 2);
    QCOMPARE(r->gridWidth, 8);
    QCOMPARE(r->gridHeight, 6);
    QCOMPARE(r->spatialMap, sa.map);
    QCOMPARE(r->keyLabels.front(), std::string("0,0"));
    // The map is a stage of its own, [rows, cols], right after the input.
    const auto names = r->stageNames();
    QCOMPARE(names[0], std::string("input"));
    QCOMPARE(names[1], std::string("spatial_map"));
    const auto stage = r->stage("spatial_map");
    QVERIFY(stage);
    QCOMPARE(stage->shape, (std::vector<int64_t> { 3, 4 }));
    QCOMPARE(stage->data, sa.map);

    spec.imageOptions = features(2, true); // with positions: the map still ignores them
    auto f = InputBuilder::build(spec, 64);
    QVERIFY(f.ok());
    QCOMPARE(f->keys.cols(), 9);
    feats = ImageFeatureEncoder::encode(*image, features(2));
    QCOMPARE(f->spatialMap, SpatialAttentionMap::compute(feats->keys, 2, 3).map);
}

void TestImage::badOptionsGiveClearMessages()
{
    const ImageBuffer im = makeImage(6, 4, ramp);
    auto err = [&](const ImageBuffer& image, const ImageOptions& o) {
        auto p = ImagePatchEncoder::encode(image, o);
        auto f = ImageFeatureEncoder::encode(image, o);
        return errorOf(p.ok() ? f : p);
    };
    QCOMPARE(err(im, patches(0)), QStringLiteral("the patch size P must be at least 1 pixel (got 0)"));
    QCOMPARE(err(im, patches(-3)), QStringLiteral("the patch size P must be at least 1 pixel (got -3)"));
    QCOMPARE(err(im, patches(5)),
        QStringLiteral(
            "the image (6 x 4 pixels) is smaller than one patch (5 x 5): choose a patch size of at most 4"));
    QCOMPARE(err(im, patches(5, ImageFit::Pad)),
        QStringLiteral(
            "the image (6 x 4 pixels) is smaller than one patch (5 x 5): choose a patch size of at most 4"));
    QCOMPARE(errorOf(ImageFeatureEncoder::encode(im, features(7))),
        QStringLiteral(
            "the image (6 x 4 pixels) is smaller than one patch (7 x 7): choose a patch size of at most 4"));
    QCOMPARE(errorOf(ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(4, ImageFit::Crop, 3))),
        QStringLiteral(
            "patch pixels k = 3 must divide the patch size P = 4 (1 <= k <= P; 0 keeps all P x P pixels)"));
    QVERIFY(errorOf(ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(2, ImageFit::Crop, 4)))
                .startsWith(QStringLiteral("patch pixels k = 4 must divide")));
    QVERIFY(errorOf(ImagePatchEncoder::encode(makeImage(4, 4, ramp), patches(2, ImageFit::Crop, -1)))
                .startsWith(QStringLiteral("patch pixels k = -1 must divide")));
    // Too many cells: 300 x 300 with P = 1 is 90000 > 65536; nothing is allocated for them.
    const ImageBuffer big = solid(300, 300, 1, 2, 3);
    QCOMPARE(err(big, patches(1)),
        QStringLiteral(
            "a patch size of 1 cuts the 300 x 300 image into 300 x 300 = 90000 cells, more than the 65536 "
            "allowed: choose a larger patch size"));
    QVERIFY(ImagePatchEncoder::encode(big, patches(2, ImageFit::Crop, 1)).ok()); // 22500 cells
    // Patch vectors too long: 80 x 80 x 3 = 19200 components.
    QCOMPARE(errorOf(ImagePatchEncoder::encode(solid(80, 80, 0, 0, 0), patches(80))),
        QStringLiteral(
            "each patch vector would have 19200 components (80 x 80 pixels x 3 colours), more than 16384: "
            "set patch pixels k to pool each patch"));
    // A buffer whose bytes do not match its size.
    ImageBuffer broken = im;
    broken.rgb.resize(10);
    QCOMPARE(err(broken, patches(2)),
        QStringLiteral(
            "the decoded image is invalid (6 x 4 pixels with 10 bytes of RGB; expected width x height x 3)"));
    ImageBuffer empty;
    QVERIFY(err(empty, patches(2)).startsWith(QStringLiteral("the decoded image is invalid (0 x 0 pixels")));
    // Cross-attention with a picture is refused.
    InputSpec spec;
    spec.kind = InputKind::Image;
    spec.image = std::make_shared<ImageBuffer>(im);
    spec.imageOptions = patches(2);
    spec.queryText = "1,2,3";
    QVERIFY(
        errorOf(InputBuilder::build(spec, 64)).startsWith(QStringLiteral("cross-attention with a picture")));
}

void TestImage::missingPictureMessages()
{
    // A picture whose file is gone: the same message as a missing text file.
    const std::string gone = "/nonexistent-dir/gone.png";
    InputSpec image;
    image.kind = InputKind::Image;
    image.path = gone;
    InputSpec text;
    text.kind = InputKind::TextFile;
    text.path = gone;
    const QString imageError = errorOf(InputBuilder::build(image, 64));
    QVERIFY(!imageError.isEmpty());
    QCOMPARE(imageError, errorOf(InputBuilder::build(text, 64)));
    QVERIFY(imageError.contains(QStringLiteral("gone.png")));
    // The file exists but nobody decoded it.
    const QByteArray source = qgetenv("ATTNSCOPE_SOURCE_DIR") + "/resources/samples/images/shapes.png";
    image.path = source.toStdString();
    QCOMPARE(errorOf(InputBuilder::build(image, 64)),
        QStringLiteral(
            "no decoded image for '%1': pictures are decoded by the application (PNG, JPEG, ...) before "
            "they are encoded")
            .arg(QString::fromUtf8(source)));
    image.path.clear();
    QVERIFY(errorOf(InputBuilder::build(image, 64)).startsWith(QStringLiteral("no decoded image: ")));
}

void TestImage::imageInputJsonRoundTrip()
{
    InputSpec in;
    in.kind = InputKind::Image;
    in.path = "pictures/cat.png";
    in.image = std::make_shared<ImageBuffer>(solid(4, 4, 1, 2, 3)); // never written
    in.imageOptions.encoding = ImageEncoding::Features;
    in.imageOptions.patch = 8;
    in.imageOptions.fit = ImageFit::Pad;
    in.imageOptions.positions = false;
    in.imageOptions.patchPixels = 2;
    const nlohmann::json j = MechanismJson::inputToJson(in);
    QCOMPARE(QString::fromStdString(j.dump()),
        QStringLiteral(
            R"({"encoding":"features","fit":"pad","patch":8,"patch_pixels":2,"path":"pictures/cat.png",)"
            R"("positions":false,"type":"image"})"));
    auto back = MechanismJson::inputFromJson(j);
    QVERIFY2(back.ok(), back.ok() ? "" : back.error().c_str());
    QCOMPARE(back->kind, InputKind::Image);
    QCOMPARE(back->path, in.path);
    QVERIFY(!back->image); // the pixels are decoded again from the path
    QCOMPARE(back->imageOptions.encoding, ImageEncoding::Features);
    QCOMPARE(back->imageOptions.patch, 8);
    QCOMPARE(back->imageOptions.fit, ImageFit::Pad);
    QCOMPARE(back->imageOptions.positions, false);
    QCOMPARE(back->imageOptions.patchPixels, 2);
    // Absent options keep ImageOptions' defaults (positions on for pictures).
    auto minimal = MechanismJson::inputFromJson(nlohmann::json::parse(R"({"type":"image","path":"a.png"})"));
    QVERIFY(minimal.ok());
    QCOMPARE(minimal->imageOptions.patch, 16);
    QCOMPARE(minimal->imageOptions.positions, true);
    QCOMPARE(minimal->imageOptions.encoding, ImageEncoding::Patches);
    QCOMPARE(minimal->imageOptions.fit, ImageFit::Crop);

    // Sessions keep the path and options.
    Session s;
    s.input = in;
    auto parsed = SessionFile::parse(SessionFile::serialize(s), "x.attnscope");
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->input.path, in.path);
    QCOMPARE(parsed->input.imageOptions.patch, 8);
    QVERIFY(!QString::fromStdString(SessionFile::serialize(s)).contains(QStringLiteral("rgb")));
}

void TestImage::imageInputJsonErrors()
{
    auto err = [](const char* text) {
        auto r = MechanismJson::inputFromJson(nlohmann::json::parse(text));
        return r.ok() ? QString() : QString::fromStdString(r.error());
    };
    QCOMPARE(err(R"({"type":"image","path":"a.png","encoding":"pixels"})"),
        QStringLiteral("input.encoding: 'pixels' is not one of patches, features"));
    QCOMPARE(err(R"({"type":"image","path":"a.png","fit":"stretch"})"),
        QStringLiteral("input.fit: 'stretch' is not one of crop, pad"));
    QCOMPARE(err(R"({"type":"image","path":"a.png","patch":0})"),
        QStringLiteral("input.patch must be at least 1 (got 0)"));
    QCOMPARE(err(R"({"type":"image","path":"a.png","patch":"16"})"),
        QStringLiteral("input.patch must be a whole number"));
    QCOMPARE(err(R"({"type":"image","path":"a.png","patch":8,"patch_pixels":9})"),
        QStringLiteral("input.patch_pixels must be between 0 (all pixels) and the patch size 8 (got 9)"));
    QCOMPARE(err(R"({"type":"text","text":"a b","patch":8})"),
        QStringLiteral("input.patch applies only to \"type\": \"image\""));
    QCOMPARE(err(R"({"type":"picture"})"),
        QStringLiteral(
            "input.type: 'picture' is not one of text, text-file, sequence, sequence-file, model, image"));

    // Samples: an image sample needs its picture.
    auto sample = SampleLibrary::parse(
        R"({"name":"x","kind":"image","title":"t","description":"d","input":{"type":"image"}})", "x.json");
    QVERIFY(!sample.ok());
    QCOMPARE(QString::fromStdString(sample.error()),
        QStringLiteral("x.json: a sample of kind 'image' needs an 'image' (\"samples/images/x.png\")"));
    sample = SampleLibrary::parse(
        R"({"name":"x","kind":"image","title":"t","description":"d","image":"../x.png","input":{"type":"image"}})",
        "x.json");
    QVERIFY(!sample.ok());
    QVERIFY(QString::fromStdString(sample.error())
                .contains(QStringLiteral("must name a picture under resources/")));
}

void TestImage::bundledImageSamplesCompute()
{
    const QByteArray root = qgetenv("ATTNSCOPE_SOURCE_DIR") + "/resources/";
    auto samples = SampleLibrary::loadDirectory((root + "samples").toStdString());
    QVERIFY2(samples.ok(), samples.ok() ? "" : samples.error().c_str());
    int count = 0;
    for (const Sample& s : *samples) {
        if (s.kind != "image")
            continue;
        ++count;
        QCOMPARE(s.input.kind, InputKind::Image);
        QCOMPARE(s.input.path, s.image);
        InputSpec spec = s.input;
        spec.image = std::make_shared<ImageBuffer>(
            decode(QString::fromUtf8(root) + QString::fromStdString(s.image)));
        QVERIFY2(spec.image->isValid(), s.image.c_str());
        auto r = AttentionComputer::compute(spec, s.mechanism);
        QVERIFY2(r.ok(), (s.name + ": " + (r.ok() ? "" : r.error())).c_str());
        QVERIFY(r->warnings.empty());
        QCOMPARE(r->gridPatch, s.input.imageOptions.patch);
        QCOMPARE(r->gridRows * r->gridPatch, r->gridHeight);
        QCOMPARE(r->gridCols * r->gridPatch, r->gridWidth);
        QCOMPARE(r->keyCount, r->gridRows * r->gridCols);
        QCOMPARE(r->spatialMap.size(), size_t(r->keyCount));
        for (float a : r->spatialMap)
            QVERIFY(a > 0.0f && a < 1.0f);
        for (float w : r->weights)
            QVERIFY(std::isfinite(w) && w >= 0.0f && w <= 1.0f);
    }
    QVERIFY(count >= 2);
}

AttentionResult TestImage::runSample(const std::string& name, ImageBuffer* decoded)
{
    const QByteArray root = qgetenv("ATTNSCOPE_SOURCE_DIR") + "/resources/";
    auto samples = SampleLibrary::loadDirectory((root + "samples").toStdString());
    if (!samples)
        qFatal("%s", samples.error().c_str());
    for (const Sample& s : *samples)
        if (s.name == name) {
            InputSpec spec = s.input;
            spec.image = std::make_shared<ImageBuffer>(
                decode(QString::fromUtf8(root) + QString::fromStdString(s.image)));
            if (decoded)
                *decoded = *spec.image;
            auto r = AttentionComputer::compute(spec, s.mechanism);
            if (!r)
                qFatal("%s: %s", name.c_str(), r.error().c_str());
            return *r;
        }
    qFatal("no sample %s", name.c_str());
}

// The bundled pictures show what their samples promise: a cell attends mostly to cells of its
// own kind (texture, or shape colour), wherever they are.
void TestImage::imageSamplesPairSimilarRegions()
{
    // two-textures: 16 x 16 cells; stripes on the left except a 4 x 4-cell checkerboard inset
    // (rows 6..9, columns 2..5), checkerboard on the right except a stripes inset (rows 6..9, 10..13).
    const AttentionResult t = runSample("image-textures");
    QCOMPARE(t.gridRows, 16);
    QCOMPARE(t.gridCols, 16);
    auto stripes = [](int cell) {
        const int r = cell / 16, c = cell % 16;
        const bool insetRows = r >= 6 && r <= 9;
        if (c < 8)
            return !(insetRows && c >= 2 && c <= 5);
        return insetRows && c >= 10 && c <= 13;
    };
    for (int query : { 0, 2 * 16 + 3, 7 * 16 + 3, 7 * 16 + 11, 15 * 16 + 15 }) {
        double same = 0.0;
        for (int j = 0; j < t.keyCount; ++j)
            if (stripes(j) == stripes(query))
                same += t.weight(0, 0, query, j);
        QVERIFY2(
            same > 0.95, qPrintable(QStringLiteral("query %1: %2 on its own texture").arg(query).arg(same)));
    }

    // shapes: a cell whose pixels are all red attends mostly to other red cells.
    ImageBuffer im;
    const AttentionResult r = runSample("image-shapes", &im);
    const int p = r.gridPatch;
    auto redShare = [&](int cell) {
        const int r0 = cell / r.gridCols * p, c0 = cell % r.gridCols * p;
        int red = 0;
        for (int y = r0; y < r0 + p; ++y)
            for (int x = c0; x < c0 + p; ++x)
                red += im.at(x, y, 0) == 210 && im.at(x, y, 1) == 40;
        return double(red) / (p * p);
    };
    int queries = 0;
    for (int i = 0; i < r.queryCount; ++i) {
        if (redShare(i) < 1.0)
            continue;
        ++queries;
        double onRed = 0.0;
        for (int j = 0; j < r.keyCount; ++j)
            if (redShare(j) >= 0.5)
                onRed += r.weight(0, 0, i, j);
        QVERIFY2(onRed > 0.9, qPrintable(QStringLiteral("red cell %1: %2 on red cells").arg(i).arg(onRed)));
    }
    QVERIFY(queries >= 3);
}

QTEST_GUILESS_MAIN(TestImage)
#include "tst_image.moc"
