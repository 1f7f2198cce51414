// The analysis flags of the command line: `dump --rollout [--fusion] [--discard]` against a naive
// rollout of the dumped weights (written here from the formula), `--drop-first` against the
// dumped weights renormalised by hand, `--merge-subwords` on stories260K (skipped without
// the bundled resources/models copy), and the usage errors.
#include "CliRun.h"
#include "NpyFile.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

class TestCliAnalysis : public QObject {
    Q_OBJECT
private slots:
    void rolloutMatchesNaive_data();
    void rolloutMatchesNaive();
    void dropFirstRenormalises();
    void mergeSubwordsOnModel();
    void errors_data();
    void errors();

private:
    using Run = CliRun;
    static Run run(const QStringList& args) { return runAttnscope(args); }
    attn::NpyArray load(const QString& path);
    QTemporaryDir m_dir;
};

attn::NpyArray TestCliAnalysis::load(const QString& path)
{
    auto a = attn::NpyFile::readFile(path.toStdString());
    if (!a)
        qFatal("%s", a.error().c_str());
    return *a;
}

namespace {
const QStringList kInput { QStringLiteral("--text"),
    QStringLiteral("the cat sat on the mat and the dog sat too"), QStringLiteral("--heads"),
    QStringLiteral("4"), QStringLiteral("--projection"), QStringLiteral("random"),
    QStringLiteral("--causal") };
}

void TestCliAnalysis::rolloutMatchesNaive_data()
{
    QTest::addColumn<QString>("fusion");
    QTest::addColumn<double>("discard");
    QTest::newRow("mean") << QStringLiteral("mean") << 0.0;
    QTest::newRow("min 0.4") << QStringLiteral("min") << 0.4;
    QTest::newRow("max 0.25") << QStringLiteral("max") << 0.25;
}

void TestCliAnalysis::rolloutMatchesNaive()
{
    QFETCH(QString, fusion);
    QFETCH(double, discard);
    const QString weights = m_dir.filePath(QStringLiteral("w.npy")),
                  rolloutPath = m_dir.filePath(QStringLiteral("r.npy"));
    Run a = run(
        QStringList { QStringLiteral("dump") } + kInput + QStringList { QStringLiteral("--out"), weights });
    QVERIFY2(a.code == 0, qPrintable(a.err));
    Run b = run(QStringList { QStringLiteral("dump") } + kInput
        + QStringList { QStringLiteral("--rollout"), QStringLiteral("--fusion"), fusion,
            QStringLiteral("--discard"), QString::number(discard), QStringLiteral("--out"), rolloutPath });
    QVERIFY2(b.code == 0, qPrintable(b.err));
    const auto w = load(weights);
    const auto r = load(rolloutPath);
    QCOMPARE(w.shape.size(), size_t { 4 });
    const int heads = static_cast<int>(w.shape[1]), n = static_cast<int>(w.shape[2]);
    QCOMPARE(r.shape, (std::vector<int64_t> { n, n }));
    // One layer: R = Â = rownorm(0.5 * discard(fuse(W)) + 0.5 I).
    for (int i = 0; i < n; ++i) {
        std::vector<double> row(static_cast<size_t>(n));
        for (int j = 0; j < n; ++j) {
            double v = fusion == QLatin1String("mean") ? 0.0 : w.data[static_cast<size_t>(i) * n + j];
            for (int h = 0; h < heads; ++h) {
                const double x = w.data[(static_cast<size_t>(h) * n + i) * n + j];
                v = fusion == QLatin1String("mean")  ? v + x / heads
                    : fusion == QLatin1String("min") ? std::min(v, x)
                                                     : std::max(v, x);
            }
            row[static_cast<size_t>(j)] = v;
        }
        std::vector<int> others;
        for (int j = 0; j < n; ++j)
            if (j != i)
                others.push_back(j);
        std::stable_sort(others.begin(), others.end(), [&](int x, int y) { return row[x] < row[y]; });
        const int count = static_cast<int>(std::floor(discard * (n - 1)));
        for (int t = 0; t < count; ++t)
            row[static_cast<size_t>(others[static_cast<size_t>(t)])] = 0.0;
        for (double& v : row)
            v *= 0.5;
        row[static_cast<size_t>(i)] += 0.5;
        const double sum = std::accumulate(row.begin(), row.end(), 0.0);
        for (int j = 0; j < n; ++j)
            QVERIFY2(
                std::abs(row[static_cast<size_t>(j)] / sum - r.data[static_cast<size_t>(i) * n + j]) < 1e-6,
                qPrintable(QStringLiteral("cell %1,%2").arg(i).arg(j)));
    }
}

void TestCliAnalysis::dropFirstRenormalises()
{
    const QString weights = m_dir.filePath(QStringLiteral("w.npy")),
                  dropped = m_dir.filePath(QStringLiteral("d.npy"));
    const QString tokens = m_dir.filePath(QStringLiteral("t.json"));
    QCOMPARE(run(QStringList { QStringLiteral("dump") } + kInput
                 + QStringList { QStringLiteral("--out"), weights })
                 .code,
        0);
    Run d = run(QStringList { QStringLiteral("dump") } + kInput
        + QStringList { QStringLiteral("--drop-first"), QStringLiteral("--out"), dropped,
            QStringLiteral("--tokens-out"), tokens });
    QVERIFY2(d.code == 0, qPrintable(d.err));
    const auto w = load(weights), f = load(dropped);
    const int heads = static_cast<int>(w.shape[1]), n = static_cast<int>(w.shape[2]);
    QCOMPARE(f.shape, (std::vector<int64_t> { 1, heads, n - 1, n - 1 }));
    std::ifstream in(tokens.toStdString());
    const auto labels = nlohmann::json::parse(in)["tokens"].get<std::vector<std::string>>();
    QCOMPARE(labels.size(), static_cast<size_t>(n - 1));
    QCOMPARE(labels.front(), std::string("cat"));
    for (int h = 0; h < heads; ++h)
        for (int i = 1; i < n; ++i) {
            double sum = 0.0;
            for (int j = 1; j < n; ++j)
                sum += w.data[(static_cast<size_t>(h) * n + i) * n + j];
            for (int j = 1; j < n; ++j) {
                const double expected = w.data[(static_cast<size_t>(h) * n + i) * n + j] / sum;
                QVERIFY(
                    std::abs(expected - f.data[(static_cast<size_t>(h) * (n - 1) + i - 1) * (n - 1) + j - 1])
                    < 1e-6);
            }
        }
}

void TestCliAnalysis::mergeSubwordsOnModel()
{
    const QString model = qEnvironmentVariable("ATTNSCOPE_BUNDLED_MODEL");
    QVERIFY2(QFileInfo::exists(model + QStringLiteral("/stories260K.bin")), qPrintable(model));
    const QString out = m_dir.filePath(QStringLiteral("m.npy")),
                  tokens = m_dir.filePath(QStringLiteral("m.json"));
    // " p" "ar" "k" -> park, " do" "g" -> dog; BOS dropped.
    Run m = run({ QStringLiteral("dump"), QStringLiteral("--model"), model, QStringLiteral("--text"),
        QStringLiteral("Lily liked to play in the park with her dog."), QStringLiteral("--drop-special"),
        QStringLiteral("--merge-subwords"), QStringLiteral("--out"), out, QStringLiteral("--tokens-out"),
        tokens });
    QVERIFY2(m.code == 0, qPrintable(m.err));
    std::ifstream in(tokens.toStdString());
    const auto labels = nlohmann::json::parse(in)["tokens"].get<std::vector<std::string>>();
    QCOMPARE(labels,
        (std::vector<std::string> {
            "Lily", "liked", "to", "play", "in", "the", "park", "with", "her", "dog", "." }));
    const auto f = load(out);
    QCOMPARE(f.shape, (std::vector<int64_t> { 5, 8, 11, 11 }));
    for (size_t row = 0; row < f.data.size() / 11; ++row) {
        double sum = 0.0;
        for (int j = 0; j < 11; ++j)
            sum += f.data[row * 11 + j];
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
    }
}

void TestCliAnalysis::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    const QString out = QStringLiteral("/nonexistent-dir/x.npy");
    QTest::newRow("discard without rollout") << (kInput
        + QStringList { QStringLiteral("--discard"), QStringLiteral("0.5"), QStringLiteral("--out"), out })
                                             << 2 << QStringLiteral("--discard needs --rollout");
    QTest::newRow("discard 1") << (kInput
        + QStringList { QStringLiteral("--rollout"), QStringLiteral("--discard"), QStringLiteral("1"),
            QStringLiteral("--out"), out })
                               << 2 << QStringLiteral("not a number in [0, 1)");
    QTest::newRow("discard nan") << (kInput
        + QStringList { QStringLiteral("--rollout"), QStringLiteral("--discard"), QStringLiteral("nan"),
            QStringLiteral("--out"), out })
                                 << 2 << QStringLiteral("not a number in [0, 1)");
    QTest::newRow("fusion") << (kInput
        + QStringList { QStringLiteral("--rollout"), QStringLiteral("--fusion"), QStringLiteral("median"),
            QStringLiteral("--out"), out })
                            << 2 << QStringLiteral("not one of mean, min, max");
    QTest::newRow("rollout json") << (kInput
        + QStringList { QStringLiteral("--rollout"), QStringLiteral("--out"), QStringLiteral("r.json") })
                                  << 2 << QStringLiteral("--rollout writes a .npy file");
    QTest::newRow("cross rollout") << QStringList { QStringLiteral("--sequence"),
        QStringLiteral("1,2;3,4;5,6"), QStringLiteral("--queries-sequence"), QStringLiteral("1,0;0,1"),
        QStringLiteral("--rollout"), QStringLiteral("--out"), out }
                                   << 1 << QStringLiteral("needs self-attention");
    QTest::newRow("drop everything") << QStringList { QStringLiteral("--text"), QStringLiteral("[CLS]"),
        QStringLiteral("--drop-special"), QStringLiteral("--out"), out }
                                     << 1 << QStringLiteral("no token");
}

void TestCliAnalysis::errors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, message);
    Run r = run(QStringList { QStringLiteral("dump") } + args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

QTEST_MAIN(TestCliAnalysis)
#include "tst_cli_analysis.moc"
