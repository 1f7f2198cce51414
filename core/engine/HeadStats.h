#pragma once
// Per-head summaries of an attention map (HeadStatistics computes them from a map, StreamingAttention
// during a forward pass without one):
//   entropy:           mean over queries of -sum_j a_ij ln a_ij (nats)
//   maxWeight:         the largest weight in the head
//   meanDistance:      mean over queries of sum_j a_ij |i - j| / sum_j a_ij (in positions)
//   firstTokenMass:    mean over queries of the weight on key 0 (attention "sinks")
//   previousTokenMass: mean over queries i >= 1 of the weight on key i - 1
namespace attn {

struct HeadStats {
    double entropy = 0.0;
    double maxWeight = 0.0;
    double meanDistance = 0.0;
    double firstTokenMass = 0.0;
    double previousTokenMass = 0.0;
};

} // namespace attn
