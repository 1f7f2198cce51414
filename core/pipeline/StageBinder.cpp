#include "StageBinder.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace attn {

namespace {

struct Entry {
    const char* key; // normalised
    const char* stage;
};

// Documented in StageBinder.h; keep the two in step. Earlier entries win ties.
const std::vector<Entry>& table()
{
    static const std::vector<Entry> entries{
        // input
        {"input", "input"}, {"inputs", "input"}, {"input x", "input"}, {"input encoding", "input"},
        {"input sequence", "input"}, {"input data", "input"}, {"input layer", "input"}, {"embedding", "input"},
        {"embeddings", "input"}, {"token", "input"}, {"tokens", "input"}, {"输入", "input"},
        {"输入编码", "input"}, {"输入序列", "input"}, {"输入数据", "input"}, {"输入层", "input"},
        {"输入向量", "input"}, {"嵌入", "input"}, {"词嵌入", "input"},
        // query_input
        {"query input", "query_input"}, {"query sequence", "query_input"}, {"queries y", "query_input"},
        {"y", "query_input"}, {"查询输入", "query_input"}, {"查询序列", "query_input"},
        // q
        {"q", "q"}, {"query", "q"}, {"queries", "q"}, {"query vector", "q"}, {"query vectors", "q"},
        {"query projection", "q"}, {"查询", "q"}, {"查询向量", "q"},
        // k
        {"k", "k"}, {"key", "k"}, {"keys", "k"}, {"key vector", "k"}, {"key vectors", "k"},
        {"key projection", "k"}, {"feature extraction", "k"}, {"features", "k"}, {"键", "k"}, {"键向量", "k"},
        {"特征提取", "k"}, {"特征", "k"},
        // v
        {"v", "v"}, {"value", "v"}, {"values", "v"}, {"value vector", "v"}, {"value vectors", "v"},
        {"value projection", "v"}, {"值", "v"}, {"值向量", "v"},
        // scores
        {"scores", "scores"}, {"score", "scores"}, {"attention scores", "scores"}, {"attention score", "scores"},
        {"attention computation", "scores"}, {"compute attention scores", "scores"}, {"similarity", "scores"},
        {"similarity computation", "scores"}, {"compatibility", "scores"}, {"dot product", "scores"},
        {"scaled dot-product", "scores"}, {"qk^t", "scores"}, {"qkᵀ", "scores"}, {"intermediate layer", "scores"},
        {"注意力计算", "scores"}, {"注意力分数", "scores"}, {"注意力得分", "scores"}, {"计算注意力分数", "scores"},
        {"计算注意力", "scores"}, {"相似度", "scores"}, {"相似度计算", "scores"}, {"相关性", "scores"},
        {"点积", "scores"}, {"缩放点积", "scores"}, {"打分", "scores"}, {"中间层", "scores"},
        // masked_scores
        {"mask", "masked_scores"}, {"masking", "masked_scores"}, {"masked scores", "masked_scores"},
        {"causal mask", "masked_scores"}, {"padding mask", "masked_scores"}, {"掩码", "masked_scores"},
        {"遮蔽", "masked_scores"}, {"掩蔽", "masked_scores"}, {"因果掩码", "masked_scores"},
        // weights
        {"weights", "weights"}, {"weight", "weights"}, {"attention weights", "weights"},
        {"attention weight", "weights"}, {"weight allocation", "weights"}, {"weight vector", "weights"},
        {"weight adjustment", "weights"}, {"softmax", "weights"}, {"sigmoid", "weights"}, {"normalise", "weights"},
        {"normalize", "weights"}, {"normalisation", "weights"}, {"normalization", "weights"},
        {"self-attention", "weights"}, {"self attention", "weights"}, {"权重", "weights"}, {"权重分配", "weights"},
        {"注意力权重", "weights"}, {"权重向量", "weights"}, {"权重调整", "weights"}, {"归一化", "weights"},
        {"自注意力", "weights"}, {"注意力分布", "weights"},
        // spatial_map (pictures, seed 003)
        {"spatial attention", "spatial_map"}, {"spatial attention map", "spatial_map"},
        {"spatial map", "spatial_map"}, {"空间注意力", "spatial_map"}, {"空间注意力图", "spatial_map"},
        // dynamic
        {"dynamic", "dynamic"}, {"dynamic attention", "dynamic"}, {"gate", "dynamic"}, {"gating", "dynamic"},
        {"temperature", "dynamic"}, {"动态注意力", "dynamic"}, {"动态", "dynamic"}, {"门控", "dynamic"},
        {"温度", "dynamic"},
        // head_output
        {"heads", "head_output"}, {"head output", "head_output"}, {"head outputs", "head_output"},
        {"multi-head", "head_output"}, {"multi-head attention", "head_output"},
        {"multihead attention", "head_output"}, {"attention heads", "head_output"}, {"多头注意力", "head_output"},
        {"多头", "head_output"}, {"注意力头", "head_output"},
        // concat
        {"concat", "concat"}, {"concatenate", "concat"}, {"concatenation", "concat"}, {"拼接", "concat"},
        // output
        {"output", "output"}, {"outputs", "output"}, {"weighted sum", "output"}, {"aggregation", "output"},
        {"weighted aggregation", "output"}, {"context", "output"}, {"context vector", "output"},
        {"result", "output"}, {"output projection", "output"}, {"w_o", "output"},
        {"element-wise product", "output"}, {"soft selection", "output"}, {"model output", "output"},
        {"hidden layer", "output"}, {"输出", "output"}, {"输出结果", "output"}, {"输出层", "output"},
        {"结果输出", "output"}, {"模型输出", "output"}, {"模型隐藏层", "output"}, {"加权求和", "output"},
        {"加权聚合", "output"}, {"加权和", "output"}, {"上下文向量", "output"}, {"结果", "output"},
        {"输出投影", "output"},
    };
    return entries;
}

const std::unordered_map<std::string, std::string>& exactTable()
{
    static const std::unordered_map<std::string, std::string> map = [] {
        std::unordered_map<std::string, std::string> m;
        for (const Entry& e : table())
            m.emplace(e.key, e.stage);
        return m;
    }();
    return map;
}

bool isAsciiWordChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool isAscii(const std::string& s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0x80u) == 0; });
}

size_t codePoints(const std::string& s)
{
    return static_cast<size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u; }));
}

bool containsWord(const std::string& text, const std::string& word)
{
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        const bool startOk = at == 0 || !isAsciiWordChar(text[at - 1]);
        const size_t end = at + word.size();
        const bool endOk = end == text.size() || !isAsciiWordChar(text[end]);
        if (startOk && endOk)
            return true;
    }
    return false;
}

bool isHeadId(const std::string& id)
{
    if (id == "head_more")
        return true;
    if (id.size() <= 5 || id.compare(0, 5, "head_") != 0)
        return false;
    return std::all_of(id.begin() + 5, id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<std::string> StageBinding::stageOf(const std::string& nodeId) const
{
    auto it = stages.find(nodeId);
    if (it == stages.end())
        return std::nullopt;
    return it->second;
}

const std::vector<std::string>& StageBinder::allStages()
{
    static const std::vector<std::string> names{"input", "query_input", "q", "k", "v", "scores", "masked_scores",
        "weights", "dynamic", "head_output", "concat", "output"};
    return names;
}

std::string StageBinder::normaliseLabel(const std::string& label)
{
    std::string folded;
    folded.reserve(label.size());
    for (size_t i = 0; i < label.size();) {
        const char c = label[i];
        if (c == '<' && i + 3 < label.size() && (label[i + 1] == 'b' || label[i + 1] == 'B') &&
            (label[i + 2] == 'r' || label[i + 2] == 'R')) {
            size_t j = i + 3;
            while (j < label.size() && label[j] == ' ')
                ++j;
            if (j < label.size() && label[j] == '/')
                ++j;
            if (j < label.size() && label[j] == '>') {
                folded += ' ';
                i = j + 1;
                continue;
            }
        }
        if (label.compare(i, 3, "\xE3\x80\x80") == 0) { // ideographic space
            folded += ' ';
            i += 3;
            continue;
        }
        if (c == '\n' || c == '\r' || c == '\t')
            folded += ' ';
        else if (c >= 'A' && c <= 'Z')
            folded += static_cast<char>(c - 'A' + 'a');
        else
            folded += c;
        ++i;
    }
    std::string out;
    for (char c : folded) {
        if (c == ' ' && (out.empty() || out.back() == ' '))
            continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::optional<std::string> StageBinder::stageForId(const std::string& nodeId)
{
    const auto& stages = allStages();
    if (std::find(stages.begin(), stages.end(), nodeId) != stages.end())
        return nodeId;
    if (nodeId == "additive_tanh")
        return std::string("scores");
    if (nodeId == "W_O")
        return std::string("output");
    if (isHeadId(nodeId))
        return std::string("head_output");
    return std::nullopt;
}

std::optional<std::string> StageBinder::stageForLabel(const std::string& label)
{
    const std::string text = normaliseLabel(label);
    if (text.empty())
        return std::nullopt;
    const auto& exact = exactTable();
    if (auto it = exact.find(text); it != exact.end())
        return it->second;
    const Entry* best = nullptr;
    size_t bestLength = 0;
    for (const Entry& e : table()) {
        const std::string key = e.key;
        if (codePoints(key) < 2 || key.size() <= bestLength)
            continue;
        const bool hit = isAscii(key) ? containsWord(text, key) : text.find(key) != std::string::npos;
        if (hit) {
            best = &e;
            bestLength = key.size();
        }
    }
    if (!best)
        return std::nullopt;
    return std::string(best->stage);
}

StageBinding StageBinder::bind(const MermaidGraph& graph, const std::vector<std::string>& availableStages)
{
    StageBinding binding;
    auto available = [&](const std::string& stage) {
        return std::find(availableStages.begin(), availableStages.end(), stage) != availableStages.end();
    };
    for (const MermaidNode& node : graph.nodes) {
        std::optional<std::string> stage = stageForId(node.id);
        if (!stage)
            stage = stageForLabel(node.label);
        if (stage && available(*stage))
            binding.stages.emplace(node.id, *stage);
        else
            binding.unmatched.push_back(node.id);
    }
    return binding;
}

StageBinding StageBinder::bind(const MermaidGraph& graph) { return bind(graph, allStages()); }

} // namespace attn
