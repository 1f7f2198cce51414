#pragma once
// How one layer of a checkpoint turns queries and keys into attention weights, per head h:
//   s_ij = cap(scale * q_i . k_j)         (cap(x) = softCap * tanh(x / softCap) when softCap > 0)
//   a_ij = softmax_j(s_ij) over the keys j the query at position p = queryOffset + i sees:
//          j <= p when causal, p - j < window when a window is set (0: none)
// with grouped-query attention: query head h reads kv head h / (heads / kvHeads).
namespace attn {

struct AttentionRule {
    int heads = 1;
    int kvHeads = 1;
    int headDim = 1;
    bool causal = false;
    int queryOffset = 0;  // position of the first query row
    float scale = 1.0f;   // applied to q k^T
    float softCap = 0.0f; // 0: none
    int window = 0;       // keys with position - key >= window get 0 (0: no window)

    int kvHeadOf(int head) const { return head / (heads / kvHeads); }
    // The keys [begin, end) that the query at row i sees, of `total` keys.
    int keyBegin(int row) const
    {
        const int p = queryOffset + row;
        return window > 0 && p - window + 1 > 0 ? p - window + 1 : 0;
    }
    int keyEnd(int row, int total) const
    {
        const int p = queryOffset + row;
        return causal && p + 1 < total ? p + 1 : total;
    }
};

} // namespace attn
