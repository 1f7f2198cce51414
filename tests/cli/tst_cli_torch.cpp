// `attnscope dump --projection weights.safetensors` against torch.nn.MultiheadAttention.
// The fixtures (tests/fixtures/torch/<case>/) are written by tests/tools/make_torch_fixtures.py:
// a state_dict in safetensors form, the inputs, and torch's per-head weights and final output.
// Every case directory found is run; the weights and the output must agree within 1e-5.
// The hostile-file tests check that a broken projection file is refused with exit 1, a message,
// and no output file at all.
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <limits>

namespace {

constexpr double kTolerance = 1e-5;

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

struct Case {
    QString dir;
    int heads = 0;
    bool cross = false;
    int64_t n = 0;  // keys
    int64_t nq = 0; // queries
    int64_t e = 0;
};

QString exePath() { return qEnvironmentVariable("ATTNSCOPE_EXE"); }
QString torchFixtures() { return qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/torch"); }

QByteArray readBytes(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

Run runExe(const QStringList& args)
{
    QProcess p;
    p.start(exePath(), args);
    Run r;
    if (!p.waitForStarted(30000)) {
        r.err = QStringLiteral("could not start '%1': %2").arg(exePath(), p.errorString());
        return r;
    }
    if (!p.waitForFinished(300000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2; // -2: crashed
    return r;
}

// Every directory under fixtures/torch with a case.json, sorted by name.
QStringList caseDirs()
{
    QDir root(torchFixtures());
    QStringList dirs;
    for (const QString& name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (QFileInfo::exists(root.filePath(name) + QStringLiteral("/case.json")))
            dirs << root.filePath(name);
    return dirs;
}

bool loadCase(const QString& dir, Case& c, QString& why)
{
    const nlohmann::json j = nlohmann::json::parse(readBytes(dir + QStringLiteral("/case.json")).toStdString(),
                                                   nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("heads") || !j.contains("cross") || !j.contains("n")
        || !j.contains("e")) {
        why = dir + QStringLiteral("/case.json: not an object with heads, cross, n, e");
        return false;
    }
    c.dir = dir;
    c.heads = j["heads"].get<int>();
    c.cross = j["cross"].get<bool>();
    c.n = j["n"].get<int64_t>();
    c.nq = c.cross ? j.value("nq", int64_t(0)) : c.n;
    c.e = j["e"].get<int64_t>();
    if (c.cross && c.nq <= 0) {
        why = dir + QStringLiteral("/case.json: a cross case needs nq");
        return false;
    }
    return true;
}

QStringList dumpArgs(const Case& c, const QString& projection, const QString& out, const QString& outOutput = {})
{
    QStringList args{QStringLiteral("dump"), QStringLiteral("--npy"), c.dir + QStringLiteral("/x.npy")};
    if (c.cross)
        args << QStringLiteral("--queries-npy") << c.dir + QStringLiteral("/y.npy");
    args << QStringLiteral("--heads") << QString::number(c.heads) << QStringLiteral("--score")
         << QStringLiteral("scaled-dot") << QStringLiteral("--norm") << QStringLiteral("softmax")
         << QStringLiteral("--scope") << QStringLiteral("global") << QStringLiteral("--projection") << projection
         << QStringLiteral("--out") << out;
    if (!outOutput.isEmpty())
        args << QStringLiteral("--out-output") << outOutput;
    return args;
}

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// Largest |a - b| over two equally long arrays; +inf when any difference is NaN.
double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b, size_t* where = nullptr)
{
    double worst = 0.0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        double d = std::fabs(double(a[i]) - double(b[i]));
        if (std::isnan(d))
            d = std::numeric_limits<double>::infinity();
        if (d > worst) {
            worst = d;
            if (where)
                *where = i;
        }
    }
    return worst;
}

// Compares a written .npy with the expected one: shape equal, max abs difference within tolerance.
bool compareNpy(const QString& actualPath, const QString& expectedPath, QString& why)
{
    auto actual = attn::NpyFile::readFile(actualPath.toStdString());
    if (!actual) {
        why = QStringLiteral("cannot read the output: ") + QString::fromStdString(actual.error());
        return false;
    }
    auto expected = attn::NpyFile::readFile(expectedPath.toStdString());
    if (!expected) {
        why = QStringLiteral("cannot read the fixture: ") + QString::fromStdString(expected.error());
        return false;
    }
    if (actual->shape != expected->shape) {
        why = QStringLiteral("%1: shape %2, torch has %3")
                  .arg(QFileInfo(actualPath).fileName(), shapeText(actual->shape), shapeText(expected->shape));
        return false;
    }
    size_t where = 0;
    const double diff = maxAbsDiff(actual->data, expected->data, &where);
    if (!(diff <= kTolerance)) {
        why = QStringLiteral("%1: max |attnscope - torch| = %2 > %3 (at flat index %4: %5 vs %6)")
                  .arg(QFileInfo(actualPath).fileName())
                  .arg(diff, 0, 'g', 6)
                  .arg(kTolerance)
                  .arg(where)
                  .arg(double(actual->data[where]), 0, 'g', 9)
                  .arg(double(expected->data[where]), 0, 'g', 9);
        return false;
    }
    qDebug("%s: max |attnscope - torch| = %.3g", qPrintable(QFileInfo(actualPath).fileName()), diff);
    return true;
}

// A safetensors file image: 8-byte little-endian length, the JSON header padded with spaces, data.
QByteArray safetensorsImage(const nlohmann::json& header, const QByteArray& data)
{
    QByteArray text = QByteArray::fromStdString(header.dump());
    while (text.size() % 8 != 0)
        text.append(' ');
    QByteArray bytes(8, '\0');
    uint64_t length = uint64_t(text.size());
    for (int i = 0; i < 8; ++i)
        bytes[i] = char((length >> (8 * i)) & 0xff);
    return bytes + text + data;
}

// Splits a safetensors file image into its parsed header and its data section.
bool splitSafetensors(const QByteArray& bytes, nlohmann::json& header, QByteArray& data)
{
    if (bytes.size() < 8)
        return false;
    uint64_t length = 0;
    for (int i = 0; i < 8; ++i)
        length |= uint64_t(uint8_t(bytes[i])) << (8 * i);
    if (length > uint64_t(bytes.size()) - 8)
        return false;
    header = nlohmann::json::parse(bytes.mid(8, qsizetype(length)).toStdString(), nullptr, false);
    data = bytes.mid(8 + qsizetype(length));
    return !header.is_discarded();
}

} // namespace

class TestCliTorch : public QObject {
    Q_OBJECT

private:
    // Runs dump with a broken projection file and checks: exit 1, a message matching `pattern`
    // that names the file, and nothing at all written to the output directory.
    void expectRefused(const Case& c, const QString& projection, const QRegularExpression& pattern)
    {
        QTemporaryDir outDir;
        QVERIFY(outDir.isValid());
        const QString out = outDir.filePath(QStringLiteral("w.npy"));
        const QString outOutput = outDir.filePath(QStringLiteral("o.npy"));
        const Run r = runExe(dumpArgs(c, projection, out, outOutput));
        QVERIFY2(r.exitCode == 1,
                 qPrintable(QStringLiteral("exit %1, expected 1; stderr: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(!r.err.trimmed().isEmpty(), "no message on stderr");
        qDebug("stderr: %s", qPrintable(r.err.trimmed()));
        QVERIFY2(r.err.contains(QFileInfo(projection).fileName()),
                 qPrintable(QStringLiteral("the message does not name the file: ") + r.err));
        QVERIFY2(pattern.match(r.err).hasMatch(),
                 qPrintable(QStringLiteral("the message does not match /%1/: %2").arg(pattern.pattern(), r.err)));
        QVERIFY2(!QFile::exists(out), "the weights file was created");
        QVERIFY2(!QFile::exists(outOutput), "the output file was created");
        const QStringList left = QDir(outDir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
        QVERIFY2(left.isEmpty(), qPrintable(QStringLiteral("files left behind: ") + left.join(QStringLiteral(", "))));
    }

    // The first case (sorted) whose fixtures are present; for the hostile-file tests.
    bool firstCase(Case& c)
    {
        const QStringList dirs = caseDirs();
        QString why;
        return !dirs.isEmpty() && loadCase(dirs.front(), c, why);
    }

    void addCaseRows()
    {
        QTest::addColumn<QString>("dir");
        const QStringList dirs = caseDirs();
        if (dirs.isEmpty())
            QTest::newRow("no-fixtures") << QString(); // fails in the test function
        for (const QString& d : dirs)
            QTest::newRow(qPrintable(QFileInfo(d).fileName())) << d;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!exePath().isEmpty(), "ATTNSCOPE_EXE is not set");
        QVERIFY2(QFileInfo(exePath()).isExecutable(), qPrintable(QStringLiteral("not executable: ") + exePath()));
        QVERIFY2(!qEnvironmentVariable("ATTNSCOPE_FIXTURES").isEmpty(), "ATTNSCOPE_FIXTURES is not set");
    }

    void fixturesPresent()
    {
        const QStringList dirs = caseDirs();
        QVERIFY2(!dirs.isEmpty(), qPrintable(QStringLiteral("no case directories in ") + torchFixtures()
                                             + QStringLiteral("; run tests/tools/make_torch_fixtures.py")));
        bool anyCross = false;
        for (const QString& d : dirs) {
            Case c;
            QString why;
            QVERIFY2(loadCase(d, c, why), qPrintable(why));
            anyCross = anyCross || c.cross;
        }
        QVERIFY2(anyCross, "no cross-attention case among the fixtures");
    }

    void matchesTorch_data() { addCaseRows(); }
    void matchesTorch()
    {
        QFETCH(QString, dir);
        QVERIFY2(!dir.isEmpty(), qPrintable(QStringLiteral("no fixture cases found in ") + torchFixtures()));
        Case c;
        QString why;
        QVERIFY2(loadCase(dir, c, why), qPrintable(why));

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString w = tmp.filePath(QStringLiteral("w.npy"));
        const QString o = tmp.filePath(QStringLiteral("o.npy"));
        const Run r = runExe(dumpArgs(c, dir + QStringLiteral("/weights.safetensors"), w, o));
        QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("exit %1; stderr: %2").arg(r.exitCode).arg(r.err)));

        QVERIFY2(compareNpy(w, dir + QStringLiteral("/expected_weights.npy"), why), qPrintable(why));
        QVERIFY2(compareNpy(o, dir + QStringLiteral("/expected_output.npy"), why), qPrintable(why));

        // The shapes the fixture declares, independently of the expected files.
        auto weights = attn::NpyFile::readFile(w.toStdString());
        QVERIFY(weights.ok());
        QCOMPARE(weights->shape, (std::vector<int64_t>{1, c.heads, c.nq, c.n}));
        auto output = attn::NpyFile::readFile(o.toStdString());
        QVERIFY(output.ok());
        QCOMPARE(output->shape, (std::vector<int64_t>{c.nq, c.e}));
    }

    void jsonMatchesTorch_data() { addCaseRows(); }
    void jsonMatchesTorch()
    {
        QFETCH(QString, dir);
        QVERIFY2(!dir.isEmpty(), qPrintable(QStringLiteral("no fixture cases found in ") + torchFixtures()));
        Case c;
        QString why;
        QVERIFY2(loadCase(dir, c, why), qPrintable(why));

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString out = tmp.filePath(QStringLiteral("w.json"));
        const Run r = runExe(dumpArgs(c, dir + QStringLiteral("/weights.safetensors"), out));
        QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("exit %1; stderr: %2").arg(r.exitCode).arg(r.err)));

        const nlohmann::json j = nlohmann::json::parse(readBytes(out).toStdString(), nullptr, false);
        QVERIFY2(!j.is_discarded() && j.is_object(), "the output is not a JSON object");
        QVERIFY2(j.contains("shape") && j["shape"].is_array(), "no \"shape\" array");
        QCOMPARE(j["shape"].get<std::vector<int64_t>>(), (std::vector<int64_t>{1, c.heads, c.nq, c.n}));

        auto expected = attn::NpyFile::readFile((dir + QStringLiteral("/expected_weights.npy")).toStdString());
        QVERIFY2(expected.ok(), expected.ok() ? "" : expected.error().c_str());
        QCOMPARE(expected->shape, (std::vector<int64_t>{1, c.heads, c.nq, c.n}));

        // "attention" is nested [L][H][Nq][Nk]; flatten it in C order, checking every level's length.
        QVERIFY2(j.contains("attention"), "no \"attention\"");
        const nlohmann::json& att = j["attention"];
        std::vector<float> flat;
        QVERIFY2(att.is_array() && att.size() == 1, "\"attention\" must hold one layer");
        for (const auto& head : att) {
            QVERIFY2(head.is_array() && head.size() == size_t(c.heads), "wrong number of heads in \"attention\"");
            for (const auto& rows : head) {
                QVERIFY2(rows.is_array() && rows.size() == size_t(c.nq), "wrong number of query rows in \"attention\"");
                for (const auto& row : rows) {
                    QVERIFY2(row.is_array() && row.size() == size_t(c.n), "wrong number of keys in \"attention\"");
                    for (const auto& v : row) {
                        QVERIFY2(v.is_number(), "a non-numeric attention value");
                        flat.push_back(v.get<float>());
                    }
                }
            }
        }
        QCOMPARE(flat.size(), expected->data.size());
        size_t where = 0;
        const double diff = maxAbsDiff(flat, expected->data, &where);
        QVERIFY2(diff <= kTolerance,
                 qPrintable(QStringLiteral("w.json: max |attnscope - torch| = %1 > %2 (at flat index %3)")
                                .arg(diff, 0, 'g', 6)
                                .arg(kTolerance)
                                .arg(where)));
    }

    // Weights for E = e' applied to an input of dimension E != e': refused, naming the dimension.
    void wrongDimensionRefused()
    {
        const QStringList dirs = caseDirs();
        QVERIFY2(!dirs.isEmpty(), "no fixture cases");
        Case input, other;
        QString why;
        bool found = false;
        for (const QString& a : dirs) {
            for (const QString& b : dirs) {
                Case ca, cb;
                if (loadCase(a, ca, why) && loadCase(b, cb, why) && ca.e != cb.e && cb.e % ca.heads == 0) {
                    input = ca;
                    other = cb;
                    found = true;
                    break;
                }
            }
            if (found)
                break;
        }
        QVERIFY2(found, "need two cases with different E");

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        // A copy under a distinct name, so the message can be checked to name it.
        const QString projection = tmp.filePath(QStringLiteral("wrong-e.safetensors"));
        QVERIFY(QFile::copy(other.dir + QStringLiteral("/weights.safetensors"), projection));
        expectRefused(input, projection, QRegularExpression(QStringLiteral("dimension")));
    }

    // A copy cut in the middle of the tensor data: the header promises more than the file holds.
    void truncatedRefused()
    {
        Case c;
        QVERIFY2(firstCase(c), "no fixture cases");
        const QByteArray bytes = readBytes(c.dir + QStringLiteral("/weights.safetensors"));
        nlohmann::json header;
        QByteArray data;
        QVERIFY2(splitSafetensors(bytes, header, data), "the fixture is not a safetensors file");
        QVERIFY(data.size() >= 2);
        const qsizetype cut = bytes.size() - data.size() / 2;

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString projection = tmp.filePath(QStringLiteral("truncated.safetensors"));
        QVERIFY(writeBytes(projection, bytes.left(cut)));
        expectRefused(c, projection,
                      QRegularExpression(QStringLiteral("past the end|truncat|too short|larger than|outside"),
                                         QRegularExpression::CaseInsensitiveOption));
    }

    // The 8-byte header length claims 1 TB: refused before any allocation.
    void hugeHeaderLengthRefused()
    {
        Case c;
        QVERIFY2(firstCase(c), "no fixture cases");
        QByteArray bytes = readBytes(c.dir + QStringLiteral("/weights.safetensors"));
        QVERIFY(bytes.size() > 8);
        const uint64_t oneTb = uint64_t(1) << 40;
        for (int i = 0; i < 8; ++i)
            bytes[i] = char((oneTb >> (8 * i)) & 0xff);

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString projection = tmp.filePath(QStringLiteral("huge-header.safetensors"));
        QVERIFY(writeBytes(projection, bytes));
        expectRefused(c, projection,
                      QRegularExpression(QStringLiteral("header length"), QRegularExpression::CaseInsensitiveOption));
    }

    // A tensor whose data_offsets point past the end of the data section.
    void offsetsPastEndRefused_data()
    {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<quint64>("shift");
        QTest::newRow("in_proj_weight+1MB") << QStringLiteral("in_proj_weight") << (quint64(1) << 20);
        // out_proj.weight is the last tensor of the data section: 4 bytes past its end.
        QTest::newRow("out_proj.weight+4") << QStringLiteral("out_proj.weight") << quint64(4);
        QTest::newRow("out_proj.bias near 2^64")
            << QStringLiteral("out_proj.bias") << quint64(std::numeric_limits<uint64_t>::max() - (uint64_t(1) << 20));
    }
    void offsetsPastEndRefused()
    {
        QFETCH(QString, tensor);
        QFETCH(quint64, shift);
        Case c;
        QVERIFY2(firstCase(c), "no fixture cases");
        nlohmann::json header;
        QByteArray data;
        QVERIFY2(splitSafetensors(readBytes(c.dir + QStringLiteral("/weights.safetensors")), header, data),
                 "the fixture is not a safetensors file");
        const std::string name = tensor.toStdString();
        QVERIFY2(header.contains(name), qPrintable(QStringLiteral("the fixture has no tensor ") + tensor));
        auto& offsets = header[name]["data_offsets"];
        const uint64_t begin = offsets[0].get<uint64_t>();
        const uint64_t end = offsets[1].get<uint64_t>();
        // Shift both ends, keeping the span (and so the shape/dtype agreement) intact when it fits.
        const uint64_t room = std::numeric_limits<uint64_t>::max() - end;
        const uint64_t s = shift < room ? shift : room;
        offsets = nlohmann::json::array({begin + s, end + s});
        QVERIFY(end + s > uint64_t(data.size()));

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString projection = tmp.filePath(QStringLiteral("past-end.safetensors"));
        QVERIFY(writeBytes(projection, safetensorsImage(header, data)));
        expectRefused(c, projection,
                      QRegularExpression(QStringLiteral("past the end|outside|data_offsets"),
                                         QRegularExpression::CaseInsensitiveOption));
    }
};

QTEST_GUILESS_MAIN(TestCliTorch)
#include "tst_cli_torch.moc"
