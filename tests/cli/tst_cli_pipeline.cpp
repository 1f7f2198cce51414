// `attnscope pipeline --dump-json` as a user runs it: a seed's diagram with its nodes bound to the
// default sample's stages, the engine's own diagram, and every error with its exit code and message.
#include "TestData.h"

#include <nlohmann/json.hpp>

#include <QtTest>

class TestCliPipeline : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void seed000();
    void everySeedDiagram_data();
    void everySeedDiagram();
    void generatedDiagramBindsEveryNode();
    void subgraphsAndShapes();
    void errors_data();
    void errors();
    void listedInHelp();

private:
    struct Run {
        int code;
        QByteArray out;
        QString err;
    };
    Run run(const QStringList& args);
    static QString diagram(const char* name)
    {
        return qEnvironmentVariable("ATTNSCOPE_SOURCE_DIR") + QStringLiteral("/resources/diagrams/") + QLatin1String(name);
    }
    QString m_exe;
    QTemporaryDir m_dir;
};

void TestCliPipeline::initTestCase()
{
    m_exe = qEnvironmentVariable("ATTNSCOPE_EXE");
    QVERIFY2(QFileInfo::exists(m_exe), "ATTNSCOPE_EXE must point at the built attnscope");
    QVERIFY(m_dir.isValid());
}

TestCliPipeline::Run TestCliPipeline::run(const QStringList& args)
{
    QProcess p;
    p.start(m_exe, args);
    if (!p.waitForFinished(60000))
        qFatal("attnscope did not finish");
    if (p.exitStatus() != QProcess::NormalExit)
        qFatal("attnscope crashed on: %s", qPrintable(args.join(QLatin1Char(' '))));
    return {p.exitCode(), p.readAllStandardOutput(), QString::fromUtf8(p.readAllStandardError())};
}

void TestCliPipeline::seed000()
{
    const Run r = run({QStringLiteral("pipeline"), QStringLiteral("--mermaid"), diagram("seed000.mmd"), QStringLiteral("--dump-json")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    const auto expected = readTestDataJson("seed000-pipeline.json"); // shared with tst_mermaid
    QVERIFY2(j == expected, j.dump(2).c_str());
    QCOMPARE(j["nodes"].size(), size_t(4));
    QCOMPARE(j["edges"].size(), size_t(3));
}

void TestCliPipeline::everySeedDiagram_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("edges");
    QTest::addColumn<QStringList>("unbound");
    QTest::newRow("seed001") << "seed001.mmd" << 9 << 8 << QStringList{QStringLiteral("D")}; // no dynamic stage in text-fox
    QTest::newRow("seed002") << "seed002.mmd" << 5 << 4 << QStringList{QStringLiteral("D")};
    QTest::newRow("seed004") << "seed004.mmd" << 6 << 5 << QStringList{};
}

void TestCliPipeline::everySeedDiagram()
{
    QFETCH(QString, file);
    QFETCH(int, nodes);
    QFETCH(int, edges);
    QFETCH(QStringList, unbound);
    const Run r = run({QStringLiteral("pipeline"), QStringLiteral("--mermaid"), diagram(file.toLatin1().constData()), QStringLiteral("--dump-json")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(static_cast<int>(j["nodes"].size()), nodes);
    QCOMPARE(static_cast<int>(j["edges"].size()), edges);
    QStringList got;
    for (const auto& n : j["nodes"])
        if (n["stage"].is_null())
            got << QString::fromStdString(n["id"].get<std::string>());
    QCOMPARE(got, unbound);
    // Bound against another sample's stages: seed 001's dynamic node binds with a dynamic gate.
    if (file == QLatin1String("seed001.mmd")) {
        const Run d = run({QStringLiteral("pipeline"), QStringLiteral("--mermaid"), diagram("seed001.mmd"),
            QStringLiteral("--sample"), QStringLiteral("seed001-diagram"), QStringLiteral("--dump-json")});
        QVERIFY2(d.code == 0, qPrintable(d.err));
        const auto dj = nlohmann::json::parse(d.out.toStdString());
        QCOMPARE(dj["nodes"][3]["stage"].get<std::string>(), std::string("dynamic"));
    }
}

void TestCliPipeline::generatedDiagramBindsEveryNode()
{
    for (const QString& sample : {QStringLiteral("text-fox"), QStringLiteral("seed001-text"), QStringLiteral("seed000-cross")}) {
        const Run r = run({QStringLiteral("pipeline"), QStringLiteral("--sample"), sample, QStringLiteral("--dump-json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j["nodes"].size() >= 5);
        for (const auto& n : j["nodes"])
            QVERIFY2(n["stage"].is_string(), n.dump().c_str());
        if (sample == QLatin1String("seed001-text"))
            QCOMPARE(j["subgraphs"][0]["id"].get<std::string>(), std::string("heads"));
    }
}

void TestCliPipeline::subgraphsAndShapes()
{
    const QString path = m_dir.filePath(QStringLiteral("shapes.mmd"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("flowchart LR\n  subgraph s [Stages]\n    direction TB\n    q([Query]) -.-> w{Softmax}\n  end\n  w <--> o(((Output)))\n");
    f.close();
    const Run r = run({QStringLiteral("pipeline"), QStringLiteral("--mermaid"), path, QStringLiteral("--dump-json")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["direction"].get<std::string>(), std::string("LR"));
    QCOMPARE(j["nodes"][0]["shape"].get<std::string>(), std::string("stadium"));
    QCOMPARE(j["nodes"][0]["stage"].get<std::string>(), std::string("q"));
    QCOMPARE(j["nodes"][1]["shape"].get<std::string>(), std::string("diamond"));
    QCOMPARE(j["nodes"][1]["stage"].get<std::string>(), std::string("weights"));
    QCOMPARE(j["nodes"][2]["shape"].get<std::string>(), std::string("double-circle"));
    QCOMPARE(j["edges"][0]["kind"].get<std::string>(), std::string("dotted-arrow"));
    QCOMPARE(j["edges"][1]["kind"].get<std::string>(), std::string("bidirectional"));
    QCOMPARE(j["subgraphs"][0]["direction"].get<std::string>(), std::string("TB"));
}

void TestCliPipeline::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString bad = m_dir.filePath(QStringLiteral("bad.mmd"));
    QFile f(bad);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(bad));
    f.write("graph TD\n  A[输入] --> B\n  B --> (oops\n");
    f.close();
    const QString pipeline = QStringLiteral("pipeline"), mermaid = QStringLiteral("--mermaid"), dump = QStringLiteral("--dump-json");
    QTest::newRow("syntax error") << QStringList{pipeline, mermaid, bad, dump} << 1
                                  << bad + QStringLiteral(": line 3, column 9: expected a node id, found '('");
    QTest::newRow("missing file") << QStringList{pipeline, mermaid, QStringLiteral("/nonexistent/F.mmd"), dump} << 1
                                  << QStringLiteral("/nonexistent/F.mmd: no such file");
    QTest::newRow("directory") << QStringList{pipeline, mermaid, m_dir.path(), dump} << 1 << QStringLiteral("is a directory");
    QTest::newRow("no --dump-json") << QStringList{pipeline, mermaid, bad} << 2 << QStringLiteral("--dump-json is required");
    QTest::newRow("unknown option") << QStringList{pipeline, QStringLiteral("--frobnicate"), dump} << 2
                                    << QStringLiteral("Unknown option 'frobnicate'");
    QTest::newRow("missing value") << QStringList{pipeline, dump, mermaid} << 2 << QStringLiteral("Missing value after '--mermaid'");
    QTest::newRow("extra argument") << QStringList{pipeline, QStringLiteral("F.mmd"), dump} << 2
                                    << QStringLiteral("unexpected argument 'F.mmd'");
    QTest::newRow("unknown sample") << QStringList{pipeline, QStringLiteral("--sample"), QStringLiteral("nope"), dump} << 2
                                    << QStringLiteral("unknown sample 'nope'");
}

void TestCliPipeline::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    const Run r = run(args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.startsWith(QLatin1String("attnscope pipeline: ")), qPrintable(r.err));
    QVERIFY2(r.err.contains(message), qPrintable(QStringLiteral("stderr was: ") + r.err));
    QVERIFY(r.out.isEmpty());
}

void TestCliPipeline::listedInHelp()
{
    const Run help = run({QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains("attnscope pipeline [--mermaid F.mmd]"));
    QVERIFY(help.out.contains("--view heatmap|heads|lines|diff|pipeline"));
    const Run own = run({QStringLiteral("pipeline"), QStringLiteral("--help")});
    QCOMPARE(own.code, 0);
    QVERIFY(own.out.contains("--dump-json"));
}

QTEST_GUILESS_MAIN(TestCliPipeline)
#include "TestData.h"
#include "tst_cli_pipeline.moc"
