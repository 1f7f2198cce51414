#include "ByteLevelAlphabet.h"

#include "Utf8.h"

namespace attn {

ByteLevelAlphabet::ByteLevelAlphabet()
{
    m_toByte.fill(-1);
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        m_toChar[static_cast<size_t>(b)] = printable ? char32_t(b) : char32_t(256 + next++);
        m_toByte[m_toChar[static_cast<size_t>(b)]] = b;
    }
}

const ByteLevelAlphabet& ByteLevelAlphabet::instance()
{
    static const ByteLevelAlphabet alphabet;
    return alphabet;
}

std::optional<unsigned char> ByteLevelAlphabet::toByte(char32_t cp) const
{
    if (cp >= m_toByte.size() || m_toByte[cp] < 0)
        return std::nullopt;
    return static_cast<unsigned char>(m_toByte[cp]);
}

std::string ByteLevelAlphabet::encode(const std::string& bytes) const
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        out += Utf8::encode(m_toChar[static_cast<unsigned char>(c)]);
    return out;
}

std::string ByteLevelAlphabet::decode(const std::string& token) const
{
    std::string out;
    for (const auto& cp : Utf8::decode(token)) {
        if (const auto b = toByte(cp.value); b && !(cp.value == 0xFFFD))
            out += static_cast<char>(*b);
        else
            out.append(token, cp.offset, cp.length);
    }
    return out;
}

} // namespace attn
