// The headless command line as a user runs it: every subcommand, and every error path with its
// exit code, its message, and no output file left behind.
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <QtTest>

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void helpAndVersion();
    void samplesListsEveryBundledSample();
    void dumpSeedExampleAsNpy();
    void dumpJsonHasTokensShapeAndMechanism();
    void dumpTextMultiHead();
    void dumpFromFiles();
    void dumpCrossAttentionFromNpy();
    void errors_data();
    void errors();
    void failureKeepsTheExistingFile();

private:
    struct Run {
        int code;
        QString out;
        QString err;
    };
    Run run(const QStringList& args);
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString m_exe;
    QTemporaryDir m_dir;
};

void TestCli::initTestCase()
{
    m_exe = qEnvironmentVariable("ATTNSCOPE_EXE");
    QVERIFY2(QFileInfo::exists(m_exe), "ATTNSCOPE_EXE must point at the built attnscope");
    QVERIFY(m_dir.isValid());
}

TestCli::Run TestCli::run(const QStringList& args)
{
    QProcess p;
    p.setProgram(m_exe);
    p.setArguments(args);
    p.start();
    if (!p.waitForFinished(120000))
        qFatal("attnscope did not finish");
    // A crash is never an acceptable answer.
    if (p.exitStatus() != QProcess::NormalExit)
        qFatal("attnscope crashed on: %s", qPrintable(args.join(QLatin1Char(' '))));
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

void TestCli::helpAndVersion()
{
    const Run help = run({QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains(QLatin1String("attnscope dump INPUT MECH")));
    const Run dumpHelp = run({QStringLiteral("dump"), QStringLiteral("--help")});
    QCOMPARE(dumpHelp.code, 0);
    QVERIFY(dumpHelp.out.contains(QLatin1String("--projection")));
    const Run version = run({QStringLiteral("--version")});
    QCOMPARE(version.code, 0);
    QVERIFY(version.out.startsWith(QLatin1String("attnscope 0.")));
}

void TestCli::samplesListsEveryBundledSample()
{
    const Run r = run({QStringLiteral("samples")});
    QCOMPARE(r.code, 0);
    const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
    QVERIFY(lines.size() >= 12);
    for (const QString& line : lines)
        QCOMPARE(line.split(QLatin1Char('\t')).size(), 3);
    QVERIFY(lines.front().startsWith(QLatin1String("seed000-cross\tseed\t")));
    QVERIFY(r.out.contains(QLatin1String("\ntext-zh\ttext\t")));
    QVERIFY(r.out.contains(QLatin1String("\nseq-seasonal\tsequence\t")));
}

void TestCli::dumpSeedExampleAsNpy()
{
    const QString out = path(QStringLiteral("seed000.npy")), output = path(QStringLiteral("seed000-out.npy"));
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--sample"), QStringLiteral("seed000-cross"),
        QStringLiteral("--out"), out, QStringLiteral("--out-output"), output});
    QCOMPARE(r.code, 0);
    auto w = attn::NpyFile::readFile(out.toStdString());
    QVERIFY(w.ok());
    QCOMPARE(w->shape, (std::vector<int64_t>{1, 1, 4, 4}));
    const double row5[] = {3.038412e-07, 4.509403e-05, 6.692547e-03, 9.932621e-01};
    for (int j = 0; j < 4; ++j)
        QVERIFY(std::abs(w->data[j] - row5[j]) < 1e-6);
    auto o = attn::NpyFile::readFile(output.toStdString());
    QVERIFY(o.ok());
    QCOMPARE(o->shape, (std::vector<int64_t>{4, 1}));
    QVERIFY(std::abs(o->data[3] - 3.999664) < 1e-6);
}

void TestCli::dumpJsonHasTokensShapeAndMechanism()
{
    const QString out = path(QStringLiteral("sigmoid.json"));
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--sample"), QStringLiteral("seed004-sigmoid"),
        QStringLiteral("--out"), out});
    QCOMPARE(r.code, 0);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    QCOMPARE(j["shape"], nlohmann::json({1, 1, 1, 3}));
    QCOMPARE(j["tokens"], nlohmann::json({"[1,2,1]", "[2,3,1]", "[3,4,1]"}));
    QCOMPARE(j["query_tokens"], nlohmann::json({"[2,0,1]"}));
    QCOMPARE(j["mechanism"]["norm"].get<std::string>(), std::string("sigmoid"));
    QVERIFY(std::abs(j["attention"][0][0][0][1].get<double>() - 0.993307) < 1e-6);
    QVERIFY(std::abs(j["output"][0][0].get<double>() - 5.936455) < 1e-5);
    QVERIFY(std::abs(j["output"][0][1].get<double>() - 8.881425) < 1e-5);
}

void TestCli::dumpTextMultiHead()
{
    const QString out = path(QStringLiteral("text.json"));
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--text"), QStringLiteral("the cat saw the dog"),
        QStringLiteral("--heads"), QStringLiteral("4"), QStringLiteral("--dim"), QStringLiteral("32"),
        QStringLiteral("--projection"), QStringLiteral("random"), QStringLiteral("--causal"), QStringLiteral("--out"),
        out});
    QCOMPARE(r.code, 0);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    QCOMPARE(j["shape"], nlohmann::json({1, 4, 5, 5}));
    QCOMPARE(j["tokens"], nlohmann::json({"the", "cat", "saw", "the", "dog"}));
    for (int h = 0; h < 4; ++h)
        for (int i = 0; i < 5; ++i) {
            double sum = 0.0;
            for (int k = 0; k < 5; ++k) {
                const double w = j["attention"][0][h][i][k].get<double>();
                if (k > i)
                    QCOMPARE(w, 0.0); // causal
                sum += w;
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
        }
    QCOMPARE(j["output"].size(), size_t(5));
    QCOMPARE(j["output"][0].size(), size_t(32));
}

void TestCli::dumpFromFiles()
{
    QFile csv(path(QStringLiteral("seq.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("name,a,b\nfirst,1,0\nsecond,0,1\nthird,1,1\n");
    csv.close();
    const QString out = path(QStringLiteral("csv.json"));
    Run r = run({QStringLiteral("dump"), QStringLiteral("--sequence-file"), csv.fileName(), QStringLiteral("--score"),
        QStringLiteral("dot"), QStringLiteral("--out"), out});
    QCOMPARE(r.code, 0);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    QCOMPARE(j["tokens"], nlohmann::json({"first", "second", "third"}));
    // Row "first" = [1,0]: scores [1, 0, 1] -> softmax [e, 1, e] / (2e + 1)
    const double e = std::exp(1.0);
    QVERIFY(std::abs(j["attention"][0][0][0][1].get<double>() - 1.0 / (2 * e + 1)) < 1e-6);

    QFile text(path(QStringLiteral("words.txt")));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("注意力 is all you need\n");
    text.close();
    const QString textOut = path(QStringLiteral("text.npy"));
    r = run({QStringLiteral("dump"), QStringLiteral("--text-file"), text.fileName(), QStringLiteral("--tokenizer"),
        QStringLiteral("character"), QStringLiteral("--out"), textOut});
    QCOMPARE(r.code, 0);
    auto w = attn::NpyFile::readFile(textOut.toStdString());
    QVERIFY(w.ok());
    QCOMPARE(w->shape, (std::vector<int64_t>{1, 1, 15, 15})); // 3 CJK characters + 12 letters
}

void TestCli::dumpCrossAttentionFromNpy()
{
    const float x[] = {1, 2, 3, 4};
    const float y[] = {5, 6, 7, 8};
    QFile xf(path(QStringLiteral("x.npy"))), yf(path(QStringLiteral("y.npy")));
    QVERIFY(xf.open(QIODevice::WriteOnly) && yf.open(QIODevice::WriteOnly));
    xf.write(QByteArray::fromStdString(attn::NpyFile::serialize({4}, x)));
    yf.write(QByteArray::fromStdString(attn::NpyFile::serialize({4, 1}, y)));
    xf.close();
    yf.close();
    const QString out = path(QStringLiteral("cross.npy"));
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--npy"), xf.fileName(), QStringLiteral("--queries-npy"),
        yf.fileName(), QStringLiteral("--score"), QStringLiteral("dot"), QStringLiteral("--out"), out});
    QCOMPARE(r.code, 0);
    auto w = attn::NpyFile::readFile(out.toStdString());
    QVERIFY(w.ok());
    QVERIFY(std::abs(w->data[3] - 9.932621e-01) < 1e-6); // the digest's example 1, from files
    // y = 8: softmax(8 * [1, 2, 3, 4]) at x = 4
    const double last = 1.0 / (1.0 + std::exp(-8.0) + std::exp(-16.0) + std::exp(-24.0));
    QVERIFY(std::abs(w->data[15] - last) < 1e-6);
}

void TestCli::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString d = QStringLiteral("dump");
    const QString o = QStringLiteral("--out");
    const QString out = path(QStringLiteral("never.npy"));
    auto dump = [&](QStringList a) { return QStringList{d} + a + QStringList{o, out}; };
    QTest::newRow("unknown subcommand option") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--frobnicate")}) << 2 << QStringLiteral("Unknown option 'frobnicate'");
    QTest::newRow("unknown sample") << dump({QStringLiteral("--sample"), QStringLiteral("nope")}) << 2 << QStringLiteral("unknown sample 'nope'");
    QTest::newRow("no input") << dump({}) << 2 << QStringLiteral("no input");
    QTest::newRow("two inputs") << dump({QStringLiteral("--text"), QStringLiteral("a"), QStringLiteral("--sequence"), QStringLiteral("1,2")}) << 2 << QStringLiteral("give only one input");
    QTest::newRow("heads not a number") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--heads"), QStringLiteral("two")}) << 2 << QStringLiteral("--heads: 'two' is not a whole number");
    QTest::newRow("heads zero") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--heads"), QStringLiteral("0")}) << 2 << QStringLiteral("--heads must be at least 1");
    QTest::newRow("temperature not a number") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--temperature"), QStringLiteral("hot")}) << 2 << QStringLiteral("--temperature: 'hot' is not a number");
    QTest::newRow("unknown score") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--score"), QStringLiteral("magic")}) << 2 << QStringLiteral("--score: 'magic' is not one of dot, scaled-dot");
    QTest::newRow("unknown norm") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--norm"), QStringLiteral("max")}) << 2 << QStringLiteral("--norm: 'max' is not one of");
    QTest::newRow("scope without window") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--scope"), QStringLiteral("local")}) << 2 << QStringLiteral("is not global, local:W or hybrid:W:G");
    QTest::newRow("scope bad window") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--scope"), QStringLiteral("hybrid:x:1")}) << 2 << QStringLiteral("is not global, local:W or hybrid:W:G");
    QTest::newRow("missing --out") << QStringList{d, QStringLiteral("--text"), QStringLiteral("a")} << 2 << QStringLiteral("--out FILE.npy|FILE.json is required");
    QTest::newRow("bad --out extension") << QStringList{d, QStringLiteral("--text"), QStringLiteral("a"), o, path(QStringLiteral("x.txt"))} << 2 << QStringLiteral("--out must name a .npy or .json file");
    QTest::newRow("bad number in sequence") << dump({QStringLiteral("--sequence"), QStringLiteral("1,x,3")}) << 1 << QStringLiteral("'x' is not a number");
    QTest::newRow("NaN in sequence") << dump({QStringLiteral("--sequence"), QStringLiteral("1,nan,3")}) << 1 << QStringLiteral("NaN");
    QTest::newRow("Inf in sequence") << dump({QStringLiteral("--sequence"), QStringLiteral("1;inf")}) << 1 << QStringLiteral("Inf");
    QTest::newRow("ragged vectors") << dump({QStringLiteral("--sequence"), QStringLiteral("1,2;3")}) << 1 << QStringLiteral("element 2 has 1 value");
    QTest::newRow("empty text") << dump({QStringLiteral("--text"), QStringLiteral("   ")}) << 1 << QStringLiteral("has no tokens");
    QTest::newRow("heads do not divide") << dump({QStringLiteral("--text"), QStringLiteral("a b c"), QStringLiteral("--heads"), QStringLiteral("3")}) << 1 << QStringLiteral("3 heads do not divide the model dimension 64");
    QTest::newRow("ratio with negative scores") << dump({QStringLiteral("--sequence"), QStringLiteral("1,-2;3,4"), QStringLiteral("--score"), QStringLiteral("dot"), QStringLiteral("--norm"), QStringLiteral("ratio")}) << 1 << QStringLiteral("the ratio normaliser needs non-negative scores");
    QTest::newRow("temperature zero") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--temperature"), QStringLiteral("0")}) << 1 << QStringLiteral("temperature must be a positive number");
    QTest::newRow("window zero") << dump({QStringLiteral("--text"), QStringLiteral("a b"), QStringLiteral("--scope"), QStringLiteral("local:0")}) << 1 << QStringLiteral("window W must be at least 1");
    QTest::newRow("query dimension mismatch") << dump({QStringLiteral("--sequence"), QStringLiteral("1,2;3,4"), QStringLiteral("--queries-sequence"), QStringLiteral("1,2,3;")}) << 1 << QStringLiteral("the queries have dimension 3");
    QTest::newRow("missing csv") << dump({QStringLiteral("--sequence-file"), QStringLiteral("/nonexistent/seq.csv")}) << 1 << QStringLiteral("/nonexistent/seq.csv");
    QTest::newRow("missing npy") << dump({QStringLiteral("--npy"), QStringLiteral("/nonexistent/x.npy")}) << 1 << QStringLiteral("/nonexistent/x.npy");
    QTest::newRow("missing text file") << dump({QStringLiteral("--text-file"), QStringLiteral("/nonexistent/t.txt")}) << 1 << QStringLiteral("/nonexistent/t.txt");
    QTest::newRow("missing projection") << dump({QStringLiteral("--sequence"), QStringLiteral("1,2;3,4"), QStringLiteral("--projection"), QStringLiteral("/nonexistent/w.safetensors")}) << 1 << QStringLiteral("/nonexistent/w.safetensors");
    QTest::newRow("directory as input") << dump({QStringLiteral("--sequence-file"), QDir::tempPath()}) << 1 << QStringLiteral("is a directory");
    QTest::newRow("out is a directory") << QStringList{d, QStringLiteral("--text"), QStringLiteral("a"), o, m_dir.path() + QStringLiteral("/sub.npy/")} << 2 << QStringLiteral("--out must name a .npy or .json file");
}

void TestCli::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const Run r = run(args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(message), qPrintable(QStringLiteral("stderr was: ") + r.err));
    QVERIFY2(r.err.startsWith(QLatin1String("attnscope dump: ")), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("never.npy"))));
    // Nothing half-written: no temporary files left in the output folder.
    const auto leftovers = QDir(m_dir.path()).entryList({QStringLiteral("never.npy*")}, QDir::Files | QDir::Hidden);
    QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
}

void TestCli::failureKeepsTheExistingFile()
{
    const QString out = path(QStringLiteral("existing.npy"));
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("precious");
    f.close();
    const Run r = run({QStringLiteral("dump"), QStringLiteral("--sequence"), QStringLiteral("1,2;3"),
        QStringLiteral("--out"), out});
    QCOMPARE(r.code, 1);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("precious"));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
