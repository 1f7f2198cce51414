#include "SampleLibrary.h"

#include "FileBytes.h"
#include "MechanismJson.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace attn {

Expected<Sample> SampleLibrary::parse(const std::string& text, const std::string& source)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        return makeError(source + ": not valid JSON: " + e.what());
    }
    if (!j.is_object())
        return makeError(source + ": a sample must be a JSON object");
    Sample s;
    for (const char* key : {"name", "kind", "title", "description"}) {
        if (!j.contains(key) || !j.at(key).is_string())
            return makeError(source + ": '" + key + "' is missing or not a string");
    }
    s.name = j.at("name").get<std::string>();
    s.kind = j.at("kind").get<std::string>();
    s.title = j.at("title").get<std::string>();
    s.description = j.at("description").get<std::string>();
    if (!j.contains("input"))
        return makeError(source + ": 'input' is missing");
    auto input = MechanismJson::inputFromJson(j.at("input"));
    if (!input)
        return makeError(source + ": " + input.error());
    s.input = *input;
    if (j.contains("mechanism")) {
        auto mech = MechanismJson::fromJson(j.at("mechanism"));
        if (!mech)
            return makeError(source + ": " + mech.error());
        s.mechanism = *mech;
    }
    if (j.contains("diagram")) {
        const auto& d = j.at("diagram");
        if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().find("..") != std::string::npos)
            return makeError(source + ": 'diagram' must name a Mermaid file under resources/ (\"diagrams/x.mmd\")");
        s.diagram = d.get<std::string>();
    }
    if (j.contains("image")) {
        const auto& im = j.at("image");
        if (!im.is_string() || im.get<std::string>().empty() || im.get<std::string>().find("..") != std::string::npos)
            return makeError(source + ": 'image' must name a picture under resources/ (\"samples/images/x.png\")");
        s.image = im.get<std::string>();
        if (s.input.kind != InputKind::Image)
            return makeError(source + ": a sample with an 'image' needs an input of type \"image\"");
        s.input.path = s.image;
    }
    if ((s.kind == "image" || s.input.kind == InputKind::Image) && s.image.empty())
        return makeError(source + ": a sample of kind 'image' needs an 'image' (\"samples/images/x.png\")");
    if (s.kind == "diagram" && s.diagram.empty())
        return makeError(source + ": a sample of kind 'diagram' needs a 'diagram' (\"diagrams/x.mmd\")");
    return s;
}

void SampleLibrary::sort(std::vector<Sample>& samples)
{
    auto rank = [](const std::string& kind) {
        const char* order[] = {"seed", "text", "sequence", "image", "model", "diagram"};
        for (int i = 0; i < 6; ++i)
            if (kind == order[i])
                return i;
        return 6;
    };
    std::stable_sort(samples.begin(), samples.end(), [&](const Sample& a, const Sample& b) {
        const int ra = rank(a.kind), rb = rank(b.kind);
        return ra != rb ? ra < rb : a.name < b.name;
    });
}

Expected<std::vector<Sample>> SampleLibrary::loadDirectory(const std::string& directory)
{
    std::vector<Sample> samples;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        if (entry.path().extension() != ".json")
            continue;
        auto bytes = FileBytes::read(entry.path().string(), 16 << 20);
        if (!bytes)
            return bytes.takeError();
        auto sample = parse(*bytes, entry.path().filename().string());
        if (!sample)
            return sample.takeError();
        samples.push_back(std::move(*sample));
    }
    if (ec)
        return makeError("cannot read the samples folder '" + directory + "': " + ec.message());
    sort(samples);
    return samples;
}

} // namespace attn
