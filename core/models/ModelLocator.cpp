#include "ModelLocator.h"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace attn {

namespace fs = std::filesystem;

namespace {

bool isTokenizerName(const std::string& name)
{
    return name == "tokenizer.bin" || (name.rfind("tok", 0) == 0 && name.size() > 7 &&
                                          name.compare(name.size() - 4, 4, ".bin") == 0);
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

Expected<ModelFiles> ModelLocator::locate(const std::string& path)
{
    std::error_code ec;
    if (path.empty())
        return makeError("no model given: name a checkpoint (llama2.c .bin, Hugging Face .safetensors, GGUF .gguf) or the folder holding it");
    if (!fs::exists(path, ec))
        return makeError("cannot open model '" + path + "': no such file or folder");
    ModelFiles files;
    fs::path folder;
    if (fs::is_directory(path, ec)) {
        folder = path;
        if (fs::exists(folder / "config.json", ec))
            return locateHuggingFace(folder, std::string());
        std::vector<std::string> ggufs;
        for (const auto& entry : fs::directory_iterator(folder, ec))
            if (entry.is_regular_file(ec) && entry.path().extension() == ".gguf")
                ggufs.push_back(entry.path().string());
        if (ggufs.size() == 1) {
            files.checkpoint = ggufs.front();
            files.gguf = true;
            return files;
        }
        if (ggufs.size() > 1)
            return makeError("'" + path + "' holds several GGUF files (" + std::to_string(ggufs.size())
                + "): name the .gguf file to use");
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
        if (fs::path(path).extension() == ".gguf") {
            files.gguf = true;
            return files;
        }
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

} // namespace attn
