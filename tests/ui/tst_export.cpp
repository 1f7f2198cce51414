// Exports from the GUI path (ViewExporter) and the headless CLI: PNG at the requested size and
// not uniform, SVG that parses and carries the token labels as text, PDF with a page; matrix
// exports with the exact numbers; failures leave no file.
#include "AttentionEngine.h"
#include "Computation.h"
#include "ImageDecoder.h"
#include "InputBuilder.h"
#include "NpyFile.h"
#include "SampleCatalog.h"
#include "ExportedFile.h"
#include "ViewExporter.h"

#include <QImage>
#include <QProcess>
#include <QSet>
#include <QSvgRenderer>
#include <QtTest>

class TestExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void picture_data();
    void picture();
    void everyHeadOfAMultiHeadSample();
    void matrices();
    void qkByTsne();
    void errorsLeaveNoFile();
    void cli_data();
    void cli();
    void cliErrors();

private:
    ComputationPtr compute(const QString& sample, const attn::Mechanism* override = nullptr);
    static void checkFile(const QString& path, int width, int height, const QStringList& labels);
    QTemporaryDir m_dir;
};

ComputationPtr TestExport::compute(const QString& name, const attn::Mechanism* override)
{
    const auto sample = SampleCatalog::find(name);
    if (!sample)
        return nullptr;
    const attn::Mechanism m = override ? *override : sample->mechanism;
    attn::InputSpec spec = sample->input;
    if (!ImageDecoder::ensureDecoded(spec).isEmpty()) // image samples: the bundled picture
        return nullptr;
    auto input = attn::InputBuilder::build(spec, m.dim);
    auto result = attn::AttentionEngine::compute(*input, m);
    if (!result)
        return nullptr;
    auto c = std::make_shared<Computation>();
    c->input = spec;
    c->mechanism = m;
    c->result = std::make_shared<const attn::AttentionResult>(std::move(*result));
    return c;
}

void TestExport::initTestCase() { QVERIFY(m_dir.isValid()); }

void TestExport::checkFile(const QString& path, int width, int height, const QStringList& labels)
{
    const QString name = QFileInfo(path).fileName();
    const bool vectorsOnly = name.contains(QLatin1String("lines")) || name.contains(QLatin1String("pipeline")) || name.startsWith(QLatin1String("qk"));
    checkExportedFile(path, width, height, labels, !vectorsOnly);
}

void TestExport::picture_data()
{
    QTest::addColumn<QString>("view");
    QTest::addColumn<QString>("suffix");
    for (const QString& view : ViewExporter::viewNames())
        for (const QString& suffix : {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")})
            QTest::newRow(qPrintable(view + QLatin1Char('.') + suffix)) << view << suffix;
}

void TestExport::picture()
{
    QFETCH(QString, view);
    QFETCH(QString, suffix);
    // The overlay is for pictures: a bundled image sample; the other views the fox sentence.
    const bool overlay = view == QLatin1String("overlay");
    const ComputationPtr a = compute(overlay ? QStringLiteral("image-shapes") : QStringLiteral("text-fox"));
    QVERIFY(a);
    attn::Mechanism bm = a->mechanism;
    bm.score = attn::ScoreKind::Additive;
    const ComputationPtr b = compute(QStringLiteral("text-fox"), &bm);
    ExportOptions o;
    o.view = view;
    o.width = 960;
    o.height = 720;
    const QString path = m_dir.filePath(view + QLatin1Char('.') + suffix);
    QCOMPARE(ViewExporter::exportView(path, a, b, o), QString());
    // Heads-grid tiles carry no token labels, the pipeline its stages' labels; the other views tokens.
    QStringList labels = view == QLatin1String("heads") ? QStringList{QStringLiteral("head 0")}
                                                        : QStringList{QStringLiteral("quick"), QStringLiteral("sleeping")};
    if (view == QLatin1String("pipeline"))
        labels = QStringList{QStringLiteral("input X"), QStringLiteral("output")};
    if (overlay)
        labels = QStringList{QStringLiteral("Attention of patch 8,8 (head 0)")}; // the caption
    if (view == QLatin1String("qk")) // the caption as title, the tokens beside their points
        labels << QStringLiteral("Layer 0, head 0: 15 queries (●) and 15 keys (▲), colour = position (first dark, last bright)");
    checkFile(path, 960, 720, labels);
}

void TestExport::everyHeadOfAMultiHeadSample()
{
    const ComputationPtr c = compute(QStringLiteral("seed001-text"));
    ExportOptions o;
    o.width = 400;
    o.height = 300;
    QByteArray previous;
    for (int h = -1; h < 4; ++h) {
        o.head = h;
        QString error;
        const QByteArray png = ViewExporter::render(ViewExporter::Format::Png, c, nullptr, o, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(png != previous); // each head is its own picture
        previous = png;
    }
    o.view = QStringLiteral("heads");
    o.width = 1200;
    o.height = 900;
    const QString path = m_dir.filePath(QStringLiteral("heads.pdf"));
    QCOMPARE(ViewExporter::exportView(path, c, nullptr, o), QString());
    checkFile(path, 1200, 900, {});
}

void TestExport::matrices()
{
    const ComputationPtr c = compute(QStringLiteral("seed000-cross"));
    const QString csv = m_dir.filePath(QStringLiteral("w.csv"));
    QCOMPARE(ViewExporter::exportMatrix(csv, c, 0, 0), QString());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[0], QStringLiteral("query\\key,1,2,3,4"));
    const QStringList row5 = lines[1].split(QLatin1Char(','));
    QCOMPARE(row5[0], QStringLiteral("5"));
    QVERIFY(std::abs(row5[4].toDouble() - 9.932621e-01) < 1e-6);
    QVERIFY(std::abs(row5[1].toDouble() - 3.038412e-07) < 1e-12);

    const QString npy = m_dir.filePath(QStringLiteral("w.npy"));
    QCOMPARE(ViewExporter::exportMatrix(npy, c, 0, 0), QString());
    auto array = attn::NpyFile::readFile(npy.toStdString());
    QVERIFY(array.ok());
    QCOMPARE(array->shape, (std::vector<int64_t>{1, 1, 4, 4}));
    QCOMPARE(array->data, c->result->weights);
    QVERIFY(ViewExporter::exportMatrix(m_dir.filePath(QStringLiteral("w.xlsx")), c, 0, 0).contains(QLatin1String(".csv")));
}

void TestExport::qkByTsne()
{
    // The exported t-SNE is the core's (inline, deterministic): axis labels say so, and it differs
    // from the PCA picture of the same head.
    const ComputationPtr c = compute(QStringLiteral("text-fox"));
    QVERIFY(c);
    ExportOptions o;
    o.view = QStringLiteral("qk");
    o.width = 800;
    o.height = 600;
    o.qkTsne = true;
    const QString tsne = m_dir.filePath(QStringLiteral("qk-by-tsne.svg"));
    QCOMPARE(ViewExporter::exportView(tsne, c, nullptr, o), QString());
    checkFile(tsne, 800, 600, {QStringLiteral("t-SNE 1"), QStringLiteral("quick")});
    o.qkTsne = false;
    const QString pca = m_dir.filePath(QStringLiteral("qk-by-pca.svg"));
    QCOMPARE(ViewExporter::exportView(pca, c, nullptr, o), QString());
    QFile a(tsne), b(pca);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    const QByteArray pcaBytes = b.readAll();
    QVERIFY(pcaBytes.contains("PC1 ("));
    QVERIFY(!pcaBytes.contains("t-SNE 1"));
    QVERIFY(a.readAll() != pcaBytes);
}

void TestExport::errorsLeaveNoFile()
{
    const ComputationPtr c = compute(QStringLiteral("text-fox"));
    ExportOptions o;
    o.head = 7;
    const QString path = m_dir.filePath(QStringLiteral("nohead.png"));
    QVERIFY(ViewExporter::exportView(path, c, nullptr, o).contains(QLatin1String("there is no head 7")));
    QVERIFY(!QFile::exists(path));
    o.head = 0;
    o.width = 5;
    QVERIFY(ViewExporter::exportView(path, c, nullptr, o).contains(QLatin1String("outside 16..20000")));
    QVERIFY(!QFile::exists(path));
    o.width = 100;
    o.view = QStringLiteral("diff");
    QVERIFY(ViewExporter::exportView(path, c, nullptr, o).contains(QLatin1String("second computation")));
    QVERIFY(!QFile::exists(path));
    QVERIFY(ViewExporter::exportView(m_dir.filePath(QStringLiteral("x.gif")), c, nullptr, o).contains(QLatin1String(".png, .svg or .pdf")));
}

void TestExport::cli_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QStringList>("labels");
    QTest::newRow("heatmap png") << QStringList{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--view"), QStringLiteral("heatmap")}
                                 << QStringLiteral("cli-heatmap.png") << 800 << 600 << QStringList{};
    QTest::newRow("heatmap svg chinese") << QStringList{QStringLiteral("--sample"), QStringLiteral("text-zh")}
                                         << QStringLiteral("cli-zh.svg") << 1000 << 800 << QStringList{QStringLiteral("注"), QStringLiteral("机")};
    QTest::newRow("heads pdf") << QStringList{QStringLiteral("--sample"), QStringLiteral("seed001-text"), QStringLiteral("--view"), QStringLiteral("heads")}
                               << QStringLiteral("cli-heads.pdf") << 1200 << 900 << QStringList{};
    QTest::newRow("lines svg mean") << QStringList{QStringLiteral("--text"), QStringLiteral("a cat saw a dog"), QStringLiteral("--view"), QStringLiteral("lines"), QStringLiteral("--heads"), QStringLiteral("2"), QStringLiteral("--head"), QStringLiteral("mean")}
                                    << QStringLiteral("cli-lines.svg") << 700 << 500 << QStringList{QStringLiteral("cat"), QStringLiteral("dog")};
    QTest::newRow("diff png") << QStringList{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--view"), QStringLiteral("diff"), QStringLiteral("--vs-scope"), QStringLiteral("local:2"), QStringLiteral("--colormap"), QStringLiteral("magma")}
                              << QStringLiteral("cli-diff.png") << 1500 << 500 << QStringList{};
    QTest::newRow("qk svg of a model head") << QStringList{QStringLiteral("--model"), qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/hf/gpt2"), QStringLiteral("--text"), QStringLiteral("hello world"), QStringLiteral("--view"), QStringLiteral("qk"), QStringLiteral("--layer"), QStringLiteral("1"), QStringLiteral("--head"), QStringLiteral("1")}
                                            << QStringLiteral("qk-cli.svg") << 640 << 480 << QStringList{QStringLiteral("Layer 1, head 1:")};
    QTest::newRow("qk pdf by t-SNE") << QStringList{QStringLiteral("--sample"), QStringLiteral("seed001-text"), QStringLiteral("--view"), QStringLiteral("qk"), QStringLiteral("--head"), QStringLiteral("2"), QStringLiteral("--qk-layout"), QStringLiteral("tsne")}
                                     << QStringLiteral("qk-tsne.pdf") << 800 << 600 << QStringList{};
}

void TestExport::cli()
{
    QFETCH(QStringList, args);
    QFETCH(QString, file);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QStringList, labels);
    const QString out = m_dir.filePath(file);
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the command must choose offscreen itself
    env.remove(QStringLiteral("DISPLAY"));
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), QStringList{QStringLiteral("export")} + args +
            QStringList{QStringLiteral("--out"), out, QStringLiteral("--width"), QString::number(width),
                QStringLiteral("--height"), QString::number(height)});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    checkFile(out, width, height, labels);
}

void TestExport::cliErrors()
{
    struct Case {
        QStringList args;
        int code;
        QString message;
    };
    const QString out = m_dir.filePath(QStringLiteral("never.png"));
    const QList<Case> cases{
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--view"), QStringLiteral("pie")}, 2, QStringLiteral("--view: 'pie' is not one of")},
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--colormap"), QStringLiteral("jet")}, 2, QStringLiteral("--colormap: 'jet' is not one of")},
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--width"), QStringLiteral("0")}, 2, QStringLiteral("--width")},
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--head"), QStringLiteral("3")}, 1, QStringLiteral("there is no head 3")},
        {{QStringLiteral("--sample"), QStringLiteral("seed001-text"), QStringLiteral("--view"), QStringLiteral("qk"), QStringLiteral("--head"), QStringLiteral("mean")}, 1, QStringLiteral("the Q/K view shows one head")},
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--qk-layout"), QStringLiteral("tsne")}, 2, QStringLiteral("--qk-layout is for --view qk")},
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--view"), QStringLiteral("qk"), QStringLiteral("--qk-layout"), QStringLiteral("umap")}, 2, QStringLiteral("--qk-layout: 'umap' is not one of pca, tsne")},
        {{QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--vs-score"), QStringLiteral("x")}, 2, QStringLiteral("--vs-score")},
        {{QStringLiteral("--sequence"), QStringLiteral("1,-1;2,3"), QStringLiteral("--norm"), QStringLiteral("ratio"), QStringLiteral("--score"), QStringLiteral("dot")}, 1, QStringLiteral("non-negative")},
    };
    for (const Case& c : cases) {
        QProcess p;
        p.start(qEnvironmentVariable("ATTNSCOPE_EXE"),
            QStringList{QStringLiteral("export")} + c.args + QStringList{QStringLiteral("--out"), out});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == c.code, qPrintable(c.args.join(QLatin1Char(' ')) + QStringLiteral(" -> ") + err));
        QVERIFY2(err.contains(c.message), qPrintable(err));
        QVERIFY(!QFile::exists(out));
    }
    QProcess p;
    p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), {QStringLiteral("export"), QStringLiteral("--sample"), QStringLiteral("text-fox"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x.bmp"))});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"
