#pragma once
// JSON forms of Mechanism and InputSpec, shared by sample files, `dump --out x.json` and
// sessions. Reading is strict: an unknown key or a wrong type is an error naming the key,
// so that a typo in a sample or session never passes silently.
#include "Expected.h"
#include "InputSpec.h"
#include "Mechanism.h"

#include <nlohmann/json_fwd.hpp>

namespace attn {

class MechanismJson {
public:
    static nlohmann::json toJson(const Mechanism& mechanism);
    // Keys absent from `json` keep the values of `defaults`.
    static Expected<Mechanism> fromJson(const nlohmann::json& json, const Mechanism& defaults = {});

    static nlohmann::json inputToJson(const InputSpec& input);
    static Expected<InputSpec> inputFromJson(const nlohmann::json& json);
};

} // namespace attn
