#include "ModelRunner.h"

#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "HfTextModel.h"
#include "HfTokenizer.h"
#include "LlamaModel.h"
#include "Utf8.h"
#include "VitModel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>

namespace attn {

namespace fs = std::filesystem;

namespace {

bool isTokenizerName(const std::string& name)
{
    return name == "tokenizer.bin" || (name.rfind("tok", 0) == 0 && name.size() > 7 &&
                                          name.compare(name.size() - 4, 4, ".bin") == 0);
}

struct LoadedModel {
    ModelFiles files;
    std::string key;
    // llama2.c
    std::unique_ptr<LlamaModel> model;
    std::unique_ptr<Llama2cTokenizer> tokenizer;
    // Hugging Face: a text model with its tokenizer, or a ViT
    HfConfig config;
    std::unique_ptr<HfTextModel> text;
    std::unique_ptr<VitModel> vit;
    std::unique_ptr<HfTokenizer> hfTokenizer;
    std::set<int> specialIds; // BOS, EOS, [CLS], [SEP], padding, ...
};

std::mutex g_cacheMutex;
std::shared_ptr<const LoadedModel> g_cache;

std::string cacheKey(const ModelFiles& files)
{
    std::vector<std::string> paths{files.checkpoint, files.tokenizer, files.config};
    std::error_code ec;
    if (files.isHuggingFace()) { // shards and tokenizer files live in the folder
        std::vector<std::string> folderFiles;
        const fs::path folder = fs::path(files.config).parent_path();
        for (const auto& entry : fs::directory_iterator(folder.empty() ? fs::path(".") : folder, ec))
            if (entry.is_regular_file(ec))
                folderFiles.push_back(entry.path().string());
        std::sort(folderFiles.begin(), folderFiles.end());
        paths.insert(paths.end(), folderFiles.begin(), folderFiles.end());
    }
    std::string key;
    for (const std::string& p : paths) {
        std::error_code ec;
        const auto size = fs::file_size(p, ec);
        const auto time = fs::last_write_time(p, ec).time_since_epoch().count();
        key += p + "|" + std::to_string(size) + "|" + std::to_string(time) + ";";
    }
    return key;
}

Status loadHuggingFace(LoadedModel& loaded, const ComputeControl& control)
{
    const ModelFiles& files = loaded.files;
    auto config = HfConfig::readFile(files.config);
    if (!config)
        return config.takeError();
    loaded.config = *config;
    auto checkpoint = HfCheckpoint::open(files.checkpoint);
    if (!checkpoint)
        return checkpoint.takeError();
    if (config->architecture == HfArchitecture::Vit) {
        auto vit = VitModel::load(*config, *checkpoint, control);
        if (!vit)
            return vit.takeError();
        loaded.vit = std::move(*vit);
        return success();
    }
    auto text = HfTextModel::load(*config, *checkpoint, control);
    if (!text)
        return text.takeError();
    auto tokenizer = HfTokenizer::load(files.tokenizer);
    if (!tokenizer)
        return tokenizer.takeError();
    if ((*tokenizer)->vocabSize() > config->vocabSize)
        return makeError("the tokenizer in '" + files.tokenizer + "' has " + std::to_string((*tokenizer)->vocabSize())
            + " tokens but config.json's vocab_size is " + std::to_string(config->vocabSize)
            + ": they do not belong together");
    for (int id : {config->bosTokenId, config->eosTokenId})
        if (id >= 0)
            loaded.specialIds.insert(id);
    for (const char* name : {"[CLS]", "[SEP]", "[PAD]", "[MASK]", "<s>", "</s>", "<pad>", "<|endoftext|>",
             "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"})
        if (auto id = (*tokenizer)->tokenId(name))
            loaded.specialIds.insert(*id);
    loaded.text = std::move(*text);
    loaded.hfTokenizer = std::move(*tokenizer);
    return success();
}

Expected<std::shared_ptr<const LoadedModel>> load(const std::string& path, const ComputeControl& control = {})
{
    auto files = ModelRunner::locate(path);
    if (!files)
        return files.takeError();
    const std::string key = cacheKey(*files);
    {
        std::lock_guard<std::mutex> lock(g_cacheMutex);
        if (g_cache && g_cache->key == key)
            return g_cache;
    }
    if (files->isHuggingFace()) {
        auto loaded = std::make_shared<LoadedModel>();
        loaded->files = *files;
        loaded->key = key;
        if (auto st = loadHuggingFace(*loaded, control); !st)
            return st.takeError();
        std::lock_guard<std::mutex> lock(g_cacheMutex);
        g_cache = loaded;
        return std::shared_ptr<const LoadedModel>(loaded);
    }
    auto checkpoint = Llama2cCheckpoint::readFile(files->checkpoint);
    if (!checkpoint)
        return checkpoint.takeError();
    const int vocab = checkpoint->config().vocabSize;
    auto tokenizer = Llama2cTokenizer::readFile(files->tokenizer, vocab);
    if (!tokenizer)
        return tokenizer.takeError();
    auto loaded = std::make_shared<LoadedModel>();
    loaded->files = *files;
    loaded->key = key;
    loaded->model = std::make_unique<LlamaModel>(std::move(*checkpoint));
    loaded->tokenizer = std::make_unique<Llama2cTokenizer>(std::move(*tokenizer));
    std::lock_guard<std::mutex> lock(g_cacheMutex);
    g_cache = loaded;
    return std::shared_ptr<const LoadedModel>(loaded);
}

// A Hugging Face folder: config.json, the checkpoint (given, or found by its usual names) and the
// tokenizer files, which HfTokenizer::load finds in the same folder.
Expected<ModelFiles> locateHuggingFace(const fs::path& folder, const std::string& checkpoint)
{
    std::error_code ec;
    ModelFiles files;
    files.config = (folder / "config.json").string();
    files.tokenizer = folder.string();
    if (!fs::is_regular_file(files.config, ec))
        return makeError("no config.json beside '" + checkpoint + "': a Hugging Face checkpoint needs its config.json");
    if (!checkpoint.empty()) {
        files.checkpoint = checkpoint;
        // One shard of a sharded checkpoint (model-00001-of-00002.safetensors) stands for the whole.
        const std::string name = fs::path(checkpoint).filename().string();
        if (name.find("-of-") != std::string::npos && fs::is_regular_file(folder / "model.safetensors.index.json", ec))
            files.checkpoint = (folder / "model.safetensors.index.json").string();
        return files;
    }
    for (const char* name : {"model.safetensors", "model.safetensors.index.json"})
        if (fs::is_regular_file(folder / name, ec)) {
            files.checkpoint = (folder / name).string();
            return files;
        }
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec) && entry.path().extension() == ".safetensors")
            found.push_back(entry.path().string());
    if (found.size() == 1) {
        files.checkpoint = found.front();
        return files;
    }
    const bool pytorchOnly = fs::exists(folder / "pytorch_model.bin", ec);
    return makeError("'" + folder.string() + "' has config.json but " +
                     (found.empty() ? std::string("no model.safetensors or model.safetensors.index.json") +
                                          (pytorchOnly ? " (pytorch_model.bin is not read: convert it to safetensors)" : "")
                                    : std::to_string(found.size()) + " .safetensors files and no "
                                          "model.safetensors.index.json: name the file to use"));
}

} // namespace

Expected<ModelFiles> ModelRunner::locate(const std::string& path)
{
    std::error_code ec;
    if (path.empty())
        return makeError("no model given: name a checkpoint (llama2.c .bin, Hugging Face .safetensors) or the folder holding it");
    if (!fs::exists(path, ec))
        return makeError("cannot open model '" + path + "': no such file or folder");
    ModelFiles files;
    fs::path folder;
    if (fs::is_directory(path, ec)) {
        folder = path;
        if (fs::exists(folder / "config.json", ec))
            return locateHuggingFace(folder, std::string());
        std::vector<std::string> checkpoints;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            const std::string name = entry.path().filename().string();
            if (entry.is_regular_file() && entry.path().extension() == ".bin" && !isTokenizerName(name))
                checkpoints.push_back(entry.path().string());
        }
        std::sort(checkpoints.begin(), checkpoints.end());
        if (checkpoints.empty())
            return makeError("no llama2.c checkpoint (*.bin other than tokenizer.bin / tok*.bin) in '" + path + "'");
        if (checkpoints.size() > 1)
            return makeError("'" + path + "' holds several checkpoints (" + std::to_string(checkpoints.size()) +
                             "): name the .bin file to use");
        files.checkpoint = checkpoints.front();
    } else {
        files.checkpoint = path;
        folder = fs::path(path).parent_path();
        if (folder.empty())
            folder = ".";
        const std::string name = fs::path(path).filename().string();
        if (fs::path(path).extension() == ".safetensors"
            || (name.size() > 11 && name.compare(name.size() - 11, 11, ".index.json") == 0))
            return locateHuggingFace(folder, path);
    }
    std::vector<std::string> tokenizers;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_regular_file() && isTokenizerName(entry.path().filename().string()))
            tokenizers.push_back(entry.path().string());
    std::sort(tokenizers.begin(), tokenizers.end());
    // tokenizer.bin first when both kinds are there.
    auto preferred = std::find_if(tokenizers.begin(), tokenizers.end(),
        [](const std::string& p) { return fs::path(p).filename() == "tokenizer.bin"; });
    if (preferred != tokenizers.end())
        files.tokenizer = *preferred;
    else if (!tokenizers.empty())
        files.tokenizer = tokenizers.front();
    else
        return makeError("no tokenizer (tokenizer.bin or tok*.bin) beside the checkpoint in '" + folder.string() + "'");
    return files;
}

namespace {

std::string huggingFaceSource(const LoadedModel& m)
{
    const HfConfig& c = m.config;
    std::string source = fs::path(m.files.checkpoint).filename().string() + " (" + c.modelType + ", " +
                         std::to_string(c.layers) + " layers x " + std::to_string(c.heads) + " heads";
    if (c.kvHeads != c.heads)
        source += ", " + std::to_string(c.kvHeads) + " kv heads";
    return source + ")";
}

// The fields every checkpoint result shares, from one forward pass.
AttentionResult resultFrom(ModelAttention& a, int modelDim, bool causal, const std::string& projectionFile)
{
    AttentionResult r;
    r.layers = a.layers;
    r.heads = a.heads;
    r.queryCount = r.keyCount = a.tokens;
    r.inputDim = r.modelDim = modelDim;
    r.headDim = a.headSize;
    r.queryLabels = r.keyLabels = r.outputLabels = a.tokenLabels;
    r.mechanism.score = ScoreKind::ScaledDot;
    r.mechanism.norm = NormKind::Softmax;
    r.mechanism.causal = causal;
    r.mechanism.heads = a.heads;
    r.mechanism.dim = r.modelDim;
    r.mechanism.projection = ProjectionKind::File;
    r.mechanism.projectionFile = projectionFile;
    r.mechanism.keepScores = false;
    r.mask = MaskSpec(r.mechanism, a.tokens, a.tokens);
    r.weights = std::move(a.weights);
    r.layerQueries = std::move(a.queries);
    r.layerKeys = std::move(a.keys);
    r.layerValues = std::move(a.values);
    r.tokenIds = a.tokenIds;
    return r;
}

// A token's text for display: valid UTF-8 kept, each byte of an incomplete or invalid sequence (a
// byte-level token alone) shown as <0xNN>, so labels and JSON exports never carry broken UTF-8.
std::string displayPiece(const std::string& text)
{
    std::string out;
    for (const CodePoint& cp : Utf8::decode(text)) {
        if (cp.value == 0xFFFD && cp.length == 1) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "<0x%02X>", static_cast<unsigned char>(text[cp.offset]));
            out += hex;
        } else {
            out.append(text, cp.offset, cp.length);
        }
    }
    return out;
}

// The most likely next token and its softmax probability.
std::pair<int, float> argmaxWithProbability(const std::vector<float>& logits)
{
    const auto best = std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (float logit : logits)
        sum += std::exp(static_cast<double>(logit - *best));
    return {static_cast<int>(best - logits.begin()), static_cast<float>(1.0 / sum)};
}

Expected<TokenizedText> encodeHf(const LoadedModel& m, const std::string& prompt)
{
    if (m.vit)
        return makeError("'" + m.files.checkpoint + "' is a ViT model: it takes a picture, not a text prompt");
    return m.hfTokenizer->encodeForModel(prompt, m.config.isCausal());
}

} // namespace

Expected<std::vector<std::string>> ModelRunner::tokenize(const std::string& path, const std::string& prompt)
{
    auto loaded = load(path);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    if (m.files.isHuggingFace()) {
        auto tokens = encodeHf(m, prompt);
        if (!tokens)
            return tokens.takeError();
        return tokens->labels;
    }
    auto ids = m.tokenizer->encode(prompt, true);
    if (!ids)
        return ids.takeError();
    std::vector<std::string> labels;
    for (int id : *ids)
        labels.push_back(m.tokenizer->label(id));
    return labels;
}

Expected<AttentionResult> ModelRunner::run(const InputSpec& spec, const ComputeControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    auto loaded = load(spec.path, control);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    if (control.cancelled())
        return makeError("cancelled");

    AttentionResult r;
    if (m.files.isHuggingFace()) {
        auto tokens = encodeHf(m, spec.text);
        if (!tokens)
            return tokens.takeError();
        HfRunOptions options;
        options.keepQueriesKeys = true;
        auto attention = m.text->forward(tokens->ids, options, control);
        if (!attention)
            return attention.takeError();
        attention->tokenLabels = tokens->labels;
        r = resultFrom(*attention, m.config.hiddenSize, m.config.isCausal(), m.files.checkpoint);
        r.source = huggingFaceSource(m);
        for (int id : r.tokenIds)
            r.specialTokens.push_back(m.specialIds.count(id) ? 1 : 0);
        if (!attention->lastLogits.empty()) {
            const auto [id, probability] = argmaxWithProbability(attention->lastLogits);
            r.nextToken = displayPiece(m.hfTokenizer->decode(id));
            r.nextTokenProbability = probability;
        }
    } else {
        auto ids = m.tokenizer->encode(spec.text, true);
        if (!ids)
            return ids.takeError();
        LlamaRunOptions options;
        options.tokenizer = m.tokenizer.get();
        options.keepQueriesKeys = true;
        auto attention = m.model->forward(*ids, options, control);
        if (!attention)
            return attention.takeError();
        const auto& cfg = m.model->config();
        r = resultFrom(*attention, cfg.dim, true, m.files.checkpoint);
        r.source = fs::path(m.files.checkpoint).filename().string() + " (llama2.c, " + std::to_string(cfg.layers) +
                   " layers x " + std::to_string(cfg.heads) + " heads, " + std::to_string(cfg.kvHeads) + " kv heads)";
        for (int id : r.tokenIds)
            r.specialTokens.push_back(id == Llama2cTokenizer::kBos || id == Llama2cTokenizer::kEos ? 1 : 0);
        if (!attention->lastLogits.empty()) {
            const auto [id, probability] = argmaxWithProbability(attention->lastLogits);
            r.nextToken = m.tokenizer->label(id);
            r.nextTokenProbability = probability;
        }
    }
    r.computeMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

Expected<HfConfig> ModelRunner::visionConfig(const std::string& path)
{
    auto files = locate(path);
    if (!files)
        return files.takeError();
    if (!files->isHuggingFace())
        return makeError("'" + files->checkpoint + "' is a llama2.c language model, not a vision transformer");
    auto config = HfConfig::readFile(files->config);
    if (!config)
        return config.takeError();
    if (config->architecture != HfArchitecture::Vit)
        return makeError("'" + files->checkpoint + "' is a " + config->modelType + " model, not a vision transformer (ViT)");
    return config;
}

Expected<AttentionResult> ModelRunner::runImage(
    const std::string& path, const ImageBuffer& image, const ComputeControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    if (!image.isValid())
        return makeError("the picture '" + image.sourceName + "' has no pixels (or its buffer does not match " +
                         std::to_string(image.width) + " x " + std::to_string(image.height) + " RGB)");
    auto loaded = load(path, control);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    if (!m.vit)
        return makeError("'" + m.files.checkpoint + "' is not a vision transformer (" +
                         (m.files.isHuggingFace() ? m.config.modelType : std::string("llama2.c")) +
                         "): give it a text prompt, or open the picture with a ViT model");
    const HfConfig& c = m.config;
    if (c.channels != 3)
        return makeError("this ViT takes " + std::to_string(c.channels) + " channels; pictures are RGB (3)");
    // Bilinear resize to S x S with pixel centres aligned (source x = (x + 0.5) * W / S - 0.5), then
    // (v / 255 - 0.5) / 0.5, channel-major.
    const int S = c.imageSize;
    std::vector<float> pixels(static_cast<size_t>(3) * S * S);
    const double sx = static_cast<double>(image.width) / S;
    const double sy = static_cast<double>(image.height) / S;
    for (int y = 0; y < S; ++y) {
        const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, image.height - 1.0);
        const int y0 = static_cast<int>(fy);
        const int y1 = std::min(y0 + 1, image.height - 1);
        const double wy = fy - y0;
        for (int x = 0; x < S; ++x) {
            const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, image.width - 1.0);
            const int x0 = static_cast<int>(fx);
            const int x1 = std::min(x0 + 1, image.width - 1);
            const double wx = fx - x0;
            for (int ch = 0; ch < 3; ++ch) {
                const double v = (1 - wy) * ((1 - wx) * image.at(x0, y0, ch) + wx * image.at(x1, y0, ch)) +
                                 wy * ((1 - wx) * image.at(x0, y1, ch) + wx * image.at(x1, y1, ch));
                pixels[(static_cast<size_t>(ch) * S + y) * S + x] = static_cast<float>((v / 255.0 - 0.5) / 0.5);
            }
        }
    }
    auto attention = m.vit->forward(pixels, S, true, control);
    if (!attention)
        return attention.takeError();
    AttentionResult r = resultFrom(*attention, c.hiddenSize, false, m.files.checkpoint);
    r.source = huggingFaceSource(m);
    r.specialTokens.assign(static_cast<size_t>(r.queryCount), 0);
    r.specialTokens[0] = 1; // CLS
    r.gridRows = r.gridCols = c.patchesPerSide();
    r.gridPatch = c.patchSize;
    r.gridWidth = image.width;
    r.gridHeight = image.height;
    r.computeMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

Expected<std::vector<GeneratedToken>> ModelRunner::generate(
    const std::string& path, const std::string& prompt, int steps, const ComputeControl& control)
{
    if (steps < 1)
        return makeError("the number of steps must be at least 1 (got " + std::to_string(steps) + ")");
    auto loaded = load(path, control);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    std::vector<GeneratedToken> out;
    if (m.files.isHuggingFace()) {
        auto tokens = encodeHf(m, prompt);
        if (!tokens)
            return tokens.takeError();
        auto generated = m.text->generateGreedy(tokens->ids, steps, control);
        if (!generated)
            return generated.takeError();
        for (int id : *generated)
            out.push_back({id, m.hfTokenizer->decode(id)});
        return out;
    }
    auto ids = m.tokenizer->encode(prompt, true);
    if (!ids)
        return ids.takeError();
    auto generated = m.model->generateGreedy(*ids, steps, control);
    if (!generated)
        return generated.takeError();
    int previous = ids->back();
    for (int id : *generated) {
        out.push_back({id, m.tokenizer->decode(previous, id)});
        previous = id;
    }
    return out;
}

} // namespace attn
