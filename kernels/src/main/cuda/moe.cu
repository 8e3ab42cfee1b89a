// Mixtral routing on the device: softmax over the router logits, the top-k experts (the lowest index wins a tie),
// weights renormalised over the chosen ones, and for each expert the list of batch rows routed to it. One block does
// it all; lists are built by one thread per expert scanning rows in order, so they are the same on every run.
#include "common.cuh"

// route_weights[row][k] and row_experts[row][k] list a row's chosen experts in increasing expert index.
// expert_rows[e][i] is the i-th row routed to e; expert_out_rows[e][i] = row * top_k + k, where that row keeps the
// expert's output (k is the expert's rank among the row's choices). expert_counts[e] rows in all.
// Launched with up to 1024 threads (one per row): the bound keeps a PTX JIT from allocating more registers than fit.
extern "C" __global__ void __launch_bounds__(1024)
moe_route(const float* router_logits, int rows, int experts, int top_k, float* route_weights, int* row_experts,
          int* expert_counts, int* expert_rows, int* expert_out_rows) {
    constexpr int kMaxExperts = 64;
    for (int row = threadIdx.x; row < rows; row += blockDim.x) {
        const float* logits = router_logits + (long long)row * experts;
        float probability[kMaxExperts];
        float max = -INFINITY;
        for (int e = 0; e < experts; e++) max = fmaxf(max, logits[e]);
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            probability[e] = expf(logits[e] - max);
            sum += probability[e];
        }
        const float inverse = (float)(1.0 / sum);
        for (int e = 0; e < experts; e++) probability[e] *= inverse;
        unsigned long long chosen = 0;
        float total = 0.f;
        for (int k = 0; k < top_k; k++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!((chosen >> e) & 1) && (best < 0 || probability[e] > probability[best])) best = e;
            }
            chosen |= 1ull << best;
            total += probability[best];
        }
        int k = 0;
        for (int e = 0; e < experts; e++) {
            if ((chosen >> e) & 1) {
                route_weights[(long long)row * top_k + k] = probability[e] / total;
                row_experts[(long long)row * top_k + k] = e;
                k++;
            }
        }
    }
    __syncthreads();
    for (int e = threadIdx.x; e < experts; e += blockDim.x) {
        int count = 0;
        for (int row = 0; row < rows; row++) {
            for (int k = 0; k < top_k; k++) {
                if (row_experts[(long long)row * top_k + k] == e) {
                    expert_rows[(long long)e * rows + count] = row;
                    expert_out_rows[(long long)e * rows + count] = row * top_k + k;
                    count++;
                }
            }
        }
        expert_counts[e] = count;
    }
}
