// Text tokenizers and the built-in embeddings.
#include "InputBuilder.h"
#include "MechanismJson.h"
#include "TextEmbedder.h"
#include "TextTokenizer.h"
#include "Utf8.h"

#include <nlohmann/json.hpp>

#include <QtTest>

using namespace attn;

class TestText : public QObject {
    Q_OBJECT
private slots:
    void wordTokens_data();
    void wordTokens();
    void characterTokens();
    void invalidUtf8NeverCrashes();
    void embeddingsAreDeterministicAndScaled();
    void relatedWordsHaveRelatedVectors();
    void positionsAreSinusoidal();
    void paddingTokensBecomePaddedKeys();
    void emptyTextIsAnError();
    void mechanismJsonRoundTrip();
    void mechanismJsonRejectsTypos();
};

void TestText::wordTokens_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::newRow("plain") << QStringLiteral("The cat sat.") << QStringList{"The", "cat", "sat", "."};
    QTest::newRow("punctuation") << QStringLiteral("Hello, world!") << QStringList{"Hello", ",", "world", "!"};
    QTest::newRow("contraction") << QStringLiteral("don't stop") << QStringList{"don't", "stop"};
    QTest::newRow("hyphen") << QStringLiteral("well-known fact") << QStringList{"well-known", "fact"};
    QTest::newRow("whitespace runs") << QStringLiteral("  a \t\n b  ") << QStringList{"a", "b"};
    QTest::newRow("chinese") << QStringLiteral("注意力机制。") << QStringList{"注", "意", "力", "机", "制", "。"};
    QTest::newRow("mixed") << QStringLiteral("AI的注意力") << QStringList{"AI", "的", "注", "意", "力"};
    QTest::newRow("specials") << QStringLiteral("[CLS] hi [PAD] <pad>") << QStringList{"[CLS]", "hi", "[PAD]", "<pad>"};
    QTest::newRow("accents") << QStringLiteral("café naïve") << QStringList{"café", "naïve"};
    QTest::newRow("numbers") << QStringLiteral("3.5 apples") << QStringList{"3", ".", "5", "apples"};
    QTest::newRow("fullwidth comma") << QStringLiteral("你好，世界") << QStringList{"你", "好", "，", "世", "界"};
}

void TestText::wordTokens()
{
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);
    QStringList got;
    for (const auto& t : TextTokenizer::tokenize(text.toStdString(), TokenizerKind::Word))
        got << QString::fromStdString(t);
    QCOMPARE(got, tokens);
}

void TestText::characterTokens()
{
    const auto t = TextTokenizer::tokenize("ab c注", TokenizerKind::Character);
    QCOMPARE(t, (std::vector<std::string>{"a", "b", "c", "注"}));
}

void TestText::invalidUtf8NeverCrashes()
{
    const std::string bad = std::string("ok \xff\xfe bad \xe6\xb3") + "end";
    const auto t = TextTokenizer::tokenize(bad, TokenizerKind::Word);
    QVERIFY(t.size() >= 3);
    QCOMPARE(t.front(), std::string("ok"));
    QCOMPARE(t.back(), std::string("end"));
    const auto cps = Utf8::decode("\xe6\xb3\xa8");
    QCOMPARE(cps.size(), size_t(1));
    QCOMPARE(static_cast<uint32_t>(cps[0].value), 0x6CE8u); // 注
    QCOMPARE(Utf8::decode("\xc0\x80").front().value, U'\uFFFD'); // overlong NUL
}

void TestText::embeddingsAreDeterministicAndScaled()
{
    const Vector a = TextEmbedder::embedToken("attention", 64);
    const Vector b = TextEmbedder::embedToken("attention", 64);
    QVERIFY(a == b);
    QVERIFY(std::abs(a.squaredNorm() - 4.0f * 8.0f) < 1e-3); // 4 * sqrt(64)
    QVERIFY(TextEmbedder::embedToken("The", 64) == TextEmbedder::embedToken("the", 64));
    // scaled-dot score of a token with itself is 4
    QVERIFY(std::abs(a.dot(a) / 8.0f - 4.0f) < 1e-3);
}

void TestText::relatedWordsHaveRelatedVectors()
{
    auto cosine = [](const std::string& x, const std::string& y) {
        const Vector a = TextEmbedder::embedToken(x, 128), b = TextEmbedder::embedToken(y, 128);
        return a.dot(b) / (a.norm() * b.norm());
    };
    QVERIFY(cosine("play", "played") > 0.3f);
    QVERIFY(cosine("teacher", "teachers") > 0.5f);
    QVERIFY(std::abs(cosine("play", "zebra")) < 0.25f);
    QVERIFY(cosine("play", "played") > cosine("play", "zebra") + 0.2f);
}

void TestText::positionsAreSinusoidal()
{
    const Matrix pe = TextEmbedder::sinusoidalPositions(5, 16);
    const double scale = std::sqrt(2.0 / 4.0);
    QVERIFY(std::abs(pe(0, 0) - 0.0) < 1e-7);
    QVERIFY(std::abs(pe(0, 1) - scale) < 1e-6);
    QVERIFY(std::abs(pe(3, 0) - scale * std::sin(3.0)) < 1e-6);
    QVERIFY(std::abs(pe(3, 2) - scale * std::sin(3.0 / std::pow(10000.0, 2.0 / 16))) < 1e-6);
    QVERIFY(std::abs(pe(2, 5) - scale * std::cos(2.0 / std::pow(10000.0, 4.0 / 16))) < 1e-6);
    const Matrix with = TextEmbedder::embed({"a", "a"}, 16, true);
    const Matrix without = TextEmbedder::embed({"a", "a"}, 16, false);
    QVERIFY(without.row(0) == without.row(1));
    QVERIFY(with.row(0) != with.row(1));
    QVERIFY((with - without).isApprox(pe.topRows(2)));
}

void TestText::paddingTokensBecomePaddedKeys()
{
    InputSpec spec;
    spec.text = "hello world [PAD] [PAD]";
    auto in = InputBuilder::build(spec, 16);
    QVERIFY(in.ok());
    QCOMPARE(in->paddedKeys, (std::vector<int>{2, 3}));
    QCOMPARE(in->keys.rows(), 4);
    QCOMPARE(in->keys.cols(), 16);
}

void TestText::emptyTextIsAnError()
{
    InputSpec spec;
    spec.text = "   \n\t ";
    auto in = InputBuilder::build(spec, 16);
    QVERIFY(!in.ok());
    QVERIFY(QString::fromStdString(in.error()).contains(QLatin1String("has no tokens")));
    spec.kind = InputKind::TextFile;
    spec.path = "/nonexistent/file.txt";
    auto missing = InputBuilder::build(spec, 16);
    QVERIFY(!missing.ok());
    QVERIFY(QString::fromStdString(missing.error()).contains(QLatin1String("/nonexistent/file.txt")));
}

void TestText::mechanismJsonRoundTrip()
{
    Mechanism m;
    m.score = ScoreKind::Additive;
    m.norm = NormKind::Sigmoid;
    m.temperature = 0.25;
    m.scope = ScopeKind::Hybrid;
    m.window = 4;
    m.globalTokens = 2;
    m.causal = true;
    m.paddedKeys = {1, 5};
    m.heads = 4;
    m.dim = 32;
    m.projection = ProjectionKind::Random;
    m.seed = 99;
    m.dynamic = DynamicKind::Temperature;
    m.combine = CombineKind::SoftSelection;
    m.topK = 5;
    auto back = MechanismJson::fromJson(MechanismJson::toJson(m));
    QVERIFY(back.ok());
    QCOMPARE(MechanismJson::toJson(*back).dump(), MechanismJson::toJson(m).dump());
    QCOMPARE(back->topK, 5);
    QCOMPARE(back->paddedKeys, m.paddedKeys);

    InputSpec in;
    in.kind = InputKind::Sequence;
    in.text = "1,2;3,4";
    in.queryText = "5,6;";
    auto inBack = MechanismJson::inputFromJson(MechanismJson::inputToJson(in));
    QVERIFY(inBack.ok());
    QCOMPARE(inBack->queryText, in.queryText);
    QVERIFY(inBack->isCross());
}

void TestText::mechanismJsonRejectsTypos()
{
    auto r = MechanismJson::fromJson(nlohmann::json::parse(R"({"scroe": "dot"})"));
    QVERIFY(!r.ok());
    QCOMPARE(QString::fromStdString(r.error()), QStringLiteral("mechanism: unknown key 'scroe'"));
    auto v = MechanismJson::fromJson(nlohmann::json::parse(R"({"score": "dott"})"));
    QVERIFY(!v.ok());
    QVERIFY(QString::fromStdString(v.error()).contains(QLatin1String("'dott' is not one of")));
    auto t = MechanismJson::fromJson(nlohmann::json::parse(R"({"heads": "two"})"));
    QVERIFY(!t.ok());
    QCOMPARE(QString::fromStdString(t.error()), QStringLiteral("mechanism.heads must be a whole number"));
}

QTEST_APPLESS_MAIN(TestText)
#include "tst_text.moc"
