#pragma once
// Reads a source tree's #include lines and reports every one that breaks the layering of
// docs/ARCHITECTURE.md:
//   - a core layer (core/<layer>/, declared by `attnscope_layer(<layer> DEPENDS ...)` in its
//     CMakeLists.txt) includes a header of a layer it does not link, directly or through the
//     layers it links (a layer above it, or a sibling);
//   - core/ includes Qt (<Q...>, <Qt...>);
//   - ui/ or app/ includes a core header that is not a public header (core/<layer>/detail/ is
//     private to its layer) of a layer it links (`attnscope_<layer>` in its target_link_libraries);
//   - two layers have a public header of the same name (an include would be ambiguous).
// Each problem is one line "path:line: what is wrong".
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace layers {

struct Layer {
    std::string name;
    std::set<std::string> depends; // as declared
    std::set<std::string> reachable; // depends and everything they link, transitively
};

class LayerChecker {
public:
    explicit LayerChecker(std::filesystem::path root);

    // Every violation in the tree, sorted; empty when the tree keeps its layers.
    std::vector<std::string> check();

    const std::map<std::string, Layer>& layers() const { return m_layers; }

private:
    void readLayers(std::vector<std::string>& problems);
    void indexHeaders(std::vector<std::string>& problems);
    std::set<std::string> linkedLayers(const std::filesystem::path& cmakeLists) const;
    void checkCoreFile(const std::filesystem::path& file, const Layer& layer, std::vector<std::string>& problems);
    void checkClientFile(const std::filesystem::path& file, const std::string& client,
        const std::set<std::string>& allowed, const std::set<std::string>& ownHeaders,
        std::vector<std::string>& problems);
    std::string relative(const std::filesystem::path& p) const;

    std::filesystem::path m_root;
    std::map<std::string, Layer> m_layers;
    std::map<std::string, std::string> m_publicHeaders;  // "AttentionEngine.h" -> "engine"
    std::map<std::string, std::string> m_privateHeaders; // "detail/Foo.h" -> layer (also by file name)
};

} // namespace layers
