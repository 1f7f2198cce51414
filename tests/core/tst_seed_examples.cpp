// The seed documents' worked examples, bundled as samples, give the digest's correct numbers
// (shared/docs/seeds-digest.md), never the seeds' printed mistakes.
#include "AttentionEngine.h"
#include "InputBuilder.h"
#include "SampleLibrary.h"

#include <QtTest>

using namespace attn;

class TestSeedExamples : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void everySampleComputes();
    void seed000CrossAttention();
    void seed002BilinearOneThirdEach_data();
    void seed002BilinearOneThirdEach();
    void seed004SigmoidGate();
    void seed001TextAndMlpSamples();
    void sampleNamesAreStable();

private:
    AttentionResult run(const std::string& name);
    std::vector<Sample> m_samples;
};

void TestSeedExamples::initTestCase()
{
    const QByteArray dir = qgetenv("ATTNSCOPE_SOURCE_DIR") + "/resources/samples";
    auto samples = SampleLibrary::loadDirectory(dir.toStdString());
    QVERIFY2(samples.ok(), samples.ok() ? "" : samples.error().c_str());
    m_samples = *samples;
}

AttentionResult TestSeedExamples::run(const std::string& name)
{
    for (const Sample& s : m_samples)
        if (s.name == name) {
            auto input = InputBuilder::build(s.input, s.mechanism.dim);
            if (!input)
                qFatal("%s: %s", name.c_str(), input.error().c_str());
            auto r = AttentionEngine::compute(*input, s.mechanism);
            if (!r)
                qFatal("%s: %s", name.c_str(), r.error().c_str());
            return *r;
        }
    qFatal("no sample %s", name.c_str());
}

void TestSeedExamples::everySampleComputes()
{
    QVERIFY(m_samples.size() >= 12);
    for (const Sample& s : m_samples) {
        if (s.kind == "image")
            continue; // the app decodes pictures first: tst_image decodes and runs these samples
        if (s.kind == "model")
            continue; // checkpoints run through ModelRunner: tst_llama2c runs these samples
        auto input = InputBuilder::build(s.input, s.mechanism.dim);
        QVERIFY2(input.ok(), s.name.c_str());
        auto r = AttentionEngine::compute(*input, s.mechanism);
        QVERIFY2(r.ok(), (s.name + ": " + (r.ok() ? "" : r.error())).c_str());
        QVERIFY(r->warnings.empty());
        // Every weight is finite and in [0, 1].
        for (float w : r->weights)
            QVERIFY(std::isfinite(w) && w >= 0.0f && w <= 1.0f);
    }
}

void TestSeedExamples::seed000CrossAttention()
{
    const AttentionResult r = run("seed000-cross");
    QVERIFY(r.cross);
    QCOMPARE(r.queryCount, 4);
    QCOMPARE(r.keyCount, 4);
    const double row5[] = {3.038412e-07, 4.509403e-05, 6.692547e-03, 9.932621e-01};
    for (int j = 0; j < 4; ++j)
        QVERIFY2(std::abs(r.weight(0, 0, 0, j) - row5[j]) < 1e-6,
            qPrintable(QStringLiteral("a(5,%1) = %2").arg(j).arg(r.weight(0, 0, 0, j), 0, 'g', 8)));
    const double outputs[] = {3.993216, 3.997515, 3.999087, 3.999664};
    for (int i = 0; i < 4; ++i)
        QVERIFY2(std::abs(r.output(i, 0) - outputs[i]) < 1e-6,
            qPrintable(QStringLiteral("output %1 = %2").arg(i).arg(r.output(i, 0), 0, 'g', 8)));
    QCOMPARE(r.queryLabels, (std::vector<std::string>{"5", "6", "7", "8"}));
}

void TestSeedExamples::seed002BilinearOneThirdEach_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("ratio") << QStringLiteral("seed002-ratio");
    QTest::newRow("softmax") << QStringLiteral("seed002-softmax");
}

void TestSeedExamples::seed002BilinearOneThirdEach()
{
    QFETCH(QString, name);
    const AttentionResult r = run(name.toStdString());
    QCOMPARE(r.mechanism.score, ScoreKind::Bilinear);
    for (int j = 0; j < 3; ++j)
        QVERIFY(std::abs(r.weight(0, 0, 0, j) - 1.0 / 3.0) < 1e-6); // not the seed's 0.37037
    // Element-wise combination: e_j' = w_j e_j = (1/3) e_j.
    QCOMPARE(r.output.rows(), 3);
    for (int j = 0; j < 3; ++j)
        for (int c = 0; c < 3; ++c)
            QVERIFY(std::abs(r.output(j, c) - (j == c ? 1.0 / 3.0 : 0.0)) < 1e-6);
}

void TestSeedExamples::seed004SigmoidGate()
{
    const AttentionResult r = run("seed004-sigmoid");
    const double w[] = {0.952574, 0.993307, 0.999089}; // sigmoid(3), sigmoid(5), sigmoid(7)
    for (int j = 0; j < 3; ++j)
        QVERIFY2(std::abs(r.weight(0, 0, 0, j) - w[j]) < 1e-6,
            qPrintable(QStringLiteral("w%1 = %2").arg(j).arg(r.weight(0, 0, 0, j), 0, 'g', 8)));
    // The seed prints [6.92, 11.48]; the correct output is [5.936455, 8.881425].
    QVERIFY(std::abs(r.output(0, 0) - 5.936455) < 1e-5);
    QVERIFY(std::abs(r.output(0, 1) - 8.881425) < 1e-5);
    double sum = 0.0;
    for (int j = 0; j < 3; ++j)
        sum += r.weight(0, 0, 0, j);
    QVERIFY(sum > 2.9); // a sigmoid gate, not a distribution
}

void TestSeedExamples::seed001TextAndMlpSamples()
{
    const AttentionResult text = run("seed001-text");
    QCOMPARE(text.keyLabels, (std::vector<std::string>{"I", "went", "to", "the", "store", "and", "bought", "some", "apples"}));
    QCOMPARE(text.heads, 4);
    const AttentionResult mlp = run("seed004-mlp");
    QCOMPARE(mlp.keyCount, 12);
    QCOMPARE(mlp.inputDim, 10);
    QCOMPARE(mlp.heads, 2);
}

void TestSeedExamples::sampleNamesAreStable()
{
    QStringList names;
    for (const Sample& s : m_samples)
        names << QString::fromStdString(s.name);
    for (const char* n : {"seed000-cross", "seed001-text", "seed002-ratio", "seed002-softmax", "seed004-sigmoid",
             "seed004-mlp", "text-fox", "text-attention", "text-playing", "text-zh", "seq-seasonal", "seq-clusters"})
        QVERIFY2(names.contains(QLatin1String(n)), n);
    QCOMPARE(m_samples.front().kind, std::string("seed")); // seeds listed first
}

QTEST_APPLESS_MAIN(TestSeedExamples)
#include "tst_seed_examples.moc"
