// llama2.c checkpoints run natively: the stories260K model (bundled under resources/models,
// $ATTNSCOPE_BUNDLED_MODEL) against the independent PyTorch reference in tests/fixtures/llama2c
// (tests/tools/make_llama2c_fixtures.py), greedy generation against the sample printed in the
// model card, and hostile checkpoint / tokenizer files built here byte by byte.
#include "Llama2cCheckpoint.h"
#include "Llama2cTokenizer.h"
#include "LlamaModel.h"
#include "ModelRunner.h"
#include "NpyFile.h"
#include "Pcg32.h"
#include "SampleLibrary.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>

using namespace attn;

namespace {

namespace fs = std::filesystem;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

std::string bundledModelDir()
{
    return qgetenv("ATTNSCOPE_BUNDLED_MODEL").toStdString();
}

std::string fixtureDir()
{
    return qgetenv("ATTNSCOPE_FIXTURES").toStdString() + "/llama2c";
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void appendI32(std::string& out, int32_t v)
{
    uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((u >> (8 * i)) & 0xff);
}

void appendF32(std::string& out, float f)
{
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((u >> (8 * i)) & 0xff);
}

void putF32(std::string& bytes, uint64_t offset, float f)
{
    std::string four;
    appendF32(four, f);
    bytes.replace(static_cast<size_t>(offset), 4, four);
}

std::string header(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen)
{
    std::string h;
    for (int v : { dim, hidden, layers, heads, kvHeads, vocab, seqLen })
        appendI32(h, v);
    return h;
}

// The float count of a llama2.c checkpoint, computed independently of Llama2cCheckpoint.
uint64_t expectedBytes(uint64_t dim, uint64_t hidden, uint64_t layers, uint64_t heads, uint64_t kvHeads,
    int64_t vocab, uint64_t seqLen)
{
    const uint64_t hs = dim / heads;
    const uint64_t kv = kvHeads * hs;
    const uint64_t v = static_cast<uint64_t>(vocab < 0 ? -vocab : vocab);
    uint64_t floats = v * dim + layers * (2 * dim + 2 * dim * dim + 2 * kv * dim + 3 * hidden * dim) + dim
        + seqLen * hs;
    if (vocab < 0)
        floats += v * dim;
    return 28 + 4 * floats;
}

// A small random checkpoint: dim 8, hidden 12, 2 layers, 4 heads, 2 kv heads, vocab 16, seq_len 6.
struct Synthetic {
    static constexpr int dim = 8, hidden = 12, layers = 2, heads = 4, kvHeads = 2, vocab = 16, seqLen = 6;
    static std::string bytes(bool sharedClassifier = true)
    {
        std::string b = header(dim, hidden, layers, heads, kvHeads, sharedClassifier ? vocab : -vocab, seqLen);
        const uint64_t total = expectedBytes(dim, hidden, layers, heads, kvHeads, sharedClassifier ? vocab : -vocab, seqLen);
        Pcg32 rng(42);
        while (b.size() < total)
            appendF32(b, rng.uniform(-0.5f, 0.5f));
        return b;
    }
    // Byte offset of element `index` of layer `layer`'s wk.
    static uint64_t wkOffset(int layer, int index)
    {
        const uint64_t kv = kvHeads * (dim / heads);
        return 28 + 4 * (uint64_t { vocab } * dim + layers * dim + layers * dim * dim + uint64_t(layer) * kv * dim + index);
    }
};

// A tokenizer file: max_token_length, then (score, length, bytes) per token.
std::string tokenizerBytes(int maxLength, const std::vector<std::pair<float, std::string>>& tokens)
{
    std::string b;
    appendI32(b, maxLength);
    for (const auto& [score, piece] : tokens) {
        appendF32(b, score);
        appendI32(b, static_cast<int32_t>(piece.size()));
        b += piece;
    }
    return b;
}

struct Fixture {
    std::string name;
    std::optional<std::string> prompt;
    std::vector<int> ids;
    std::vector<std::string> strings;
    std::vector<int> greedyIds;
    NpyArray attention;
    NpyArray lastLogits;
};

std::vector<Fixture> loadFixtures()
{
    std::vector<Fixture> out;
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(fixtureDir()))
        if (entry.is_directory())
            dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) {
        Fixture f;
        const auto meta = nlohmann::json::parse(readText((d / "tokens.json").string()));
        f.name = meta.at("name").get<std::string>();
        if (!meta.at("prompt").is_null())
            f.prompt = meta.at("prompt").get<std::string>();
        f.ids = meta.at("ids").get<std::vector<int>>();
        f.strings = meta.at("strings").get<std::vector<std::string>>();
        if (meta.contains("greedy_ids"))
            f.greedyIds = meta.at("greedy_ids").get<std::vector<int>>();
        auto att = NpyFile::readFile((d / "attention.npy").string());
        auto logits = NpyFile::readFile((d / "last_logits.npy").string());
        if (!att || !logits)
            qFatal("%s: %s", d.string().c_str(), (!att ? att.error() : logits.error()).c_str());
        f.attention = *att;
        f.lastLogits = *logits;
        out.push_back(std::move(f));
    }
    return out;
}

// The temperature-0 sample in stories260K.md: the lines after "$ ./run ... -t 0.0" up to the fence.
std::string modelCardSample(const std::string& markdown)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= markdown.size()) {
        const size_t end = markdown.find('\n', start);
        lines.push_back(markdown.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    std::string text;
    bool inside = false;
    for (const std::string& line : lines) {
        if (!inside) {
            inside = line.rfind("$ ./run", 0) == 0 && line.find("-t 0.0") != std::string::npos;
            continue;
        }
        if (line.rfind("```", 0) == 0)
            break;
        if (!text.empty())
            text += '\n';
        text += line;
    }
    return text;
}

} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void headerValues();
    void tokenizerMatchesFixtures();
    void tokenizerDecodeAndLabels();
    void attentionMatchesReference();
    void queriesAndKeysReproduceWeights();
    void greedyReproducesModelCardSample();
    void greedyAgreesWithFullForward();
    void controlCancelProgressAndMemory();
    void invalidTokens();
    void syntheticCheckpoint();
    void hostileCheckpoints_data();
    void hostileCheckpoints();
    void hugeHeaderRefusedBeforeAllocation();
    void checkpointFiles();
    void nonFiniteWeights();
    void hostileTokenizers_data();
    void hostileTokenizers();
    void mutatedBytesNeverCrash();
    void bundledModelSamples();

private:
    bool haveModel() const { return m_model != nullptr; }
    std::unique_ptr<LlamaModel> m_model;
    std::unique_ptr<Llama2cTokenizer> m_tokenizer;
    std::string m_modelDir;
    std::string m_missingReason;
    std::vector<Fixture> m_fixtures;
};

#define REQUIRE_MODEL()                                                                                          \
    do {                                                                                                         \
        if (!haveModel())                                                                                        \
            QFAIL(m_missingReason.c_str());                                                                         \
    } while (0)

void TestLlama2c::initTestCase()
{
    m_fixtures = loadFixtures();
    QVERIFY2(m_fixtures.size() >= 4, fixtureDir().c_str());
    m_modelDir = bundledModelDir();
    const std::string bin = m_modelDir + "/stories260K.bin";
    const std::string tok = m_modelDir + "/tok512.bin";
    if (m_modelDir.empty() || !fs::exists(bin) || !fs::exists(tok)) {
        m_missingReason = "the bundled stories260K model is missing (ATTNSCOPE_BUNDLED_MODEL is '" + qgetenv("ATTNSCOPE_BUNDLED_MODEL").toStdString()
            + "'; expected " + bin + " and " + tok + ")";
        qWarning("%s", m_missingReason.c_str());
        return;
    }
    auto checkpoint = Llama2cCheckpoint::readFile(bin);
    QVERIFY2(checkpoint.ok(), checkpoint.ok() ? "" : checkpoint.error().c_str());
    auto tokenizer = Llama2cTokenizer::readFile(tok, checkpoint->config().vocabSize);
    QVERIFY2(tokenizer.ok(), tokenizer.ok() ? "" : tokenizer.error().c_str());
    m_model = std::make_unique<LlamaModel>(std::move(*checkpoint));
    m_tokenizer = std::make_unique<Llama2cTokenizer>(std::move(*tokenizer));
}

void TestLlama2c::headerValues()
{
    REQUIRE_MODEL();
    const Llama2cConfig& c = m_model->config();
    QCOMPARE(c.dim, 64);
    QCOMPARE(c.hiddenDim, 172);
    QCOMPARE(c.layers, 5);
    QCOMPARE(c.heads, 8);
    QCOMPARE(c.kvHeads, 4);
    QCOMPARE(c.vocabSize, 512);
    QCOMPARE(c.seqLen, 512);
    QVERIFY(c.sharedClassifier);
    QCOMPARE(c.headSize(), 8);
    QCOMPARE(c.kvDim(), 32);
    const Llama2cCheckpoint& ck = m_model->checkpoint();
    QCOMPARE(int(ck.layers().size()), 5);
    QCOMPARE(ck.layers()[0].wk.rows(), Eigen::Index(32));
    QCOMPARE(ck.layers()[0].w1.rows(), Eigen::Index(172));
    QCOMPARE(ck.layers()[0].w2.cols(), Eigen::Index(172));
    QCOMPARE(&ck.classifier(), &ck.tokenEmbedding());
    // 260K parameters: everything but the 4096 RoPE table floats.
    QCOMPARE(ck.parameterCount(), uint64_t { (1056540 - 28) / 4 - 4096 });
    QCOMPARE(m_tokenizer->vocabSize(), 512);
    QCOMPARE(m_tokenizer->maxTokenLength(), 7);
}

void TestLlama2c::tokenizerMatchesFixtures()
{
    REQUIRE_MODEL();
    int prompts = 0;
    for (const Fixture& f : m_fixtures) {
        if (!f.prompt)
            continue;
        ++prompts;
        auto ids = m_tokenizer->encode(*f.prompt);
        QVERIFY2(ids.ok(), f.name.c_str());
        QCOMPARE(*ids, f.ids);
        QCOMPARE(f.strings.size(), f.ids.size());
        for (size_t i = 0; i < f.ids.size(); ++i)
            QCOMPARE(qs(m_tokenizer->piece(f.ids[i])), qs(f.strings[i]));
        // Without BOS: the same ids minus the first.
        auto noBos = m_tokenizer->encode(*f.prompt, false);
        QVERIFY(noBos.ok());
        QCOMPARE(*noBos, std::vector<int>(f.ids.begin() + 1, f.ids.end()));
    }
    QVERIFY(prompts >= 4);
    QCOMPARE(*m_tokenizer->encode(""), std::vector<int> { 1 });
    QCOMPARE(*m_tokenizer->encode("", false, true), std::vector<int> { 2 });
    // Text after a NUL byte is not seen, as with run.c's C strings.
    QCOMPARE(*m_tokenizer->encode(std::string("The sun was shining.\0tail", 25)), *m_tokenizer->encode("The sun was shining."));
}

void TestLlama2c::tokenizerDecodeAndLabels()
{
    REQUIRE_MODEL();
    const Llama2cTokenizer& t = *m_tokenizer;
    const int once = t.lookup(" Once");
    QVERIFY(once > 0);
    QCOMPARE(qs(t.decode(1, once)), QString("Once"));   // the space after BOS is dropped
    QCOMPARE(qs(t.decode(5, once)), QString(" Once"));
    QCOMPARE(qs(t.decode(1, 3 + 0x0A)), QString("\n")); // <0x0A>
    QCOMPARE(t.decode(7, 3 + 0xC3), std::string("\xC3"));
    QCOMPARE(qs(t.piece(1)), QString("\n<s>\n"));
    QCOMPARE(qs(t.label(1)), QString("<s>"));
    QCOMPARE(qs(t.label(2)), QString("</s>"));
    QCOMPARE(qs(t.label(once)), QString(" Once"));
    QCOMPARE(qs(t.label(3 + 0x0A)), QString("<0x0A>"));
    QCOMPARE(qs(t.label(9999)), QString("#9999"));
    QCOMPARE(t.decode(1, 9999), std::string());
    // Round trip: decoding the encoded text gives it back.
    for (const Fixture& f : m_fixtures) {
        if (!f.prompt)
            continue;
        std::string text;
        for (size_t i = 1; i < f.ids.size(); ++i)
            text += t.decode(f.ids[i - 1], f.ids[i]);
        QCOMPARE(qs(text), qs(*f.prompt));
    }
}

void TestLlama2c::attentionMatchesReference()
{
    REQUIRE_MODEL();
    QElapsedTimer timer;
    timer.start();
    for (const Fixture& f : m_fixtures) {
        LlamaRunOptions options;
        options.tokenizer = m_tokenizer.get();
        auto r = m_model->forward(f.ids, options);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().c_str());
        const int n = static_cast<int>(f.ids.size());
        QCOMPARE(r->layers, 5);
        QCOMPARE(r->heads, 8);
        QCOMPARE(r->tokens, n);
        QCOMPARE(r->tokenIds, f.ids);
        QCOMPARE(int(r->tokenLabels.size()), n);
        QCOMPARE(qs(r->tokenLabels[0]), QString("<s>"));
        QCOMPARE(f.attention.shape, (std::vector<int64_t> { 5, 8, n, n }));
        QCOMPARE(r->weights.size(), f.attention.data.size());
        QVERIFY(r->queries.empty() && r->keys.empty());

        double worst = 0.0;
        for (int l = 0; l < 5; ++l)
            for (int h = 0; h < 8; ++h)
                for (int i = 0; i < n; ++i) {
                    double rowSum = 0.0;
                    for (int j = 0; j < n; ++j) {
                        const float w = r->weight(l, h, i, j);
                        const float ref = f.attention.data[r->mapOffset(l, h) + size_t(i) * n + j];
                        const double diff = std::abs(double(w) - double(ref));
                        worst = std::max(worst, diff);
                        if (diff > 1e-4)
                            QFAIL(qPrintable(QString("%1: layer %2 head %3 [%4, %5] = %6, reference %7")
                                                 .arg(qs(f.name)).arg(l).arg(h).arg(i).arg(j).arg(w).arg(ref)));
                        if (j > i && w != 0.0f)
                            QFAIL(qPrintable(QString("%1: layer %2 head %3 [%4, %5] above the diagonal is %6")
                                                 .arg(qs(f.name)).arg(l).arg(h).arg(i).arg(j).arg(w)));
                        QVERIFY(w >= 0.0f);
                        rowSum += w;
                    }
                    QVERIFY2(std::abs(rowSum - 1.0) < 1e-5, qPrintable(qs(f.name)));
                }

        QCOMPARE(r->lastLogits.size(), size_t { 512 });
        QCOMPARE(f.lastLogits.data.size(), size_t { 512 });
        double worstLogit = 0.0;
        for (size_t v = 0; v < 512; ++v)
            worstLogit = std::max(worstLogit, std::abs(double(r->lastLogits[v]) - double(f.lastLogits.data[v])));
        QVERIFY2(worstLogit < 1e-3, qPrintable(QString("%1: logits differ by %2").arg(qs(f.name)).arg(worstLogit)));
        qInfo("%-20s %2d tokens: max |attention diff| %.2e, max |logit diff| %.2e", f.name.c_str(), n, worst,
            worstLogit);
    }
    qInfo("%d prompts in %lld ms", int(m_fixtures.size()), static_cast<long long>(timer.elapsed()));
}

void TestLlama2c::queriesAndKeysReproduceWeights()
{
    REQUIRE_MODEL();
    const std::vector<int> ids = *m_tokenizer->encode("Lily liked to play in the park with her dog.");
    LlamaRunOptions options;
    options.keepQueriesKeys = true;
    auto r = m_model->forward(ids, options);
    QVERIFY(r.ok());
    const int n = r->tokens, hs = r->headSize;
    QCOMPARE(hs, 8);
    QCOMPARE(r->queries.size(), size_t(5 * 8 * n * hs));
    QCOMPARE(r->keys.size(), r->queries.size());
    QCOMPARE(qs(r->tokenLabels[1]), QString("#") + QString::number(ids[1])); // no tokenizer given
    for (int l = 0; l < 5; ++l)
        for (int h = 0; h < 8; ++h) {
            const size_t base = (size_t(l) * 8 + size_t(h)) * size_t(n) * size_t(hs);
            // Heads 2k and 2k+1 share kv head k.
            if (h % 2 == 1)
                QVERIFY(std::equal(r->keys.begin() + base, r->keys.begin() + base + size_t(n) * hs,
                    r->keys.begin() + (base - size_t(n) * hs)));
            for (int i = 0; i < n; ++i) {
                std::vector<double> s(size_t(i) + 1);
                double mx = -1e300, sum = 0.0;
                for (int j = 0; j <= i; ++j) {
                    double d = 0.0;
                    for (int e = 0; e < hs; ++e)
                        d += double(r->queries[base + size_t(i) * hs + e]) * r->keys[base + size_t(j) * hs + e];
                    s[j] = d / std::sqrt(double(hs));
                    mx = std::max(mx, s[j]);
                }
                for (double& v : s)
                    sum += (v = std::exp(v - mx));
                for (int j = 0; j <= i; ++j)
                    QVERIFY(std::abs(s[j] / sum - r->weight(l, h, i, j)) < 1e-5);
            }
        }
    // RoPE leaves position 0 unrotated: its query is the plain projection's head slice, which
    // differs from later positions of the same token only by the rotation (norm is preserved).
    const int n2 = 3;
    auto same = m_model->forward({ 1, 1, 1 }, options);
    QVERIFY(same.ok());
    for (int i = 1; i < n2; ++i) {
        double n0 = 0.0, ni = 0.0, dot = 0.0;
        for (int e = 0; e < 8; ++e) {
            const float a = same->queries[size_t(e)], b = same->queries[size_t(i) * 8 + e];
            n0 += double(a) * a;
            ni += double(b) * b;
            dot += double(a) * b;
        }
        QVERIFY(std::abs(n0 - ni) < 1e-4 * std::max(1.0, n0));
        QVERIFY(std::abs(dot - n0) > 1e-6); // rotated, so not identical
    }
}

void TestLlama2c::greedyReproducesModelCardSample()
{
    REQUIRE_MODEL();
    const std::string sample = modelCardSample(readText(m_modelDir + "/stories260K.md"));
    QVERIFY2(sample.rfind("Once upon a time, there was a little girl named Lily.", 0) == 0, sample.c_str());
    QElapsedTimer timer;
    timer.start();
    auto generated = m_model->generateGreedy({ 1 }, 200);
    const qint64 ms = timer.elapsed();
    QVERIFY2(generated.ok(), generated.ok() ? "" : generated.error().c_str());
    QCOMPARE(int(generated->size()), 200);
    std::string text;
    int prev = 1;
    int matching = 0;
    for (int t : *generated) {
        const std::string next = text + m_tokenizer->decode(prev, t);
        if (sample.compare(0, next.size(), next) != 0)
            break;
        text = next;
        prev = t;
        ++matching;
    }
    qInfo("greedy from BOS: %d of %d tokens (%d characters) reproduce the model card's sample; 200 tokens in %lld ms",
        matching, int(generated->size()), int(text.size()), static_cast<long long>(ms));
    QVERIFY2(matching >= 110, text.c_str());
    // The PyTorch reference generated the same ids.
    const Fixture* bos = nullptr;
    for (const Fixture& f : m_fixtures)
        if (f.name == "bos_only")
            bos = &f;
    QVERIFY(bos && bos->greedyIds.size() >= 50);
    QCOMPARE(std::vector<int>(generated->begin(), generated->begin() + long(bos->greedyIds.size())), bos->greedyIds);
    // Asking for fewer gives the prefix.
    auto shorter = m_model->generateGreedy({ 1 }, 7);
    QVERIFY(shorter.ok());
    QCOMPARE(*shorter, std::vector<int>(generated->begin(), generated->begin() + 7));
    QCOMPARE(m_model->generateGreedy({ 1 }, 0)->size(), size_t { 0 });
}

void TestLlama2c::greedyAgreesWithFullForward()
{
    REQUIRE_MODEL();
    // The KV-cache path and the whole-prompt path agree: each generated token is the argmax of a
    // full forward pass over everything before it.
    std::vector<int> tokens = *m_tokenizer->encode("The sun was shining.");
    auto generated = m_model->generateGreedy(tokens, 12);
    QVERIFY(generated.ok());
    QVERIFY(!generated->empty());
    for (int t : *generated) {
        auto r = m_model->forward(tokens);
        QVERIFY(r.ok());
        const auto best = std::max_element(r->lastLogits.begin(), r->lastLogits.end()) - r->lastLogits.begin();
        QCOMPARE(int(best), t);
        tokens.push_back(t);
    }
    // Generation stops at the context length: prompt + generated never exceeds seq_len.
    std::vector<int> nearlyFull(510, 300);
    nearlyFull[0] = 1;
    auto tail = m_model->generateGreedy(nearlyFull, 50);
    QVERIFY(tail.ok());
    QVERIFY(tail->size() <= 2);
    std::vector<int> full(512, 300);
    QCOMPARE(m_model->generateGreedy(full, 5)->size(), size_t { 0 });
    QVERIFY(m_model->forward(full).ok());
}

void TestLlama2c::controlCancelProgressAndMemory()
{
    REQUIRE_MODEL();
    const std::vector<int> ids = *m_tokenizer->encode("Once upon a time");
    std::vector<double> seen;
    ComputeControl control;
    control.progress = [&](double f) { seen.push_back(f); };
    QVERIFY(m_model->forward(ids, {}, control).ok());
    QCOMPARE(seen, (std::vector<double> { 0.2, 0.4, 0.6, 0.8, 1.0 }));

    std::atomic<bool> cancel { true };
    ComputeControl cancelled;
    cancelled.cancel = &cancel;
    auto r = m_model->forward(ids, {}, cancelled);
    QVERIFY(!r.ok());
    QCOMPARE(qs(r.error()), QString("cancelled"));
    auto g = m_model->generateGreedy({ 1 }, 10, cancelled);
    QVERIFY(!g.ok());
    QCOMPARE(qs(g.error()), QString("cancelled"));

    // Cancel mid-generation from the progress callback.
    std::atomic<bool> later { false };
    ComputeControl midway;
    midway.cancel = &later;
    midway.progress = [&](double f) {
        if (f >= 0.5)
            later = true;
    };
    auto g2 = m_model->generateGreedy({ 1 }, 10, midway);
    QVERIFY(!g2.ok());

    ComputeControl tight;
    tight.memoryLimitBytes = 1000; // 5 x 8 x 5 x 5 floats = 4000 bytes
    auto big = m_model->forward(ids, {}, tight);
    QVERIFY(!big.ok());
    QVERIFY2(big.error().find("more than the memory budget") != std::string::npos, big.error().c_str());
}

void TestLlama2c::invalidTokens()
{
    REQUIRE_MODEL();
    auto empty = m_model->forward({});
    QVERIFY(!empty.ok());
    QVERIFY2(empty.error().find("no tokens") != std::string::npos, empty.error().c_str());
    auto outside = m_model->forward({ 1, 512 });
    QVERIFY(!outside.ok());
    QCOMPARE(qs(outside.error()), QString("token 512 at position 1 is outside the vocabulary (0..511)"));
    auto negative = m_model->generateGreedy({ -1 }, 3);
    QVERIFY(!negative.ok());
    auto tooLong = m_model->forward(std::vector<int>(513, 1));
    QVERIFY(!tooLong.ok());
    QCOMPARE(qs(tooLong.error()), QString("513 tokens are more than the model's context length of 512"));
    auto steps = m_model->generateGreedy({ 1 }, -1);
    QVERIFY(!steps.ok());
}

void TestLlama2c::syntheticCheckpoint()
{
    for (bool shared : { true, false }) {
        const std::string bytes = Synthetic::bytes(shared);
        auto c = Llama2cCheckpoint::fromBytes(bytes, "synthetic.bin");
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().c_str());
        QCOMPARE(c->config().sharedClassifier, shared);
        QCOMPARE(c->config().vocabSize, Synthetic::vocab);
        QCOMPARE(c->config().kvDim(), 4);
        QCOMPARE(qs(c->name()), QString("synthetic.bin"));
        QCOMPARE(c->classifier().rows(), Eigen::Index(Synthetic::vocab));
        QCOMPARE(&c->classifier() == &c->tokenEmbedding(), shared);
        // Spot-check the layout: layer 1's wk[0][0] sits where the format puts it.
        float expected;
        std::memcpy(&expected, bytes.data() + Synthetic::wkOffset(1, 0), 4);
        QCOMPARE(c->layers()[1].wk(0, 0), expected);
        std::memcpy(&expected, bytes.data() + Synthetic::wkOffset(0, 5), 4);
        QCOMPARE(c->layers()[0].wk(0, 5), expected); // row-major [kv_dim, dim]
        LlamaModel model(std::move(*c));
        auto r = model.forward({ 1, 2, 3, 4, 5, 6 });
        QVERIFY(r.ok());
        QCOMPARE(r->weights.size(), size_t(2 * 4 * 36));
        for (float v : r->lastLogits)
            QVERIFY(std::isfinite(v));
        QVERIFY(model.generateGreedy({ 3 }, 10).ok());
        QVERIFY(model.generateGreedy({ 3 }, 10)->size() <= 5);
    }
}

void TestLlama2c::hostileCheckpoints_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");

    const std::string good = Synthetic::bytes();
    const uint64_t goodSize = good.size();
    QTest::newRow("empty") << QByteArray() << "bad.bin: truncated: expected at least 28 bytes";
    QTest::newRow("header only partly") << QByteArray::fromStdString(good.substr(0, 20))
                                        << "bad.bin: truncated: expected at least 28 bytes (the llama2.c header), file has 20";
    QTest::newRow("truncated") << QByteArray::fromStdString(good.substr(0, good.size() - 5))
                               << QString("bad.bin: truncated: expected %1 bytes, file has %2 bytes")
                                      .arg(goodSize)
                                      .arg(goodSize - 5);
    QTest::newRow("header only") << QByteArray::fromStdString(good.substr(0, 28))
                                 << QString("bad.bin: truncated: expected %1 bytes, file has 28 bytes").arg(goodSize);
    QTest::newRow("trailing bytes") << QByteArray::fromStdString(good + "xyzw")
                                    << QString("bad.bin: 4 bytes too many for a llama2.c checkpoint: expected %1 bytes, file has %2 bytes")
                                           .arg(goodSize)
                                           .arg(goodSize + 4);

    struct Case {
        const char* name;
        std::array<int, 7> h;
        const char* message;
    };
    const Case cases[] = {
        { "dim 0", { 0, 12, 2, 4, 2, 16, 6 }, "header field dim is 0 (must be positive)" },
        { "hidden negative", { 8, -12, 2, 4, 2, 16, 6 }, "header field hidden_dim is -12 (must be positive)" },
        { "layers 0", { 8, 12, 0, 4, 2, 16, 6 }, "header field n_layers is 0" },
        { "heads negative", { 8, 12, 2, -4, 2, 16, 6 }, "header field n_heads is -4" },
        { "kv heads 0", { 8, 12, 2, 4, 0, 16, 6 }, "header field n_kv_heads is 0" },
        { "vocab 0", { 8, 12, 2, 4, 2, 0, 6 }, "header field vocab_size is 0 (must be non-zero)" },
        { "seq_len negative", { 8, 12, 2, 4, 2, 16, -6 }, "header field seq_len is -6" },
        { "dim too large", { 65537, 12, 2, 1, 1, 16, 6 }, "header field dim is 65537, more than the supported maximum 65536" },
        { "layers too many", { 8, 12, 1025, 4, 2, 16, 6 }, "header field n_layers is 1025, more than the supported maximum 1024" },
        { "vocab too large", { 8, 12, 2, 4, 2, 10000001, 6 }, "vocab_size is 10000001, more than the supported maximum" },
        { "vocab INT_MIN", { 8, 12, 2, 4, 2, std::numeric_limits<int>::min(), 6 }, "vocab_size is 2147483648, more than" },
        { "seq_len too long", { 8, 12, 2, 4, 2, 16, 1048577 }, "seq_len is 1048577, more than the supported maximum" },
        { "heads do not divide dim", { 64, 172, 5, 7, 7, 512, 512 }, "n_heads 7 does not divide dim 64" },
        { "kv heads do not divide heads", { 64, 172, 5, 8, 3, 512, 512 }, "n_kv_heads 3 does not divide n_heads 8" },
        { "more kv heads than heads", { 64, 172, 5, 8, 16, 512, 512 }, "n_kv_heads 16 does not divide n_heads 8" },
        { "odd head size", { 12, 12, 1, 4, 4, 16, 6 }, "head size dim / n_heads = 3 is odd" },
        { "export v1 magic", { 0x616b3432, 1, 0, 0, 0, 0, 0 }, "export format version 1 (magic \"ak42\")" },
    };
    for (const Case& c : cases) {
        std::string b = header(c.h[0], c.h[1], c.h[2], c.h[3], c.h[4], c.h[5], c.h[6]);
        b += good.substr(28);
        QTest::newRow(c.name) << QByteArray::fromStdString(b) << QString(c.message);
    }
}

void TestLlama2c::hostileCheckpoints()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    auto c = Llama2cCheckpoint::fromBytes(bytes.toStdString(), "bad.bin");
    QVERIFY(!c.ok());
    QVERIFY2(qs(c.error()).contains(message), c.error().c_str());
    QVERIFY2(c.error().rfind("bad.bin: ", 0) == 0, c.error().c_str());
}

void TestLlama2c::hugeHeaderRefusedBeforeAllocation()
{
    // 65536-wide, 1024 layers: about 100 TB of weights, in a 28-byte file.
    const std::string h = header(65536, 1 << 20, 1024, 64, 8, 10'000'000, 1 << 20);
    const uint64_t expected = expectedBytes(65536, 1 << 20, 1024, 64, 8, 10'000'000, 1 << 20);
    QVERIFY(expected > (uint64_t { 1 } << 40));
    auto c = Llama2cCheckpoint::fromBytes(h, "huge.bin");
    QVERIFY(!c.ok());
    const QString want = QString("huge.bin: truncated: expected %1 bytes, file has 28 bytes (the header").arg(expected);
    QVERIFY2(qs(c.error()).startsWith(want), c.error().c_str());
    QVERIFY2(qs(c.error()).contains(" TB)"), c.error().c_str());

    // The same through a file: only the header is read.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.path().toStdString() + "/huge.bin";
    writeFile(path, h + std::string(1000, '\0'));
    auto f = Llama2cCheckpoint::readFile(path);
    QVERIFY(!f.ok());
    QVERIFY2(qs(f.error()).startsWith(qs(path + ": truncated: expected " + std::to_string(expected) + " bytes")),
        f.error().c_str());

    // The expected size of the real model's header.
    const int32_t real[7] = { 64, 172, 5, 8, 4, 512, 512 };
    QCOMPARE(*Llama2cCheckpoint::expectedFileSize(real, "x"), uint64_t { 1056540 });
    const int32_t separate[7] = { 64, 172, 5, 8, 4, -512, 512 };
    QCOMPARE(*Llama2cCheckpoint::expectedFileSize(separate, "x"), uint64_t { 1056540 + 512 * 64 * 4 });
}

void TestLlama2c::checkpointFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string base = dir.path().toStdString();
    auto missing = Llama2cCheckpoint::readFile(base + "/missing.bin");
    QVERIFY(!missing.ok());
    QVERIFY2(qs(missing.error()).contains("missing.bin"), missing.error().c_str());

    const std::string good = Synthetic::bytes(false);
    writeFile(base + "/good.bin", good);
    auto ok = Llama2cCheckpoint::readFile(base + "/good.bin");
    QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().c_str());
    QVERIFY(!ok->config().sharedClassifier);

    writeFile(base + "/short.bin", good.substr(0, good.size() - 1));
    auto shortFile = Llama2cCheckpoint::readFile(base + "/short.bin");
    QVERIFY(!shortFile.ok());
    QVERIFY2(qs(shortFile.error()).startsWith(qs(base + "/short.bin: truncated: expected " + std::to_string(good.size())
                 + " bytes, file has " + std::to_string(good.size() - 1) + " bytes")),
        shortFile.error().c_str());

    auto limited = Llama2cCheckpoint::readFile(base + "/good.bin", 100);
    QVERIFY(!limited.ok());
    QVERIFY2(qs(limited.error()).contains("more than the 100 bytes (100 bytes) this program accepts"), limited.error().c_str());

    writeFile(base + "/tiny.bin", "abc");
    auto tiny = Llama2cCheckpoint::readFile(base + "/tiny.bin");
    QVERIFY(!tiny.ok());
    QVERIFY2(qs(tiny.error()).contains("tiny.bin: truncated: expected at least 28 bytes"), tiny.error().c_str());

    if (haveModel()) {
        // The real file truncated by one float.
        const std::string real = readText(m_modelDir + "/stories260K.bin");
        QCOMPARE(real.size(), size_t { 1056540 });
        auto cut = Llama2cCheckpoint::fromBytes(real.substr(0, real.size() - 4), "stories260K.bin");
        QVERIFY(!cut.ok());
        QVERIFY2(qs(cut.error()).startsWith("stories260K.bin: truncated: expected 1056540 bytes, file has 1056536 bytes"),
            cut.error().c_str());
        auto tok = Llama2cTokenizer::readFile(m_modelDir + "/tok512.bin", 513);
        QVERIFY(!tok.ok());
        QVERIFY2(qs(tok.error()).contains("truncated at token 512"), tok.error().c_str());
        auto tokSmall = Llama2cTokenizer::readFile(m_modelDir + "/tok512.bin", 500);
        QVERIFY(!tokSmall.ok());
        QVERIFY2(qs(tokSmall.error()).contains("bytes left after the model's 500 tokens"), tokSmall.error().c_str());
    }
}

void TestLlama2c::nonFiniteWeights()
{
    std::string nan = Synthetic::bytes();
    putF32(nan, Synthetic::wkOffset(1, 3), std::numeric_limits<float>::quiet_NaN());
    auto a = Llama2cCheckpoint::fromBytes(nan, "nan.bin");
    QVERIFY(!a.ok());
    QCOMPARE(qs(a.error()), QString("nan.bin: weight 'wk' of layer 1 has a NaN value at element 3 (byte offset %1)")
                                .arg(Synthetic::wkOffset(1, 3)));

    std::string inf = Synthetic::bytes();
    putF32(inf, 28 + 4 * 5, -std::numeric_limits<float>::infinity());
    auto b = Llama2cCheckpoint::fromBytes(inf, "inf.bin");
    QVERIFY(!b.ok());
    QVERIFY2(qs(b.error()).startsWith("inf.bin: weight 'token_embedding' has an infinite value at element 5"),
        b.error().c_str());

    // A NaN in the skipped RoPE tables does not matter; in the separate classifier it does.
    std::string cls = Synthetic::bytes(false);
    putF32(cls, cls.size() - 4, std::numeric_limits<float>::quiet_NaN());
    auto d = Llama2cCheckpoint::fromBytes(cls, "cls.bin");
    QVERIFY(!d.ok());
    QVERIFY2(qs(d.error()).contains("'wcls' has a NaN"), d.error().c_str());
}

void TestLlama2c::hostileTokenizers_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("vocab");
    QTest::addColumn<QString>("message");
    const std::vector<std::pair<float, std::string>> good = { { 0, "<unk>" }, { 0, "a" }, { -1, "ab" } };
    auto row = [](const char* name, const std::string& b, int vocab, const QString& message) {
        QTest::newRow(name) << QByteArray::fromStdString(b) << vocab << message;
    };
    row("empty", "", 3, "tok.bin: truncated: a llama2.c tokenizer starts with a 4-byte max_token_length, file has 0 bytes");
    row("max length 0", tokenizerBytes(0, good), 3, "tok.bin: not a llama2.c tokenizer: max_token_length is 0");
    row("max length huge", tokenizerBytes(1 << 30, good), 3, "max_token_length is 1073741824 (must be between 1 and 65536)");
    std::string pastEnd = tokenizerBytes(5, { { 0, "<unk>" }, { 0, "a" } });
    appendF32(pastEnd, 0.0f);
    appendI32(pastEnd, 4); // claims 4 bytes, 2 follow
    pastEnd += "ab";
    row("length past the end", pastEnd, 3, "tok.bin: token 2 has length 4, past the end of the file (2 bytes left at offset");
    std::string negative = tokenizerBytes(5, { { 0, "<unk>" } });
    appendF32(negative, 0.0f);
    appendI32(negative, -1);
    row("negative length", negative, 2, "tok.bin: token 1 has a negative length -1");
    row("longer than max", tokenizerBytes(2, good), 3, "tok.bin: token 0 has length 5, more than the file's max_token_length 2");
    row("too few tokens", tokenizerBytes(5, good), 4, "tok.bin: truncated at token 3 of 4");
    row("far too few tokens", tokenizerBytes(5, good), 100, "tok.bin: truncated: 100 tokens need at least 804 bytes, file has 36");
    std::string cut = tokenizerBytes(5, good);
    row("cut in a record", cut.substr(0, cut.size() - 6), 3, "tok.bin: truncated at token 2 of 3");
    row("trailing bytes", tokenizerBytes(5, good) + "zz", 3, "tok.bin: 2 bytes left after the model's 3 tokens");
    row("NaN score", tokenizerBytes(5, { { 0, "<unk>" }, { std::numeric_limits<float>::quiet_NaN(), "a" } }), 2,
        "tok.bin: token 1 has a NaN score");
    row("vocab 0", tokenizerBytes(5, good), 0, "tok.bin: cannot read a tokenizer for a vocabulary of 0 tokens");
}

void TestLlama2c::hostileTokenizers()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, vocab);
    QFETCH(QString, message);
    auto t = Llama2cTokenizer::fromBytes(bytes.toStdString(), vocab, "tok.bin");
    QVERIFY(!t.ok());
    QVERIFY2(qs(t.error()).contains(message), t.error().c_str());

    // A valid small tokenizer without byte tokens or " ": clear encode errors instead of bad ids.
    auto small = Llama2cTokenizer::fromBytes(tokenizerBytes(5, { { 0, "<unk>" }, { 0, "a" }, { -1, "ab" } }), 3, "s.bin");
    QVERIFY(small.ok());
    auto noSpace = small->encode("ab");
    QVERIFY(!noSpace.ok());
    QVERIFY2(qs(noSpace.error()).contains("no \" \" token"), noSpace.error().c_str());
    QCOMPARE(*small->encode(""), std::vector<int> { 1 });
    auto withSpace = Llama2cTokenizer::fromBytes(
        tokenizerBytes(5, { { 0, "<unk>" }, { 0, "<s>" }, { 0, "</s>" }, { 0, " " }, { 0, "a" }, { -1, "ab" } }), 6, "w.bin");
    QVERIFY(withSpace.ok());
    auto fallback = withSpace->encode("z");
    QVERIFY(!fallback.ok());
    QVERIFY2(qs(fallback.error()).contains("byte 0x7A has no token"), fallback.error().c_str());
}

void TestLlama2c::mutatedBytesNeverCrash()
{
    // Random corruption of header and weight bytes: always a value or an error, never a crash.
    const std::string good = Synthetic::bytes();
    Pcg32 rng(7);
    int accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string b = good;
        const int edits = 1 + int(rng.next() % 4);
        for (int e = 0; e < edits; ++e) {
            const uint32_t where = round % 2 == 0 ? rng.next() % 28 : rng.next() % uint32_t(b.size());
            b[where] = static_cast<char>(rng.next() & 0xff);
        }
        if (round % 5 == 0)
            b.resize(rng.next() % b.size());
        auto c = Llama2cCheckpoint::fromBytes(b, "fuzz.bin");
        if (c.ok()) {
            ++accepted;
            LlamaModel model(std::move(*c));
            const int n = std::min(3, model.config().seqLen);
            std::vector<int> ids(size_t(n), 0);
            if (model.config().layers * model.config().dim <= 4096)
                QVERIFY(model.forward(ids).ok());
        } else {
            QVERIFY(c.error().rfind("fuzz.bin: ", 0) == 0);
        }
    }
    QVERIFY(accepted > 0);
    // Tokenizer bytes the same way.
    const std::string tok = tokenizerBytes(5, { { 0, "<unk>" }, { 0, "<s>" }, { 0, "</s>" }, { 0, " " }, { 0, "a" }, { -1, "ab" } });
    for (int round = 0; round < 3000; ++round) {
        std::string b = tok;
        b[rng.next() % b.size()] = static_cast<char>(rng.next() & 0xff);
        auto t = Llama2cTokenizer::fromBytes(b, 6, "fuzz.tok");
        if (t.ok()) {
            auto e = t->encode("a ab aab \xC3\xA9");
            if (e.ok())
                for (int id : *e)
                    QVERIFY(id >= 0 && id < 6);
        }
    }
}

QTEST_APPLESS_MAIN(TestLlama2c)
// The bundled samples of kind "model" (resources/samples/model-*.json) run the bundled checkpoint,
// their path resolved under resources/ as the app resolves it under share/attnscope. The BOS
// sample's description is a claim about the model, checked here: over the prompt's second half,
// layer 1 head 1 gives <s> about 30 % of each row's weight, about six times an even share (1 / (i + 1)
// for row i), more than any other of the 40 heads.
void TestLlama2c::bundledModelSamples()
{
    REQUIRE_MODEL();
    const std::string resources = qgetenv("ATTNSCOPE_SOURCE_DIR").toStdString() + "/resources/";
    auto samples = SampleLibrary::loadDirectory(resources + "samples");
    QVERIFY2(samples.ok(), samples.ok() ? "" : samples.error().c_str());
    int count = 0;
    for (const Sample& s : *samples) {
        if (s.kind != "model")
            continue;
        ++count;
        QCOMPARE(s.input.kind, InputKind::Model);
        QCOMPARE(s.input.path, std::string("models/stories260k"));
        InputSpec spec = s.input;
        spec.path = resources + s.input.path;
        auto r = ModelRunner::run(spec);
        QVERIFY2(r.ok(), (s.name + ": " + (r.ok() ? "" : r.error())).c_str());
        QCOMPARE(r->layers, 5);
        QCOMPARE(r->heads, 8);
        QVERIFY(r->queryCount >= 16);
        QCOMPARE(r->keyLabels.front(), std::string("<s>"));
        for (int l = 0; l < r->layers; ++l)
            for (int h = 0; h < r->heads; ++h)
                for (int i = 0; i < r->queryCount; ++i) {
                    double sum = 0;
                    for (int j = 0; j < r->keyCount; ++j) {
                        const float w = r->weight(l, h, i, j);
                        QVERIFY(std::isfinite(w) && w >= 0.0f);
                        if (j > i)
                            QCOMPARE(w, 0.0f); // causal
                        sum += w;
                    }
                    QVERIFY(std::abs(sum - 1.0) < 1e-5);
                }
        if (s.name != "model-bos-sink")
            continue;
        const int n = r->queryCount, from = n / 2;
        double even = 0;
        for (int i = from; i < n; ++i)
            even += 1.0 / (i + 1);
        even /= n - from;
        double best = -1;
        int bestLayer = -1, bestHead = -1;
        for (int l = 0; l < r->layers; ++l)
            for (int h = 0; h < r->heads; ++h) {
                double mass = 0;
                for (int i = from; i < n; ++i)
                    mass += r->weight(l, h, i, 0);
                mass /= n - from;
                if (mass > best) {
                    best = mass;
                    bestLayer = l;
                    bestHead = h;
                }
            }
        QCOMPARE(bestLayer, 1);
        QCOMPARE(bestHead, 1);
        QVERIFY2(best > 0.28 && best < 0.33, qPrintable(QString::number(best)));
        QVERIFY2(best / even > 5.5 && best / even < 6.5, qPrintable(QString::number(best / even)));
    }
    QCOMPARE(count, 2);
}

#include "tst_llama2c.moc"
