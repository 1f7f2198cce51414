// Hugging Face checkpoints run natively: tiny random BERT, GPT-2 (F16), Llama (BF16, sharded, GQA) and
// ViT models against the independent PyTorch forward passes of tests/tools/make_hf_fixtures.py
// (tests/fixtures/hf), and hostile checkpoints and configs built here from those files, each with the
// message it must give.
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "HfTextModel.h"
#include "Llama2cCheckpoint.h"
#include "ModelRunner.h"
#include "NpyFile.h"
#include "VitModel.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace attn;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

std::string fixtureDir(const std::string& family)
{
    return qgetenv("ATTNSCOPE_FIXTURES").toStdString() + "/hf/" + family;
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

json readJson(const std::string& path)
{
    return json::parse(readText(path));
}

std::string checkpointPath(const std::string& dir)
{
    return fs::exists(dir + "/model.safetensors") ? dir + "/model.safetensors"
                                                  : dir + "/model.safetensors.index.json";
}

// The largest |a - b| over two equally long arrays (infinity when the lengths differ).
double maxError(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return INFINITY;
    double worst = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
    return worst;
}

// A safetensors file split into its JSON header and data section, to be edited and joined again.
struct StParts {
    json header;
    std::string data;
};

StParts splitSt(const std::string& bytes)
{
    uint64_t length = 0;
    std::memcpy(&length, bytes.data(), 8);
    return { json::parse(bytes.substr(8, length)), bytes.substr(8 + length) };
}

std::string joinSt(const StParts& parts)
{
    std::string header = parts.header.dump();
    const uint64_t length = header.size();
    std::string out(8, '\0');
    std::memcpy(out.data(), &length, 8);
    return out + header + parts.data;
}

// A copy of a fixture folder to break.
std::string copyFixture(const QTemporaryDir& tmp, const std::string& family, const std::string& name)
{
    const std::string dir = tmp.path().toStdString() + "/" + name;
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(fixtureDir(family)))
        fs::copy_file(
            e.path(), dir + "/" + e.path().filename().string(), fs::copy_options::overwrite_existing);
    return dir;
}

// Loads a text model folder; the error message when anything fails.
Expected<std::unique_ptr<HfTextModel>> loadTextModel(
    const std::string& dir, const ComputeControl& control = {})
{
    auto config = HfConfig::readFile(dir + "/config.json");
    if (!config)
        return config.takeError();
    auto checkpoint = HfCheckpoint::open(checkpointPath(dir));
    if (!checkpoint)
        return checkpoint.takeError();
    return HfTextModel::load(*config, *checkpoint, control);
}

std::string loadError(const std::string& dir, const ComputeControl& control = {})
{
    auto model = loadTextModel(dir, control);
    return model ? std::string("(loaded)") : model.error();
}

// softmax(q k^T / sqrt(d)) from a result's captured queries and keys, against its weights: the
// largest difference over every layer, head and cell (causal cells above the diagonal skipped).
double qkConsistency(const AttentionResult& r)
{
    const int n = r.queryCount;
    const int d = r.headDim;
    double worst = 0.0;
    // The values are captured beside them, one [headDim] vector per head and token, not all zero.
    if (r.layerValues.size() != r.layerQueries.size()
        || std::all_of(r.layerValues.begin(), r.layerValues.end(), [](float v) { return v == 0.0f; }))
        return 1e9;
    for (int l = 0; l < r.layers; ++l)
        for (int h = 0; h < r.heads; ++h) {
            const size_t base = (static_cast<size_t>(l) * r.heads + h) * n * d;
            for (int i = 0; i < n; ++i) {
                const int valid = r.mechanism.causal ? i + 1 : n;
                std::vector<double> s(valid);
                double maxScore = -INFINITY;
                for (int j = 0; j < valid; ++j) {
                    double dot = 0.0;
                    for (int c = 0; c < d; ++c)
                        dot += static_cast<double>(r.layerQueries[base + i * d + c])
                            * r.layerKeys[base + j * d + c];
                    s[j] = dot / std::sqrt(static_cast<double>(d));
                    maxScore = std::max(maxScore, s[j]);
                }
                double sum = 0.0;
                for (double& v : s)
                    sum += (v = std::exp(v - maxScore));
                for (int j = 0; j < valid; ++j)
                    worst = std::max(worst, std::abs(s[j] / sum - r.weight(l, h, i, j)));
            }
        }
    return worst;
}

// The fixture's normalised pixels back as the 8-bit RGB picture they came from, each value repeated
// `scale` x `scale` times (so a bilinear resize by 1/scale gives the same picture back).
ImageBuffer fixturePicture(const std::vector<float>& pixels, int size, int scale)
{
    ImageBuffer image;
    image.width = image.height = size * scale;
    image.sourceName = "fixture";
    image.rgb.resize(static_cast<size_t>(image.width) * image.height * 3);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            for (int ch = 0; ch < 3; ++ch) {
                const float v = pixels[(static_cast<size_t>(ch) * size + y / scale) * size + x / scale];
                image.rgb[(static_cast<size_t>(y) * image.width + x) * 3 + ch]
                    = static_cast<uint8_t>(std::lround((v * 0.5 + 0.5) * 255.0));
            }
    return image;
}

} // namespace

class TestHfModels : public QObject {
    Q_OBJECT

private slots:
    void everyLayerMatchesTorch_data()
    {
        QTest::addColumn<QString>("family");
        QTest::newRow("bert F32") << "bert";
        QTest::newRow("gpt2 F16") << "gpt2";
        QTest::newRow("llama BF16 sharded GQA") << "llama";
    }
    void everyLayerMatchesTorch()
    {
        QFETCH(QString, family);
        const std::string dir = fixtureDir(family.toStdString());
        auto model = loadTextModel(dir);
        QVERIFY2(model, model ? "" : model.error().c_str());
        const json expected = readJson(dir + "/expected.json");
        const std::vector<int> ids = expected["ids"].get<std::vector<int>>();
        auto a = (*model)->forward(ids, { true });
        QVERIFY2(a, a ? "" : a.error().c_str());
        auto reference = NpyFile::readFile(dir + "/attention.npy");
        QVERIFY(reference);
        const HfConfig& c = (*model)->config();
        QCOMPARE(a->layers, 2);
        QCOMPARE(a->heads, 4);
        QCOMPARE(a->tokens, static_cast<int>(ids.size()));
        QCOMPARE(reference->shape, (std::vector<int64_t> { c.layers, c.heads, a->tokens, a->tokens }));
        const double error = maxError(a->weights, reference->data);
        qInfo("%s: %zu tokens, max |attention - torch| over every layer and head = %.3g", qPrintable(family),
            ids.size(), error);
        QVERIFY2(error < 1e-4, qPrintable(QString::number(error)));
        // Causal LMs: exactly 0 above the diagonal, and the next token is torch's argmax.
        if (c.isCausal()) {
            for (int l = 0; l < a->layers; ++l)
                for (int h = 0; h < a->heads; ++h)
                    for (int i = 0; i < a->tokens; ++i)
                        for (int j = i + 1; j < a->tokens; ++j)
                            QCOMPARE(a->weight(l, h, i, j), 0.0f);
            const auto best
                = std::max_element(a->lastLogits.begin(), a->lastLogits.end()) - a->lastLogits.begin();
            QCOMPARE(static_cast<int>(best), expected["next_token"].get<int>());
            QCOMPARE(static_cast<int>(a->lastLogits.size()), c.vocabSize);
        } else {
            QVERIFY(a->lastLogits.empty());
            QVERIFY(a->weight(0, 0, 0, a->tokens - 1) > 0.0f); // an encoder sees every key
        }
    }

    void llamaQueriesKeysAfterRope()
    {
        // Post-RoPE queries and keys (half-split rotate_half, rope_theta 500000, kv heads repeated for GQA).
        const std::string dir = fixtureDir("llama");
        auto model = loadTextModel(dir);
        QVERIFY(model);
        QCOMPARE((*model)->config().kvHeads, 2);
        QCOMPARE((*model)->config().ropeTheta, 500000.0);
        const auto ids = readJson(dir + "/expected.json")["ids"].get<std::vector<int>>();
        auto a = (*model)->forward(ids, { true });
        QVERIFY(a);
        auto queries = NpyFile::readFile(dir + "/queries.npy");
        auto keys = NpyFile::readFile(dir + "/keys.npy");
        QVERIFY(queries && keys);
        QCOMPARE(queries->shape, (std::vector<int64_t> { 2, 4, static_cast<int64_t>(ids.size()), 8 }));
        const double qError = maxError(a->queries, queries->data);
        const double kError = maxError(a->keys, keys->data);
        qInfo("llama: max |Q - torch| = %.3g, max |K - torch| = %.3g", qError, kError);
        QVERIFY(qError < 1e-4);
        QVERIFY(kError < 1e-4);
        // Heads 0 and 1 share kv head 0: their keys are the same numbers.
        const size_t perHead = ids.size() * 8;
        QVERIFY(std::equal(a->keys.begin(), a->keys.begin() + static_cast<long>(perHead),
            a->keys.begin() + static_cast<long>(perHead)));
        QVERIFY(!std::equal(a->keys.begin(), a->keys.begin() + static_cast<long>(perHead),
            a->keys.begin() + static_cast<long>(2 * perHead)));
        // Without the option the capture holds no Q/K.
        auto plain = (*model)->forward(ids);
        QVERIFY(plain && plain->queries.empty() && plain->keys.empty());
    }

    void gpt2GreedyMatchesTorch()
    {
        const std::string dir = fixtureDir("gpt2");
        auto model = loadTextModel(dir);
        QVERIFY(model);
        const json expected = readJson(dir + "/expected.json");
        auto generated = (*model)->generateGreedy(expected["ids"].get<std::vector<int>>(), 5);
        QVERIFY2(generated, generated ? "" : generated.error().c_str());
        QCOMPARE(*generated, expected["greedy5"].get<std::vector<int>>());
        // Llama with the KV cache: RoPE at the cached positions, GQA, the untied lm_head.
        auto llama = loadTextModel(fixtureDir("llama"));
        QVERIFY(llama);
        const json llamaExpected = readJson(fixtureDir("llama") + "/expected.json");
        auto llamaGenerated = (*llama)->generateGreedy(llamaExpected["ids"].get<std::vector<int>>(), 8);
        QVERIFY(llamaGenerated);
        QCOMPARE(*llamaGenerated, llamaExpected["greedy8"].get<std::vector<int>>());
        // Near the context length (64): only the tokens that still fit, and prompt + them runs again.
        std::vector<int> longPrompt(62, 5);
        longPrompt.front() = 1;
        auto atEnd = (*llama)->generateGreedy(longPrompt, 10);
        QVERIFY(atEnd);
        QVERIFY(atEnd->size() <= 2);
        std::vector<int> whole = longPrompt;
        whole.insert(whole.end(), atEnd->begin(), atEnd->end());
        QVERIFY((*llama)->forward(whole));
        auto full = (*llama)->generateGreedy(std::vector<int>(64, 5), 3);
        QVERIFY(full && full->empty());
        ComputeControl tight;
        tight.memoryLimitBytes
            = 4096; // the cache of 11 + 8 positions: 2 x 4 bytes x 2 layers x 19 x 16 = 4864
        auto overBudget = (*llama)->generateGreedy(llamaExpected["ids"].get<std::vector<int>>(), 8, tight);
        QVERIFY(!overBudget);
        QCOMPARE(qs(overBudget.error()),
            QStringLiteral(
                "the key/value cache of 19 positions needs 0.0 MB, more than the memory budget of 0.0 MB"));
        auto bert = loadTextModel(fixtureDir("bert"));
        QVERIFY(bert);
        auto refused = (*bert)->generateGreedy({ 3, 4 }, 2);
        QVERIFY(!refused);
        QCOMPARE(qs(refused.error()),
            QStringLiteral("a bert model does not generate text (it is not a causal language model)"));
    }

    void vitMatchesTorch()
    {
        const std::string dir = fixtureDir("vit");
        auto config = HfConfig::readFile(dir + "/config.json");
        QVERIFY(config);
        auto checkpoint = HfCheckpoint::open(dir + "/model.safetensors");
        QVERIFY(checkpoint);
        auto model = VitModel::load(*config, *checkpoint);
        QVERIFY2(model, model ? "" : model.error().c_str());
        auto pixels = NpyFile::readFile(dir + "/pixels.npy");
        QVERIFY(pixels);
        QCOMPARE(pixels->shape, (std::vector<int64_t> { 3, 16, 16 }));
        auto a = (*model)->forward(pixels->data, 16);
        QVERIFY2(a, a ? "" : a.error().c_str());
        QCOMPARE(a->tokens, 17);
        QCOMPARE(a->tokenLabels.front(), std::string("CLS"));
        QCOMPARE(a->tokenLabels[6], std::string("1,1"));
        auto reference = NpyFile::readFile(dir + "/attention.npy");
        QVERIFY(reference);
        const double error = maxError(a->weights, reference->data);
        qInfo("vit: 17 tokens, max |attention - torch| = %.3g", error);
        QVERIFY(error < 1e-4);
        auto wrongSize = (*model)->forward(pixels->data, 8);
        QVERIFY(!wrongSize);
        QCOMPARE(
            qs(wrongSize.error()), QStringLiteral("the picture is 8 x 8 pixels; this ViT takes 16 x 16"));
        auto shortPixels = (*model)->forward(std::vector<float>(10), 16);
        QVERIFY(!shortPixels);
        QCOMPARE(qs(shortPixels.error()),
            QStringLiteral("the pixel tensor has 10 values; 3 x 16 x 16 = 768 were expected"));
    }

    void dtypesAndShards()
    {
        auto gpt2 = HfCheckpoint::open(fixtureDir("gpt2") + "/model.safetensors");
        QVERIFY(gpt2);
        auto wpe = gpt2->tensor("wpe.weight", { 64, 32 });
        QVERIFY(wpe);
        // F16 values converted exactly: every one is a multiple of 2^-24 and fits 11 significant bits.
        for (float v : wpe->data)
            QCOMPARE(static_cast<float>(static_cast<double>(v)), v);
        auto llama = HfCheckpoint::open(fixtureDir("llama") + "/model.safetensors.index.json");
        QVERIFY2(llama, llama ? "" : llama.error().c_str());
        QCOMPARE(qs(llama->displayName()), QStringLiteral("model.safetensors.index.json (2 shards)"));
        QCOMPARE(static_cast<int>(llama->tensorCount()), 1 + 2 * 9 + 2);
        auto norm = llama->vector("model.norm.weight", 32);
        QVERIFY(norm);
        // BF16: the low 16 bits of every float are zero.
        for (float v : *norm) {
            uint32_t bits;
            std::memcpy(&bits, &v, 4);
            QCOMPARE(bits & 0xffffu, 0u);
        }
    }

    void hostileCheckpoints()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string bytes = readText(fixtureDir("gpt2") + "/model.safetensors");

        { // truncated: half the data is gone
            const std::string dir = copyFixture(tmp, "gpt2", "truncated");
            writeFile(dir + "/model.safetensors", bytes.substr(0, bytes.size() / 2));
            const std::string e = loadError(dir);
            QVERIFY2(e.find("run past the end of the data section") != std::string::npos, e.c_str());
            QVERIFY2(e.find("truncated/model.safetensors: tensor '") != std::string::npos, e.c_str());
        }
        { // offsets past the end of the file
            const std::string dir = copyFixture(tmp, "gpt2", "offsets");
            StParts p = splitSt(bytes);
            p.header["wte.weight"]["data_offsets"][1] = p.data.size() + 4096;
            writeFile(dir + "/model.safetensors", joinSt(p));
            const std::string e = loadError(dir);
            QVERIFY2(e.find("tensor 'wte.weight': data_offsets [") != std::string::npos
                    && e.find("run past the end of the data section (" + std::to_string(p.data.size())
                           + " bytes)")
                        != std::string::npos,
                e.c_str());
        }
        { // a header length claiming a terabyte
            const std::string dir = copyFixture(tmp, "gpt2", "terabyte");
            std::string b = bytes;
            const uint64_t tb = uint64_t { 1 } << 40;
            std::memcpy(b.data(), &tb, 8);
            writeFile(dir + "/model.safetensors", b);
            const std::string e = loadError(dir);
            QVERIFY2(e.find("the header length 1099511627776 bytes exceeds the 100000000-byte (100 MB) limit")
                    != std::string::npos,
                e.c_str());
        }
        { // a tensor claiming a terabyte of data (shape and offsets agree, the file does not have it)
            const std::string dir = copyFixture(tmp, "gpt2", "tensor-tb");
            StParts p = splitSt(bytes);
            p.header["wte.weight"] = { { "dtype", "F32" }, { "shape", { 262144, 1048576 } },
                { "data_offsets", { 0, uint64_t { 1 } << 40 } } };
            writeFile(dir + "/model.safetensors", joinSt(p));
            const std::string e = loadError(dir);
            QVERIFY2(e.find("tensor 'wte.weight': data_offsets [0, 1099511627776] run past the end of the "
                            "data section")
                    != std::string::npos,
                e.c_str());
        }
        { // a shape that disagrees with config.json
            const std::string dir = copyFixture(tmp, "gpt2", "shape");
            json config = readJson(dir + "/config.json");
            config["n_inner"] = 64;
            writeFile(dir + "/config.json", config.dump());
            QCOMPARE(qs(loadError(dir)),
                QStringLiteral(
                    "model.safetensors: tensor 'h.0.mlp.c_fc.weight' has shape [32, 128] but config.json "
                    "implies [32, 64]"));
        }
        { // an integer dtype for a weight (the bytes agree with the shape: 8 x 16 bits = 2 x 64 bits)
            const std::string dir = copyFixture(tmp, "gpt2", "dtype");
            StParts p = splitSt(bytes);
            p.header["ln_f.weight"]["dtype"] = "I64";
            p.header["ln_f.weight"]["shape"] = { 8 };
            writeFile(dir + "/model.safetensors", joinSt(p));
            QCOMPARE(qs(loadError(dir)),
                QStringLiteral("model.safetensors: tensor 'ln_f.weight' has dtype I64; model weights must be "
                               "F32, F16 or BF16"));
        }
        { // a NaN weight (F16 0x7e00) in wpe row 0, element 5
            const std::string dir = copyFixture(tmp, "gpt2", "nan");
            StParts p = splitSt(bytes);
            const auto at = p.header["wpe.weight"]["data_offsets"][0].get<size_t>() + 5 * 2;
            p.data[at] = '\x00';
            p.data[at + 1] = '\x7e';
            writeFile(dir + "/model.safetensors", joinSt(p));
            QCOMPARE(qs(loadError(dir)),
                QStringLiteral("model.safetensors: tensor 'wpe.weight' holds NaN at element 5; a "
                               "checkpoint's weights must be finite"));
        }
        { // a missing tensor
            const std::string dir = copyFixture(tmp, "gpt2", "missing");
            StParts p = splitSt(bytes);
            p.header.erase("ln_f.bias");
            writeFile(dir + "/model.safetensors", joinSt(p));
            QCOMPARE(qs(loadError(dir)),
                QStringLiteral(
                    "model.safetensors: missing tensor 'ln_f.bias' (the checkpoint has 27 tensors; is "
                    "config.json's model_type right?)"));
        }
        { // weights larger than the memory budget are refused before any is read
            ComputeControl control;
            control.memoryLimitBytes = 1000;
            QCOMPARE(qs(loadError(fixtureDir("gpt2"), control)),
                QStringLiteral(
                    "model.safetensors: its 28 tensors need 0.1 MB as float32, more than the memory budget "
                    "of 0.0 MB"));
        }
    }

    void hostileShardIndex()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string dir = copyFixture(tmp, "llama", "llama");
        const std::string index = dir + "/model.safetensors.index.json";
        const json good = readJson(index);

        json bad = good;
        bad["weight_map"]["model.norm.weight"] = "../../etc/passwd";
        writeFile(index, bad.dump());
        QCOMPARE(qs(loadError(dir)),
            qs(index
                + ": the shard '../../etc/passwd' of tensor 'model.norm.weight' must be a file name in the "
                  "same folder"));

        bad = good;
        bad["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";
        const bool normInFirst
            = good["weight_map"]["model.norm.weight"] == "model-00001-of-00002.safetensors";
        if (normInFirst)
            bad["weight_map"]["model.norm.weight"] = "model-00002-of-00002.safetensors";
        writeFile(index, bad.dump());
        QCOMPARE(qs(loadError(dir)),
            qs(index + ": the index maps tensor 'model.norm.weight' to "
                + bad["weight_map"]["model.norm.weight"].get<std::string>() + ", which has no such tensor"));

        writeFile(index, R"({"metadata": {}})");
        QCOMPARE(
            qs(loadError(dir)), qs(index + ": no \"weight_map\" object naming the shard of each tensor"));

        writeFile(index, good.dump());
        fs::remove(dir + "/model-00002-of-00002.safetensors");
        const std::string e = loadError(dir);
        QVERIFY2(e.find("model-00002-of-00002.safetensors") != std::string::npos, e.c_str());
    }

    void hostileConfigs_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown architecture")
            << R"({"model_type": "mamba"})"
            << "unsupported architecture 'mamba' in config.json; supported: bert, "
               "gpt2, llama, vit (and llama2.c .bin checkpoints)";
        QTest::newRow("no model_type")
            << R"({"hidden_size": 32})"
            << "c.json: no \"model_type\" string; supported: bert, gpt2, llama, vit (and "
               "llama2.c .bin checkpoints)";
        QTest::newRow("not json") << "{"
                                  << "c.json: not valid JSON (at byte 2)";
        // Found by the 10-minute hf_config fuzz run: nlohmann throws out_of_range (not parse_error)
        // for a number beyond a double; it used to escape and abort the app.
        QTest::newRow("number beyond a double")
            << R"({"model_type": "gpt2", "n_embd": 33333e336})"
            << "c.json: not valid JSON ([json.exception.out_of_range.406] number overflow parsing '33333e336')";
        QTest::newRow("heads do not divide")
            << R"({"model_type": "bert", "vocab_size": 10, "hidden_size": 30, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8})"
            << "c.json: bert config: the hidden size 30 is not divisible by the 4 attention heads";
        QTest::newRow("huge hidden")
            << R"({"model_type": "gpt2", "vocab_size": 10, "n_embd": 1000000000000, "n_layer": 1, "n_head": 4})"
            << "c.json: gpt2 config: 'n_embd' is 1000000000000; it must be between 1 and 65536";
        QTest::newRow("negative layers")
            << R"({"model_type": "llama", "vocab_size": 10, "hidden_size": 32, "intermediate_size": 8, "num_hidden_layers": -2, "num_attention_heads": 4})"
            << "c.json: llama config: 'num_hidden_layers' is -2; it must be between 1 and 1024";
        QTest::newRow("kv heads")
            << R"({"model_type": "llama", "vocab_size": 10, "hidden_size": 32, "intermediate_size": 8, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 3})"
            << "c.json: llama config: the 4 attention heads are not a multiple of the 3 key/value heads";
        QTest::newRow("rope scaling")
            << R"({"model_type": "llama", "vocab_size": 10, "hidden_size": 32, "intermediate_size": 8, "num_hidden_layers": 2, "num_attention_heads": 4, "rope_scaling": {"type": "linear", "factor": 2.0}})"
            << "c.json: llama config: 'rope_scaling' is set ({\"factor\":2.0,\"type\":\"linear\"}): RoPE "
               "scaling is not "
               "supported";
        QTest::newRow("activation")
            << R"({"model_type": "bert", "vocab_size": 10, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "hidden_act": "relu"})"
            << "c.json: bert config: 'hidden_act' is \"relu\"; this version computes only 'gelu'";
        QTest::newRow("missing vocab") << R"({"model_type": "gpt2", "n_embd": 32, "n_layer": 1, "n_head": 4})"
                                       << "c.json: gpt2 config: 'vocab_size' is missing";
        QTest::newRow("float size")
            << R"({"model_type": "vit", "hidden_size": 32.5, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8})"
            << "c.json: vit config: 'hidden_size' must be a whole number, not 32.5";
        QTest::newRow("vit patches")
            << R"({"model_type": "vit", "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "image_size": 30, "patch_size": 8})"
            << "c.json: vit config: image_size 30 is not a multiple of patch_size 8";
        QTest::newRow("vit huge picture")
            << R"({"model_type": "vit", "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 8, "image_size": 100000, "patch_size": 100000})"
            << "c.json: vit config: 'image_size' is 100000; it must be between 1 and 2048";
        QTest::newRow("bos outside vocab")
            << R"({"model_type": "llama", "vocab_size": 10, "hidden_size": 32, "intermediate_size": 8, "num_hidden_layers": 2, "num_attention_heads": 4, "bos_token_id": 10})"
            << "c.json: llama config: 'bos_token_id' is 10; it must be a token id in 0..9";
    }
    void hostileConfigs()
    {
        QFETCH(QString, config);
        QFETCH(QString, message);
        auto parsed = HfConfig::parse(config.toStdString(), "c.json");
        QVERIFY(!parsed);
        QCOMPARE(qs(parsed.error()), message);
    }

    void configFields()
    {
        auto llama = HfConfig::readFile(fixtureDir("llama") + "/config.json");
        QVERIFY(llama);
        QCOMPARE(llama->headDim, 8);
        QCOMPARE(llama->kvHeads, 2);
        QCOMPARE(llama->bosTokenId, 1);
        QCOMPARE(llama->eosTokenId, 2);
        QVERIFY(!llama->tieWordEmbeddings);
        QCOMPARE(llama->normEps, 1e-6);
        auto gpt2 = HfConfig::readFile(fixtureDir("gpt2") + "/config.json");
        QVERIFY(gpt2);
        QCOMPARE(gpt2->intermediateSize, 128); // n_inner null: 4 x n_embd
        QCOMPARE(gpt2->normEps, 1e-5);
        auto vit = HfConfig::readFile(fixtureDir("vit") + "/config.json");
        QVERIFY(vit);
        QCOMPARE(vit->maxPositions, 17); // 4 x 4 patches + CLS
    }

    void runnerOnFolders_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("source");
        QTest::addColumn<bool>("causal");
        QTest::newRow("bert") << "bert"
                              << "model.safetensors (bert, 2 layers x 4 heads)" << false;
        QTest::newRow("gpt2") << "gpt2"
                              << "model.safetensors (gpt2, 2 layers x 4 heads)" << true;
        QTest::newRow("llama") << "llama"
                               << "model.safetensors.index.json (llama, 2 layers x 4 heads, 2 kv heads)"
                               << true;
    }
    void runnerOnFolders()
    {
        // Text in, the folder's tokenizer (merged from hftok), the model, every layer out: the ids are the
        // ones the fixture script's own tokenizer gives, so the torch attention applies unchanged.
        QFETCH(QString, family);
        QFETCH(QString, source);
        QFETCH(bool, causal);
        const std::string dir = fixtureDir(family.toStdString());
        const json expected = readJson(dir + "/expected.json");
        InputSpec spec;
        spec.kind = InputKind::Model;
        spec.path = dir;
        spec.text = expected["text"].get<std::string>();
        auto r = ModelRunner::run(spec);
        QVERIFY2(r, r ? "" : r.error().c_str());
        QCOMPARE(r->tokenIds, expected["text_ids"].get<std::vector<int>>());
        auto labels = ModelRunner::tokenize(dir, spec.text);
        QVERIFY(labels);
        QCOMPARE(*labels, r->queryLabels);
        QCOMPARE(qs(r->source), source);
        QCOMPARE(r->mechanism.causal, causal);
        QCOMPARE(r->layers, 2);
        QCOMPARE(r->heads, 4);
        auto reference = NpyFile::readFile(dir + "/attention.npy");
        QVERIFY(reference);
        const double error = maxError(r->weights, reference->data);
        qInfo("%s through ModelRunner: max |attention - torch| = %.3g", qPrintable(family), error);
        QVERIFY(error < 1e-4);
        // Specials: BOS first for causal LMs, [CLS] ... [SEP] for BERT, nothing else.
        std::vector<uint8_t> special(r->tokenIds.size(), 0);
        special.front() = 1;
        if (!causal)
            special.back() = 1;
        QCOMPARE(r->specialTokens, special);
        QCOMPARE(r->layerQueries.size(), size_t { 2 } * 4 * r->tokenIds.size() * 8);
        const double qk = qkConsistency(*r);
        qInfo(
            "%s: max |softmax(q k / sqrt d) - weights| from the captured Q/K = %.3g", qPrintable(family), qk);
        QVERIFY(qk < 1e-5);
        QCOMPARE(r->nextToken.empty(), !causal);
        if (causal)
            QVERIFY(r->nextTokenProbability > 0.0f && r->nextTokenProbability <= 1.0f);
    }

    void runnerLocatesFilesAndRefuses()
    {
        // A shard names its whole checkpoint; a safetensors file names its folder.
        auto shard = ModelRunner::locate(fixtureDir("llama") + "/model-00002-of-00002.safetensors");
        QVERIFY(shard);
        QCOMPARE(qs(shard->checkpoint), qs(fixtureDir("llama") + "/model.safetensors.index.json"));
        QCOMPARE(qs(shard->config), qs(fixtureDir("llama") + "/config.json"));
        auto file = ModelRunner::locate(fixtureDir("gpt2") + "/model.safetensors");
        QVERIFY(file && file->isHuggingFace());
        QCOMPARE(qs(file->tokenizer), qs(fixtureDir("gpt2")));

        InputSpec spec;
        spec.kind = InputKind::Model;
        spec.path = fixtureDir("vit");
        spec.text = "a picture";
        auto vitText = ModelRunner::run(spec);
        QVERIFY(!vitText);
        QCOMPARE(qs(vitText.error()),
            qs("'" + fixtureDir("vit")
                + "/model.safetensors' is a ViT model: it takes a "
                  "picture, not a text prompt"));
        auto bertGenerate = ModelRunner::generate(fixtureDir("bert"), "the cat", 3);
        QVERIFY(!bertGenerate);
        QCOMPARE(qs(bertGenerate.error()),
            QStringLiteral("a bert model does not generate text (it is not a causal language model)"));
        ImageBuffer picture;
        picture.width = picture.height = 2;
        picture.rgb.assign(12, 0);
        auto gptImage = ModelRunner::runImage(fixtureDir("gpt2"), picture);
        QVERIFY(!gptImage);
        QCOMPARE(qs(gptImage.error()),
            qs("'" + fixtureDir("gpt2")
                + "/model.safetensors' is not a vision transformer "
                  "(gpt2): give it a text prompt, or open the picture with a ViT model"));
        picture.rgb.resize(5);
        auto broken = ModelRunner::runImage(fixtureDir("vit"), picture);
        QVERIFY(!broken);
        QVERIFY2(broken.error().find("has no pixels") != std::string::npos, broken.error().c_str());

        QTemporaryDir tmp;
        const std::string dir = copyFixture(tmp, "gpt2", "bigtok");
        json config = readJson(dir + "/config.json");
        const int vocab = config["vocab_size"].get<int>();
        // A tokenizer with more tokens than the model's vocabulary: refused, not run out of bounds.
        // (wte keeps its rows, so the shape check must be satisfied by a config with the smaller vocab:
        // shrink both.)
        StParts p = splitSt(readText(dir + "/model.safetensors"));
        const int64_t smaller = vocab - 10;
        p.header["wte.weight"]["shape"] = { smaller, 32 };
        p.header["wte.weight"]["data_offsets"][1]
            = p.header["wte.weight"]["data_offsets"][0].get<int64_t>() + smaller * 32 * 2;
        writeFile(dir + "/model.safetensors", joinSt(p));
        config["vocab_size"] = smaller;
        config["bos_token_id"] = 0;
        config["eos_token_id"] = 0;
        writeFile(dir + "/config.json", config.dump());
        spec.path = dir;
        spec.text = "hello";
        auto mismatch = ModelRunner::run(spec);
        QVERIFY(!mismatch);
        QCOMPARE(qs(mismatch.error()),
            qs("the tokenizer in '" + dir + "' has " + std::to_string(vocab)
                + " tokens but config.json's vocab_size is " + std::to_string(smaller)
                + ": they do not belong together"));
    }

    void runnerGeneratesLikeTorch()
    {
        const std::string dir = fixtureDir("gpt2");
        const json expected = readJson(dir + "/expected.json");
        auto tokens = ModelRunner::generate(dir, expected["text"].get<std::string>(), 5);
        QVERIFY2(tokens, tokens ? "" : tokens.error().c_str());
        std::vector<int> ids;
        for (const GeneratedToken& t : *tokens)
            ids.push_back(t.id);
        QCOMPARE(ids, expected["greedy5"].get<std::vector<int>>());
    }

    void runnerImageMatchesTorch_data()
    {
        QTest::addColumn<int>("scale");
        QTest::newRow("16 x 16, no resize") << 1;
        QTest::newRow("48 x 48, bilinear down by 3") << 3;
    }
    void runnerImageMatchesTorch()
    {
        // The fixture's pixels came from 8-bit values; as a picture they go through runImage's resize
        // and normalisation to the same input. A picture made of 3 x 3 blocks resized by 1/3 samples
        // each block's centre pixel exactly.
        QFETCH(int, scale);
        const std::string dir = fixtureDir("vit");
        auto pixels = NpyFile::readFile(dir + "/pixels.npy");
        QVERIFY(pixels);
        const ImageBuffer picture = fixturePicture(pixels->data, 16, scale);
        auto r = ModelRunner::runImage(dir, picture);
        QVERIFY2(r, r ? "" : r.error().c_str());
        auto reference = NpyFile::readFile(dir + "/attention.npy");
        QVERIFY(reference);
        const double error = maxError(r->weights, reference->data);
        qInfo("vit through runImage (x%d): max |attention - torch| = %.3g", scale, error);
        QVERIFY(error < 1e-4);
        QCOMPARE(r->queryCount, 17);
        QCOMPARE(qs(r->queryLabels[0]), QStringLiteral("CLS"));
        QCOMPARE(qs(r->queryLabels[16]), QStringLiteral("3,3"));
        QCOMPARE(r->gridRows, 4);
        QCOMPARE(r->gridCols, 4);
        QCOMPARE(r->gridWidth, 16 * scale);
        QCOMPARE(r->specialTokens.front(), uint8_t { 1 });
        QVERIFY(!r->mechanism.causal);
        QCOMPARE(qs(r->source), QStringLiteral("model.safetensors (vit, 2 layers x 4 heads)"));
        QVERIFY(qkConsistency(*r) < 1e-5);
    }

    void runnerLlama2cQueriesKeys()
    {
        const std::string model = qgetenv("ATTNSCOPE_BUNDLED_MODEL").toStdString();
        QVERIFY2(fs::exists(model + "/stories260K.bin"), model.c_str());
        InputSpec spec;
        spec.kind = InputKind::Model;
        spec.path = model;
        spec.text = "Once upon a time";
        auto r = ModelRunner::run(spec);
        QVERIFY2(r, r ? "" : r.error().c_str());
        QCOMPARE(r->tokenIds.front(), 1);
        QCOMPARE(r->specialTokens.front(), uint8_t { 1 });
        QCOMPARE(std::count(r->specialTokens.begin(), r->specialTokens.end(), 1), 1L);
        QCOMPARE(r->layerQueries.size(), size_t { 5 } * 8 * r->tokenIds.size() * 8);
        const double qk = qkConsistency(*r);
        qInfo("stories260K: max |softmax(q k / sqrt d) - weights| from the captured Q/K = %.3g", qk);
        QVERIFY(qk < 1e-5);
        // The captured values of layer 0, against wv · RMSNorm(embedding) computed here in double
        // from the checkpoint's own tensors (head h reads kv head h / (heads / kv heads)).
        auto checkpoint = Llama2cCheckpoint::readFile(model + "/stories260K.bin");
        QVERIFY(checkpoint);
        const auto& c = checkpoint->config();
        const int n = static_cast<int>(r->tokenIds.size()), hs = c.dim / c.heads, group = c.heads / c.kvHeads;
        QCOMPARE(r->layerValues.size(), r->layerQueries.size());
        const auto& w = checkpoint->layers().front();
        double maxDiff = 0.0;
        for (int i = 0; i < n; ++i) {
            std::vector<double> x(static_cast<size_t>(c.dim));
            double ss = 0.0;
            for (int d = 0; d < c.dim; ++d) {
                x[static_cast<size_t>(d)] = checkpoint->tokenEmbedding()(r->tokenIds[static_cast<size_t>(i)], d);
                ss += x[static_cast<size_t>(d)] * x[static_cast<size_t>(d)];
            }
            const double inv = 1.0 / std::sqrt(ss / c.dim + 1e-5);
            for (int h = 0; h < c.heads; ++h)
                for (int e = 0; e < hs; ++e) {
                    double v = 0.0;
                    for (int d = 0; d < c.dim; ++d)
                        v += static_cast<double>(w.wv((h / group) * hs + e, d)) * x[static_cast<size_t>(d)] * inv
                            * static_cast<double>(w.rmsAtt(d));
                    const float got = r->layerValues[((static_cast<size_t>(h) * n) + i) * hs + e];
                    maxDiff = std::max(maxDiff, std::abs(v - got));
                }
        }
        qInfo("stories260K: layer 0 values, max |captured - wv RMSNorm(x)| = %.3g", maxDiff);
        QVERIFY(maxDiff < 1e-4);
    }

    void badTokens()
    {
        auto model = loadTextModel(fixtureDir("gpt2"));
        QVERIFY(model);
        const int vocab = (*model)->config().vocabSize;
        auto outside = (*model)->forward({ 1, vocab });
        QVERIFY(!outside);
        QCOMPARE(qs(outside.error()),
            qs("token " + std::to_string(vocab) + " at position 1 is outside the vocabulary (0.."
                + std::to_string(vocab - 1) + ")"));
        auto tooLong = (*model)->forward(std::vector<int>(65, 1));
        QVERIFY(!tooLong);
        QCOMPARE(
            qs(tooLong.error()), QStringLiteral("65 tokens are more than the model's context length of 64"));
        auto empty = (*model)->forward({});
        QVERIFY(!empty);
        QCOMPARE(qs(empty.error()), QStringLiteral("no tokens to run: give at least one"));
        ComputeControl control;
        control.memoryLimitBytes = 100;
        auto budget = (*model)->forward({ 1, 2, 3 }, {}, control);
        QVERIFY(!budget);
        QVERIFY2(
            qs(budget.error())
                .startsWith("capturing the attention of 3 tokens needs 0.0 MB (2 layers x 4 heads x 3 x 3)"),
            budget.error().c_str());
        std::atomic<bool> cancel { true };
        ComputeControl cancelled;
        cancelled.cancel = &cancel;
        auto stopped = (*model)->forward({ 1, 2, 3 }, {}, cancelled);
        QVERIFY(!stopped);
        QCOMPARE(qs(stopped.error()), QStringLiteral("cancelled"));
    }
};

QTEST_GUILESS_MAIN(TestHfModels)
#include "tst_hf_models.moc"
