// The include-direction test (docs/ARCHITECTURE.md, "Layers"): the real tree keeps its layers, and
// the checker catches each kind of wrong include in a small tree written here on purpose.
#include "LayerChecker.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace {

int g_failures = 0;

void expect(bool ok, const std::string& what)
{
    if (!ok) {
        std::cerr << "FAIL: " << what << "\n";
        ++g_failures;
    }
}

void write(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

void realTreeKeepsItsLayers(const fs::path& root)
{
    layers::LayerChecker checker(root);
    const auto problems = checker.check();
    for (const auto& p : problems)
        std::cerr << "  " << p << "\n";
    expect(problems.empty(), "the source tree breaks its layering (" + std::to_string(problems.size()) + " problems above)");
    // The layers of docs/ARCHITECTURE.md, bottom to top: each may reach only those before it.
    const std::vector<std::string> order
        = { "util", "formats", "text", "image", "input", "engine", "models", "analysis", "pipeline", "session" };
    const auto& found = checker.layers();
    expect(found.size() == order.size(), "expected " + std::to_string(order.size()) + " layers, found " + std::to_string(found.size()));
    for (size_t i = 0; i < order.size(); ++i) {
        auto it = found.find(order[i]);
        expect(it != found.end(), "layer " + order[i] + " is missing");
        if (it == found.end())
            continue;
        for (const std::string& dep : it->second.reachable) {
            const auto at = std::find(order.begin(), order.end(), dep);
            expect(at < order.begin() + static_cast<long>(i), "layer " + order[i] + " reaches " + dep + ", which is not below it");
        }
    }
    expect(found.count("util") && found.at("util").reachable.empty(), "util links no other layer");
    expect(found.count("text") && !found.at("text").reachable.count("image"), "text and image are siblings");
    expect(found.count("image") && !found.at("image").reachable.count("text"), "image and text are siblings");
}

void wrongIncludesAreCaught()
{
    const fs::path root = fs::temp_directory_path() / ("attnscope_layers_" + std::to_string(::getpid()));
    fs::remove_all(root);
    write(root / "core/util/CMakeLists.txt", "attnscope_layer(util)\n");
    write(root / "core/util/Base.h", "#pragma once\n");
    write(root / "core/util/Bad.h", "#pragma once\n#include \"Base.h\"\n#include \"Engine.h\"\n");
    write(root / "core/text/CMakeLists.txt", "attnscope_layer(text DEPENDS util)\n");
    write(root / "core/text/Words.h", "#pragma once\n#include \"Base.h\"\n");
    write(root / "core/text/Words.cpp", "#include \"Words.h\"\n#include \"Engine.h\"\n");
    write(root / "core/engine/CMakeLists.txt", "attnscope_layer(engine DEPENDS util PRIVATE_LIBS OpenMP::OpenMP_CXX)\n");
    write(root / "core/engine/Engine.h", "#pragma once\n#include \"Base.h\"\n#include <vector>\n");
    write(root / "core/engine/Engine.cpp", "#include \"Engine.h\"\n#include \"detail/Kernel.h\"\n#include <QString>\n");
    write(root / "core/engine/detail/Kernel.h", "#pragma once\n");
    write(root / "ui/CMakeLists.txt", "target_link_libraries(attnscope_ui PUBLIC attnscope_engine Qt6::Widgets)\n");
    write(root / "ui/views/View.h", "#pragma once\n#include <QWidget>\n#include \"Engine.h\"\n");
    write(root / "ui/views/View.cpp", "#include \"View.h\"\n#include \"detail/Kernel.h\"\n#include \"Words.h\"\n");
    write(root / "app/CMakeLists.txt", "target_link_libraries(attnscope PRIVATE attnscope_ui)\n");
    write(root / "app/main.cpp", "#include \"View.h\"\n#include \"Engine.h\"\n#include \"Words.h\"\n");

    const std::vector<std::string> expected = {
        "app/main.cpp:3: app/ includes \"Words.h\" of layer 'text', which it does not link (it links: engine, util)",
        "core/engine/Engine.cpp:3: core/ includes Qt <QString>; the core never uses Qt",
        "core/text/Words.cpp:2: layer 'text' includes \"Engine.h\" of layer 'engine', which it does not link (it links: util)",
        "core/util/Bad.h:3: layer 'util' includes \"Engine.h\" of layer 'engine', which it does not link (it links: nothing)",
        "ui/views/View.cpp:2: ui/ includes \"detail/Kernel.h\", a private header of layer 'engine'",
        "ui/views/View.cpp:3: ui/ includes \"Words.h\" of layer 'text', which it does not link (it links: engine, util)",
    };
    layers::LayerChecker checker(root);
    const auto problems = checker.check();
    expect(problems == expected, "the deliberately wrong tree gives exactly the expected problems");
    if (problems != expected) {
        std::cerr << "  got:\n";
        for (const auto& p : problems)
            std::cerr << "    " << p << "\n";
    }

    // A cycle and two public headers of one name are problems too.
    write(root / "core/util/CMakeLists.txt", "attnscope_layer(util DEPENDS engine)\n");
    write(root / "core/text/Base.h", "#pragma once\n");
    const auto more = layers::LayerChecker(root).check();
    auto has = [&](const std::string& s) { return std::find(more.begin(), more.end(), s) != more.end(); };
    expect(has("core/util/CMakeLists.txt: the layer depends on itself through engine"), "a cycle is reported");
    expect(has("core/util/Base.h: a public header of this name is also in layer 'text' (includes would be ambiguous)"),
        "a header name in two layers is reported");
    fs::remove_all(root);
}

} // namespace

int main(int argc, char** argv)
{
    const char* env = std::getenv("ATTNSCOPE_SOURCE_DIR");
    const fs::path root = argc > 1 ? fs::path(argv[1]) : fs::path(env ? env : ".");
    realTreeKeepsItsLayers(root);
    wrongIncludesAreCaught();
    if (g_failures) {
        std::cerr << g_failures << " failure(s)\n";
        return 1;
    }
    std::cout << "layers: the tree keeps its layers; every deliberately wrong include is caught\n";
    return 0;
}
