// ImageDecoder: the working size (a 6000 x 4000 PNG comes back as 1024 x 683 RGB, never at full
// size), GIF's first frame, transparency over white, and the message for each bad file: empty,
// not a picture, truncated, corrupt, 0 x 0, a 30 000 x 30 000 header, missing, a directory.
#include "ImageDecoder.h"

#include <QFile>
#include <QImage>
#include <QtTest>

class TestImageDecoder : public QObject {
    Q_OBJECT
private slots:
    void workingSize_data();
    void workingSize();
    void downscalesLargePicture();
    void keepsSmallPictureExact();
    void gifFirstFrame();
    void transparencyOverWhite();
    void badFiles_data();
    void badFiles();
    void ensureDecodedFillsSpec();

private:
    QTemporaryDir m_dir;
    QString write(const QString& name, const QByteArray& bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write a test file");
        f.write(bytes);
        return path;
    }
};

namespace {
// A 0 x 0 and a 30 000 x 30 000 PNG (valid IHDR CRCs, tiny IDAT), made with zlib/struct in Python.
const char* kZeroPng = "iVBORw0KGgoAAAANSUhEUgAAAAAAAAAACAIAAAC06etFAAAACElEQVR4nAMAAAAAAUgGidIAAAAASUVORK5CYII=";
const char* kHugePng = "iVBORw0KGgoAAAANSUhEUgAAdTAAAHUwCAIAAADpRW/tAAAAEUlEQVR4nGNgGAWjYBQMdwAAA+gAAbOm00YAAAAASUVORK5CYII=";
// A 4 x 4 GIF of two frames: red, then blue (PIL).
const char* kTwoFrameGif = "R0lGODlhBAAEAIEAAP8AAAAAAAAAAAAAACH/C05FVFNDQVBFMi4wAwEAAAAh+QQACgAAACwAAAAABAAEAAAICQABCBxIsCCAgAAh+QQACg"
                           "AAACwAAAAABAAEAIEAAP8AAAAAAAAAAAAICQABCBxIsCCAgAA7";

QByteArray pngOf(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

long peakResidentKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').front().toLong();
    return -1;
}
} // namespace

void TestImageDecoder::workingSize_data()
{
    QTest::addColumn<QSize>("original");
    QTest::addColumn<QSize>("expected");
    QTest::newRow("6000x4000") << QSize(6000, 4000) << QSize(1024, 683); // 4000 * 1024 / 6000 = 682.67
    QTest::newRow("4000x6000") << QSize(4000, 6000) << QSize(683, 1024);
    QTest::newRow("2048x2048") << QSize(2048, 2048) << QSize(1024, 1024);
    QTest::newRow("1024x10") << QSize(1024, 10) << QSize(1024, 10); // already at the working size
    QTest::newRow("30000x1") << QSize(30000, 1) << QSize(1024, 1);   // never below one pixel
    QTest::newRow("640x480") << QSize(640, 480) << QSize(640, 480);
}

void TestImageDecoder::workingSize()
{
    QFETCH(QSize, original);
    QFETCH(QSize, expected);
    QCOMPARE(ImageDecoder::workingSize(original), expected);
}

void TestImageDecoder::downscalesLargePicture()
{
    // 6000 x 4000, 1 bit per pixel (3 MB here): the left 3000 columns white, the right half black.
    QImage mono(6000, 4000, QImage::Format_Mono);
    mono.setColorTable({qRgb(0, 0, 0), qRgb(255, 255, 255)});
    for (int y = 0; y < mono.height(); ++y) {
        uchar* line = mono.scanLine(y);
        std::memset(line, 0xff, 375);                        // pixels 0..2999: index 1 (white)
        std::memset(line + 375, 0x00, mono.bytesPerLine() - 375); // the rest: black
    }
    const QString path = write(QStringLiteral("big.png"), pngOf(mono));
    mono = QImage(); // the test's own copy is gone before decoding

    const long before = peakResidentKb();
    const auto image = ImageDecoder::decode(path);
    const long after = peakResidentKb();
    QVERIFY2(image.ok(), image.ok() ? "" : image.error().c_str());
    QCOMPARE(image->width, 1024);
    QCOMPARE(image->height, 683);
    QCOMPARE(image->originalWidth, 6000);
    QCOMPARE(image->originalHeight, 4000);
    QCOMPARE(image->rgb.size(), size_t(1024) * 683 * 3); // 2.1 MB, not 6000 * 4000 * 4 = 96 MB
    QCOMPARE(image->sourceName, std::string("big.png"));
    // The picture survived the scaling: white on the left, black on the right.
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(int(image->at(100, 300, c)), 255);
        QCOMPARE(int(image->at(900, 300, c)), 0);
    }
    // Peak memory: Qt 6.4's PNG handler decodes at full size before scaling (one ARGB32 frame,
    // 96 MB here); what must not happen is more than that one transient frame (copies, doubles).
    if (before > 0 && after > 0)
        QVERIFY2(after - before < 150 * 1024,
            qPrintable(QStringLiteral("peak resident memory grew by %1 MB while decoding").arg((after - before) / 1024)));
}

void TestImageDecoder::keepsSmallPictureExact()
{
    QImage small(5, 3, QImage::Format_RGB32);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 5; ++x)
            small.setPixel(x, y, qRgb(x * 50, y * 100, 7));
    const auto image = ImageDecoder::decode(write(QStringLiteral("small.png"), pngOf(small)));
    QVERIFY(image.ok());
    QCOMPARE(image->width, 5);
    QCOMPARE(image->height, 3);
    QCOMPARE(image->originalWidth, 0); // not scaled
    QVERIFY(image->isValid());
    QCOMPARE(int(image->at(4, 2, 0)), 200);
    QCOMPARE(int(image->at(4, 2, 1)), 200);
    QCOMPARE(int(image->at(4, 2, 2)), 7);
    QCOMPARE(int(image->at(1, 0, 0)), 50);
    QCOMPARE(int(image->at(1, 0, 1)), 0);
}

void TestImageDecoder::gifFirstFrame()
{
    const auto image = ImageDecoder::decode(write(QStringLiteral("two.gif"), QByteArray::fromBase64(kTwoFrameGif)));
    QVERIFY2(image.ok(), image.ok() ? "" : image.error().c_str());
    QCOMPARE(image->width, 4);
    QCOMPARE(int(image->at(2, 2, 0)), 255); // red, the first frame (the second is blue)
    QCOMPARE(int(image->at(2, 2, 2)), 0);
}

void TestImageDecoder::transparencyOverWhite()
{
    QImage a(2, 1, QImage::Format_ARGB32);
    a.setPixel(0, 0, qRgba(0, 0, 0, 0));     // fully transparent -> white
    a.setPixel(1, 0, qRgba(10, 20, 30, 255)); // opaque stays
    const auto image = ImageDecoder::decode(write(QStringLiteral("alpha.png"), pngOf(a)));
    QVERIFY(image.ok());
    QCOMPARE(int(image->at(0, 0, 0)), 255);
    QCOMPARE(int(image->at(0, 0, 2)), 255);
    QCOMPARE(int(image->at(1, 0, 0)), 10);
    QCOMPARE(int(image->at(1, 0, 2)), 30);
}

void TestImageDecoder::badFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");
    QImage good(40, 30, QImage::Format_RGB32);
    for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 40; ++x)
            good.setPixel(x, y, qRgb(x * 6, y * 8, (x * y) % 255)); // not trivially compressible
    const QByteArray png = pngOf(good);
    QByteArray corrupt = png;
    const int idat = corrupt.indexOf("IDAT");
    for (int i = idat + 8; i < idat + 40 && i < corrupt.size() - 12; ++i)
        corrupt[i] = static_cast<char>(0xA5 ^ i); // scrambled compressed data
    QTest::newRow("empty") << "empty.png" << QByteArray() << "cannot open image '%1': file is empty";
    QTest::newRow("not a picture") << "words.png" << QByteArray("this is plain text, not a picture\n")
                                   << "cannot open image '%1': not a supported image format (supported: ";
    QTest::newRow("truncated") << "half.png" << png.left(png.size() / 2) << "cannot open image '%1': corrupt or truncated (Qt: ";
    QTest::newRow("corrupt") << "bad.png" << corrupt << "cannot open image '%1': corrupt or truncated (Qt: ";
    QTest::newRow("0x0") << "zero.png" << QByteArray::fromBase64(kZeroPng) << "cannot open image '%1': is 0×0 pixels";
    QTest::newRow("30000x30000") << "huge.png" << QByteArray::fromBase64(kHugePng)
                                 << "cannot open image '%1': is 30000×30000 (900 megapixels), more than the 100-megapixel limit";
}

void TestImageDecoder::badFiles()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    const QString path = write(name, bytes);
    const auto image = ImageDecoder::decode(path);
    QVERIFY(!image.ok());
    const QString error = QString::fromStdString(image.error());
    QVERIFY2(error.startsWith(message.arg(path)), qPrintable(error));
    if (name == QLatin1String("words.png")) // lists what Qt reads here
        QVERIFY2(error.contains(QStringLiteral("png")) && error.contains(QStringLiteral("jpeg")), qPrintable(error));
}

void TestImageDecoder::ensureDecodedFillsSpec()
{
    attn::InputSpec spec;
    spec.kind = attn::InputKind::Image;
    spec.path = m_dir.filePath(QStringLiteral("missing.png")).toStdString();
    QCOMPARE(ImageDecoder::ensureDecoded(spec), QStringLiteral("cannot open image '%1': no such file").arg(QString::fromStdString(spec.path)));
    QVERIFY(!spec.image);
    spec.path = m_dir.path().toStdString();
    QCOMPARE(ImageDecoder::ensureDecoded(spec), QStringLiteral("cannot open image '%1': is a directory").arg(m_dir.path()));

    QImage one(3, 2, QImage::Format_RGB32);
    one.fill(qRgb(1, 2, 3));
    spec.path = write(QStringLiteral("one.png"), pngOf(one)).toStdString();
    QCOMPARE(ImageDecoder::ensureDecoded(spec), QString());
    QVERIFY(spec.image);
    QCOMPARE(spec.image->width, 3);
    QCOMPARE(int(spec.image->at(2, 1, 2)), 3);
    // Text inputs are left alone.
    attn::InputSpec text;
    QCOMPARE(ImageDecoder::ensureDecoded(text), QString());
    QVERIFY(!text.image);
}

QTEST_MAIN(TestImageDecoder)
#include "tst_image_decoder.moc"
