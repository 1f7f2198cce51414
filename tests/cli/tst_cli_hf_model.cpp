// Hugging Face checkpoints from the command line: `dump --model FOLDER --text STR` on the tiny BERT,
// GPT-2 and Llama folders of tests/fixtures/hf writes every layer's attention equal to the PyTorch
// reference (tests/tools/make_hf_fixtures.py) and the token ids the fixture script's tokenizer gives,
// `generate` continues like torch's greedy argmax, `export` draws the layer x head grid, and a ViT
// folder given a text prompt is refused with a clear message.
#include "CliRun.h"
#include "NpyFile.h"
#include "VitFixturePicture.h"

#include <nlohmann/json.hpp>

#include <QColor>
#include <QImage>
#include <QtEndian>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace {

nlohmann::json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return nlohmann::json::parse(in);
}

} // namespace

class TestCliHfModel : public QObject {
    Q_OBJECT
private slots:
    void dumpMatchesTorch_data();
    void dumpMatchesTorch();
    void generateMatchesTorchGreedy();
    void exportDrawsTheHeadsGrid();
    void vitRunsAPicture();
    void qkvOutReproducesTheWeights();
    void errors_data();
    void errors();

private:
    using Run = CliRun;
    static Run run(const QStringList& args) { return runAttnscope(args); }
    static QString fixture(const QString& family)
    {
        return qEnvironmentVariable("ATTNSCOPE_FIXTURES") + QStringLiteral("/hf/") + family;
    }
    QTemporaryDir m_dir;
};

void TestCliHfModel::dumpMatchesTorch_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("first");
    QTest::newRow("bert") << "bert"
                          << "[CLS]";
    QTest::newRow("gpt2") << "gpt2"
                          << "<|endoftext|>";
    QTest::newRow("llama") << "llama"
                           << "<s>";
}

void TestCliHfModel::dumpMatchesTorch()
{
    QFETCH(QString, family);
    QFETCH(QString, first);
    const auto expected = readJson(fixture(family) + QStringLiteral("/expected.json"));
    const QString out = m_dir.filePath(family + QStringLiteral(".npy"));
    const QString tokensOut = m_dir.filePath(family + QStringLiteral(".json"));
    const Run r = run({ QStringLiteral("dump"), QStringLiteral("--model"), fixture(family),
        QStringLiteral("--text"), QString::fromStdString(expected["text"].get<std::string>()),
        QStringLiteral("--out"), out, QStringLiteral("--tokens-out"), tokensOut });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto got = attn::NpyFile::readFile(out.toStdString());
    auto reference
        = attn::NpyFile::readFile((fixture(family) + QStringLiteral("/attention.npy")).toStdString());
    QVERIFY(got.ok() && reference.ok());
    QCOMPARE(got->shape, reference->shape); // [2, 4, N, N]
    double maxDiff = 0.0;
    for (size_t k = 0; k < got->data.size(); ++k)
        maxDiff = std::max(maxDiff, static_cast<double>(std::abs(got->data[k] - reference->data[k])));
    qInfo("%s: dump vs torch, max |diff| = %.3g", qPrintable(family), maxDiff);
    QVERIFY2(maxDiff <= 1e-4, qPrintable(QString::number(maxDiff)));
    const auto tokens = readJson(tokensOut);
    QCOMPARE(tokens["ids"].get<std::vector<int>>(), expected["text_ids"].get<std::vector<int>>());
    QCOMPARE(QString::fromStdString(tokens["tokens"][0].get<std::string>()), first);
    QCOMPARE(tokens["special"][0].get<int>(), 1);
    QCOMPARE(tokens.contains("next_token"), family != QLatin1String("bert"));
}

void TestCliHfModel::generateMatchesTorchGreedy()
{
    const auto expected = readJson(fixture(QStringLiteral("gpt2")) + QStringLiteral("/expected.json"));
    const Run r
        = run({ QStringLiteral("generate"), QStringLiteral("--model"), fixture(QStringLiteral("gpt2")),
            QStringLiteral("--text"), QString::fromStdString(expected["text"].get<std::string>()),
            QStringLiteral("--steps"), QStringLiteral("5"), QStringLiteral("--tokens") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.first().startsWith(QString::fromStdString(expected["text"].get<std::string>())));
    std::vector<int> ids;
    for (const QString& line : lines.mid(1))
        ids.push_back(line.section(QLatin1Char('\t'), 1, 1).toInt());
    QCOMPARE(ids, expected["greedy5"].get<std::vector<int>>());
}

void TestCliHfModel::exportDrawsTheHeadsGrid()
{
    const QString out = m_dir.filePath(QStringLiteral("llama-heads.png"));
    const Run r = run({ QStringLiteral("export"), QStringLiteral("--model"), fixture(QStringLiteral("llama")),
        QStringLiteral("--text"), QStringLiteral("Once upon a time"), QStringLiteral("--view"),
        QStringLiteral("heads"), QStringLiteral("--out"), out, QStringLiteral("--width"),
        QStringLiteral("900"), QStringLiteral("--height"), QStringLiteral("700") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile png(out);
    QVERIFY(png.open(QIODevice::ReadOnly));
    const QByteArray header = png.read(24);
    QVERIFY(header.startsWith("\x89PNG"));
    QCOMPARE(qFromBigEndian<quint32>(header.constData() + 16), 900u);
    QCOMPARE(qFromBigEndian<quint32>(header.constData() + 20), 700u);
}

// `--model VIT --image F`: the picture through the tiny ViT equals torch's attention; the overlay
// export draws its CLS token's rollout (the CLS row of the core rollout) over the picture.
void TestCliHfModel::vitRunsAPicture()
{
    // The fixture's pixels (normalised with mean = std = 0.5 from 8-bit values) back to a 16 x 16 PNG.
    const QImage picture = vitFixturePicture(fixture(QStringLiteral("vit")));
    QVERIFY(!picture.isNull());
    const QString png = m_dir.filePath(QStringLiteral("vit-input.png"));
    QVERIFY(picture.save(png));
    const QString out = m_dir.filePath(QStringLiteral("vit.npy"));
    const QString tokensOut = m_dir.filePath(QStringLiteral("vit.json"));
    Run r = run({ QStringLiteral("dump"), QStringLiteral("--model"), fixture(QStringLiteral("vit")), QStringLiteral("--image"),
        png, QStringLiteral("--out"), out, QStringLiteral("--tokens-out"), tokensOut });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto got = attn::NpyFile::readFile(out.toStdString());
    auto reference = attn::NpyFile::readFile((fixture(QStringLiteral("vit")) + QStringLiteral("/attention.npy")).toStdString());
    QVERIFY(got.ok() && reference.ok());
    QCOMPARE(got->shape, reference->shape); // [2, 4, 17, 17]: CLS + 4 x 4 patches
    double maxDiff = 0.0;
    for (size_t k = 0; k < got->data.size(); ++k)
        maxDiff = std::max(maxDiff, static_cast<double>(std::abs(got->data[k] - reference->data[k])));
    qInfo("vit: dump --image vs torch, max |diff| = %.3g", maxDiff);
    QVERIFY2(maxDiff <= 1e-4, qPrintable(QString::number(maxDiff)));
    const auto tokens = readJson(tokensOut);
    QCOMPARE(QString::fromStdString(tokens["tokens"][0].get<std::string>()), QStringLiteral("CLS"));
    QCOMPARE(QString::fromStdString(tokens["tokens"][16].get<std::string>()), QStringLiteral("3,3"));

    // The rollout overlay (CLS row by default) as SVG: 16 patch rectangles, the picture embedded.
    const QString svg = m_dir.filePath(QStringLiteral("vit-rollout.svg"));
    r = run({ QStringLiteral("export"), QStringLiteral("--model"), fixture(QStringLiteral("vit")), QStringLiteral("--image"), png,
        QStringLiteral("--view"), QStringLiteral("overlay"), QStringLiteral("--overlay-mode"), QStringLiteral("rollout"),
        QStringLiteral("--out"), svg });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("<image"));
    QVERIFY2(text.contains("rollout to the CLS token"), text.left(400).constData());

    // Patch options belong to the engine's encoders, not to a checkpoint.
    r = run({ QStringLiteral("dump"), QStringLiteral("--model"), fixture(QStringLiteral("vit")), QStringLiteral("--image"), png,
        QStringLiteral("--patch"), QStringLiteral("8"), QStringLiteral("--out"), out });
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("--patch does not apply to a ViT checkpoint (its config.json fixes the patches)")),
        qPrintable(r.err));
}

// `dump --qkv-out`: per-head Q, K, V [3, L, H, N, d]; softmax(q k^T / sqrt d) with the causal mask
// gives back the dumped weights of every layer and head.
void TestCliHfModel::qkvOutReproducesTheWeights()
{
    const QString out = m_dir.filePath(QStringLiteral("llama-w.npy")), qkv = m_dir.filePath(QStringLiteral("llama-qkv.npy"));
    Run r = run({ QStringLiteral("dump"), QStringLiteral("--model"), fixture(QStringLiteral("llama")), QStringLiteral("--text"),
        QStringLiteral("Once upon a time"), QStringLiteral("--out"), out, QStringLiteral("--qkv-out"), qkv });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto w = attn::NpyFile::readFile(out.toStdString());
    auto a = attn::NpyFile::readFile(qkv.toStdString());
    QVERIFY(w.ok() && a.ok());
    QCOMPARE(a->shape.size(), size_t(5));
    QCOMPARE(a->shape[0], int64_t(3));
    const int64_t L = a->shape[1], H = a->shape[2], N = a->shape[3], d = a->shape[4];
    QCOMPARE(w->shape, (std::vector<int64_t>{ L, H, N, N }));
    const size_t block = static_cast<size_t>(L * H * N * d);
    const float* q = a->data.data();
    const float* k = q + block;
    const float* v = k + block;
    QVERIFY(std::any_of(v, v + block, [](float x) { return x != 0.0f; }));
    double worst = 0.0;
    for (int64_t lh = 0; lh < L * H; ++lh)
        for (int64_t i = 0; i < N; ++i) {
            std::vector<double> s(static_cast<size_t>(i + 1));
            double mx = -1e300, sum = 0.0;
            for (int64_t j = 0; j <= i; ++j) {
                double dot = 0.0;
                for (int64_t e = 0; e < d; ++e)
                    dot += static_cast<double>(q[(lh * N + i) * d + e]) * k[(lh * N + j) * d + e];
                s[static_cast<size_t>(j)] = dot / std::sqrt(static_cast<double>(d));
                mx = std::max(mx, s[static_cast<size_t>(j)]);
            }
            for (double& x : s)
                sum += (x = std::exp(x - mx));
            for (int64_t j = 0; j < N; ++j) {
                const double expected = j <= i ? s[static_cast<size_t>(j)] / sum : 0.0;
                worst = std::max(worst, std::abs(expected - w->data[static_cast<size_t>((lh * N + i) * N + j)]));
            }
        }
    qInfo("llama: softmax(q k / sqrt d) from --qkv-out vs the dumped weights, max |diff| = %.3g", worst);
    QVERIFY(worst < 1e-5);
    // The engine has no per-head Q/K/V of a checkpoint: said, not written.
    r = run({ QStringLiteral("dump"), QStringLiteral("--text"), QStringLiteral("a b c"), QStringLiteral("--out"), out,
        QStringLiteral("--qkv-out"), m_dir.filePath(QStringLiteral("none.npy")) });
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QLatin1String("--qkv-out: per-head queries, keys and values are captured for checkpoints (--model) only")),
        qPrintable(r.err));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("none.npy"))));
}

void TestCliHfModel::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString out = m_dir.filePath(QStringLiteral("never.npy"));
    QTest::newRow("vit with text") << QStringList { QStringLiteral("dump"), QStringLiteral("--model"),
        fixture(QStringLiteral("vit")), QStringLiteral("--text"), QStringLiteral("hi"),
        QStringLiteral("--out"), out }
                                   << QStringLiteral("is a ViT model: it takes a picture, not a text prompt");
    QTest::newRow("bert generates") << QStringList {
        QStringLiteral("generate"), QStringLiteral("--model"), fixture(QStringLiteral("bert")),
        QStringLiteral("--text"), QStringLiteral("the cat"), QStringLiteral("--steps"), QStringLiteral("3")
    } << QStringLiteral("a bert model does not generate text (it is not a causal language model)");
    QTest::newRow("too long for gpt2") << QStringList { QStringLiteral("dump"), QStringLiteral("--model"),
        fixture(QStringLiteral("gpt2")), QStringLiteral("--text"), QStringLiteral("the cat ").repeated(40),
        QStringLiteral("--out"),
        out } << QStringLiteral("tokens are more than the model's context length of 64");
}

void TestCliHfModel::errors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = run(args);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.npy"))));
}

QTEST_GUILESS_MAIN(TestCliHfModel)
#include "tst_cli_hf_model.moc"
