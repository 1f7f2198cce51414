// Nothing lost: the process is killed (SIGKILL) at varying moments while it saves a session or
// writes a large result over an existing file; afterwards the file is always either the old one
// or a complete new one, never a torn mix.
#include <nlohmann/json.hpp>

#include <QRandomGenerator>
#include <QtTest>

class TestAtomicWrites : public QObject {
    Q_OBJECT
private slots:
    void killedWhileSavingASession();
    void killedWhileWritingALargeResult();

private:
    static int runToEnd(const QStringList& args);
};

int TestAtomicWrites::runToEnd(const QStringList& args)
{
    QProcess p;
    p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), args);
    p.waitForFinished(120000);
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

void TestAtomicWrites::killedWhileSavingASession()
{
    QTemporaryDir dir;
    const QString session = dir.filePath(QStringLiteral("class.attnscope"));
    QCOMPARE(runToEnd({QStringLiteral("session"), QStringLiteral("--sample"), QStringLiteral("seed000-cross"),
                 QStringLiteral("--out"), session}),
        0);
    QFile f(session);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray original = f.readAll();
    f.close();
    // A new session with ~100 KB of text, so the write takes a while.
    const QString text = QStringLiteral("attention is all you need ").repeated(4000);
    QByteArray replacement;
    for (int round = 0; round < 12; ++round) {
        QProcess p;
        p.start(qEnvironmentVariable("ATTNSCOPE_EXE"),
            {QStringLiteral("session"), QStringLiteral("--text"), text, QStringLiteral("--heads"), QStringLiteral("4"),
                QStringLiteral("--out"), session});
        QVERIFY(p.waitForStarted());
        QTest::qWait(static_cast<int>(QRandomGenerator::global()->bounded(2, 60)));
        p.kill();
        p.waitForFinished();
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray now = f.readAll();
        f.close();
        // Old or complete: either way it parses and opens.
        QVERIFY2(now == original || (now.contains("attention is all you need") && now.endsWith("}\n")), "torn file");
        QCOMPARE(runToEnd({QStringLiteral("session"), QStringLiteral("--check"), session}), 0);
        if (now != original)
            replacement = now;
    }
    qInfo("sessions replaced in %s of the killed rounds", replacement.isEmpty() ? "none" : "some");
}

void TestAtomicWrites::killedWhileWritingALargeResult()
{
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("weights.json"));
    QFile text(dir.filePath(QStringLiteral("words.txt")));
    QVERIFY(text.open(QIODevice::WriteOnly));
    for (int i = 0; i < 1500; ++i)
        text.write(QByteArray("w") + QByteArray::number(i % 311) + ' ');
    text.close();
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"precious\": true}\n");
    f.close();
    for (int round = 0; round < 8; ++round) {
        QProcess p;
        p.start(qEnvironmentVariable("ATTNSCOPE_EXE"),
            {QStringLiteral("dump"), QStringLiteral("--text-file"), text.fileName(), QStringLiteral("--heads"),
                QStringLiteral("2"), QStringLiteral("--out"), out});
        QVERIFY(p.waitForStarted());
        QTest::qWait(static_cast<int>(QRandomGenerator::global()->bounded(50, 1500)));
        p.kill();
        p.waitForFinished();
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray now = f.readAll();
        f.close();
        // Whatever the moment, the file is valid JSON: the old one or the complete result.
        const auto j = nlohmann::json::parse(now.toStdString(), nullptr, false);
        QVERIFY2(!j.is_discarded(), "the file was torn");
        QVERIFY(j.contains("precious") || j["shape"] == nlohmann::json({1, 2, 1500, 1500}));
    }
}

QTEST_GUILESS_MAIN(TestAtomicWrites)
#include "tst_atomic_writes.moc"
