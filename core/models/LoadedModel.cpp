#include "LoadedModel.h"

#include "HfCheckpoint.h"
#include "Utf8.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>

namespace attn {

namespace fs = std::filesystem;

namespace {

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
    if (config->isVision()) {
        auto vit = VitModel::load(*config, *checkpoint, control);
        if (!vit)
            return vit.takeError();
        loaded.vit = std::move(*vit);
        return success();
    }
    auto text = HfTextModel::load(
        *config, std::make_shared<const HfCheckpoint>(std::move(*checkpoint)), control, HfLoadOptions {});
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

} // namespace

Expected<std::shared_ptr<const LoadedModel>> LoadedModel::load(const std::string& path, const ComputeControl& control)
{
    auto files = ModelLocator::locate(path);
    if (!files)
        return files.takeError();
    const std::string key = cacheKey(*files);
    {
        std::lock_guard<std::mutex> lock(g_cacheMutex);
        if (g_cache && g_cache->key == key)
            return g_cache;
    }
    if (files->gguf) {
        auto model = GgufModel::load(files->checkpoint, control);
        if (!model)
            return model.takeError();
        auto loaded = std::make_shared<LoadedModel>();
        loaded->files = *files;
        loaded->key = key;
        loaded->hfTokenizer = (*model)->takeTokenizer();
        for (auto id : { loaded->hfTokenizer->bosId(), loaded->hfTokenizer->eosId() })
            if (id)
                loaded->specialIds.insert(*id);
        for (int id : (*model)->stack().spec().stopTokens)
            loaded->specialIds.insert(id);
        loaded->gguf = std::move(*model);
        std::lock_guard<std::mutex> lock(g_cacheMutex);
        g_cache = loaded;
        return std::shared_ptr<const LoadedModel>(loaded);
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
    loaded->specialIds = { Llama2cTokenizer::kBos, Llama2cTokenizer::kEos };
    std::lock_guard<std::mutex> lock(g_cacheMutex);
    g_cache = loaded;
    return std::shared_ptr<const LoadedModel>(loaded);
}

const TransformerStack* LoadedModel::stack() const
{
    if (model)
        return &model->stack();
    if (gguf)
        return &gguf->stack();
    return text ? &text->stack() : nullptr;
}

Expected<TokenizedText> LoadedModel::encode(const std::string& prompt) const
{
    if (vit)
        return makeError("'" + files.checkpoint + "' is a ViT model: it takes a picture, not a text prompt");
    if (hfTokenizer)
        return hfTokenizer->encodeForModel(prompt, gguf ? true : config.isCausal());
    auto ids = tokenizer->encode(prompt, true);
    if (!ids)
        return ids.takeError();
    TokenizedText t;
    t.ids = std::move(*ids);
    for (int id : t.ids)
        t.labels.push_back(tokenizer->label(id));
    return t;
}

std::string LoadedModel::nextTokenLabel(int id) const
{
    return hfTokenizer ? displayPiece(hfTokenizer->decode(id)) : tokenizer->label(id);
}

std::vector<std::string> LoadedModel::generatedPieces(const std::vector<int>& prompt, const std::vector<int>& generated) const
{
    std::vector<std::string> pieces;
    int previous = prompt.empty() ? 0 : prompt.back();
    for (int id : generated) {
        pieces.push_back(hfTokenizer ? hfTokenizer->decode(id) : tokenizer->decode(previous, id));
        previous = id;
    }
    return pieces;
}

std::string LoadedModel::sourceDescription() const
{
    const std::string file = fs::path(files.checkpoint).filename().string();
    if (model) {
        const auto& c = model->config();
        return file + " (llama2.c, " + std::to_string(c.layers) + " layers x " + std::to_string(c.heads) + " heads, "
            + std::to_string(c.kvHeads) + " kv heads)";
    }
    if (gguf)
        return file + " (GGUF: " + gguf->summary().text() + ")";
    std::string source = file + " (" + config.modelType + ", " + std::to_string(config.layers) + " layers x "
        + std::to_string(config.heads) + " heads";
    if (config.kvHeads != config.heads)
        source += ", " + std::to_string(config.kvHeads) + " kv heads";
    return source + ")";
}

} // namespace attn
