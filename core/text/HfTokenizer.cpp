#include "HfTokenizer.h"

#include "ByteLevelBpeTokenizer.h"
#include "HfTokenizerConfig.h"
#include "TokenizerFiles.h"
#include "TokenizerJsonBpe.h"
#include "TokenizerJsonUnigram.h"
#include "WordPieceTokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace attn {

namespace {

namespace fs = std::filesystem;

bool isFile(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

template <class T> Expected<std::unique_ptr<HfTokenizer>> upcast(Expected<std::unique_ptr<T>> t)
{
    if (!t)
        return t.takeError();
    return std::unique_ptr<HfTokenizer>(std::move(*t));
}

} // namespace

Expected<std::unique_ptr<HfTokenizer>> HfTokenizer::load(const std::string& folderOrFile)
{
    std::error_code ec;
    fs::path folder = folderOrFile;
    // A tokenizer file itself stands for its folder.
    if (isFile(folder)) {
        const auto file = folder.filename().string();
        if (file != "tokenizer.json" && file != "vocab.json" && file != "merges.txt" && file != "vocab.txt")
            return makeError("'" + folderOrFile
                + "' is not a tokenizer file (expected a folder with tokenizer.json, vocab.json + "
                  "merges.txt or vocab.txt)");
        folder = folder.parent_path();
        if (folder.empty())
            folder = ".";
    } else if (!fs::is_directory(folder, ec)) {
        return makeError("cannot open tokenizer folder '" + folderOrFile
            + "': " + (fs::exists(folder, ec) ? "not a folder" : "no such file or directory"));
    }
    auto config = HfTokenizerConfig::readFolder(folder.string());
    if (!config)
        return config.takeError();

    const fs::path tokenizerJson = folder / "tokenizer.json";
    const fs::path vocabJson = folder / "vocab.json";
    const fs::path merges = folder / "merges.txt";
    const fs::path vocabTxt = folder / "vocab.txt";
    if (isFile(tokenizerJson)) {
        auto j = TokenizerFiles::readJson(tokenizerJson.string(), TokenizerFiles::kMaxVocabFileBytes);
        if (!j)
            return j.takeError();
        // BERT folders ship a WordPiece tokenizer.json next to vocab.txt: read the vocab.txt (the
        // slow tokenizer's settings come from tokenizer_config.json); alone, read the tokenizer.json.
        const bool wordPiece = j->is_object() && j->contains("model")
            && TokenizerFiles::typeName((*j)["model"]) == "WordPiece";
        if (wordPiece && !isFile(vocabTxt))
            return upcast(
                WordPieceTokenizer::fromTokenizerJson(*j, *config, "'" + tokenizerJson.string() + "'"));
        if (j->is_object() && j->contains("model") && TokenizerFiles::typeName((*j)["model"]) == "Unigram")
            return upcast(
                TokenizerJsonUnigram::fromJson(*j, *config, "'" + tokenizerJson.string() + "'"));
        if (!wordPiece)
            return upcast(TokenizerJsonBpe::fromJson(*j, *config, "'" + tokenizerJson.string() + "'"));
    }
    if (isFile(vocabJson) || isFile(merges)) {
        if (!isFile(merges))
            return makeError("tokenizer folder '" + folder.string() + "' has vocab.json but no merges.txt");
        if (!isFile(vocabJson))
            return makeError("tokenizer folder '" + folder.string() + "' has merges.txt but no vocab.json");
        return upcast(ByteLevelBpeTokenizer::readFiles(vocabJson.string(), merges.string(), *config));
    }
    if (isFile(vocabTxt))
        return upcast(WordPieceTokenizer::readFile(vocabTxt.string(), *config));
    return makeError("tokenizer folder '" + folder.string()
        + "' has no tokenizer.json, vocab.json + merges.txt or vocab.txt");
}

Expected<TokenizedText> HfTokenizer::encodeWithBos(const std::string& text, bool addBos, std::optional<int> bos,
    const std::string& bosLabel, const std::string& missing) const
{
    if (addBos && !bos)
        return makeError(missing);
    auto tokens = encode(text);
    if (!tokens || !addBos)
        return tokens;
    tokens->ids.insert(tokens->ids.begin(), *bos);
    tokens->labels.insert(tokens->labels.begin(), bosLabel);
    return tokens;
}

} // namespace attn
