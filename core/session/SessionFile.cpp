#include "MechanismJson.h"
#include "Session.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace attn {

namespace {

Expected<bool> parseAnalysis(const nlohmann::json& a, ViewState& view)
{
    if (!a.is_object())
        return makeError("must be an object");
    for (const char* key : {"drop_special", "drop_first", "merge_words"})
        if (a.contains(key) && !a.at(key).is_boolean())
            return makeError(std::string("\"") + key + "\" must be true or false");
    view.tokens.filter.dropSpecial = a.value("drop_special", false);
    view.tokens.filter.dropFirst = a.value("drop_first", false);
    view.tokens.mergeWords = a.value("merge_words", false);
    view.rollout.reset();
    if (!a.contains("rollout") || a.at("rollout").is_null())
        return true;
    const auto& r = a.at("rollout");
    if (!r.is_object())
        return makeError("\"rollout\" must be null or an object");
    RolloutOptions o;
    if (r.contains("fusion")) {
        if (!r.at("fusion").is_string())
            return makeError("rollout \"fusion\" must be \"mean\", \"min\" or \"max\"");
        auto fusion = AttentionRollout::parseFusion(r.at("fusion").get<std::string>());
        if (!fusion)
            return makeError("rollout: " + fusion.error());
        o.fusion = *fusion;
    }
    if (r.contains("discard")) {
        if (!r.at("discard").is_number())
            return makeError("rollout \"discard\" must be a number in [0, 1)");
        o.discardRatio = r.at("discard").get<double>();
        if (!(o.discardRatio >= 0.0 && o.discardRatio < 1.0))
        {
            std::ostringstream value;
            value << o.discardRatio;
            return makeError("rollout \"discard\" is " + value.str() + "; it must be in [0, 1)");
        }
    }
    view.rollout = o;
    return true;
}

} // namespace

std::string SessionFile::serialize(const Session& s)
{
    nlohmann::json j;
    j["format"] = "attnscope-session";
    j["version"] = Session::kVersion;
    j["input"] = MechanismJson::inputToJson(s.input);
    j["mechanism"] = MechanismJson::toJson(s.mechanism);
    j["view"] = {{"view", s.view.view}, {"layer", s.view.layer}, {"head", s.view.head},
        {"colormap", s.view.colormap}, {"range", s.view.range}, {"selected_query", s.view.selectedQuery},
        {"compare", MechanismJson::toJson(s.view.compare)}};
    nlohmann::json analysis = {{"drop_special", s.view.tokens.filter.dropSpecial},
        {"drop_first", s.view.tokens.filter.dropFirst}, {"merge_words", s.view.tokens.mergeWords}, {"rollout", nullptr}};
    if (s.view.rollout)
        analysis["rollout"] = {{"fusion", AttentionRollout::fusionName(s.view.rollout->fusion)},
            {"discard", s.view.rollout->discardRatio}};
    j["view"]["analysis"] = analysis;
    return j.dump(2) + "\n";
}

Expected<Session> SessionFile::parse(const std::string& text, const std::string& source)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        return makeError(source + ": not an AttnScope session (the file is not valid JSON)");
    }
    if (!j.is_object() || !j.contains("format") || j.at("format") != "attnscope-session")
        return makeError(source + ": not an AttnScope session (no \"format\": \"attnscope-session\")");
    if (!j.contains("version") || !j.at("version").is_number_integer())
        return makeError(source + ": the session has no version number");
    const int version = j.at("version").get<int>();
    if (version > Session::kVersion)
        return makeError(source + ": the session is from a newer AttnScope (format version " +
                         std::to_string(version) + "; this version reads up to " +
                         std::to_string(Session::kVersion) + "): update AttnScope to open it");
    if (version < 1)
        return makeError(source + ": unknown session format version " + std::to_string(version));
    Session s;
    if (!j.contains("input"))
        return makeError(source + ": the session has no input");
    auto input = MechanismJson::inputFromJson(j.at("input"));
    if (!input)
        return makeError(source + ": " + input.error());
    s.input = *input;
    if (!j.contains("mechanism"))
        return makeError(source + ": the session has no mechanism");
    auto mech = MechanismJson::fromJson(j.at("mechanism"));
    if (!mech)
        return makeError(source + ": " + mech.error());
    s.mechanism = *mech;
    if (j.contains("view")) {
        const auto& v = j.at("view");
        if (!v.is_object())
            return makeError(source + ": \"view\" must be an object");
        try {
            s.view.view = v.value("view", s.view.view);
            s.view.layer = v.value("layer", s.view.layer);
            s.view.head = v.value("head", s.view.head);
            s.view.colormap = v.value("colormap", s.view.colormap);
            s.view.range = v.value("range", s.view.range);
            s.view.selectedQuery = v.value("selected_query", s.view.selectedQuery);
        } catch (const nlohmann::json::exception&) {
            return makeError(source + ": the view state has a value of the wrong type");
        }
        if (v.contains("compare")) {
            auto compare = MechanismJson::fromJson(v.at("compare"));
            if (!compare)
                return makeError(source + ": view." + compare.error());
            s.view.compare = *compare;
        }
        if (v.contains("analysis")) {
            auto analysis = parseAnalysis(v.at("analysis"), s.view);
            if (!analysis)
                return makeError(source + ": view.analysis: " + analysis.error());
        }
    }
    return s;
}

} // namespace attn
