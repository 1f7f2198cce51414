// Real checkpoints from the command line: `dump --model` writes every layer's and head's
// attention of stories260K equal to the independent PyTorch fixtures (tests/tools/
// make_llama2c_fixtures.py), `generate` reproduces the model card's sample, `export --model`
// draws the layer x head grid; bad model paths give clear messages. Uses the bundled resources/models copy.
#include "CliRun.h"
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <QtEndian>
#include <QtTest>

class TestCliModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void dumpMatchesTorchFixtures_data();
    void dumpMatchesTorchFixtures();
    void generateReproducesTheModelCard();
    void exportDrawsEveryLayerAndHead();
    void errors_data();
    void errors();
    void modelSamplesUseTheDataFolder();
    void dumpSelectsAndStreams();

private:
    using Run = CliRun;
    static Run run(const QStringList& args) { return runAttnscope(args); }
    QString m_model;
    QTemporaryDir m_dir;
};

void TestCliModel::initTestCase()
{
    m_model = qEnvironmentVariable("ATTNSCOPE_BUNDLED_MODEL");
    QVERIFY2(QFileInfo::exists(m_model + QStringLiteral("/stories260K.bin")), qPrintable(m_model));
}

// The model samples name "models/stories260k" under the data folder. The build tree's binary finds
// it beside itself (<build>/share/attnscope links to resources/) with no variable set; a data folder
// without the model gives a message naming the path it looked for, and no output file.
void TestCliModel::modelSamplesUseTheDataFolder()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("ATTNSCOPE_DATA_DIR"));
    const QString out = m_dir.filePath(QStringLiteral("story.npy")), tokens = m_dir.filePath(QStringLiteral("story.json"));
    Run r = runAttnscope({QStringLiteral("dump"), QStringLiteral("--sample"), QStringLiteral("model-story"), QStringLiteral("--out"), out,
                             QStringLiteral("--tokens-out"), tokens},
        env);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto got = attn::NpyFile::readFile(out.toStdString());
    QVERIFY(got.ok());
    QCOMPARE(got->shape.size(), size_t(4));
    QCOMPARE(got->shape[0], int64_t(5));
    QCOMPARE(got->shape[1], int64_t(8));
    // The same numbers as naming the bundled folder directly.
    const QString direct = m_dir.filePath(QStringLiteral("direct.npy"));
    r = run({QStringLiteral("dump"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
        QStringLiteral("Once upon a time, there was a little girl named Lily. She loved to play outside."), QStringLiteral("--out"), direct});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto expected = attn::NpyFile::readFile(direct.toStdString());
    QVERIFY(expected.ok());
    QCOMPARE(got->shape, expected->shape);
    QCOMPARE(got->data, expected->data);

    QTemporaryDir empty;
    env.insert(QStringLiteral("ATTNSCOPE_DATA_DIR"), empty.path());
    const QString missing = m_dir.filePath(QStringLiteral("missing.npy"));
    r = runAttnscope({QStringLiteral("dump"), QStringLiteral("--sample"), QStringLiteral("model-bos-sink"), QStringLiteral("--out"), missing}, env);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(empty.path() + QStringLiteral("/models/stories260k")), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(missing));
}

void TestCliModel::dumpMatchesTorchFixtures_data()
{
    QTest::addColumn<QString>("fixture");
    const QDir dir(qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/llama2c"));
    const auto cases = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY(cases.size() >= 4);
    for (const QString& c : cases)
        QTest::newRow(qPrintable(c)) << dir.filePath(c);
}

void TestCliModel::dumpMatchesTorchFixtures()
{
    QFETCH(QString, fixture);
    QFile tokensFile(fixture + QStringLiteral("/tokens.json"));
    QVERIFY(tokensFile.open(QIODevice::ReadOnly));
    const auto expectedTokens = nlohmann::json::parse(tokensFile.readAll().toStdString());
    const QString prompt = QString::fromStdString(expectedTokens["prompt"].get<std::string>());
    const QString out = m_dir.filePath(QFileInfo(fixture).fileName() + QStringLiteral(".npy"));
    const QString tokensOut = m_dir.filePath(QFileInfo(fixture).fileName() + QStringLiteral(".json"));
    // The folder form: checkpoint and tokenizer found by their names.
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--model"), m_model, QStringLiteral("--text"), prompt,
        QStringLiteral("--out"), out, QStringLiteral("--tokens-out"), tokensOut});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto got = attn::NpyFile::readFile(out.toStdString());
    auto expected = attn::NpyFile::readFile((fixture + QStringLiteral("/attention.npy")).toStdString());
    QVERIFY(got.ok() && expected.ok());
    QCOMPARE(got->shape, expected->shape); // [5, 8, N, N]
    QCOMPARE(got->shape[0], int64_t(5));
    QCOMPARE(got->shape[1], int64_t(8));
    double maxDiff = 0.0;
    for (size_t k = 0; k < got->data.size(); ++k)
        maxDiff = std::max(maxDiff, static_cast<double>(std::abs(got->data[k] - expected->data[k])));
    QVERIFY2(maxDiff <= 1e-4, qPrintable(QStringLiteral("max |diff| = %1").arg(maxDiff)));
    QFile t(tokensOut);
    QVERIFY(t.open(QIODevice::ReadOnly));
    const auto tokens = nlohmann::json::parse(t.readAll().toStdString());
    QCOMPARE(tokens["tokens"].size(), expectedTokens["ids"].size());
    QCOMPARE(tokens["tokens"][0].get<std::string>(), std::string("<s>")); // BOS first
    for (size_t k = 1; k < tokens["tokens"].size(); ++k)
        QCOMPARE(tokens["tokens"][k].get<std::string>(), expectedTokens["strings"][k].get<std::string>());
}

void TestCliModel::generateReproducesTheModelCard()
{
    const Run r = run({QStringLiteral("generate"), QStringLiteral("--model"), m_model + QStringLiteral("/stories260K.bin"),
        QStringLiteral("--steps"), QStringLiteral("60")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile card(m_model + QStringLiteral("/stories260K.md"));
    QVERIFY(card.open(QIODevice::ReadOnly));
    const QString cardText = QString::fromUtf8(card.readAll());
    const QString generated = r.out.trimmed();
    QVERIFY(generated.size() > 150); // 60 tokens of story
    QVERIFY2(cardText.contains(generated.left(150)), qPrintable(generated));
    QVERIFY(generated.startsWith(QLatin1String("Once upon a time, there was a little girl named Lily.")));
}

void TestCliModel::exportDrawsEveryLayerAndHead()
{
    const QString out = m_dir.filePath(QStringLiteral("grid.png"));
    const Run r = run({QStringLiteral("export"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
        QStringLiteral("The sun was shining."), QStringLiteral("--view"), QStringLiteral("heads"), QStringLiteral("--out"), out,
        QStringLiteral("--width"), QStringLiteral("1400"), QStringLiteral("--height"), QStringLiteral("1000")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile png(out);
    QVERIFY(png.open(QIODevice::ReadOnly));
    const QByteArray header = png.read(24); // signature, IHDR: width and height big-endian at 16 and 20
    QVERIFY(header.startsWith("\x89PNG"));
    QCOMPARE(qFromBigEndian<quint32>(header.constData() + 16), 1400u);
    QCOMPARE(qFromBigEndian<quint32>(header.constData() + 20), 1000u);
    const QString heatmap = m_dir.filePath(QStringLiteral("l4h7.svg"));
    const Run h = run({QStringLiteral("export"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
        QStringLiteral("The sun was shining."), QStringLiteral("--layer"), QStringLiteral("4"), QStringLiteral("--head"),
        QStringLiteral("7"), QStringLiteral("--out"), heatmap});
    QVERIFY2(h.code == 0, qPrintable(h.err));
    QFile svg(heatmap);
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray svgText = svg.readAll();
    QVERIFY(svgText.contains(">&lt;s&gt;<") || svgText.contains("&lt;s&gt;")); // the BOS label
    QVERIFY(svgText.contains(" was"));
    const Run bad = run({QStringLiteral("export"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
        QStringLiteral("Hi"), QStringLiteral("--layer"), QStringLiteral("5"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x.png"))});
    QCOMPARE(bad.code, 1);
    QVERIFY(bad.err.contains(QLatin1String("5 layer(s) of 8 head(s)")));
}

void TestCliModel::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString out = m_dir.filePath(QStringLiteral("never.npy"));
    QTest::newRow("missing model") << QStringList{QStringLiteral("dump"), QStringLiteral("--model"), QStringLiteral("/nonexistent/m"), QStringLiteral("--out"), out} << 1 << QStringLiteral("cannot open model '/nonexistent/m'");
    QTest::newRow("folder without checkpoint") << QStringList{QStringLiteral("dump"), QStringLiteral("--model"), QDir::tempPath() + QStringLiteral("/attnscope-empty-model"), QStringLiteral("--out"), out} << 1 << QStringLiteral("no llama2.c checkpoint");
    QTest::newRow("model and sequence") << QStringList{QStringLiteral("dump"), QStringLiteral("--model"), m_model, QStringLiteral("--sequence"), QStringLiteral("1,2"), QStringLiteral("--out"), out} << 2 << QStringLiteral("--model takes its prompt from --text");
    QTest::newRow("steps zero") << QStringList{QStringLiteral("generate"), QStringLiteral("--model"), m_model, QStringLiteral("--steps"), QStringLiteral("0")} << 2 << QStringLiteral("--steps");
    QTest::newRow("generate without model") << QStringList{QStringLiteral("generate"), QStringLiteral("--text"), QStringLiteral("hi")} << 2 << QStringLiteral("--model PATH is required");
    const QStringList dump {QStringLiteral("dump"), QStringLiteral("--model"), m_model, QStringLiteral("--text"),
        QStringLiteral("One day"), QStringLiteral("--out"), out};
    QTest::newRow("layer outside") << (dump + QStringList {QStringLiteral("--layer"), QStringLiteral("0,9")}) << 1
                                   << QStringLiteral("--layer: 9 is outside 0..4 (there are 5 layers)");
    QTest::newRow("head outside") << (dump + QStringList {QStringLiteral("--head"), QStringLiteral("2-8")}) << 1
                                  << QStringLiteral("--head: 8 is outside 0..7 (there are 8 heads)");
    QTest::newRow("backwards range") << (dump + QStringList {QStringLiteral("--head"), QStringLiteral("3-1")}) << 2
                                     << QStringLiteral("--head: the range '3-1' runs backwards (write 1-3)");
    QTest::newRow("not an index") << (dump + QStringList {QStringLiteral("--layer"), QStringLiteral("1,x")}) << 2
                                  << QStringLiteral("--layer: 'x' is not an index, a range a-b or a list of them");
    QTest::newRow("negative") << (dump + QStringList {QStringLiteral("--layer"), QStringLiteral("-1")}) << 2
                              << QStringLiteral("--layer: '-1' is not an index");
    QTest::newRow("selection of json") << QStringList {QStringLiteral("dump"), QStringLiteral("--model"), m_model,
        QStringLiteral("--text"), QStringLiteral("One day"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("never.json")),
        QStringLiteral("--head"), QStringLiteral("1")} << 2
                                       << QStringLiteral("--layer and --head select the maps of a .npy dump");
    QTest::newRow("not a checkpoint") << QStringList{QStringLiteral("dump"), QStringLiteral("--model"), m_model + QStringLiteral("/stories260K.md"), QStringLiteral("--out"), out} << 1 << QStringLiteral("stories260K.md");
}

void TestCliModel::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    QDir().mkpath(QDir::tempPath() + QStringLiteral("/attnscope-empty-model"));
    const Run r = run(args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.npy"))));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.json"))));
}

// --layer / --head write exactly those maps, the slices of the whole dump; a prompt whose captured
// maps exceed the memory budget streams within it (maps made from queries and keys tile by tile)
// and equals the captured maps of a run with room for them.
void TestCliModel::dumpSelectsAndStreams()
{
    QString text;
    for (int i = 0; i < 40; ++i)
        text += QStringLiteral("Once upon a time there was a little girl. ");
    const QString whole = m_dir.filePath(QStringLiteral("whole.npy")), some = m_dir.filePath(QStringLiteral("some.npy"));
    const QStringList base {QStringLiteral("dump"), QStringLiteral("--model"), m_model, QStringLiteral("--text"), text};
    Run r = run(base + QStringList {QStringLiteral("--out"), whole, QStringLiteral("--memory-limit"), QStringLiteral("8")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto all = attn::NpyFile::readFile(whole.toStdString());
    QVERIFY(all.ok());
    QCOMPARE(all->shape.size(), size_t(4));
    const int64_t n = all->shape[2];
    QVERIFY2(n > 400, qPrintable(QString::number(n)));
    // 5 x 8 maps of n x n floats would not fit 8 MB:
    QVERIFY(5 * 8 * n * n * 4 > 8 * 1024 * 1024);
    r = run(base + QStringList {QStringLiteral("--out"), some, QStringLiteral("--layer"), QStringLiteral("4,1-2,1"),
                QStringLiteral("--head"), QStringLiteral("7,0")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto picked = attn::NpyFile::readFile(some.toStdString());
    QVERIFY(picked.ok());
    QCOMPARE(picked->shape, (std::vector<int64_t> {3, 2, n, n}));
    const int layers[] = {1, 2, 4}, heads[] = {0, 7};
    const size_t map = static_cast<size_t>(n * n);
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 2; ++b)
            QVERIFY(std::equal(picked->data.begin() + static_cast<std::ptrdiff_t>((a * 2 + b) * map),
                picked->data.begin() + static_cast<std::ptrdiff_t>((a * 2 + b + 1) * map),
                all->data.begin() + static_cast<std::ptrdiff_t>((layers[a] * 8 + heads[b]) * map)));
    // The captured path (--qkv-out needs it) with a budget that holds every map: the same maps within 1e-5.
    const QString captured = m_dir.filePath(QStringLiteral("captured.npy"));
    r = run(base + QStringList {QStringLiteral("--out"), captured, QStringLiteral("--qkv-out"), m_dir.filePath(QStringLiteral("qkv.npy"))});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto held = attn::NpyFile::readFile(captured.toStdString());
    QVERIFY(held.ok());
    QCOMPARE(held->shape, all->shape);
    float worst = 0.0f;
    for (size_t i = 0; i < held->data.size(); ++i)
        worst = std::max(worst, std::abs(held->data[i] - all->data[i]));
    QVERIFY2(worst <= 1e-5f, qPrintable(QString::number(worst)));
    // And the captured path refuses the budget the streamed dump kept to.
    r = run(base + QStringList {QStringLiteral("--out"), m_dir.filePath(QStringLiteral("refused.npy")), QStringLiteral("--qkv-out"),
                m_dir.filePath(QStringLiteral("qkv2.npy")), QStringLiteral("--memory-limit"), QStringLiteral("8")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("more than the memory budget of 8.0 MB")), qPrintable(r.err));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("refused.npy"))));
}

QTEST_GUILESS_MAIN(TestCliModel)
#include "tst_cli_model.moc"
