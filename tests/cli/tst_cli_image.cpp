// `attnscope dump --image`: the weights come out as [1, H, N, N] with N = rows x cols of the patch
// grid (crop and pad), labels "r,c", rows that sum to 1, and on a picture of uniform colour
// blocks under cosine attention each patch attends most to itself. Usage errors of the image options.
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <QtTest>

class TestCliImage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void dumpShape_data();
    void dumpShape();
    void labelsAndSelfAttention();
    void usageErrors();

private:
    struct Run {
        int code = -1;
        QString err;
    };
    Run run(const QStringList& args);
    QTemporaryDir m_dir;
    QString m_picture;
};

namespace {
// 64 x 48 pixels: 4 x 3 blocks of 16 x 16, block (r, c) = RGB (80c, 120r, 200 or 30 alternating) (PIL).
const char* kBlocksPng =
    "iVBORw0KGgoAAAANSUhEUgAAAEAAAAAwCAIAAAAuKetIAAAAaUlEQVR42u3ZyQnAMAwEwE1IHa4pL9eSmlylaxDBOWD2LQsG9LDQlrRUcmYU6/vS/"
    "nt+HgAAAAAAAAAAAID3cuQaxSe9WL+2vxECAAAAAAAAAAAAuLMPfOt/H/cBAAAAAAAAAAAAgKcyAcvoCAya3G39AAAAAElFTkSuQmCC";
} // namespace

TestCliImage::Run TestCliImage::run(const QStringList& args)
{
    QProcess p;
    p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), args);
    p.waitForFinished(120000);
    Run r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

void TestCliImage::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_picture = m_dir.filePath(QStringLiteral("blocks.png"));
    QFile f(m_picture);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromBase64(kBlocksPng));
}

void TestCliImage::dumpShape_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QList<int>>("shape");
    QTest::newRow("patch 16: 3 x 4") << QStringList{QStringLiteral("--patch"), QStringLiteral("16")} << QList<int>{1, 1, 12, 12};
    QTest::newRow("patch 20 crop: 2 x 3") << QStringList{QStringLiteral("--patch"), QStringLiteral("20")} << QList<int>{1, 1, 6, 6};
    QTest::newRow("patch 20 pad: 3 x 4") << QStringList{QStringLiteral("--patch"), QStringLiteral("20"), QStringLiteral("--fit"),
        QStringLiteral("pad")} << QList<int>{1, 1, 12, 12};
    QTest::newRow("features, patch 8: 6 x 8, 3 heads")
        << QStringList{QStringLiteral("--patch"), QStringLiteral("8"), QStringLiteral("--encoding"), QStringLiteral("features"),
               QStringLiteral("--heads"), QStringLiteral("3")}
        << QList<int>{1, 3, 48, 48};
}

void TestCliImage::dumpShape()
{
    QFETCH(QStringList, options);
    QFETCH(QList<int>, shape);
    const QString out = m_dir.filePath(QStringLiteral("w.npy"));
    QFile::remove(out);
    const Run r = run(QStringList{QStringLiteral("dump"), QStringLiteral("--image"), m_picture, QStringLiteral("--out"), out} + options);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto npy = attn::NpyFile::readFile(out.toStdString());
    QVERIFY(npy.ok());
    QCOMPARE(npy->shape, (std::vector<int64_t>(shape.begin(), shape.end())));
    const int n = shape[3];
    for (size_t row = 0; row < npy->data.size() / n; ++row) {
        double sum = 0.0;
        for (int j = 0; j < n; ++j)
            sum += npy->data[row * n + j];
        QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QStringLiteral("row %1 sums to %2").arg(row).arg(sum)));
    }
}

void TestCliImage::labelsAndSelfAttention()
{
    const QString out = m_dir.filePath(QStringLiteral("self.npy"));
    const QString tokens = m_dir.filePath(QStringLiteral("tokens.json"));
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--image"), m_picture, QStringLiteral("--patch"), QStringLiteral("16"),
        QStringLiteral("--no-positions"), QStringLiteral("--score"), QStringLiteral("cosine"), QStringLiteral("--out"), out,
        QStringLiteral("--tokens-out"), tokens});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile f(tokens);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    std::vector<std::string> expected;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 4; ++col)
            expected.push_back(std::to_string(row) + "," + std::to_string(col));
    QCOMPARE(j["tokens"].get<std::vector<std::string>>(), expected);
    // Every block is one colour and no two blocks' colours are proportional: cosine is 1 only with itself.
    const auto npy = attn::NpyFile::readFile(out.toStdString());
    QVERIFY(npy.ok());
    for (int i = 0; i < 12; ++i) {
        const float* row = npy->data.data() + i * 12;
        for (int k = 0; k < 12; ++k)
            if (k != i)
                QVERIFY2(row[i] > row[k], qPrintable(QStringLiteral("patch %1 attends more to %2 than to itself").arg(i).arg(k)));
    }
}

void TestCliImage::usageErrors()
{
    const QString out = m_dir.filePath(QStringLiteral("never.npy"));
    const QStringList image{QStringLiteral("dump"), QStringLiteral("--image"), m_picture, QStringLiteral("--out"), out};
    struct Case {
        QStringList args;
        int code;
        QString message;
    };
    const QList<Case> cases{
        {image + QStringList{QStringLiteral("--patch"), QStringLiteral("0")}, 2, QStringLiteral("--patch must be at least 1 (got 0)")},
        {image + QStringList{QStringLiteral("--encoding"), QStringLiteral("pixels")}, 2,
            QStringLiteral("--encoding: 'pixels' is not one of patches, features")},
        {image + QStringList{QStringLiteral("--fit"), QStringLiteral("stretch")}, 2, QStringLiteral("--fit: 'stretch' is not one of crop, pad")},
        {image + QStringList{QStringLiteral("--text"), QStringLiteral("a")}, 2, QStringLiteral("give only one input")},
        {{QStringLiteral("dump"), QStringLiteral("--text"), QStringLiteral("a"), QStringLiteral("--fit"), QStringLiteral("pad"),
             QStringLiteral("--out"), out},
            2, QStringLiteral("--fit is for image inputs (--image F)")},
        {image + QStringList{QStringLiteral("--patch"), QStringLiteral("100")}, 1,
            QStringLiteral("the image (64 x 48 pixels) is smaller than one patch (100 x 100)")},
    };
    for (const Case& c : cases) {
        const Run r = run(c.args);
        QVERIFY2(r.code == c.code, qPrintable(QStringLiteral("%1: exit %2; %3").arg(c.args.join(QLatin1Char(' '))).arg(r.code).arg(r.err)));
        QVERIFY2(r.err.contains(c.message), qPrintable(r.err));
        QVERIFY(!QFile::exists(out));
    }
}

QTEST_MAIN(TestCliImage)
#include "tst_cli_image.moc"
