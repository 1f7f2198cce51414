#include "LayerChecker.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace layers {

namespace {

std::string readText(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool isSource(const fs::path& p)
{
    const std::string e = p.extension().string();
    return e == ".h" || e == ".cpp" || e == ".inc";
}

std::vector<fs::path> sourcesUnder(const fs::path& dir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return files;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec))
        if (entry.is_regular_file() && isSource(entry.path()))
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

struct Include {
    int line;
    std::string name;
    bool angled;
};

// Plain scanning rather than <regex>: std::regex alone made this file take 25 s to compile.
bool isSpace(char c) { return c == ' ' || c == '\t'; }
bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `#include <name>` or `#include "name"` at the start of a line (spaces allowed around '#').
bool parseInclude(const std::string& text, Include& inc)
{
    size_t i = 0;
    const auto skip = [&] { while (i < text.size() && isSpace(text[i])) ++i; };
    skip();
    if (i >= text.size() || text[i] != '#')
        return false;
    ++i;
    skip();
    if (text.compare(i, 7, "include") != 0)
        return false;
    i += 7;
    skip();
    if (i >= text.size() || (text[i] != '<' && text[i] != '"'))
        return false;
    inc.angled = text[i] == '<';
    const size_t end = text.find_first_of(">\"", i + 1);
    if (end == std::string::npos || end == i + 1)
        return false;
    inc.name = text.substr(i + 1, end - i - 1);
    return true;
}

std::vector<Include> includesOf(const fs::path& file)
{
    std::vector<Include> out;
    std::istringstream in(readText(file));
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        Include inc { line, {}, false };
        if (parseInclude(text, inc))
            out.push_back(inc);
    }
    return out;
}

// Every whole word `attnscope_<name>` in text; returns the <name>s.
std::vector<std::string> prefixedWords(const std::string& text, const std::string& prefix)
{
    std::vector<std::string> out;
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        if (at > 0 && isWordChar(text[at - 1]))
            continue;
        size_t end = at + prefix.size();
        while (end < text.size() && isWordChar(text[end]))
            ++end;
        if (end > at + prefix.size())
            out.push_back(text.substr(at + prefix.size(), end - at - prefix.size()));
    }
    return out;
}

bool isQtHeader(const std::string& name)
{
    return (name.size() > 1 && name[0] == 'Q' && std::isupper(static_cast<unsigned char>(name[1])))
        || name.rfind("Qt", 0) == 0 || name.rfind("qcustomplot", 0) == 0;
}

std::string join(const std::set<std::string>& s)
{
    std::string out;
    for (const auto& x : s)
        out += (out.empty() ? "" : ", ") + x;
    return out.empty() ? "nothing" : out;
}

} // namespace

LayerChecker::LayerChecker(fs::path root)
    : m_root(std::move(root))
{
}

std::string LayerChecker::relative(const fs::path& p) const
{
    return fs::relative(p, m_root).generic_string();
}

void LayerChecker::readLayers(std::vector<std::string>& problems)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_root / "core", ec)) {
        if (!entry.is_directory())
            continue;
        const fs::path cmake = entry.path() / "CMakeLists.txt";
        const std::string text = readText(cmake);
        // attnscope_layer(<name> DEPENDS <layer>... PRIVATE_LIBS <lib>...)
        const size_t open = text.find("attnscope_layer(");
        const size_t close = open == std::string::npos ? open : text.find(')', open);
        if (close == std::string::npos) {
            problems.push_back(relative(entry.path()) + ": a core folder without attnscope_layer(...) in its CMakeLists.txt");
            continue;
        }
        std::istringstream args(text.substr(open + 16, close - open - 16));
        Layer layer;
        args >> layer.name;
        if (layer.name != entry.path().filename().string())
            problems.push_back(relative(cmake) + ": declares layer '" + layer.name + "' in folder '"
                + entry.path().filename().string() + "'");
        std::string word;
        bool inDepends = false;
        while (args >> word) {
            if (word == "DEPENDS" || word == "PRIVATE_LIBS") {
                inDepends = word == "DEPENDS";
                continue;
            }
            if (inDepends)
                layer.depends.insert(word);
        }
        m_layers[layer.name] = layer;
    }
    // Transitive closure; a cycle shows as a layer reaching itself.
    for (auto& [name, layer] : m_layers) {
        std::vector<std::string> stack(layer.depends.begin(), layer.depends.end());
        while (!stack.empty()) {
            const std::string next = stack.back();
            stack.pop_back();
            if (!layer.reachable.insert(next).second)
                continue;
            auto it = m_layers.find(next);
            if (it == m_layers.end()) {
                problems.push_back("core/" + name + "/CMakeLists.txt: depends on '" + next + "', which is not a layer");
                continue;
            }
            stack.insert(stack.end(), it->second.depends.begin(), it->second.depends.end());
        }
        if (layer.reachable.count(name))
            problems.push_back("core/" + name + "/CMakeLists.txt: the layer depends on itself through " + join(layer.depends));
    }
}

void LayerChecker::indexHeaders(std::vector<std::string>& problems)
{
    for (const auto& [name, layer] : m_layers) {
        for (const fs::path& file : sourcesUnder(m_root / "core" / name)) {
            if (file.extension() != ".h")
                continue;
            const fs::path within = fs::relative(file, m_root / "core" / name);
            const std::string header = within.generic_string();
            if (header.rfind("detail/", 0) == 0) {
                m_privateHeaders[header] = name;
                m_privateHeaders[file.filename().string()] = name;
                continue;
            }
            auto [it, inserted] = m_publicHeaders.emplace(header, name);
            if (!inserted)
                problems.push_back(relative(file) + ": a public header of this name is also in layer '" + it->second
                    + "' (includes would be ambiguous)");
        }
    }
}

std::set<std::string> LayerChecker::linkedLayers(const fs::path& cmakeLists) const
{
    std::set<std::string> linked;
    for (const std::string& name : prefixedWords(readText(cmakeLists), "attnscope_")) {
        auto layer = m_layers.find(name);
        if (layer == m_layers.end())
            continue;
        linked.insert(name);
        linked.insert(layer->second.reachable.begin(), layer->second.reachable.end());
    }
    return linked;
}

void LayerChecker::checkCoreFile(const fs::path& file, const Layer& layer, std::vector<std::string>& problems)
{
    for (const Include& inc : includesOf(file)) {
        const std::string where = relative(file) + ":" + std::to_string(inc.line) + ": ";
        if (inc.angled) {
            if (isQtHeader(inc.name))
                problems.push_back(where + "core/ includes Qt <" + inc.name + ">; the core never uses Qt");
            continue;
        }
        if (fs::exists(file.parent_path() / inc.name)) { // beside it: its own layer
            auto priv = m_privateHeaders.find(inc.name);
            auto pub = m_publicHeaders.find(inc.name);
            const std::string owner = pub != m_publicHeaders.end() ? pub->second
                : priv != m_privateHeaders.end()                   ? priv->second
                                                                   : layer.name;
            if (owner == layer.name)
                continue;
        }
        std::string owner;
        if (auto it = m_publicHeaders.find(inc.name); it != m_publicHeaders.end())
            owner = it->second;
        else if (auto it = m_privateHeaders.find(inc.name); it != m_privateHeaders.end()) {
            if (it->second != layer.name)
                problems.push_back(where + "includes \"" + inc.name + "\", a private header of layer '" + it->second + "'");
            continue;
        } else
            continue; // a library's header (Eigen, nlohmann, graphviz) included with quotes
        if (owner == layer.name || layer.reachable.count(owner))
            continue;
        problems.push_back(where + "layer '" + layer.name + "' includes \"" + inc.name + "\" of layer '" + owner
            + "', which it does not link (it links: " + join(layer.reachable) + ")");
    }
}

void LayerChecker::checkClientFile(const fs::path& file, const std::string& client,
    const std::set<std::string>& allowed, const std::set<std::string>& ownHeaders, std::vector<std::string>& problems)
{
    for (const Include& inc : includesOf(file)) {
        if (inc.angled)
            continue;
        const std::string where = relative(file) + ":" + std::to_string(inc.line) + ": ";
        const std::string base = fs::path(inc.name).filename().string();
        if (auto it = m_privateHeaders.find(inc.name); it != m_privateHeaders.end()) {
            problems.push_back(where + client + "/ includes \"" + inc.name + "\", a private header of layer '" + it->second + "'");
            continue;
        }
        if (ownHeaders.count(base) && !m_publicHeaders.count(inc.name))
            continue;
        auto it = m_publicHeaders.find(inc.name);
        if (it == m_publicHeaders.end())
            continue; // Qt, QCustomPlot, moc output
        if (!allowed.count(it->second))
            problems.push_back(where + client + "/ includes \"" + inc.name + "\" of layer '" + it->second
                + "', which it does not link (it links: " + join(allowed) + ")");
    }
}

std::vector<std::string> LayerChecker::check()
{
    std::vector<std::string> problems;
    m_layers.clear();
    m_publicHeaders.clear();
    m_privateHeaders.clear();
    readLayers(problems);
    indexHeaders(problems);
    for (const auto& [name, layer] : m_layers)
        for (const fs::path& file : sourcesUnder(m_root / "core" / name))
            checkCoreFile(file, layer, problems);
    // Files directly in core/ (the precompiled header) must not include Qt either.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_root / "core", ec))
        if (entry.is_regular_file() && isSource(entry.path()))
            for (const Include& inc : includesOf(entry.path()))
                if (inc.angled && isQtHeader(inc.name))
                    problems.push_back(relative(entry.path()) + ":" + std::to_string(inc.line)
                        + ": core/ includes Qt <" + inc.name + ">; the core never uses Qt");

    // ui/ links the layers named in ui/CMakeLists.txt; app/ links ui and whatever it names itself.
    const std::set<std::string> uiLayers = linkedLayers(m_root / "ui" / "CMakeLists.txt");
    std::set<std::string> appLayers = linkedLayers(m_root / "app" / "CMakeLists.txt");
    appLayers.insert(uiLayers.begin(), uiLayers.end());
    std::set<std::string> uiHeaders;
    for (const fs::path& f : sourcesUnder(m_root / "ui"))
        uiHeaders.insert(f.filename().string());
    std::set<std::string> appHeaders = uiHeaders;
    for (const fs::path& f : sourcesUnder(m_root / "app"))
        appHeaders.insert(f.filename().string());
    for (const fs::path& file : sourcesUnder(m_root / "ui"))
        checkClientFile(file, "ui", uiLayers, uiHeaders, problems);
    for (const fs::path& file : sourcesUnder(m_root / "app"))
        checkClientFile(file, "app", appLayers, appHeaders, problems);
    std::sort(problems.begin(), problems.end());
    return problems;
}

} // namespace layers
