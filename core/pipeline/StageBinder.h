#pragma once
// Binds the nodes of a Mermaid flowchart to the stages of an AttentionResult
// (AttentionResult::stageNames(): input, spatial_map, query_input, q, k, v, scores, masked_scores, weights,
// dynamic, head_output, concat, output), so that the pipeline view can show a stage's tensor when
// its node is selected, for the seeds' diagrams as for the engine's own (PipelineDiagram).
//
// A node binds, in this order:
//  1. by id: an id that is a stage name binds to it; PipelineDiagram's extra ids too:
//     additive_tanh -> scores, head_<n> and head_more -> head_output, W_O -> output;
//  2. by label, exactly: the label is normalised (trimmed, <br/> and newlines folded to one
//     space, runs of whitespace collapsed, ASCII lower-cased) and looked up in the table below;
//  3. by label, by containment: the longest table entry contained in the label, as a whole word
//     for ASCII entries, as a substring for CJK ones (entries of one code point, such as q or 值,
//     only match exactly). "Attention weights (softmax)" -> weights, "深度学习模型输出" -> output.
// A node whose stage is not among the available stages stays unbound (listed in `unmatched`).
//
// The table (label -> stage):
//   input          input, inputs, input x, input encoding, input sequence, input data, input layer,
//                  embedding(s), token(s), 输入, 输入编码, 输入序列, 输入数据, 输入层, 输入向量, 嵌入, 词嵌入
//   query_input    query input, query sequence, queries y, y, 查询输入, 查询序列
//   q              q, query, queries, query vector(s), query projection, 查询, 查询向量
//   k              k, key, keys, key vector(s), key projection, feature extraction, features,
//                  键, 键向量, 特征提取, 特征
//   v              v, value, values, value vector(s), value projection, 值, 值向量
//   scores         score(s), attention score(s), attention computation, compute attention scores,
//                  similarity, similarity computation, compatibility, dot product, scaled dot-product,
//                  qk^t, qkᵀ, intermediate layer, 注意力计算, 注意力分数, 注意力得分, 计算注意力分数,
//                  计算注意力, 相似度, 相似度计算, 相关性, 点积, 缩放点积, 打分, 中间层
//                  (seed 004: the intermediate layer "computes the correlation between inputs")
//   spatial_map    spatial attention, spatial attention map, spatial map, 空间注意力, 空间注意力图 (pictures)
//   masked_scores  mask, masking, masked scores, causal mask, padding mask, 掩码, 遮蔽, 掩蔽, 因果掩码
//   weights        weight(s), attention weight(s), weight allocation, weight vector, weight adjustment,
//                  softmax, sigmoid, normalise/normalize, normalisation/normalization, self-attention,
//                  self attention, 权重, 权重分配, 注意力权重, 权重向量, 权重调整, 归一化, 自注意力,
//                  注意力分布
//   dynamic        dynamic, dynamic attention, gate, gating, temperature, 动态注意力, 动态, 门控, 温度
//   head_output    heads, head output(s), multi-head, multi-head attention, multihead attention,
//                  attention heads, 多头注意力, 多头, 注意力头
//   concat         concat, concatenate, concatenation, 拼接
//   output         output(s), weighted sum, aggregation, weighted aggregation, context, context vector,
//                  result, output projection, w_o, element-wise product, soft selection, model output,
//                  hidden layer, 输出, 输出结果, 输出层, 结果输出, 模型输出, 模型隐藏层, 加权求和,
//                  加权聚合, 加权和, 上下文向量, 结果, 输出投影
#include "MermaidGraph.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attn {

struct StageBinding {
    std::map<std::string, std::string> stages; // node id -> stage name
    std::vector<std::string> unmatched;         // node ids left unbound, in node order

    std::optional<std::string> stageOf(const std::string& nodeId) const;
};

class StageBinder {
public:
    // Binds against the stages a result actually has (AttentionResult::stageNames()).
    static StageBinding bind(const MermaidGraph& graph, const std::vector<std::string>& availableStages);
    // Binds against every stage the engine can produce.
    static StageBinding bind(const MermaidGraph& graph);

    static std::optional<std::string> stageForId(const std::string& nodeId);
    static std::optional<std::string> stageForLabel(const std::string& label);
    static std::string normaliseLabel(const std::string& label);
    static const std::vector<std::string>& allStages();
};

} // namespace attn
