// Every case of tests/data/bad_inputs.json through the CLI: the stated exit code and message,
// no crash, and no output file left behind (nor a temporary one).
#include <nlohmann/json.hpp>

#include <QtTest>

class TestBadInputs : public QObject {
    Q_OBJECT
private slots:
    void cases_data();
    void cases();
};

namespace {
nlohmann::json loadTable()
{
    QFile f(qEnvironmentVariable("ATTNSCOPE_TEST_DATA") + QStringLiteral("/bad_inputs.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read bad_inputs.json");
    return nlohmann::json::parse(f.readAll().toStdString());
}

QString expand(const std::string& s, const QString& dir)
{
    QString out = QString::fromStdString(s);
    out.replace(QStringLiteral("{dir}"), dir);
    out.replace(QStringLiteral("{model}"), qEnvironmentVariable("ATTNSCOPE_BUNDLED_MODEL"));
    out.replace(QStringLiteral("{fixtures}"), qEnvironmentVariable("ATTNSCOPE_FIXTURES"));
    return out;
}
} // namespace

void TestBadInputs::cases_data()
{
    QTest::addColumn<int>("index");
    const auto table = loadTable();
    QVERIFY(table["cases"].size() >= 40);
    int i = 0;
    for (const auto& c : table["cases"])
        QTest::newRow(c["name"].get<std::string>().c_str()) << i++;
}

void TestBadInputs::cases()
{
    QFETCH(int, index);
    const auto c = loadTable()["cases"][static_cast<size_t>(index)];
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path();
    for (auto it = c["files"].begin(); it != c["files"].end(); ++it) {
        const QString path = dir + QLatin1Char('/') + QString::fromStdString(it.key());
        QDir().mkpath(QFileInfo(path).path());
        QByteArray bytes;
        const auto& spec = it.value();
        if (spec.contains("text"))
            bytes = QByteArray::fromStdString(spec["text"].get<std::string>());
        else if (spec.contains("base64"))
            bytes = QByteArray::fromBase64(QByteArray::fromStdString(spec["base64"].get<std::string>()));
        else if (spec.contains("numbered")) { // header + line with {i} -> 0..count-1 and {next} -> i+1
            bytes = QByteArray::fromStdString(spec.value("header", std::string()));
            const QString line = QString::fromStdString(spec["numbered"].get<std::string>());
            for (int i = 0; i < spec["count"].get<int>(); ++i)
                bytes += QString(line).replace(QLatin1String("{i}"), QString::number(i))
                             .replace(QLatin1String("{next}"), QString::number(i + 1)).toUtf8();
        } else if (spec.contains("repeat")) {
            const QByteArray unit = QByteArray::fromStdString(spec["repeat"].get<std::string>());
            bytes = unit.repeated(spec["count"].get<int>());
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    QStringList args;
    for (const auto& a : c["args"])
        args << expand(a.get<std::string>(), dir);
    QProcess p;
    p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), args);
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit, "attnscope crashed");
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitCode() == c["exit"].get<int>(),
        qPrintable(QStringLiteral("exit %1, expected %2; stderr: %3").arg(p.exitCode()).arg(c["exit"].get<int>()).arg(err)));
    const QString message = expand(c["message"].get<std::string>(), dir);
    if (!message.isEmpty())
        QVERIFY2(err.contains(message), qPrintable(QStringLiteral("stderr lacks '%1': %2").arg(message, err)));
    if (c["exit"].get<int>() != 0)
        QVERIFY2(!err.contains(QLatin1String("Try 'attnscope")) || c["exit"].get<int>() == 2, qPrintable(err));
    if (c["exit"].get<int>() == 0) { // accepted: whatever --out names was written in full
        const auto& args = c["args"];
        for (size_t i = 0; i + 1 < args.size(); ++i)
            if (args[i].get<std::string>() == "--out") {
                const QString out = expand(args[i + 1].get<std::string>(), dir);
                QVERIFY2(QFileInfo(out).size() > 0, qPrintable(out + " was not written"));
            }
    }
    const QString noOutput = expand(c["no_output"].get<std::string>(), dir);
    if (!noOutput.isEmpty()) {
        QVERIFY2(!QFile::exists(noOutput), qPrintable(noOutput));
        const QFileInfo info(noOutput);
        const auto leftovers = QDir(info.path()).entryList({info.fileName() + QLatin1Char('*')}, QDir::Files | QDir::Hidden);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
    }
}

QTEST_GUILESS_MAIN(TestBadInputs)
#include "tst_bad_inputs.moc"
