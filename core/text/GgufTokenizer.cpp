#include "GgufTokenizer.h"

#include "ByteLevelAlphabet.h"
#include "Gpt2PreTokenizer.h"
#include "Utf8.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <queue>

namespace attn {

namespace {

const std::string kSpace = "\xE2\x96\x81"; // U+2581 "▁"

// llama.cpp's patterns for tokenizer.ggml.pre (llama-vocab.cpp); "gpt2" is GPT-2's own.
const char* patternFor(const std::string& pre)
{
    if (pre == "llama-bpe" || pre == "llama3")
        return "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
               "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    if (pre == "qwen2")
        return "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
               "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    return nullptr;
}

std::string replaceSpaces(const std::string& text)
{
    std::string out;
    for (char c : text) {
        if (c == ' ')
            out += kSpace;
        else
            out += c;
    }
    return out;
}

} // namespace

GgufTokenizer::GgufTokenizer(GgufVocabulary v)
    : m_v(std::move(v))
{
    std::fill(std::begin(m_byteTokens), std::end(m_byteTokens), -1);
}

Expected<std::unique_ptr<GgufTokenizer>> GgufTokenizer::build(GgufVocabulary v, const std::string& source)
{
    const std::string prefix = source + ": ";
    const size_t n = v.tokens.size();
    if (n == 0)
        return makeError(prefix + "'tokenizer.ggml.tokens' is empty");
    if (v.model != "llama" && v.model != "gpt2")
        return makeError(prefix + "tokenizer model '" + v.model
            + "' ('tokenizer.ggml.model') is not supported; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
    if (!v.scores.empty() && v.scores.size() != n)
        return makeError(prefix + "'tokenizer.ggml.scores' has " + std::to_string(v.scores.size())
            + " entries for " + std::to_string(n) + " tokens");
    if (!v.types.empty() && v.types.size() != n)
        return makeError(prefix + "'tokenizer.ggml.token_type' has " + std::to_string(v.types.size())
            + " entries for " + std::to_string(n) + " tokens");
    for (const auto& [name, id] : { std::pair<const char*, int> { "bos", v.bos }, { "eos", v.eos }, { "unknown", v.unk } })
        if (id >= static_cast<int>(n))
            return makeError(prefix + "'tokenizer.ggml." + name + "_token_id' is " + std::to_string(id)
                + ", outside the " + std::to_string(n) + " tokens");
    std::unique_ptr<GgufTokenizer> t(new GgufTokenizer(std::move(v)));
    GgufVocabulary& voc = t->m_v;
    for (size_t i = 0; i < n; ++i) {
        t->m_index.emplace(voc.tokens[i], static_cast<int>(i)); // the first of duplicates wins
        const int type = voc.types.empty() ? 1 : voc.types[i];
        if ((type == kControl || type == kUserDefined) && !voc.tokens[i].empty())
            t->m_specials.push_back(static_cast<int>(i));
        if (type == kByte || voc.model == "llama") {
            const std::string& s = voc.tokens[i];
            unsigned value = 0;
            if (s.size() == 6 && s.compare(0, 3, "<0x") == 0 && s[5] == '>' && std::sscanf(s.c_str() + 3, "%2X", &value) == 1
                && t->m_byteTokens[value] < 0)
                t->m_byteTokens[value] = static_cast<int>(i);
        }
    }
    std::stable_sort(t->m_specials.begin(), t->m_specials.end(),
        [&](int a, int b) { return voc.tokens[a].size() > voc.tokens[b].size(); });
    if (voc.model == "gpt2") {
        if (voc.pre.empty() || voc.pre == "gpt2" || voc.pre == "default") {
            // Gpt2PreTokenizer below
        } else if (const char* pattern = patternFor(voc.pre)) {
            auto splitter = RegexSplitter::compile(pattern);
            if (!splitter)
                return makeError(prefix + splitter.error());
            t->m_splitter = *splitter;
        } else {
            return makeError(prefix + "pre-tokenizer '" + voc.pre + "' ('tokenizer.ggml.pre') is not supported; supported: "
                + supportedPre());
        }
        for (size_t r = 0; r < voc.merges.size(); ++r) {
            const std::string& line = voc.merges[r];
            const size_t space = line.find(' ', 1);
            if (space == std::string::npos)
                return makeError(prefix + "merge " + std::to_string(r) + " ('" + line + "') is not two tokens");
            const auto a = t->m_index.find(line.substr(0, space));
            const auto b = t->m_index.find(line.substr(space + 1));
            const auto ab = t->m_index.find(line.substr(0, space) + line.substr(space + 1));
            if (a == t->m_index.end() || b == t->m_index.end() || ab == t->m_index.end())
                return makeError(prefix + "merge " + std::to_string(r) + " ('" + line + "') names a token that is not in the vocabulary");
            t->m_merges.add(a->second, b->second, ab->second);
        }
    }
    return t;
}

std::string GgufTokenizer::kind() const
{
    return m_v.model == "llama" ? "SentencePiece (GGUF)" : "byte-level BPE (GGUF, " + (m_v.pre.empty() ? std::string("gpt2") : m_v.pre) + ")";
}

std::optional<int> GgufTokenizer::tokenId(const std::string& token) const
{
    const auto it = m_index.find(token);
    if (it == m_index.end())
        return std::nullopt;
    return it->second;
}

std::optional<int> GgufTokenizer::bosId() const { return m_v.bos >= 0 ? std::optional<int>(m_v.bos) : std::nullopt; }
std::optional<int> GgufTokenizer::eosId() const { return m_v.eos >= 0 ? std::optional<int>(m_v.eos) : std::nullopt; }

std::string GgufTokenizer::label(int id) const { return m_v.tokens[static_cast<size_t>(id)]; }

Status GgufTokenizer::encodeSentencePiece(const std::string& text, std::vector<int>& ids) const
{
    // Symbols: one per UTF-8 character, linked so that merges are O(1).
    struct Symbol {
        size_t begin, length;
        int prev, next;
    };
    std::vector<Symbol> symbols;
    for (const CodePoint& cp : Utf8::decode(text))
        symbols.push_back({ cp.offset, cp.length, static_cast<int>(symbols.size()) - 1, static_cast<int>(symbols.size()) + 1 });
    if (symbols.empty())
        return success();
    symbols.back().next = -1;
    struct Bigram {
        int left, right;
        float score;
        size_t length;
    };
    // Highest score first; on ties the leftmost (llama.cpp's llm_bigram_spm comparator).
    auto worse = [](const Bigram& a, const Bigram& b) { return a.score < b.score || (a.score == b.score && a.left > b.left); };
    std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
    auto tryAdd = [&](int left, int right) {
        if (left < 0 || right < 0)
            return;
        const std::string joined = text.substr(symbols[left].begin, symbols[left].length + symbols[right].length);
        const auto it = m_index.find(joined);
        if (it == m_index.end())
            return;
        const float score = m_v.scores.empty() ? 0.0f : m_v.scores[static_cast<size_t>(it->second)];
        queue.push({ left, right, score, joined.size() });
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i)
        tryAdd(i - 1, i);
    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<size_t>(b.left)];
        Symbol& r = symbols[static_cast<size_t>(b.right)];
        // Stale: one side was merged away or grew since this pair was queued.
        if (l.length == 0 || r.length == 0 || l.length + r.length != b.length || l.next != b.right)
            continue;
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (r.next >= 0)
            symbols[static_cast<size_t>(r.next)].prev = b.left;
        tryAdd(l.prev, b.left);
        tryAdd(b.left, l.next);
    }
    for (int i = 0; i >= 0; i = symbols[static_cast<size_t>(i)].next) {
        const Symbol& s = symbols[static_cast<size_t>(i)];
        const std::string piece = text.substr(s.begin, s.length);
        const auto it = m_index.find(piece);
        if (it != m_index.end()) {
            ids.push_back(it->second);
            continue;
        }
        for (unsigned char byte : piece) {
            if (m_byteTokens[byte] >= 0)
                ids.push_back(m_byteTokens[byte]);
            else if (m_v.unk >= 0)
                ids.push_back(m_v.unk);
            else
                return makeError("the character '" + piece + "' has no token, no <0x" + std::to_string(byte)
                    + "> byte token and the vocabulary has no unknown token");
        }
    }
    return success();
}

Status GgufTokenizer::encodeBytePairs(const std::string& text, std::vector<int>& ids) const
{
    std::vector<std::pair<size_t, size_t>> pieces;
    if (m_splitter) {
        auto split = m_splitter->split(text);
        if (!split)
            return split.takeError();
        pieces = std::move(*split);
    } else {
        // Gpt2PreTokenizer works on code points; turn its ranges back into byte offsets.
        std::u32string cps;
        std::vector<size_t> offsets;
        for (const CodePoint& cp : Utf8::decode(text)) {
            cps += cp.value;
            offsets.push_back(cp.offset);
        }
        offsets.push_back(text.size());
        for (const auto& [b, e] : Gpt2PreTokenizer::split(cps))
            pieces.emplace_back(offsets[b], offsets[e]);
    }
    const ByteLevelAlphabet& alphabet = ByteLevelAlphabet::instance();
    const bool ignoreMerges = m_v.pre == "llama-bpe" || m_v.pre == "llama3";
    for (const auto& [b, e] : pieces) {
        const std::string encoded = alphabet.encode(text.substr(b, e - b));
        if (ignoreMerges) { // Llama 3: a piece that is a token is taken whole
            const auto whole = m_index.find(encoded);
            if (whole != m_index.end()) {
                ids.push_back(whole->second);
                continue;
            }
        }
        std::vector<int> word;
        for (const CodePoint& cp : Utf8::decode(encoded)) {
            const auto it = m_index.find(encoded.substr(cp.offset, cp.length));
            if (it != m_index.end())
                word.push_back(it->second);
            else if (m_v.unk >= 0)
                word.push_back(m_v.unk);
            else
                return makeError("the byte-level symbol '" + encoded.substr(cp.offset, cp.length)
                    + "' is not in the vocabulary");
        }
        m_merges.apply(word, BpeMerges::Mode::Leftmost);
        ids.insert(ids.end(), word.begin(), word.end());
    }
    return success();
}

Expected<TokenizedText> GgufTokenizer::encode(const std::string& text) const
{
    std::vector<int> ids;
    bool previousSpecial = true; // llama.cpp: the first stretch of text gets the space prefix
    size_t at = 0;
    auto flush = [&](size_t end) -> Status {
        if (end <= at)
            return success();
        std::string raw = text.substr(at, end - at);
        if (m_v.model == "llama") {
            if (m_v.addSpacePrefix && previousSpecial)
                raw = " " + raw;
            previousSpecial = false;
            return encodeSentencePiece(replaceSpaces(raw), ids);
        }
        previousSpecial = false;
        return encodeBytePairs(raw, ids);
    };
    size_t i = 0;
    while (i < text.size()) {
        int matched = -1;
        for (int id : m_specials) {
            const std::string& s = m_v.tokens[static_cast<size_t>(id)];
            if (text.compare(i, s.size(), s) == 0) {
                matched = id;
                break;
            }
        }
        if (matched < 0) {
            ++i;
            continue;
        }
        if (auto st = flush(i); !st)
            return st.takeError();
        ids.push_back(matched);
        previousSpecial = true;
        i += m_v.tokens[static_cast<size_t>(matched)].size();
        at = i;
    }
    if (auto st = flush(text.size()); !st)
        return st.takeError();
    TokenizedText out;
    out.ids = std::move(ids);
    for (int id : out.ids)
        out.labels.push_back(label(id));
    return out;
}

Expected<TokenizedText> GgufTokenizer::encodeForModel(const std::string& text, bool addBos) const
{
    const bool bos = addBos && m_v.addBos;
    return encodeWithBos(text, bos, bosId(), bosId() ? label(*bosId()) : std::string(),
        "the GGUF tokenizer has no BOS token ('tokenizer.ggml.bos_token_id')");
}

std::string GgufTokenizer::decode(int id) const
{
    if (id < 0 || id >= vocabSize())
        return {};
    const std::string& piece = m_v.tokens[static_cast<size_t>(id)];
    const int type = m_v.types.empty() ? 1 : m_v.types[static_cast<size_t>(id)];
    if (type == kControl || type == kUserDefined)
        return piece;
    for (int b = 0; b < 256; ++b)
        if (m_byteTokens[b] == id)
            return std::string(1, static_cast<char>(b));
    if (m_v.model == "gpt2")
        return ByteLevelAlphabet::instance().decode(piece);
    std::string out;
    for (size_t i = 0; i < piece.size();) {
        if (piece.compare(i, kSpace.size(), kSpace) == 0) {
            out += ' ';
            i += kSpace.size();
        } else {
            out += piece[i++];
        }
    }
    return out;
}

} // namespace attn
