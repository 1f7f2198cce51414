#include "RegexSplitter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string_view>

namespace attn {

namespace {

std::string pcreMessage(int code)
{
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
        return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

} // namespace

Expected<std::shared_ptr<const RegexSplitter>> RegexSplitter::compile(const std::string& pattern)
{
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
        PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
    if (!code)
        return makeError("the pre-tokenizer pattern does not compile at offset " + std::to_string(offset) + ": "
            + pcreMessage(error));
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // optional: falls back to the interpreter
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_depth_limit(context, kDepthLimit);
    std::shared_ptr<RegexSplitter> splitter(new RegexSplitter());
    splitter->m_pattern = pattern;
    splitter->m_code = code;
    splitter->m_context = context;
    return std::shared_ptr<const RegexSplitter>(std::move(splitter));
}

RegexSplitter::~RegexSplitter()
{
    pcre2_match_context_free(static_cast<pcre2_match_context*>(m_context));
    pcre2_code_free(static_cast<pcre2_code*>(m_code));
}

std::string RegexSplitter::quote(const std::string& literal)
{
    std::string out;
    for (char c : literal) {
        if (std::string_view("\\^$.|?*+()[]{}-/#").find(c) != std::string_view::npos)
            out += '\\';
        out += c;
    }
    return out;
}

Expected<std::vector<std::pair<size_t, size_t>>> RegexSplitter::split(
    const std::string& text, std::vector<bool>* isMatch) const
{
    if (isMatch)
        isMatch->clear();
    auto push = [&](std::vector<std::pair<size_t, size_t>>& pieces, size_t b, size_t e, bool match) {
        pieces.emplace_back(b, e);
        if (isMatch)
            isMatch->push_back(match);
    };
    auto* code = static_cast<pcre2_code*>(m_code);
    auto* context = static_cast<pcre2_match_context*>(m_context);
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
        pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
    std::vector<std::pair<size_t, size_t>> pieces;
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t at = 0;
    size_t gap = 0; // start of text not yet in a piece
    uint32_t options = 0;
    while (at <= text.size()) {
        const int rc = pcre2_match(code, subject, text.size(), at, options, match.get(), context);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
            return makeError("the pre-tokenizer pattern exceeded PCRE2's " + std::string(rc == PCRE2_ERROR_MATCHLIMIT ? "match" : rc == PCRE2_ERROR_DEPTHLIMIT ? "depth" : "heap")
                + " limit at byte " + std::to_string(at) + " of the text (a pattern that backtracks without bound)");
        if (rc == PCRE2_ERROR_BADUTFOFFSET || (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21))
            return makeError("the text is not valid UTF-8 (" + pcreMessage(rc) + ")");
        if (rc < 0)
            return makeError("the pre-tokenizer pattern failed: " + pcreMessage(rc));
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
        const size_t begin = ovector[0];
        const size_t end = ovector[1];
        if (end > begin) {
            // Empty matches split nothing: the text before a real match is the gap piece.
            if (begin > gap)
                push(pieces, gap, begin, false);
            push(pieces, begin, end, true);
            gap = end;
            at = end;
            options = 0;
        } else {
            // An empty match: try again one character on (not a piece of its own).
            if (at >= text.size())
                break;
            size_t next = at + 1;
            while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80)
                ++next;
            at = next;
        }
        options = PCRE2_NO_UTF_CHECK; // the subject was checked by the first call
    }
    if (gap < text.size())
        push(pieces, gap, text.size(), false);
    return pieces;
}

} // namespace attn
