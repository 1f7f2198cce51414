#include "ModelRunner.h"

#include "LlamaModel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>

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
    std::unique_ptr<LlamaModel> model;
    std::unique_ptr<Llama2cTokenizer> tokenizer;
};

std::mutex g_cacheMutex;
std::shared_ptr<const LoadedModel> g_cache;

std::string cacheKey(const ModelFiles& files)
{
    std::string key;
    for (const std::string& p : {files.checkpoint, files.tokenizer}) {
        std::error_code ec;
        const auto size = fs::file_size(p, ec);
        const auto time = fs::last_write_time(p, ec).time_since_epoch().count();
        key += p + "|" + std::to_string(size) + "|" + std::to_string(time) + ";";
    }
    return key;
}

Expected<std::shared_ptr<const LoadedModel>> load(const std::string& path)
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

} // namespace

Expected<ModelFiles> ModelRunner::locate(const std::string& path)
{
    std::error_code ec;
    if (path.empty())
        return makeError("no model given: name a llama2.c checkpoint (.bin) or the folder holding it");
    if (!fs::exists(path, ec))
        return makeError("cannot open model '" + path + "': no such file or folder");
    ModelFiles files;
    fs::path folder;
    if (fs::is_directory(path, ec)) {
        folder = path;
        if (fs::exists(folder / "config.json", ec))
            return makeError("'" + path + "' is a Hugging Face model folder; this version runs llama2.c checkpoints "
                             "(a .bin file with tokenizer.bin or tok*.bin beside it)");
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
        if (fs::path(path).extension() == ".safetensors")
            return makeError("'" + path + "': Hugging Face safetensors checkpoints are not supported yet; "
                             "supported: llama2.c checkpoints (.bin)");
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

Expected<std::vector<std::string>> ModelRunner::tokenize(const std::string& path, const std::string& prompt)
{
    auto loaded = load(path);
    if (!loaded)
        return loaded.takeError();
    auto ids = (*loaded)->tokenizer->encode(prompt, true);
    if (!ids)
        return ids.takeError();
    std::vector<std::string> labels;
    for (int id : *ids)
        labels.push_back((*loaded)->tokenizer->label(id));
    return labels;
}

Expected<AttentionResult> ModelRunner::run(const InputSpec& spec, const ComputeControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    auto loaded = load(spec.path);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    if (control.cancelled())
        return makeError("cancelled");
    auto ids = m.tokenizer->encode(spec.text, true);
    if (!ids)
        return ids.takeError();
    LlamaRunOptions options;
    options.tokenizer = m.tokenizer.get();
    options.keepQueriesKeys = true; // for the query/key view
    auto attention = m.model->forward(*ids, options, control);
    if (!attention)
        return attention.takeError();
    ModelAttention& a = *attention;

    AttentionResult r;
    r.layers = a.layers;
    r.heads = a.heads;
    r.queryCount = r.keyCount = a.tokens;
    r.inputDim = r.modelDim = m.model->config().dim;
    r.headDim = a.headSize;
    r.queryLabels = r.keyLabels = r.outputLabels = a.tokenLabels;
    r.mechanism.score = ScoreKind::ScaledDot;
    r.mechanism.norm = NormKind::Softmax;
    r.mechanism.causal = true;
    r.mechanism.heads = a.heads;
    r.mechanism.dim = r.modelDim;
    r.mechanism.projection = ProjectionKind::File;
    r.mechanism.projectionFile = m.files.checkpoint;
    r.mechanism.keepScores = false;
    r.mask = MaskSpec(r.mechanism, a.tokens, a.tokens);
    r.weights = std::move(a.weights);
    r.tokenIds = a.tokenIds;
    for (int id : a.tokenIds)
        r.specialTokens.push_back(id == 1 || id == 2 ? 1 : 0); // BOS, EOS
    r.layerQueries = std::move(a.queries);
    r.layerKeys = std::move(a.keys);
    const auto& cfg = m.model->config();
    r.source = fs::path(m.files.checkpoint).filename().string() + " (llama2.c, " + std::to_string(cfg.layers) +
               " layers x " + std::to_string(cfg.heads) + " heads, " + std::to_string(cfg.kvHeads) + " kv heads)";
    if (!a.lastLogits.empty()) {
        const auto best = std::max_element(a.lastLogits.begin(), a.lastLogits.end());
        double sum = 0.0;
        for (float logit : a.lastLogits)
            sum += std::exp(static_cast<double>(logit - *best));
        const int id = static_cast<int>(best - a.lastLogits.begin());
        r.nextToken = m.tokenizer->label(id);
        r.nextTokenProbability = static_cast<float>(1.0 / sum);
    }
    r.computeMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

Expected<std::vector<GeneratedToken>> ModelRunner::generate(
    const std::string& path, const std::string& prompt, int steps, const ComputeControl& control)
{
    if (steps < 1)
        return makeError("the number of steps must be at least 1 (got " + std::to_string(steps) + ")");
    auto loaded = load(path);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    auto ids = m.tokenizer->encode(prompt, true);
    if (!ids)
        return ids.takeError();
    auto generated = m.model->generateGreedy(*ids, steps, control);
    if (!generated)
        return generated.takeError();
    std::vector<GeneratedToken> out;
    int previous = ids->back();
    for (int id : *generated) {
        out.push_back({id, m.tokenizer->decode(previous, id)});
        previous = id;
    }
    return out;
}

} // namespace attn
