#pragma once
// Parses and lists the bundled samples. The files live in resources/samples/ as JSON
// ({"name", "kind", "title", "description", "input": {...}, "mechanism": {...}}, and for kind
// "diagram" a "diagram": "diagrams/x.mmd" naming a Mermaid file under resources/, for kind
// "image" an "image": "samples/images/x.png" naming a picture under resources/); the app
// embeds them as Qt resources and hands their text here, tests read the directory.
#include "Expected.h"
#include "Sample.h"

#include <string>
#include <vector>

namespace attn {

class SampleLibrary {
public:
    static Expected<Sample> parse(const std::string& jsonText, const std::string& sourceName);
    // Every *.json file in `directory`, sorted by kind order (seed, text, sequence, image, diagram) then name.
    static Expected<std::vector<Sample>> loadDirectory(const std::string& directory);
    static void sort(std::vector<Sample>& samples);

    static const char* defaultSampleName() { return "text-fox"; }
};

} // namespace attn
