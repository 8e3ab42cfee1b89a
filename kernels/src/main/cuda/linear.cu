// One linear-layer kernel for every weight format and batch size: y[m][n] = sum_k x[m][k] * W[n][k], on tensor cores
// (mma.sync m16n8k16, fp32 accumulators), with a fused epilogue.
//
// The weight tile of each k-step is either copied (dense fp16/bf16) or decoded from AQLM codes into shared memory:
// each 8-wide chunk of a weight row is the sum of C codebook chunks chosen by the group's code word. Codebooks that
// fit are staged in shared memory, replicated so that 8 threads reading 8 random entries always hit 8 different bank
// groups; larger ones (1x16: 1-2 MiB) are gathered from L2 with ld.global.cg. Every batch row of the tile uses the
// decoded weights once they are in shared memory, so a weight group is decoded once per M tile, not once per row.
//
// No split-K: each output is accumulated over k in the same order whatever the batch size, tile shape or position in
// the batch, so a sequence's logits do not depend on what else is in its batch (the Backend contract), and the graph
// and eager paths agree bit for bit.
#include <cstddef>

#include "common.cuh"

namespace aqlm {

// What happens to the fp32 result y = acc * scale[n] + bias[n].
enum Epilogue : long long {
    kStore = 0,        // output T [row][out_stride]
    kStoreF32 = 1,     // output float [row][out_stride] (logits, router)
    kAddResidual = 2,  // residual float [row][out_stride] += y
    kSwiGlu = 3,       // rows interleaved gate,up: output T [row][out_stride] at n/2 = silu(gate) * up
    kQkvRope = 4,      // rows [q | k | v], q/k rows pair-interleaved per head: rotate, q to output, k/v to the cache
};

// Which codebook set a combined row uses (q/k/v or gate/up fused into one launch keep their own codebooks).
enum SetMode : long long { kSingleSet = 0, kSetRanges = 1, kSetInterleaved = 2 };

// Launch arguments, passed by value. Every field is 8 bytes so that the host mirror (LinearArgs.java) is a plain
// sequence of 64-bit slots; keep the two in the same order.
struct LinearArgs {
    const void* input;          // T [rows][in_stride]
    const void* weights;        // dense: T [n][k]; AQLM: code words [n_padded][word_stride]
    const void* codebooks;      // AQLM: T [sets][C][2^bits][G]
    const float* scales;        // [n] or null
    const float* bias;          // [n] or null
    void* output;               // see Epilogue
    float* residual;            // kAddResidual
    const int* in_rows;         // input row of batch row m, or null for m
    const int* out_rows;        // output row of batch row m, or null for m
    const int* rows_on_device;  // batch rows to run, read at run time (MoE); null: `rows`
    const int* positions;       // kQkvRope: position of batch row m
    const int* slots;           // kQkvRope: KV slot of batch row m
    const float* rope_cos;      // kQkvRope: [context][head_dim / 2]
    const float* rope_sin;
    void* k_cache;              // kQkvRope: this layer's [slots][context][kv_dim]
    void* v_cache;
    long long rows, n, k, in_stride, out_stride;
    long long word_stride, codebook_count, code_bits, group_size;
    long long codebook_sets, set_mode, set_bound1, set_bound2, replicas;
    long long epilogue, q_dim, kv_dim, head_dim, context;
};
// The host writes 35 little-endian 64-bit slots (LinearArgs.java; KernelSourceContractTest reads these numbers).
static_assert(sizeof(LinearArgs) == 35 * 8, "LinearArgs: 35 fields of 8 bytes");
static_assert(offsetof(LinearArgs, rows) == 16 * 8, "LinearArgs: rows is slot 16");
static_assert(offsetof(LinearArgs, context) == 34 * 8, "LinearArgs: context is slot 34");

template <int BM_, int BN_, int BK_, int WARPS_M_, int WARPS_N_, int STAGES_>
struct TileShape {
    static constexpr int BM = BM_, BN = BN_, BK = BK_, WARPS_M = WARPS_M_, WARPS_N = WARPS_N_, STAGES = STAGES_;
    static constexpr int THREADS = 32 * WARPS_M * WARPS_N;
    static constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
    static constexpr int MT = WM / 16, NT = WN / 8;
    static constexpr int LD = BK + 8;  // shared-memory row pitch in elements: +16 B keeps ldmatrix conflict-free
    static constexpr int X_STAGE_BYTES = BM * LD * 2;
    static constexpr int W_TILE_BYTES = BN * LD * 2;
    static_assert(WM % 16 == 0 && WN % 8 == 0 && BK % 16 == 0, "tile shape");
};
// Decode and small batches: many narrow column blocks keep every SM streaming weights.
using SmallTile = TileShape<16, 32, 128, 1, 4, 4>;
// Prefill and bulk batches: 64x64 tiles reuse each decoded weight tile for 64 rows.
using LargeTile = TileShape<64, 64, 64, 2, 2, 3>;

// A dense weight stage is a whole BN x BK tile; an AQLM stage is only its code words (BN x BK/G words, about 1 KiB),
// so AQLM keeps twice the stages in flight for the same shared memory: at batch 1 the code stream, not arithmetic,
// sets the speed, and a block needs several KiB of loads outstanding to approach the memory bandwidth.
struct DenseSource {
    static constexpr bool kAqlm = false;
    static constexpr int kWordBytes = 0;
    static constexpr int kStageFactor = 1;
    using Word = uint8_t;
};
template <typename W>
struct AqlmSource {
    static constexpr bool kAqlm = true;
    static constexpr int kWordBytes = sizeof(W);
    static constexpr int kStageFactor = 2;
    using Word = W;
};

__device__ __forceinline__ long long align16(long long bytes) { return (bytes + 15) & ~15ll; }

// The dynamic shared-memory layout; LinearPlan.java computes the same sizes.
template <typename Source, typename Tile>
struct SmemLayout {
    static constexpr int kStages = Tile::STAGES * Source::kStageFactor;
    long long x_stages, w_stages, w_stage_bytes, decoded, codebooks, total;
    __device__ SmemLayout(const LinearArgs& a) {
        x_stages = 0;
        w_stages = (long long)kStages * Tile::X_STAGE_BYTES;
        if (Source::kAqlm) {
            w_stage_bytes = align16((long long)Tile::BN * (Tile::BK / a.group_size) * Source::kWordBytes);
        } else {
            w_stage_bytes = Tile::W_TILE_BYTES;
        }
        decoded = w_stages + kStages * w_stage_bytes;
        codebooks = decoded + (Source::kAqlm ? Tile::W_TILE_BYTES : 0);
        long long book_bytes = Source::kAqlm ? a.replicas * a.codebook_sets * a.codebook_count *
                                                   (1ll << a.code_bits) * a.group_size * 2
                                             : 0;
        total = codebooks + book_bytes;
    }
};

template <typename T, typename Source, typename Tile>
struct LinearKernel {
    using Word = typename Source::Word;
    static constexpr int kStages = SmemLayout<Source, Tile>::kStages;
    const LinearArgs& a;
    char* smem;
    SmemLayout<Source, Tile> layout;
    int M, m0, n0;

    __device__ LinearKernel(const LinearArgs& args, char* shared) : a(args), smem(shared), layout(args) {}

    __device__ T* x_stage(int s) { return reinterpret_cast<T*>(smem + layout.x_stages) + s * (Tile::BM * Tile::LD); }
    __device__ char* w_stage(int s) { return smem + layout.w_stages + s * layout.w_stage_bytes; }
    __device__ T* decoded_tile() { return reinterpret_cast<T*>(smem + layout.decoded); }
    __device__ uint4* staged_books() { return reinterpret_cast<uint4*>(smem + layout.codebooks); }

    __device__ void load_tile(int tile, int stage) {
        const long long k0 = (long long)tile * Tile::BK;
        constexpr int CHUNKS = Tile::BK / 8;
        const T* input = static_cast<const T*>(a.input);
        T* xs = x_stage(stage);
        for (int c = threadIdx.x; c < Tile::BM * CHUNKS; c += Tile::THREADS) {
            const int r = c / CHUNKS, kc = c % CHUNKS;
            const int m = m0 + r;
            const long long k = k0 + kc * 8;
            const bool valid = m < M && k < a.k;
            const long long row = valid ? (a.in_rows ? a.in_rows[m] : m) : 0;
            cp_async<16>(xs + r * Tile::LD + kc * 8, input + (valid ? row * a.in_stride + k : 0), valid);
        }
        if constexpr (Source::kAqlm) {
            load_codes(tile, stage);
        } else {
            const T* w = static_cast<const T*>(a.weights);
            T* ws = reinterpret_cast<T*>(w_stage(stage));
            for (int c = threadIdx.x; c < Tile::BN * CHUNKS; c += Tile::THREADS) {
                const int r = c / CHUNKS, kc = c % CHUNKS;
                const long long n = n0 + r, k = k0 + kc * 8;
                const bool valid = n < a.n && k < a.k;
                cp_async<16>(ws + r * Tile::LD + kc * 8, w + (valid ? n * a.k + k : 0), valid);
            }
        }
    }

    // Code words of rows [n0, n0 + BN) for this tile's groups. Rows and groups are padded on the host
    // (PackedCodes.java), so every read is in bounds and aligned to the chunk size.
    __device__ void load_codes(int tile, int stage) {
        const int row_bytes = (Tile::BK / (int)a.group_size) * Source::kWordBytes;
        const char* codes = static_cast<const char*>(a.weights);
        const long long first = ((long long)n0 * a.word_stride + (long long)tile * (Tile::BK / a.group_size)) *
                                Source::kWordBytes;
        char* dst = w_stage(stage);
        if (row_bytes >= 16) {
            copy_code_rows<16>(codes + first, dst, row_bytes);
        } else if (row_bytes == 8) {
            copy_code_rows<8>(codes + first, dst, row_bytes);
        } else {
            copy_code_rows<4>(codes + first, dst, row_bytes);
        }
    }

    template <int CHUNK>
    __device__ void copy_code_rows(const char* src, char* dst, int row_bytes) {
        const int per_row = row_bytes / CHUNK;
        const long long src_pitch = a.word_stride * Source::kWordBytes;
        for (int c = threadIdx.x; c < Tile::BN * per_row; c += Tile::THREADS) {
            const int r = c / per_row, part = c % per_row;
            cp_async<CHUNK>(dst + r * row_bytes + part * CHUNK, src + r * src_pitch + part * CHUNK, true);
        }
    }

    __device__ void stage_codebooks() {
        if (!Source::kAqlm || a.replicas == 0) return;
        const long long chunks = a.codebook_sets * a.codebook_count * (1ll << a.code_bits) * (a.group_size / 8);
        const uint4* src = static_cast<const uint4*>(a.codebooks);
        uint4* dst = staged_books();
        const int replicas = (int)a.replicas;
        for (long long s = threadIdx.x; s < chunks * replicas; s += Tile::THREADS) dst[s] = src[s / replicas];
    }

    __device__ int set_of(long long n) const {
        if (a.set_mode == kSetInterleaved) return (int)(n & 1);
        if (a.set_mode == kSetRanges) return (n >= a.set_bound1) + (n >= a.set_bound2);
        return 0;
    }

    // A thread reads copy (thread % replicas) of a staged chunk: with 8 copies, 8 consecutive threads (one 16-byte
    // shared-memory wavefront) land in 8 different bank groups whatever their codes are.
    __device__ uint4 book_chunk(long long chunk, int replicas) {
        if (replicas > 0) return staged_books()[chunk * replicas + (threadIdx.x % replicas)];
        return __ldcg(static_cast<const uint4*>(a.codebooks) + chunk);
    }

    // Decodes the stage's code words into the dense tile: row r, chunk j = sum over codebooks c of
    // codebook[set][c][index_c(word)][8 * jj .. 8 * jj + 8).
    __device__ void decode_tile(int stage) {
        using T2 = typename Vec2<T>::type;
        constexpr int CHUNKS = Tile::BK / 8;
        const int group = (int)a.group_size, per_group = group / 8, groups_per_tile = Tile::BK / group;
        const int per_group_shift = __ffs(per_group) - 1;  // group sizes are powers of two (8 to 64)
        const int books = (int)a.codebook_count, bits = (int)a.code_bits, replicas = (int)a.replicas;
        const long long entries = 1ll << bits;
        const unsigned long long mask = entries - 1;
        const Word* words = reinterpret_cast<const Word*>(w_stage(stage));
        T* out = decoded_tile();
        // A fixed trip count (BN x BK/8 chunks over 128 threads): unrolled, every thread issues all its codebook
        // reads (L2 gathers for 1x16) before it waits on the first.
#pragma unroll
        for (int c = threadIdx.x; c < Tile::BN * CHUNKS; c += Tile::THREADS) {
            const int r = c / CHUNKS, j = c % CHUNKS;
            const int gi = j >> per_group_shift, jj = j & (per_group - 1);
            const unsigned long long word = words[r * groups_per_tile + gi];
            const long long set_base = (long long)set_of(n0 + r) * books;
            auto chunk_of = [&](int book) {
                const long long index = (long long)((word >> (book * bits)) & mask);
                return book_chunk(((set_base + book) * entries + index) * per_group + jj, replicas);
            };
            uint4 sum = chunk_of(0);
            if (books == 2) {
                // Two 16-bit values add exactly in fp32, so one rounded add2 equals the fp32 sum rounded once.
                const uint4 other = chunk_of(1);
                T2* s = reinterpret_cast<T2*>(&sum);
                const T2* o = reinterpret_cast<const T2*>(&other);
#pragma unroll
                for (int i = 0; i < 4; i++) s[i] = add2(s[i], o[i]);
            } else if (books > 2) {
                float acc[8];
                const T2* s = reinterpret_cast<const T2*>(&sum);
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    const float2 f = to_float2(s[i]);
                    acc[2 * i] = f.x;
                    acc[2 * i + 1] = f.y;
                }
                for (int book = 1; book < books; book++) {
                    const uint4 other = chunk_of(book);
                    const T2* o = reinterpret_cast<const T2*>(&other);
#pragma unroll
                    for (int i = 0; i < 4; i++) {
                        const float2 f = to_float2(o[i]);
                        acc[2 * i] += f.x;
                        acc[2 * i + 1] += f.y;
                    }
                }
                T2* d = reinterpret_cast<T2*>(&sum);
#pragma unroll
                for (int i = 0; i < 4; i++) d[i] = from_float2<T>(acc[2 * i], acc[2 * i + 1]);
            }
            *reinterpret_cast<uint4*>(out + r * Tile::LD + j * 8) = sum;
        }
    }

    __device__ void multiply(const T* xs, const T* ws, float (&acc)[Tile::MT][Tile::NT][4]) {
        const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        const int wm = warp / Tile::WARPS_N, wn = warp % Tile::WARPS_N;
#pragma unroll
        for (int kk = 0; kk < Tile::BK / 16; kk++) {
            uint32_t af[Tile::MT][4];
            uint32_t bf[Tile::NT][2];
#pragma unroll
            for (int mt = 0; mt < Tile::MT; mt++) {
                ldmatrix_x4(af[mt], xs + (wm * Tile::WM + mt * 16 + (lane & 15)) * Tile::LD + kk * 16 + (lane >> 4) * 8);
            }
#pragma unroll
            for (int nt = 0; nt < Tile::NT; nt++) {
                ldmatrix_x2(bf[nt], ws + (wn * Tile::WN + nt * 8 + (lane & 7)) * Tile::LD + kk * 16 + ((lane >> 3) & 1) * 8);
            }
#pragma unroll
            for (int mt = 0; mt < Tile::MT; mt++)
#pragma unroll
                for (int nt = 0; nt < Tile::NT; nt++) mma_16816(acc[mt][nt], af[mt], bf[nt], T());
        }
    }

    __device__ float finish(float acc, long long n) const {
        if (n >= a.n) return 0.f;
        float y = a.scales ? acc * a.scales[n] : acc;
        return a.bias ? y + a.bias[n] : y;
    }

    // Stores the pair of adjacent outputs (n, n + 1) of batch row m.
    __device__ void store_pair(int m, long long n, float y0, float y1) {
        const long long row = a.out_rows ? a.out_rows[m] : m;
        const bool second = n + 1 < a.n;
        switch (a.epilogue) {
            case kStore: {
                T* out = static_cast<T*>(a.output) + row * a.out_stride + n;
                out[0] = from_float<T>(y0);
                if (second) out[1] = from_float<T>(y1);
                break;
            }
            case kStoreF32: {
                float* out = static_cast<float*>(a.output) + row * a.out_stride + n;
                out[0] = y0;
                if (second) out[1] = y1;
                break;
            }
            case kAddResidual: {
                float* out = a.residual + row * a.out_stride + n;
                out[0] += y0;
                if (second) out[1] += y1;
                break;
            }
            case kSwiGlu: {
                const float silu = y0 / (1.f + expf(-y0));
                static_cast<T*>(a.output)[row * a.out_stride + n / 2] = from_float<T>(silu * y1);
                break;
            }
            case kQkvRope:
                store_qkv(m, row, n, y0, y1);
                break;
        }
    }

    __device__ void store_qkv(int m, long long row, long long n, float y0, float y1) {
        const long long position = a.positions[m], slot = a.slots[m];
        const long long half = a.head_dim / 2;
        // A quantized cache's residual ring holds position p at p % ring (the host passes the ring as `context`).
        const long long cache_row = (slot * a.context + position % a.context) * a.kv_dim;
        if (n < a.q_dim + a.kv_dim) {
            // Rows 2i and 2i+1 of a head hold dimensions i and i + head_dim/2: rotate the pair in place.
            const long long d = n < a.q_dim ? n : n - a.q_dim;
            const long long i = (d % a.head_dim) / 2;
            const float c = a.rope_cos[position * half + i], s = a.rope_sin[position * half + i];
            const float x1 = y0 * c - y1 * s, x2 = y1 * c + y0 * s;
            T* out = n < a.q_dim ? static_cast<T*>(a.output) + row * a.out_stride + n
                                 : static_cast<T*>(a.k_cache) + cache_row + d;
            out[0] = from_float<T>(x1);
            out[1] = from_float<T>(x2);
        } else {
            T* out = static_cast<T*>(a.v_cache) + cache_row + (n - a.q_dim - a.kv_dim);
            out[0] = from_float<T>(y0);
            out[1] = from_float<T>(y1);
        }
    }

    __device__ void run() {
        M = a.rows_on_device ? min((long long)*a.rows_on_device, a.rows) : (int)a.rows;
        m0 = blockIdx.y * Tile::BM;
        n0 = blockIdx.x * Tile::BN;
        // A launch given less shared memory than this layout needs does nothing (its output stays as it was)
        // rather than write outside its allocation; LinearPlan.java sizes launches with the same formula.
        if (m0 >= M || layout.total > dynamic_smem_bytes()) return;
        stage_codebooks();
        const int tiles = (int)((a.k + Tile::BK - 1) / Tile::BK);
#pragma unroll
        for (int s = 0; s < kStages - 1; s++) {
            if (s < tiles) load_tile(s, s);
            cp_async_commit();
        }
        float acc[Tile::MT][Tile::NT][4] = {};
        for (int t = 0; t < tiles; t++) {
            cp_async_wait<kStages - 2>();
            __syncthreads();
            const int next = t + kStages - 1;
            if (next < tiles) load_tile(next, next % kStages);
            cp_async_commit();
            const int stage = t % kStages;
            const T* weights;
            if constexpr (Source::kAqlm) {
                decode_tile(stage);
                __syncthreads();
                weights = decoded_tile();
            } else {
                weights = reinterpret_cast<const T*>(w_stage(stage));
            }
            multiply(x_stage(stage), weights, acc);
        }
        cp_async_wait<0>();

        const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        const int wm = warp / Tile::WARPS_N, wn = warp % Tile::WARPS_N;
#pragma unroll
        for (int mt = 0; mt < Tile::MT; mt++) {
#pragma unroll
            for (int nt = 0; nt < Tile::NT; nt++) {
                const long long n = n0 + wn * Tile::WN + nt * 8 + (lane & 3) * 2;
                if (n >= a.n) continue;
#pragma unroll
                for (int h = 0; h < 2; h++) {
                    const int m = m0 + wm * Tile::WM + mt * 16 + (lane >> 2) + h * 8;
                    if (m >= M) continue;
                    store_pair(m, n, finish(acc[mt][nt][2 * h], n), finish(acc[mt][nt][2 * h + 1], n + 1));
                }
            }
        }
    }
};

}  // namespace aqlm

// ---- The dispatch table: dtype x weight source x tile shape. KernelNames.java spells the same names. ----
#define AQLM_LINEAR(NAME, T, SOURCE, TILE)                                                          \
    extern "C" __global__ void __launch_bounds__(TILE::THREADS) NAME(const aqlm::LinearArgs args) { \
        extern __shared__ __align__(16) char smem[];                                                \
        aqlm::LinearKernel<T, SOURCE, TILE>(args, smem).run();                                      \
    }
#define AQLM_LINEAR_SOURCES(DTYPE, T, TILE, SUFFIX)                                             \
    AQLM_LINEAR(linear_##DTYPE##_dense_##SUFFIX, T, aqlm::DenseSource, TILE)                    \
    AQLM_LINEAR(linear_##DTYPE##_w1_##SUFFIX, T, aqlm::AqlmSource<uint8_t>, TILE)               \
    AQLM_LINEAR(linear_##DTYPE##_w2_##SUFFIX, T, aqlm::AqlmSource<uint16_t>, TILE)              \
    AQLM_LINEAR(linear_##DTYPE##_w4_##SUFFIX, T, aqlm::AqlmSource<uint32_t>, TILE)              \
    AQLM_LINEAR(linear_##DTYPE##_w8_##SUFFIX, T, aqlm::AqlmSource<unsigned long long>, TILE)

AQLM_LINEAR_SOURCES(f16, __half, aqlm::SmallTile, small)
AQLM_LINEAR_SOURCES(f16, __half, aqlm::LargeTile, large)
AQLM_LINEAR_SOURCES(bf16, __nv_bfloat16, aqlm::SmallTile, small)
AQLM_LINEAR_SOURCES(bf16, __nv_bfloat16, aqlm::LargeTile, large)
