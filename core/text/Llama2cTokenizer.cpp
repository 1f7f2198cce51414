#include "Llama2cTokenizer.h"

#include "FileBytes.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace attn {

namespace {

constexpr int kMaxVocab = 10'000'000;
// A tokenizer file for the largest vocabulary with the longest tokens would still be far below this.
constexpr uint64_t kMaxTokenizerFileBytes = 1ULL << 30;

uint32_t readU32(const std::string& b, size_t offset)
{
    uint32_t u = 0;
    for (int i = 3; i >= 0; --i)
        u = (u << 8) | static_cast<unsigned char>(b[offset + static_cast<size_t>(i)]);
    return u;
}

int32_t readInt32(const std::string& b, size_t offset)
{
    const uint32_t u = readU32(b, offset);
    int32_t v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

float readFloat(const std::string& b, size_t offset)
{
    const uint32_t u = readU32(b, offset);
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The byte a "<0xXX>" piece stands for, or -1.
int bytePiece(const std::string& piece)
{
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>')
        return -1;
    const int hi = hexValue(piece[3]);
    const int lo = hexValue(piece[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

} // namespace

Expected<Llama2cTokenizer> Llama2cTokenizer::readFile(const std::string& path, int vocabSize)
{
    auto bytes = FileBytes::read(path, kMaxTokenizerFileBytes);
    if (!bytes)
        return bytes.takeError();
    return fromBytes(*bytes, vocabSize, path);
}

Expected<Llama2cTokenizer> Llama2cTokenizer::fromBytes(
    const std::string& bytes, int vocabSize, const std::string& name)
{
    if (vocabSize <= 0 || vocabSize > kMaxVocab)
        return makeError(name + ": cannot read a tokenizer for a vocabulary of " + std::to_string(vocabSize)
            + " tokens (must be between 1 and " + std::to_string(kMaxVocab) + ")");
    const size_t size = bytes.size();
    if (size < 4)
        return makeError(name + ": truncated: a llama2.c tokenizer starts with a 4-byte max_token_length, file has "
            + std::to_string(size) + " bytes");
    Llama2cTokenizer t;
    t.m_maxTokenLength = readInt32(bytes, 0);
    if (t.m_maxTokenLength <= 0 || t.m_maxTokenLength > kMaxTokenLength)
        return makeError(name + ": not a llama2.c tokenizer: max_token_length is " + std::to_string(t.m_maxTokenLength)
            + " (must be between 1 and " + std::to_string(kMaxTokenLength) + ")");

    // Every token needs at least 8 bytes: refuse a vocabulary the file cannot hold before reserving.
    if (static_cast<uint64_t>(vocabSize) * 8 > size - 4)
        return makeError(name + ": truncated: " + std::to_string(vocabSize) + " tokens need at least "
            + std::to_string(4 + static_cast<uint64_t>(vocabSize) * 8) + " bytes, file has " + std::to_string(size)
            + " (a tokenizer for a smaller vocabulary?)");
    t.m_pieces.reserve(static_cast<size_t>(vocabSize));
    t.m_scores.reserve(static_cast<size_t>(vocabSize));
    t.m_index.reserve(static_cast<size_t>(vocabSize));
    size_t offset = 4;
    for (int i = 0; i < vocabSize; ++i) {
        if (size - offset < 8)
            return makeError(name + ": truncated at token " + std::to_string(i) + " of " + std::to_string(vocabSize)
                + ": its score and length need 8 bytes at offset " + std::to_string(offset) + ", file has "
                + std::to_string(size) + " (a tokenizer for a smaller vocabulary?)");
        const float score = readFloat(bytes, offset);
        const int32_t len = readInt32(bytes, offset + 4);
        offset += 8;
        if (std::isnan(score))
            return makeError(name + ": token " + std::to_string(i) + " has a NaN score");
        if (len < 0)
            return makeError(name + ": token " + std::to_string(i) + " has a negative length " + std::to_string(len));
        if (len > t.m_maxTokenLength)
            return makeError(name + ": token " + std::to_string(i) + " has length " + std::to_string(len)
                + ", more than the file's max_token_length " + std::to_string(t.m_maxTokenLength));
        if (static_cast<size_t>(len) > size - offset)
            return makeError(name + ": token " + std::to_string(i) + " has length " + std::to_string(len)
                + ", past the end of the file (" + std::to_string(size - offset) + " bytes left at offset "
                + std::to_string(offset) + ")");
        t.m_pieces.emplace_back(bytes, offset, static_cast<size_t>(len));
        t.m_scores.push_back(score);
        t.m_index.emplace(t.m_pieces.back(), i); // keeps the first of duplicate pieces
        offset += static_cast<size_t>(len);
    }
    if (offset != size)
        return makeError(name + ": " + std::to_string(size - offset) + " bytes left after the model's "
            + std::to_string(vocabSize) + " tokens (a tokenizer for a larger vocabulary?)");
    return t;
}

int Llama2cTokenizer::lookup(const std::string& piece) const
{
    const auto it = m_index.find(piece);
    return it == m_index.end() ? -1 : it->second;
}

Expected<std::vector<int>> Llama2cTokenizer::encode(const std::string& fullText, bool bos, bool eos) const
{
    const std::string text = fullText.substr(0, fullText.find('\0'));
    // BOS (1) and EOS (2) are ids like any other: a vocabulary too small to hold them is hostile.
    if ((bos && kBos >= vocabSize()) || (eos && kEos >= vocabSize()))
        return makeError("the tokenizer's vocabulary has " + std::to_string(vocabSize()) +
                         " token(s), too few to hold the BOS (1) and EOS (2) tokens");
    std::vector<int> tokens;
    tokens.reserve(text.size() + 3);
    if (bos)
        tokens.push_back(kBos);
    if (!text.empty()) {
        const int dummyPrefix = lookup(" ");
        if (dummyPrefix < 0)
            return makeError("cannot encode text: the tokenizer has no \" \" token for the dummy prefix");
        tokens.push_back(dummyPrefix);
    }

    // One token per UTF-8 code point (up to 4 bytes), or one per byte when the code point is unknown.
    std::string buffer;
    for (size_t c = 0; c < text.size(); ++c) {
        const auto byte = static_cast<unsigned char>(text[c]);
        if ((byte & 0xC0) != 0x80)
            buffer.clear();
        buffer += text[c];
        const unsigned char next = c + 1 < text.size() ? static_cast<unsigned char>(text[c + 1]) : 0;
        if ((next & 0xC0) == 0x80 && buffer.size() < 4)
            continue;
        const int id = lookup(buffer);
        if (id >= 0) {
            tokens.push_back(id);
        } else {
            for (char b : buffer) {
                const int byteId = static_cast<unsigned char>(b) + 3;
                if (byteId >= vocabSize()) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(b));
                    return makeError(std::string("cannot encode text: byte ") + hex
                        + " has no token in this vocabulary of " + std::to_string(vocabSize()) + " tokens");
                }
                tokens.push_back(byteId);
            }
        }
        buffer.clear();
    }

    // Greedy merges: each round merges the first adjacent pair with the best-scoring merged piece.
    // pairs[i] caches the id of pieces(tokens[i]) + pieces(tokens[i + 1]) (or -1).
    auto pairId = [&](size_t i) { return lookup(m_pieces[tokens[i]] + m_pieces[tokens[i + 1]]); };
    std::vector<int> pairs;
    if (tokens.size() > 1) {
        pairs.resize(tokens.size() - 1);
        for (size_t i = 0; i + 1 < tokens.size(); ++i)
            pairs[i] = pairId(i);
    }
    while (!pairs.empty()) {
        float bestScore = -1e10f; // run.c's starting value: a merge must score above it
        int bestIndex = -1;
        for (size_t i = 0; i < pairs.size(); ++i)
            if (pairs[i] >= 0 && m_scores[pairs[i]] > bestScore) {
                bestScore = m_scores[pairs[i]];
                bestIndex = static_cast<int>(i);
            }
        if (bestIndex < 0)
            break;
        const auto at = static_cast<size_t>(bestIndex);
        tokens[at] = pairs[at];
        tokens.erase(tokens.begin() + bestIndex + 1);
        pairs.erase(pairs.begin() + bestIndex);
        if (at < pairs.size())
            pairs[at] = pairId(at);
        if (at > 0)
            pairs[at - 1] = pairId(at - 1);
    }
    if (eos)
        tokens.push_back(kEos);
    return tokens;
}

std::string Llama2cTokenizer::decode(int prevToken, int token) const
{
    if (token < 0 || token >= vocabSize())
        return {};
    const std::string& piece = m_pieces[static_cast<size_t>(token)];
    std::string_view view(piece);
    // After BOS, sentencepiece's decoder drops the leading space (llama2.c PR #89).
    if (prevToken == kBos && !view.empty() && view.front() == ' ')
        view.remove_prefix(1);
    if (const int byte = bytePiece(std::string(view)); byte >= 0)
        return std::string(1, static_cast<char>(byte));
    return std::string(view);
}

std::string Llama2cTokenizer::label(int id) const
{
    if (id < 0 || id >= vocabSize())
        return "#" + std::to_string(id);
    const std::string& piece = m_pieces[static_cast<size_t>(id)];
    // Special tokens stored with surrounding newlines ("\n<s>\n", "\n</s>\n").
    const size_t first = piece.find_first_not_of('\n');
    const size_t last = piece.find_last_not_of('\n');
    if (first != std::string::npos && (first > 0 || last + 1 < piece.size()) && piece[first] == '<'
        && piece[last] == '>')
        return piece.substr(first, last - first + 1);
    std::string out;
    out.reserve(piece.size());
    for (char c : piece) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else if (u < 0x20 || u == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", u);
            out += hex;
        } else
            out += c;
    }
    return out;
}

} // namespace attn
