#pragma once
// A saved session (.attnscope): the input (text inline, files by path), every mechanism option
// and the view state, so that opening it restores the same picture. Versioned JSON:
//   {"format": "attnscope-session", "version": 1, "input": {...}, "mechanism": {...}, "view": {...}}
#include "AttentionRollout.h"
#include "Expected.h"
#include "InputSpec.h"
#include "Mechanism.h"
#include "TokenView.h"

#include <optional>
#include <string>

namespace attn {

struct ViewState {
    std::string view = "heatmap"; // heatmap, heads, lines, diff, pipeline
    int layer = 0;
    int head = 0;                 // -1: mean of heads
    std::string colormap = "viridis";
    std::string range = "per-head"; // per-head, fixed, shared, log
    int selectedQuery = -1;
    // The diff view's second mechanism.
    Mechanism compare;
    // The analysis strip: dropped tokens, merged subwords, rollout instead of one head.
    // Saved as "analysis": {"drop_special", "drop_first", "merge_words", "rollout": null or
    // {"fusion": "mean"|"min"|"max", "discard": [0, 1)}}; absent (older sessions): all off.
    TokenViewOptions tokens;
    std::optional<RolloutOptions> rollout;
};

struct Session {
    static constexpr int kVersion = 1;
    InputSpec input;
    Mechanism mechanism;
    ViewState view;
};

class SessionFile {
public:
    static std::string serialize(const Session& session);
    // sourceName names the file in messages. A newer version, another format, a malformed file
    // or missing keys each give their own message; nothing is guessed.
    static Expected<Session> parse(const std::string& text, const std::string& sourceName);
};

} // namespace attn
