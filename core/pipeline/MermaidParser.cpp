#include "MermaidParser.h"

#include "Utf8.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace attn {

namespace {

struct ParseError {
    std::string message;
};

bool isAsciiAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isWordChar(char c) { return isAsciiAlpha(c) || isDigit(c) || c == '_'; }
bool isHighByte(char c) { return (static_cast<unsigned char>(c) & 0x80u) != 0; }
bool isClassNameChar(char c) { return isWordChar(c) || c == '-'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(const std::string& s)
{
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n'))
        ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n'))
        --e;
    return s.substr(b, e - b);
}

bool hasWhitespace(const std::string& s)
{
    for (char c : s)
        if (c == ' ' || c == '\t')
            return true;
    return false;
}

// Label text as Mermaid shows it: <br>, <br/>, <br /> (any case) become "\n"; entity codes
// such as #quot; #amp; #35; #9829; are decoded.
std::string processLabel(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '<' && i + 3 < text.size() && (text[i + 1] == 'b' || text[i + 1] == 'B') &&
            (text[i + 2] == 'r' || text[i + 2] == 'R')) {
            size_t j = i + 3;
            while (j < text.size() && text[j] == ' ')
                ++j;
            if (j < text.size() && text[j] == '/')
                ++j;
            if (j < text.size() && text[j] == '>') {
                out += '\n';
                i = j + 1;
                continue;
            }
        }
        if (c == '#') {
            size_t j = i + 1;
            while (j < text.size() && j - i <= 8 && (isAsciiAlpha(text[j]) || isDigit(text[j])))
                ++j;
            if (j > i + 1 && j < text.size() && text[j] == ';') {
                const std::string name = text.substr(i + 1, j - i - 1);
                bool numeric = true;
                for (char d : name)
                    numeric = numeric && isDigit(d);
                std::string decoded;
                if (numeric) {
                    const unsigned long cp = std::stoul(name);
                    if (cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF))
                        decoded += Utf8::encode(static_cast<char32_t>(cp));
                } else if (name == "quot") {
                    decoded = "\"";
                } else if (name == "amp") {
                    decoded = "&";
                } else if (name == "lt") {
                    decoded = "<";
                } else if (name == "gt") {
                    decoded = ">";
                } else if (name == "apos") {
                    decoded = "'";
                } else if (name == "nbsp") {
                    decoded = "\xC2\xA0";
                }
                if (!decoded.empty()) {
                    out += decoded;
                    i = j + 1;
                    continue;
                }
            }
        }
        out += c;
        ++i;
    }
    return out;
}

// Markdown strings ("`...`"): the backticks go, continuation lines lose their indentation.
std::string processMarkdown(const std::string& text)
{
    std::string body = text.substr(1, text.size() - 2);
    std::string out;
    bool lineStart = false;
    for (char c : body) {
        if (c == '\r')
            continue;
        if (c == '\n') {
            out += '\n';
            lineStart = true;
            continue;
        }
        if (lineStart && (c == ' ' || c == '\t'))
            continue;
        lineStart = false;
        out += c;
    }
    return processLabel(out);
}

EdgeHead headOf(char c)
{
    switch (c) {
    case '>': return EdgeHead::Arrow;
    case '<': return EdgeHead::Arrow;
    case 'o': return EdgeHead::Circle;
    case 'x': return EdgeHead::Cross;
    default: return EdgeHead::None;
    }
}

struct ShapeSpec {
    const char* open;
    NodeShape shape;
    const char* close;
    NodeShape altShape;
    const char* altClose; // nullptr when the opener has one closer only
};

// Longest openers first.
constexpr ShapeSpec kShapes[] = {
    {"(((", NodeShape::DoubleCircle, ")))", NodeShape::DoubleCircle, nullptr},
    {"((", NodeShape::Circle, "))", NodeShape::Circle, nullptr},
    {"([", NodeShape::Stadium, "])", NodeShape::Stadium, nullptr},
    {"(", NodeShape::Round, ")", NodeShape::Round, nullptr},
    {"[[", NodeShape::Subroutine, "]]", NodeShape::Subroutine, nullptr},
    {"[(", NodeShape::Cylinder, ")]", NodeShape::Cylinder, nullptr},
    {"[/", NodeShape::Parallelogram, "/]", NodeShape::Trapezoid, "\\]"},
    {"[\\", NodeShape::ParallelogramAlt, "\\]", NodeShape::TrapezoidAlt, "/]"},
    {"[", NodeShape::Rect, "]", NodeShape::Rect, nullptr},
    {"{{", NodeShape::Hexagon, "}}", NodeShape::Hexagon, nullptr},
    {"{", NodeShape::Diamond, "}", NodeShape::Diamond, nullptr},
    {">", NodeShape::Asymmetric, "]", NodeShape::Asymmetric, nullptr},
};

struct Mark {
    size_t pos = 0;
    int line = 1;
    int column = 1;
};

struct Link {
    EdgeLine line = EdgeLine::Solid;
    EdgeHead start = EdgeHead::None;
    EdgeHead end = EdgeHead::Arrow;
    int length = 1;
    std::string label;
    bool textForm = false; // -- text -->: no |label| may follow
    std::string text;      // the operator as written, for messages
    Mark at;
};

class Parser {
public:
    explicit Parser(const std::string& text) : m_text(text) {}

    MermaidGraph run()
    {
        if (m_text.size() > MermaidParser::kMaxBytes)
            fail(Mark{}, "at most " + std::to_string(MermaidParser::kMaxBytes) + " bytes (1 MiB) of diagram text",
                std::to_string(m_text.size()) + " bytes");
        if (m_text.compare(0, 3, "\xEF\xBB\xBF") == 0)
            m_pos = 3; // BOM
        skipBlank();
        frontMatter();
        header();
        for (;;) {
            skipBlank();
            if (atEnd())
                break;
            statement();
        }
        if (!m_open.empty()) {
            const MermaidSubgraph& sg = m_graph.subgraphs[m_open.back().index];
            fail(mark(), "'end' to close the subgraph '" + sg.id + "' opened on line " + std::to_string(sg.line),
                "end of input");
        }
        finish();
        return std::move(m_graph);
    }

private:
    struct Open {
        size_t index; // into m_graph.subgraphs
        std::vector<size_t> mentioned;
    };

    const std::string& m_text;
    size_t m_pos = 0;
    int m_line = 1;
    int m_column = 1;
    MermaidGraph m_graph;
    std::unordered_map<std::string, size_t> m_nodeIndex;
    struct Definition {
        int line;
        std::string label;
        NodeShape shape;
    };
    std::unordered_map<size_t, Definition> m_definedOn; // node index -> its first explicit definition
    int m_warningCount = 0;
    std::vector<bool> m_owned;
    // Text copied into the graph beyond the source's own size: a fan-out copies ids and labels to
    // every edge, `linkStyle 0,1,...`, `class a,b,...` and `classDef a,b,...` copy their text to
    // each target. Bounded so that 1 MiB of text can never make gigabytes of graph.
    size_t m_copiedBytes = 0;
    static constexpr size_t kMaxCopiedBytes = size_t(64) << 20;

    void charge(size_t bytes, const Mark& at)
    {
        m_copiedBytes += bytes;
        if (m_copiedBytes > kMaxCopiedBytes)
            fail(at, "at most " + std::to_string(kMaxCopiedBytes >> 20) + " MiB of text in the parsed graph",
                "more: a fan-out, class, classDef or linkStyle statement repeats long text too often");
    }
    std::vector<Open> m_open;
    std::unordered_set<std::string> m_subgraphIds;

    // ---- cursor ---------------------------------------------------------------------------
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek(size_t k = 0) const { return m_pos + k < m_text.size() ? m_text[m_pos + k] : '\0'; }
    bool lookingAt(const char* s) const { return m_text.compare(m_pos, std::strlen(s), s) == 0; }
    Mark mark() const { return Mark{m_pos, m_line, m_column}; }
    void reset(const Mark& m)
    {
        m_pos = m.pos;
        m_line = m.line;
        m_column = m.column;
    }
    void advance(size_t n = 1)
    {
        for (size_t i = 0; i < n && m_pos < m_text.size(); ++i, ++m_pos) {
            const auto c = static_cast<unsigned char>(m_text[m_pos]);
            if (c == '\n') {
                ++m_line;
                m_column = 1;
            } else if ((c & 0xC0u) != 0x80u) {
                ++m_column;
            }
        }
    }
    size_t countRun(char c, size_t from = 0) const
    {
        size_t n = 0;
        while (m_pos + from + n < m_text.size() && m_text[m_pos + from + n] == c)
            ++n;
        return n;
    }
    bool atLineEnd() const { return atEnd() || peek() == '\n' || peek() == '\r'; }

    [[noreturn]] void fail(const Mark& at, const std::string& expected, const std::string& found) const
    {
        throw ParseError{"line " + std::to_string(at.line) + ", column " + std::to_string(at.column) +
                         ": expected " + expected + ", found " + found};
    }

    // What stands at the cursor, for "found ...".
    std::string found() const
    {
        if (atEnd())
            return "end of input";
        const char c = peek();
        if (c == '\n' || c == '\r')
            return "end of line";
        size_t n = 0;
        if (isWordChar(c) || isHighByte(c)) {
            while (m_pos + n < m_text.size() && n < 40 && (isWordChar(m_text[m_pos + n]) || isHighByte(m_text[m_pos + n])))
                ++n;
        } else if (std::strchr("-=.~<>", c)) {
            while (m_pos + n < m_text.size() && n < 6 && std::strchr("-=.~<>", m_text[m_pos + n]))
                ++n;
        } else {
            n = 1;
        }
        while (m_pos + n < m_text.size() && (static_cast<unsigned char>(m_text[m_pos + n]) & 0xC0u) == 0x80u)
            ++n; // never cut a UTF-8 sequence
        return "'" + m_text.substr(m_pos, n) + "'";
    }

    // Spaces and tabs, and a trailing %% comment (up to, not including, the newline).
    void skipSpaces()
    {
        for (;;) {
            while (!atEnd() && isSpace(peek()))
                advance();
            if (peek() == '%' && peek(1) == '%') {
                while (!atEnd() && peek() != '\n')
                    advance();
                continue;
            }
            return;
        }
    }
    void skipSpacesOnly()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t'))
            advance();
    }
    // Whitespace, comments, blank lines and ';' between statements.
    void skipBlank()
    {
        for (;;) {
            skipSpaces();
            if (peek() == '\n' || peek() == ';')
                advance();
            else
                return;
        }
    }
    bool atStatementEnd()
    {
        skipSpaces();
        return atEnd() || peek() == '\n' || peek() == ';';
    }
    void expectStatementEnd(const std::string& after)
    {
        if (!atStatementEnd())
            fail(mark(), "';' or end of line " + after, found());
    }
    std::string peekWord() const
    {
        size_t n = 0;
        while (isAsciiAlpha(peek(n)))
            ++n;
        return m_text.substr(m_pos, n);
    }
    // The rest of the statement, up to ';', a newline or a %% comment, trimmed.
    std::string restOfStatement()
    {
        std::string s;
        while (!atEnd() && peek() != '\n' && peek() != ';' && !(peek() == '%' && peek(1) == '%')) {
            s += peek();
            advance();
        }
        return trim(s);
    }

    // ---- document structure ------------------------------------------------------------------
    void frontMatter()
    {
        if (!lookingAt("---"))
            return;
        const Mark open = mark();
        size_t n = 3;
        while (isSpace(peek(n)))
            ++n;
        if (peek(n) != '\n' && m_pos + n < m_text.size())
            return;
        advance(n);
        for (;;) {
            if (atEnd())
                fail(mark(), "'---' to close the front matter opened on line " + std::to_string(open.line),
                    "end of input");
            advance(); // the newline
            skipSpacesOnly();
            if (lookingAt("---")) {
                advance(3);
                while (!atEnd() && peek() != '\n')
                    advance();
                skipBlank();
                return;
            }
            while (!atEnd() && peek() != '\n')
                advance();
        }
    }

    void header()
    {
        const Mark m = mark();
        const std::string word = peekWord();
        if (atEnd() || (word != "graph" && word != "flowchart") || isWordChar(peek(word.size())) ||
            peek(word.size()) == '-')
            fail(m, "'graph' or 'flowchart'", found());
        advance(word.size());
        if (atStatementEnd())
            return; // TD
        m_graph.direction = direction("after the direction");
    }

    FlowDirection direction(const std::string& afterWhat)
    {
        const Mark m = mark();
        std::string word;
        while (!atEnd() && !isSpace(peek()) && peek() != '\n' && peek() != ';') {
            word += peek();
            advance();
        }
        FlowDirection d = FlowDirection::TD;
        if (word == "TD")
            d = FlowDirection::TD;
        else if (word == "TB" || word == "v")
            d = FlowDirection::TB;
        else if (word == "BT" || word == "^")
            d = FlowDirection::BT;
        else if (word == "LR" || word == ">")
            d = FlowDirection::LR;
        else if (word == "RL" || word == "<")
            d = FlowDirection::RL;
        else {
            reset(m);
            fail(m, "a direction (TD, TB, BT, LR or RL)", found());
        }
        expectStatementEnd(afterWhat);
        return d;
    }

    void statement()
    {
        const Mark start = mark();
        const std::string kw = peekWord();
        const char after = peek(kw.size());
        const bool spaceAfter = after == ' ' || after == '\t';
        if (kw == "end" && !isWordChar(after)) {
            advance(3);
            closeSubgraph(start);
            expectStatementEnd("after 'end'");
            return;
        }
        if (kw == "subgraph" && (spaceAfter || after == '\n' || after == ';' || after == '\r' ||
                                    m_pos + kw.size() >= m_text.size())) {
            advance(kw.size());
            subgraph(start);
            return;
        }
        if (spaceAfter) {
            if (kw == "direction") {
                advance(kw.size());
                skipSpaces();
                const FlowDirection d = direction("after the direction");
                if (!m_open.empty())
                    m_graph.subgraphs[m_open.back().index].direction = d;
                return; // at top level Mermaid ignores it
            }
            if (kw == "classDef") {
                advance(kw.size());
                classDef();
                return;
            }
            if (kw == "class") {
                advance(kw.size());
                classStatement();
                return;
            }
            if (kw == "style") {
                advance(kw.size());
                styleStatement();
                return;
            }
            if (kw == "linkStyle") {
                advance(kw.size());
                linkStyle();
                return;
            }
        }
        if ((kw == "click" && spaceAfter) || ((kw == "accTitle" || kw == "accDescr") && (spaceAfter || after == ':' || after == '{'))) {
            bool block = false;
            for (size_t i = m_pos; kw == "accDescr" && i < m_text.size() && m_text[i] != '\n' && !block; ++i)
                block = m_text[i] == '{';
            while (!atEnd() && peek() != (block ? '}' : '\n'))
                advance();
            if (block) {
                if (atEnd())
                    fail(mark(), "'}' to close accDescr", "end of input");
                advance();
            }
            return;
        }
        vertexStatement();
    }

    void subgraph(const Mark& start)
    {
        skipSpaces();
        const Mark tm = mark();
        if (atStatementEnd())
            fail(tm, "a subgraph id or title after 'subgraph'", found());
        std::string id, title;
        if (peek() == '"') {
            title = quotedLabel();
            id = hasWhitespace(title) ? "" : title;
        } else {
            std::string raw;
            while (!atEnd() && peek() != '\n' && peek() != ';' && peek() != '[' && !(peek() == '%' && peek(1) == '%')) {
                raw += peek();
                advance();
            }
            raw = trim(raw);
            if (peek() == '[') {
                if (raw.empty())
                    fail(tm, "a subgraph id before '['", "'['");
                const Mark open = mark();
                advance();
                skipSpacesOnly();
                if (peek() == '"') {
                    title = quotedLabel();
                    skipSpacesOnly();
                } else {
                    std::string t;
                    while (!atLineEnd() && peek() != ']' && peek() != '"') {
                        t += peek();
                        advance();
                    }
                    title = processLabel(trim(t));
                }
                if (peek() != ']')
                    fail(mark(), "']' to close the subgraph title opened at column " + std::to_string(open.column),
                        found());
                advance();
                id = raw;
            } else {
                title = processLabel(raw);
                id = hasWhitespace(raw) ? "" : raw;
            }
        }
        expectStatementEnd("after the subgraph title");
        if (id.empty())
            id = "subGraph" + std::to_string(m_graph.subgraphs.size());
        MermaidSubgraph sg;
        sg.id = id;
        sg.title = title;
        sg.parent = m_open.empty() ? "" : m_graph.subgraphs[m_open.back().index].id;
        sg.line = start.line;
        m_subgraphIds.insert(id);
        m_graph.subgraphs.push_back(std::move(sg));
        m_open.push_back(Open{m_graph.subgraphs.size() - 1, {}});
    }

    void closeSubgraph(const Mark& at)
    {
        if (m_open.empty())
            fail(at, "a node or statement", "'end' with no open subgraph (a node named end must be written End or END)");
        Open o = std::move(m_open.back());
        m_open.pop_back();
        MermaidSubgraph& sg = m_graph.subgraphs[o.index];
        for (size_t idx : o.mentioned)
            if (!m_owned[idx]) {
                m_owned[idx] = true;
                m_graph.nodes[idx].subgraph = sg.id;
                sg.nodeIds.push_back(m_graph.nodes[idx].id);
            }
    }

    void classDef()
    {
        skipSpaces();
        std::vector<std::string> names;
        for (;;) {
            const Mark m = mark();
            std::string name;
            while (isClassNameChar(peek())) {
                name += peek();
                advance();
            }
            if (name.empty())
                fail(m, "a class name after 'classDef'", found());
            names.push_back(name);
            if (peek() != ',')
                break;
            advance();
        }
        skipSpaces();
        const Mark sm = mark();
        const std::string style = restOfStatement();
        if (style.empty())
            fail(sm, "a style such as fill:#f9f after the class name", found());
        charge(names.size() * (style.size() + 1), sm);
        for (const std::string& n : names) {
            appendStyle(m_graph.classDefs[n], style);
        }
    }

    void classStatement()
    {
        skipSpaces();
        std::vector<std::string> ids;
        for (;;) {
            const Mark m = mark();
            std::string id = readId();
            if (id.empty())
                fail(m, "a node id after 'class'", found());
            ids.push_back(std::move(id));
            if (peek() != ',')
                break;
            advance();
        }
        skipSpaces();
        const Mark cm = mark();
        std::string name;
        while (isClassNameChar(peek())) {
            name += peek();
            advance();
        }
        if (name.empty())
            fail(cm, "a class name after the node ids", found());
        expectStatementEnd("after the class name");
        charge(ids.size() * name.size(), cm);
        // As Mermaid: ids that name no node (yet) are ignored.
        for (const std::string& id : ids) {
            auto it = m_nodeIndex.find(id);
            if (it != m_nodeIndex.end())
                addClass(m_graph.nodes[it->second], name);
        }
    }

    void styleStatement()
    {
        skipSpaces();
        const Mark m = mark();
        const std::string id = readId();
        if (id.empty())
            fail(m, "a node id after 'style'", found());
        checkNotEnd(id, m);
        skipSpaces();
        const Mark sm = mark();
        const std::string style = restOfStatement();
        if (style.empty())
            fail(sm, "a style such as fill:#f9f after the node id", found());
        if (m_subgraphIds.count(id))
            return; // styles a subgraph: not kept
        MermaidNode& n = m_graph.nodes[node(id, m)];
        appendStyle(n.style, style);
    }

    void linkStyle()
    {
        skipSpaces();
        std::vector<int> indices;
        bool isDefault = false;
        if (peekWord() == "default") {
            advance(7);
            isDefault = true;
        } else {
            for (;;) {
                const Mark m = mark();
                std::string digits;
                while (isDigit(peek()) && digits.size() < 9) {
                    digits += peek();
                    advance();
                }
                if (digits.empty())
                    fail(m, "a link index or 'default' after 'linkStyle'", found());
                const int index = std::stoi(digits);
                if (index >= static_cast<int>(m_graph.edges.size()))
                    fail(m,
                        m_graph.edges.empty()
                            ? std::string("a link index, but no link is defined before this line")
                            : "a link index between 0 and " + std::to_string(m_graph.edges.size() - 1),
                        digits);
                indices.push_back(index);
                if (peek() != ',')
                    break;
                advance();
            }
        }
        skipSpaces();
        if (peekWord() == "interpolate") {
            advance(11);
            skipSpaces();
            while (!atEnd() && !isSpace(peek()) && peek() != '\n' && peek() != ';')
                advance();
            skipSpaces();
        }
        const Mark sm = mark();
        const std::string style = restOfStatement();
        if (style.empty()) {
            if (!indices.empty() || isDefault)
                return; // `linkStyle 0 interpolate basis` alone is legal
            fail(sm, "a style such as stroke:#f00", found());
        }
        if (isDefault) {
            appendStyle(m_graph.defaultLinkStyle, style);
            return;
        }
        charge(indices.size() * (style.size() + 1), sm);
        for (int i : indices)
            appendStyle(m_graph.edges[static_cast<size_t>(i)].style, style);
    }

    // ---- nodes and edges ---------------------------------------------------------------------
    std::string readId()
    {
        std::string id;
        for (;;) {
            const char c = peek();
            if (atEnd())
                break;
            if (isWordChar(c) || isHighByte(c)) {
                id += c;
                advance();
            } else if (c == '-' && !id.empty() && peek(1) != '-' && peek(1) != '>' && peek(1) != '.' &&
                       peek(1) != '=' && (isWordChar(peek(1)) || isHighByte(peek(1)))) {
                id += c;
                advance();
            } else {
                break;
            }
        }
        return id;
    }

    void checkNotEnd(const std::string& id, const Mark& m) const
    {
        if (id.compare(0, 3, "end") == 0 && (id.size() == 3 || !isWordChar(id[3])))
            fail(m, "a node id", "the keyword 'end' (write End or END for a node named end)");
    }

    size_t node(const std::string& id, const Mark& m)
    {
        auto it = m_nodeIndex.find(id);
        if (it != m_nodeIndex.end())
            return it->second;
        if (m_graph.nodes.size() >= static_cast<size_t>(MermaidParser::kMaxNodes))
            fail(m, "at most " + std::to_string(MermaidParser::kMaxNodes) + " nodes",
                "node " + std::to_string(MermaidParser::kMaxNodes + 1) + " '" + id + "'");
        MermaidNode n;
        n.id = id;
        n.label = id;
        n.line = m.line;
        n.column = m.column;
        m_graph.nodes.push_back(std::move(n));
        m_owned.push_back(false);
        m_nodeIndex.emplace(id, m_graph.nodes.size() - 1);
        return m_graph.nodes.size() - 1;
    }

    // In place: repeated statements must not copy the growing string (no quadratic blow-up).
    static void appendStyle(std::string& target, const std::string& style)
    {
        if (!target.empty())
            target += ',';
        target += style;
    }

    static void addClass(MermaidNode& n, const std::string& cls)
    {
        for (const std::string& c : n.classes)
            if (c == cls)
                return;
        n.classes.push_back(cls);
    }

    // "..." or "`markdown`" at the cursor.
    std::string quotedLabel()
    {
        const Mark open = mark();
        advance(); // "
        const bool markdown = peek() == '`';
        std::string s;
        for (;;) {
            if (atEnd() || (!markdown && (peek() == '\n' || peek() == '\r'))) {
                const std::string where = open.line == m_line ? "column " + std::to_string(open.column)
                                                              : "line " + std::to_string(open.line) + ", column " +
                                                                    std::to_string(open.column);
                fail(mark(), "'\"' to close the string opened at " + where, atEnd() ? "end of input" : "end of line");
            }
            if (peek() == '"') {
                advance();
                break;
            }
            s += peek();
            advance();
        }
        if (markdown && s.size() >= 2 && s.back() == '`')
            return processMarkdown(s);
        return processLabel(s);
    }

    // id, an optional shape with its label, optional :::class suffixes.
    size_t nodeRef()
    {
        const Mark m = mark();
        const std::string id = readId();
        if (id.empty())
            fail(m, "a node id", found());
        checkNotEnd(id, m);
        const size_t idx = node(id, m);
        const char c = peek();
        if (c == '(' || c == '[' || c == '{' || c == '>') {
            for (const ShapeSpec& spec : kShapes)
                if (lookingAt(spec.open)) {
                    shapeLabel(idx, spec);
                    break;
                }
        }
        while (lookingAt(":::")) {
            advance(3);
            const Mark cm = mark();
            std::string cls;
            while (isClassNameChar(peek())) {
                cls += peek();
                advance();
            }
            if (cls.empty())
                fail(cm, "a class name after ':::'", found());
            addClass(m_graph.nodes[idx], cls);
        }
        return idx;
    }

    void shapeLabel(size_t idx, const ShapeSpec& spec)
    {
        const Mark open = mark();
        advance(std::strlen(spec.open));
        std::string closer = "'" + std::string(spec.close) + "'";
        if (spec.altClose)
            closer += " or '" + std::string(spec.altClose) + "'";
        const std::string expected = closer + " to close the node label opened at column " + std::to_string(open.column);
        auto closes = [&](NodeShape& shape) {
            if (lookingAt(spec.close)) {
                shape = spec.shape;
                advance(std::strlen(spec.close));
                return true;
            }
            if (spec.altClose && lookingAt(spec.altClose)) {
                shape = spec.altShape;
                advance(std::strlen(spec.altClose));
                return true;
            }
            return false;
        };
        NodeShape shape = spec.shape;
        std::string label;
        const Mark inside = mark();
        skipSpacesOnly();
        if (peek() == '"') {
            label = quotedLabel();
            skipSpacesOnly();
            if (!closes(shape))
                fail(mark(), expected, found());
        } else {
            reset(inside);
            std::string raw;
            for (;;) {
                if (atLineEnd())
                    fail(mark(), expected, found());
                if (closes(shape))
                    break;
                const char c = peek();
                if (c == '[' || c == ']' || c == '(' || c == ')' || c == '{' || c == '}' || c == '"')
                    fail(mark(), expected,
                        found() + " (quote a label that contains it: id[\"...\"])");
                raw += c;
                advance();
            }
            label = processLabel(trim(raw));
        }
        MermaidNode& n = m_graph.nodes[idx];
        if (const auto before = m_definedOn.find(idx); before != m_definedOn.end()) {
            if (before->second.label != label || before->second.shape != shape)
                warn(open, "node '" + n.id + "' is defined again as '" + label + "' (first defined on line " +
                               std::to_string(before->second.line) + " as '" + before->second.label +
                               "'); the later definition is used, as in Mermaid");
        } else {
            m_definedOn.emplace(idx, Definition{open.line, label, shape});
        }
        n.label = std::move(label);
        n.shape = shape;
    }

    void warn(const Mark& at, const std::string& what)
    {
        std::string text = "line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ": " + what;
        addWarning(std::move(text));
    }

    void addWarning(std::string text)
    {
        ++m_warningCount;
        if (m_warningCount <= MermaidGraph::kMaxWarnings)
            m_graph.warnings.push_back(std::move(text));
    }

    // The first directed cycle among the edges (self-loops are reported on their own), as
    // "A → B → A", or "" when the diagram is acyclic. Iterative depth-first search.
    std::string findCycle() const
    {
        std::unordered_map<std::string, std::vector<std::string>> next;
        std::vector<std::string> order;
        for (const MermaidEdge& e : m_graph.edges) {
            if (e.from == e.to)
                continue;
            if (!next.count(e.from))
                order.push_back(e.from);
            next[e.from].push_back(e.to);
        }
        enum : uint8_t { White, Grey, Black };
        std::unordered_map<std::string, uint8_t> colour;
        for (const std::string& root : order) {
            if (colour[root] != White)
                continue;
            std::vector<std::pair<std::string, size_t>> stack{{root, 0}};
            colour[root] = Grey;
            while (!stack.empty()) {
                auto& [id, i] = stack.back();
                const auto it = next.find(id);
                if (it == next.end() || i >= it->second.size()) {
                    colour[id] = Black;
                    stack.pop_back();
                    continue;
                }
                const std::string to = it->second[i++];
                if (colour[to] == Grey) {
                    std::string path;
                    bool on = false;
                    for (const auto& frame : stack) {
                        on = on || frame.first == to;
                        if (on)
                            path += frame.first + " \u2192 ";
                    }
                    return path + to;
                }
                if (colour[to] == White) {
                    colour[to] = Grey;
                    stack.emplace_back(to, 0);
                }
            }
        }
        return {};
    }

    std::vector<size_t> nodeGroup()
    {
        std::vector<size_t> group{nodeRef()};
        for (;;) {
            const Mark m = mark();
            skipSpaces();
            if (peek() != '&') {
                reset(m);
                return group;
            }
            advance();
            skipSpaces();
            group.push_back(nodeRef());
        }
    }

    void mention(const std::vector<size_t>& group)
    {
        if (!m_open.empty())
            m_open.back().mentioned.insert(m_open.back().mentioned.end(), group.begin(), group.end());
    }

    void vertexStatement()
    {
        std::vector<size_t> left = nodeGroup();
        mention(left);
        for (;;) {
            if (atStatementEnd())
                return;
            auto link = parseLink();
            if (!link)
                fail(mark(), "a link (such as -->), '&', ';' or end of line", found());
            skipSpaces();
            if (peek() == '|' && !link->textForm) {
                link->label = pipeLabel();
                skipSpaces();
            }
            if (atLineEnd() || peek() == ';')
                fail(mark(), "a node after '" + link->text + "'", found());
            std::vector<size_t> right = nodeGroup();
            mention(right);
            for (size_t a : left)
                for (size_t b : right)
                    addEdge(a, b, *link);
            left = std::move(right);
        }
    }

    void addEdge(size_t from, size_t to, const Link& link)
    {
        if (m_graph.edges.size() >= static_cast<size_t>(MermaidParser::kMaxEdges))
            fail(link.at, "at most " + std::to_string(MermaidParser::kMaxEdges) + " edges",
                "edge " + std::to_string(MermaidParser::kMaxEdges + 1));
        charge(m_graph.nodes[from].id.size() + m_graph.nodes[to].id.size() + link.label.size(), link.at);
        MermaidEdge e;
        e.from = m_graph.nodes[from].id;
        e.to = m_graph.nodes[to].id;
        e.line = link.line;
        e.startHead = link.start;
        e.endHead = link.end;
        e.label = link.label;
        e.length = link.length;
        if (from == to)
            warn(link.at, "node '" + e.from + "' has an edge to itself");
        e.index = static_cast<int>(m_graph.edges.size());
        e.sourceLine = link.at.line;
        e.sourceColumn = link.at.column;
        m_graph.edges.push_back(std::move(e));
    }

    std::string pipeLabel()
    {
        const Mark open = mark();
        advance(); // |
        const std::string expected = "'|' to close the edge label opened at column " + std::to_string(open.column);
        skipSpacesOnly();
        std::string label;
        if (peek() == '"') {
            label = quotedLabel();
            skipSpacesOnly();
        } else {
            std::string raw;
            while (!atLineEnd() && peek() != '|') {
                raw += peek();
                advance();
            }
            label = processLabel(trim(raw));
        }
        if (peek() != '|')
            fail(mark(), expected, found());
        advance();
        return label;
    }

    // A link operator at the cursor (Mermaid's LINK / START_LINK tokens), or nothing.
    std::optional<Link> parseLink()
    {
        const Mark at = mark();
        Link link;
        link.at = at;
        char head0 = 0;
        char c = peek();
        if ((c == '<' || c == 'x' || c == 'o') && (peek(1) == '-' || peek(1) == '=' || peek(1) == '.')) {
            head0 = c;
            advance();
            c = peek();
        }
        auto finish = [&](Link& l) -> std::optional<Link> {
            if (head0 && l.end != EdgeHead::None && headOf(head0) == l.end)
                l.start = l.end;
            l.text = m_text.substr(at.pos, m_pos - at.pos);
            return l;
        };
        if (c == '~' && !head0) {
            const size_t n = countRun('~');
            if (n >= 3) {
                advance(n);
                link.line = EdgeLine::Invisible;
                link.end = EdgeHead::None;
                link.length = static_cast<int>(n) - 2;
                return finish(link);
            }
        } else if ((c == '-' && peek(1) == '-') || (c == '=' && peek(1) == '=')) {
            const char dash = c;
            link.line = dash == '-' ? EdgeLine::Solid : EdgeLine::Thick;
            const size_t n = countRun(dash);
            const char after = peek(n);
            if (after == '>' || after == 'x' || after == 'o') {
                advance(n + 1);
                link.end = headOf(after);
                link.length = static_cast<int>(n) - 1;
                return finish(link);
            }
            if (n >= 3) {
                advance(n);
                link.end = EdgeHead::None;
                link.length = static_cast<int>(n) - 2;
                return finish(link);
            }
            advance(2);
            textLink(link, dash, head0);
            return finish(link);
        } else if ((c == '-' && peek(1) == '.') || (c == '.' && !head0)) {
            const size_t lead = c == '-' ? 1 : 0;
            const size_t dots = countRun('.', lead);
            link.line = EdgeLine::Dotted;
            if (dots > 0 && peek(lead + dots) == '-') {
                const char after = peek(lead + dots + 1);
                const bool hasHead = after == '>' || after == 'x' || after == 'o';
                advance(lead + dots + 1 + (hasHead ? 1 : 0));
                link.end = hasHead ? headOf(after) : EdgeHead::None;
                link.length = static_cast<int>(dots);
                return finish(link);
            }
            if (c == '-') {
                advance(2);
                textLink(link, '.', head0);
                return finish(link);
            }
        }
        reset(at);
        return std::nullopt;
    }

    // After a START_LINK (--, ==, -.): the label text up to the closing link.
    void textLink(Link& link, char kind, char head0)
    {
        const Mark start = link.at;
        link.textForm = true;
        const std::string closing = kind == '-' ? "'-->' or '---'" : kind == '=' ? "'==>' or '==='" : "'.->' or '.-'";
        const std::string expected = closing + " to end the edge label started at column " + std::to_string(start.column);
        auto atClose = [&]() {
            if (kind == '.') {
                const size_t d = countRun('.');
                return d > 0 && peek(d) == '-';
            }
            return peek() == kind && peek(1) == kind;
        };
        skipSpacesOnly();
        std::string raw;
        bool quoted = false;
        if (peek() == '"') {
            raw = quotedLabel();
            quoted = true;
            skipSpacesOnly();
            if (!atClose())
                fail(mark(), expected, found());
        } else {
            while (!atClose()) {
                if (atLineEnd())
                    fail(mark(), expected, found());
                raw += peek();
                advance();
            }
        }
        // Mermaid's closing token may start with '-' (dotted) and one of x, o, < : they belong to it.
        char endStart = 0;
        if (!quoted) {
            if (kind == '.' && !raw.empty() && raw.back() == '-')
                raw.pop_back();
            if (!raw.empty() && (raw.back() == 'x' || raw.back() == 'o' || raw.back() == '<')) {
                endStart = raw.back();
                raw.pop_back();
            }
        }
        const Mark closeAt = mark();
        if (kind == '.') {
            const size_t d = countRun('.');
            const char after = peek(d + 1);
            const bool hasHead = after == '>' || after == 'x' || after == 'o';
            advance(d + 1 + (hasHead ? 1 : 0));
            link.end = hasHead ? headOf(after) : EdgeHead::None;
            link.length = static_cast<int>(d);
        } else {
            const size_t n = countRun(kind);
            const char after = peek(n);
            if (after == '>' || after == 'x' || after == 'o') {
                advance(n + 1);
                link.end = headOf(after);
                link.length = static_cast<int>(n) - 1;
            } else if (n >= 3) {
                advance(n);
                link.end = EdgeHead::None;
                link.length = static_cast<int>(n) - 2;
            } else {
                fail(closeAt, expected, found());
            }
        }
        if (head0 && headOf(head0) != link.end)
            fail(closeAt, "a link end matching the '" + std::string(1, head0) + "' that starts it at column " +
                              std::to_string(start.column),
                "'" + m_text.substr(closeAt.pos, m_pos - closeAt.pos) + "'");
        if (endStart && headOf(endStart) == link.end)
            link.start = link.end;
        link.label = quoted ? raw : processLabel(trim(raw));
    }

    void finish()
    {
        if (const std::string cycle = findCycle(); !cycle.empty())
            addWarning("the diagram has a cycle: " + cycle + "; the layout reverses one of its edges to draw it");
        if (m_warningCount > MermaidGraph::kMaxWarnings)
            m_graph.warnings.push_back("... and " + std::to_string(m_warningCount - MermaidGraph::kMaxWarnings) +
                                       " more warnings");
        // An id that names a subgraph is the subgraph (edges may end at it), not a node.
        std::unordered_set<std::string> subgraphIds;
        for (const MermaidSubgraph& sg : m_graph.subgraphs)
            subgraphIds.insert(sg.id);
        bool clash = false;
        for (const MermaidNode& n : m_graph.nodes)
            clash = clash || subgraphIds.count(n.id) > 0;
        if (!clash)
            return;
        std::vector<MermaidNode> kept;
        for (MermaidNode& n : m_graph.nodes)
            if (!subgraphIds.count(n.id))
                kept.push_back(std::move(n));
        m_graph.nodes = std::move(kept);
        for (MermaidSubgraph& sg : m_graph.subgraphs) {
            std::vector<std::string> ids;
            for (std::string& id : sg.nodeIds)
                if (!subgraphIds.count(id))
                    ids.push_back(std::move(id));
            sg.nodeIds = std::move(ids);
        }
    }
};

} // namespace

Expected<MermaidGraph> MermaidParser::parse(const std::string& text)
{
    try {
        Parser parser(text);
        return parser.run();
    } catch (const ParseError& e) {
        return makeError(e.message);
    }
}

} // namespace attn
