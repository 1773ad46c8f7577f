/*
 * Native AVX-512 kernels for qins9 (255-level codes, a sign bit-plane, one fp16 scale per 32 weights) and qins8
 * (127-level codes with the sign in bit 7; signs == NULL), called through the FFM API by NativeQinsKernel. The pure-Java kernels stay the fallback; both are
 * tested against the scalar reference (QinsTensor.decodeRow).
 *
 * Why native: the Vector API reaches neither these instructions' mask forms nor C2-independent code,
 * so the Java loop costs about 19 vector operations per 32 weights and runs unoptimised until C2
 * compiles it (slow first tokens); this loop costs about 15 and is fast from the first call.
 *
 * Decode of 32 codes c (the LutVectorKernel scheme, in 16-bit lanes): a float's high half is
 * hiTable[c mod 32] - (c << hiShift) plus the sign bit, its low half loTable[c mod 32]; zero codes
 * give +0 (the lookups are masked). vpermw reads only the low 5 bits of each index, so c mod 32
 * costs nothing. unpacklo/unpackhi interleave the halves into floats within each 128-bit lane, so
 * they come out in the order 0-3, 8-11, 16-19, 24-27 | 4-7, 12-15, 20-23, 28-31: the input vector
 * is permuted once per call into that order (permute_x) instead of permuting every weight.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))

/* 1 when this CPU runs these kernels (AVX-512 F/BW/VL with FMA and F16C), else 0. */
EXPORT int qins_native_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")
            && __builtin_cpu_supports("f16c");
}

/* Version of the entry points below; NativeKernels refuses a library of another version. */
EXPORT int qins_native_version(void) {
    return 6;
}

/*
 * x[0, cols) into xp in the unpack order of each group of 32 (see above); a partial last group is
 * padded with zeros up to 32 (its codes beyond cols are loaded as 0, decode to +0, and must not meet
 * a NaN). xp holds padded(cols) floats.
 */
static void permute_x(const float *x, float *xp, int cols) {
    int full = cols & ~31;
    for (int g = 0; g < full; g += 32) {
        for (int q = 0; q < 4; q++) {
            memcpy(xp + g + 4 * q, x + g + 8 * q, 4 * sizeof(float));
            memcpy(xp + g + 16 + 4 * q, x + g + 8 * q + 4, 4 * sizeof(float));
        }
    }
    if (full < cols) {
        float t[32] = {0};
        memcpy(t, x + full, (size_t) (cols - full) * sizeof(float));
        for (int q = 0; q < 4; q++) {
            memcpy(xp + full + 4 * q, t + 8 * q, 4 * sizeof(float));
            memcpy(xp + full + 16 + 4 * q, t + 8 * q + 4, 4 * sizeof(float));
        }
    }
}

typedef struct {
    __m512 w0; /* weights 0-3, 8-11, 16-19, 24-27 of the group */
    __m512 w1; /* weights 4-7, 12-15, 20-23, 28-31 */
} group_t;

/* The 32 unscaled signed weights of codes c (zero-extended to 16 bits) with sign bits sw. */
INLINE group_t decode_codes(__m512i c, uint32_t sw, __m512i hiTab, __m512i loTab, int hiShift) {
    __mmask32 nz = _mm512_test_epi16_mask(c, c);
    __m512i hi = _mm512_maskz_permutexvar_epi16(nz, c, hiTab);
    __m512i lo = _mm512_maskz_permutexvar_epi16(nz, c, loTab);
    hi = _mm512_sub_epi16(hi, _mm512_sll_epi16(c, _mm_cvtsi32_si128(hiShift)));
    /* an add sets bit 15, which is clear: AVX-512 masks 16-bit lanes only on arithmetic */
    hi = _mm512_mask_add_epi16(hi, _kand_mask32((__mmask32) sw, nz), hi, _mm512_set1_epi16((short) 0x8000));
    group_t g;
    g.w0 = _mm512_castsi512_ps(_mm512_unpacklo_epi16(lo, hi));
    g.w1 = _mm512_castsi512_ps(_mm512_unpackhi_epi16(lo, hi));
    return g;
}

/*
 * Bytes ahead of the codes being decoded that the one-vector loops prefetch (once per 64 codes; past a row's end
 * it reaches the next rows, which are contiguous). Measured on the TinyLlama-shaped model's 155 products in C, two
 * threads: 38 against 46 ms per token (exact loop), 35 against 38 (bf16); 1 to 2 KiB ahead lost, 16 KiB mixed.
 * Prefetching never faults, so reaching past the tensor is harmless.
 */
#define PREFETCH 4096

/* Groups per chunk whose scales are converted to float up front (a 1 KiB stack buffer). */
#define CHUNK 256

/* scales[0, n) (fp16) into dst as floats, 16 at a time: the loops then broadcast each from memory for free. */
INLINE void convert_scales(const uint16_t *scales, long n, float *dst) {
    long g = 0;
    for (; g + 16 <= n; g += 16) {
        _mm512_storeu_ps(dst + g, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (scales + g))));
    }
    if (g < n) {
        __mmask16 m = (__mmask16) ((1u << (n - g)) - 1);
        _mm512_mask_storeu_ps(dst + g, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, scales + g)));
    }
}

INLINE uint32_t sign_word(const uint8_t *signs, long g) {
    uint32_t sw;
    memcpy(&sw, signs + 4 * g, 4);
    return sw;
}

/*
 * Codes c (zero-extended bytes) of a layout with the sign in bit 7 (qins8): the sign mask from bit 7, the
 * magnitude code in bits 0-6.
 */
INLINE group_t decode_signed_codes(__m512i c, __mmask32 present, __m512i hiTab, __m512i loTab, int hiShift) {
    __mmask32 neg = _mm512_mask_test_epi16_mask(present, c, _mm512_set1_epi16(0x80));
    return decode_codes(_mm512_and_si512(c, _mm512_set1_epi16(0x7F)), (uint32_t) neg, hiTab, loTab, hiShift);
}

/*
 * The 32 unscaled signed weights at codes[32g, 32g + 32) of a row (codes cr; sign plane sr, or the sign in each
 * code's bit 7 when sic: qins8).
 */
INLINE group_t decode_group(const uint8_t *cr, const uint8_t *sr, long g, __m512i hiTab, __m512i loTab, int hiShift,
                            const int sic) {
    __m512i c = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (cr + 32 * g)));
    if (sic) {
        return decode_signed_codes(c, (__mmask32) 0xFFFFFFFFu, hiTab, loTab, hiShift);
    }
    return decode_codes(c, sign_word(sr, g), hiTab, loTab, hiShift);
}

/*
 * The partial last group of a row: codes [32g, 32g + n), n < 32, the rest read as code 0 (+0). Masked
 * loads and a byte-wise sign read never touch memory past the row (the last row ends its segment).
 */
INLINE group_t decode_tail(const uint8_t *cr, const uint8_t *sr, long g, int n, __m512i hiTab, __m512i loTab, int hiShift,
                           const int sic) {
    __mmask32 m = (__mmask32) ((1u << n) - 1);
    __m512i c = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, cr + 32 * g));
    if (sic) {
        return decode_signed_codes(c, m, hiTab, loTab, hiShift);
    }
    uint32_t sw = 0;
    memcpy(&sw, sr + 4 * g, (size_t) (n + 7) / 8);
    return decode_codes(c, sw, hiTab, loTab, hiShift);
}

/* Groups of a row including a partial last one. */
INLINE long all_groups(int cols) {
    return (cols + 31) / 32;
}

/*
 * out[o] = sum_i W[o][i] * x[i] for o in [from, to). codes: rows x cols bytes; signs: signStride bytes
 * per row; scales: fp16, rangeRowStride (= groups, the last one partial) per row; tables: 32 int16
 * each; xp: x as qins_prepare wrote it.
 */
/*
 * The row loop of the one-vector product, shared by dot_rows and dot_rows_kf: DECODE_GROUP(g) and DECODE_TAIL(g, n)
 * give group g (n codes of a partial last group) as a group_t; cr, sr, scr are the row's codes, signs and scales.
 */
#define ONE_VECTOR_ROWS(DECODE_GROUP, DECODE_TAIL) \
    long full = cols / 32;                                                                                                  \
    int tail = cols % 32;                                                                                                   \
    for (int o = from; o < to; o++) {                                                                                       \
        const uint8_t *cr = codes + (long) o * cols;                                                                        \
        const uint8_t *sr = signs + (long) o * signStride;                                                                  \
        const uint16_t *scr = scales + (long) o * rangeRowStride;                                                           \
        __m512 acc0 = _mm512_setzero_ps();                                                                                  \
        __m512 acc1 = _mm512_setzero_ps();                                                                                  \
        float sc[CHUNK];                                                                                                    \
        for (long g0 = 0; g0 < full; g0 += CHUNK) {                                                                         \
            long n = full - g0 < CHUNK ? full - g0 : CHUNK;                                                                 \
            convert_scales(scr + g0, n, sc);                                                                                \
            long j = 0;                                                                                                     \
            for (; j + 1 < n; j += 2) {                                                                                     \
                long g = g0 + j;                                                                                            \
                _mm_prefetch((const char *) (cr + 32 * g + PREFETCH), _MM_HINT_T0);                                         \
                group_t a = DECODE_GROUP(g);                                                                                \
                group_t b = DECODE_GROUP(g + 1);                                                                            \
                const float *xa = xp + 32 * g;                                                                              \
                __m512 pa = _mm512_fmadd_ps(a.w1, _mm512_loadu_ps(xa + 16), _mm512_mul_ps(a.w0, _mm512_loadu_ps(xa)));      \
                __m512 pb = _mm512_fmadd_ps(b.w1, _mm512_loadu_ps(xa + 48), _mm512_mul_ps(b.w0, _mm512_loadu_ps(xa + 32))); \
                acc0 = _mm512_fmadd_ps(pa, _mm512_set1_ps(sc[j]), acc0);                                                    \
                acc1 = _mm512_fmadd_ps(pb, _mm512_set1_ps(sc[j + 1]), acc1);                                                \
            }                                                                                                               \
            if (j < n) {                                                                                                    \
                long g = g0 + j;                                                                                            \
                group_t a = DECODE_GROUP(g);                                                                                \
                const float *xa = xp + 32 * g;                                                                              \
                __m512 pa = _mm512_fmadd_ps(a.w1, _mm512_loadu_ps(xa + 16), _mm512_mul_ps(a.w0, _mm512_loadu_ps(xa)));      \
                acc0 = _mm512_fmadd_ps(pa, _mm512_set1_ps(sc[j]), acc0);                                                    \
            }                                                                                                               \
        }                                                                                                                   \
        if (tail) {                                                                                                         \
            group_t a = DECODE_TAIL(full, tail);                                                                            \
            const float *xa = xp + 32 * full;                                                                               \
            __m512 pa = _mm512_fmadd_ps(a.w1, _mm512_loadu_ps(xa + 16), _mm512_mul_ps(a.w0, _mm512_loadu_ps(xa)));          \
            acc1 = _mm512_fmadd_ps(pa, _mm512_cvtph_ps(_mm256_set1_epi16((short) scr[full])), acc1);                        \
        }                                                                                                                   \
        out[o] = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));                                                           \
    }

INLINE void dot_rows(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols,
                     long signStride, long rangeRowStride, const int16_t *hiTable, const int16_t *loTable,
                     int hiShift, int from, int to, const float *xp, float *out, const int sic) {
    __m512i hiTab = _mm512_loadu_si512(hiTable);
    __m512i loTab = _mm512_loadu_si512(loTable);
#define DECODE(g) decode_group(cr, sr, g, hiTab, loTab, hiShift, sic)
#define TAIL(g, n) decode_tail(cr, sr, g, n, hiTab, loTab, hiShift, sic)
    ONE_VECTOR_ROWS(DECODE, TAIL)
#undef DECODE
#undef TAIL
}

/* The mask-free exact loop (VBMI), at the end of this file. */
static void dot_rows_kf_any(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols, long signStride,
                            long rangeRowStride, const int16_t *hiTable, const int16_t *loTable, int hiShift, int from,
                            int to, const float *xp, float *out);
/* 1 where the CPU has VBMI (the mask-free loop), 0 where not, -1 before the first call (a benign race: same value). */
static int kfree = -1;

/*
 * For tests: on = 0 makes qins_dot_rows take the masked loop even where the CPU has VBMI, on = 1 restores the default;
 * returns 1 when the mask-free loop is now in use. Both loops give the same floats bit for bit.
 */
EXPORT int qins_use_mask_free(int on) {
    __builtin_cpu_init();
    kfree = on && __builtin_cpu_supports("avx512vbmi");
    return kfree;
}

/*
 * dot_rows for either layout (signs NULL: the sign in each code's bit 7, qins8): the mask-free loop where the CPU has
 * VBMI (the same floats bit for bit; 5 to 10 % faster in cache, see qins-bench/RESULTS.md round 9), else dot_rows.
 */
EXPORT void qins_dot_rows(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols, long signStride,
                          long rangeRowStride, const int16_t *hiTable, const int16_t *loTable, int hiShift, int from,
                          int to, const float *xp, float *out) {
    if (kfree < 0) {
        qins_use_mask_free(1);
    }
    if (kfree) {
        dot_rows_kf_any(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out);
        return;
    }
    if (signs) {
        dot_rows(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out, 0);
    } else {
        dot_rows(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out, 1);
    }
}

/* Rows of xp XP_SKEW floats longer than padded(cols), so that eight rows never share a 4 KiB stride. */
#define XP_SKEW 48
/*
 * Columns per pass of the batched loop: eight input vectors of 1024 floats (32 KiB) stay in L1 while
 * the rows stream by. Whole rows (8 x 2048 floats, 64 KiB) came from L2 for every group: eight
 * vectors ran 2.8x the time of four instead of 2x.
 */
#define BATCH_COLS 1024
/*
 * Rows per block of the batched loop: a block's column passes follow each other, so its codes (16 x cols bytes) are
 * read within a short window, and the codes and signs BATCH_AHEAD rows ahead are prefetched as the groups go by.
 * Passes over all the chunk's rows (the loop before) read each row in pieces far apart in time, without prefetch:
 * 5632 x 2048, one thread, weights from memory, eight inputs 3.1-3.2 -> 2.1-2.2 ms, four 2.7-3.1 -> 1.2-1.4 ms
 * (README, "Native kernels").
 */
#define BATCH_ROWS 16
#define BATCH_AHEAD 4

/*
 * Rows per pass of the batched loop: two rows take each input load (held in registers) for both, and the eight
 * inputs x two rows = 16 accumulators, the four scaled weight vectors and the two inputs still fit the 32 registers.
 * The loop was bound by its input loads, not by the decode: without them (one input for all eight vectors) it ran 2.3x
 * faster. One row per pass against two, 5632 x 2048, one thread, C harness, alternated: eight inputs 2.09/2.15/2.08
 * -> 1.51/1.53/1.51 ms, four 1.22/1.13 -> 1.00/0.95, two 0.92/1.17 -> 0.74/0.76; the same floats. Three rows: no better.
 */
#define BATCH_PAIR 2

/* Group g (index j of its pass) of rows o .. o + nr - 1, decoded and scaled once, multiplied into nb inputs. */
INLINE void rows_group(const uint8_t *codes, const uint8_t *signs, int cols, long signStride, __m512i hiTab,
                       __m512i loTab, int hiShift, int o, const int nr, long j, long g, const int whole, int tail,
                       float sc[][BATCH_COLS / 32], const float *xp, long xs, const int nb, __m512 acc[][8],
                       const int sic) {
    __m512 w0[BATCH_PAIR], w1[BATCH_PAIR];
#pragma GCC unroll 2
    for (int r = 0; r < nr; r++) {
        const uint8_t *cr = codes + (long) (o + r) * cols;
        const uint8_t *sr = signs + (long) (o + r) * signStride;
        /* prefetching never faults: past the last row it is harmless */
        if ((j & 1) == 0) {
            _mm_prefetch((const char *) (cr + (long) BATCH_AHEAD * cols + 32 * g), _MM_HINT_T0);
        }
        if (!sic && (j & 15) == 0) {
            _mm_prefetch((const char *) (sr + (long) BATCH_AHEAD * signStride + 4 * g), _MM_HINT_T0);
        }
        group_t w = whole ? decode_group(cr, sr, g, hiTab, loTab, hiShift, sic)
                          : decode_tail(cr, sr, g, tail, hiTab, loTab, hiShift, sic);
        __m512 s = _mm512_set1_ps(sc[r][j]);
        w0[r] = _mm512_mul_ps(w.w0, s);
        w1[r] = _mm512_mul_ps(w.w1, s);
    }
#pragma GCC unroll 8
    for (int b = 0; b < nb; b++) {
        const float *xa = xp + b * xs + 32 * g;
        __m512 x0 = _mm512_loadu_ps(xa);
        __m512 x1 = _mm512_loadu_ps(xa + 16);
        /* kept in registers: left to itself the compiler folds the loads into every row's FMAs and reads them twice */
        __asm__("" : "+v"(x0), "+v"(x1));
#pragma GCC unroll 2
        for (int r = 0; r < nr; r++) {
            acc[r][b] = _mm512_fmadd_ps(w1[r], x1, _mm512_fmadd_ps(w0[r], x0, acc[r][b]));
        }
    }
}

/*
 * nr rows (BATCH_PAIR, or one) times nb inputs over groups [g0, g0 + n), added into out (written when g0 = 0). The
 * whole groups and the partial last one run in separate loops: a branch and a call inside the loop cost registers.
 */
INLINE void rows_pass(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols, long signStride,
                      long rangeRowStride, __m512i hiTab, __m512i loTab, int hiShift, int o, const int nr, long g0,
                      long n, long full, int tail, const float *xp, long xs, const int nb, float *out, int outStride,
                      const int sic) {
    float sc[BATCH_PAIR][BATCH_COLS / 32];
    __m512 acc[BATCH_PAIR][8];
#pragma GCC unroll 2
    for (int r = 0; r < nr; r++) {
        convert_scales(scales + (long) (o + r) * rangeRowStride + g0, n, sc[r]);
#pragma GCC unroll 8
        for (int b = 0; b < nb; b++) {
            acc[r][b] = _mm512_setzero_ps();
        }
    }
    long whole = full - g0 < n ? full - g0 : n;
    long j = 0;
    for (; j < whole; j++) {
        rows_group(codes, signs, cols, signStride, hiTab, loTab, hiShift, o, nr, j, g0 + j, 1, tail, sc, xp, xs, nb, acc,
                   sic);
    }
    for (; j < n; j++) {
        rows_group(codes, signs, cols, signStride, hiTab, loTab, hiShift, o, nr, j, g0 + j, 0, tail, sc, xp, xs, nb, acc,
                   sic);
    }
#pragma GCC unroll 2
    for (int r = 0; r < nr; r++) {
#pragma GCC unroll 8
        for (int b = 0; b < nb; b++) {
            float v = _mm512_reduce_add_ps(acc[r][b]);
            float *dst = out + (long) b * outStride + o + r;
            *dst = g0 == 0 ? v : *dst + v;
        }
    }
}

/* nb input vectors at once: each group decoded and scaled once, multiplied into all nb, rows in pairs. */
INLINE void dot_rows_batch(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols,
                           long signStride, long rangeRowStride, __m512i hiTab, __m512i loTab, int hiShift,
                           int from, int to, const float *xp, long xs, const int nb, float *out, int outStride,
                           const int sic) {
    long full = cols / 32;
    int tail = cols % 32;
    long groups = all_groups(cols);
    for (int ob = from; ob < to; ob += BATCH_ROWS) {
        int oe = to - ob < BATCH_ROWS ? to : ob + BATCH_ROWS;
        for (long g0 = 0; g0 < groups; g0 += BATCH_COLS / 32) {
            long n = groups - g0 < BATCH_COLS / 32 ? groups - g0 : BATCH_COLS / 32;
            int o = ob;
            for (; o + BATCH_PAIR <= oe; o += BATCH_PAIR) {
                rows_pass(codes, signs, scales, cols, signStride, rangeRowStride, hiTab, loTab, hiShift, o, BATCH_PAIR,
                          g0, n, full, tail, xp, xs, nb, out, outStride, sic);
            }
            if (o < oe) {
                rows_pass(codes, signs, scales, cols, signStride, rangeRowStride, hiTab, loTab, hiShift, o, 1, g0, n,
                          full, tail, xp, xs, nb, out, outStride, sic);
            }
        }
    }
}

/*
 * x[b * cols, (b + 1) * cols) for b < batch into xp, permuted and padded for the product loops (rows
 * padded(cols) + XP_SKEW floats apart). Once per product: the row chunks of all threads then read it.
 */
EXPORT void qins_prepare(const float *x, int cols, int batch, float *xp) {
    long xs = 32 * all_groups(cols) + XP_SKEW;
    for (int b = 0; b < batch; b++) {
        permute_x(x + (long) b * cols, xp + b * xs, cols);
    }
}

/*
 * This thread's 64-byte-aligned copy of the batch's prepared inputs. The batched loop is bound by its input loads, and
 * inputs prepared into a Java array start 16 bytes (or some other multiple of 8) into a cache line, so that every
 * 64-byte load spans two lines: 5632 x 2048, eight vectors, one thread, C harness, inputs 16 bytes off 2.73 / 2.96 ms
 * against 2.07 / 1.70 aligned. The copy is made once per call, so once per row chunk of the thread pool: over the
 * pool's shrinking chunks of one product (one thread, three rounds) a misaligned batch took 2048 x 2048 544-558 us
 * against 540-562 aligned, 2048 x 5632 1599-1721 against 1544-1882, 256 x 2048 71-75 against 64-68 (the small k/v
 * products pay 5 to 15 %). A Java array can move between calls, so its own alignment cannot be chosen once. The buffer
 * grows as needed and is freed when its thread ends (a pthread key's destructor).
 */
typedef struct {
    float *p;
    size_t cap;
} aligned_buffer_t;

static pthread_key_t aligned_key;
static pthread_once_t aligned_once = PTHREAD_ONCE_INIT;
static int aligned_key_ok;

static void aligned_free(void *v) {
    aligned_buffer_t *b = v;
    free(b->p);
    free(b);
}

static void aligned_key_init(void) {
    aligned_key_ok = pthread_key_create(&aligned_key, aligned_free) == 0;
}

/* src itself where it is aligned or no buffer can be had (the loop is then only slower), else the aligned copy. */
static const float *aligned_inputs(const float *src, size_t n) {
    if (((uintptr_t) src & 63) == 0) {
        return src;
    }
    pthread_once(&aligned_once, aligned_key_init);
    if (!aligned_key_ok) {
        return src;
    }
    aligned_buffer_t *b = pthread_getspecific(aligned_key);
    if (b == NULL) {
        b = calloc(1, sizeof *b);
        if (b == NULL || pthread_setspecific(aligned_key, b) != 0) {
            free(b);
            return src;
        }
    }
    if (b->cap < n) {
        size_t bytes = (n * sizeof(float) + 63) & ~(size_t) 63;
        float *p = aligned_alloc(64, bytes);
        if (p == NULL) {
            return src;
        }
        free(b->p);
        b->p = p;
        b->cap = bytes / sizeof(float);
    }
    memcpy(b->p, src, n * sizeof(float));
    return b->p;
}

/*
 * out[b * outStride + o] = sum_i W[o][i] * x[b * cols + i] for o in [from, to), b < batch; xp: the
 * batch as qins_prepare wrote it. Eight vectors per pass (see BATCH_PAIR for the registers).
 */
EXPORT void qins_dot_rows_batch(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols,
                                 long signStride, long rangeRowStride, const int16_t *hiTable,
                                 const int16_t *loTable, int hiShift, int from, int to, int batch,
                                 const float *xp, float *out, int outStride) {
    __m512i hiTab = _mm512_loadu_si512(hiTable);
    __m512i loTab = _mm512_loadu_si512(loTable);
    long xs = 32 * all_groups(cols) + XP_SKEW;
    for (int b0 = 0; b0 < batch; b0 += 8) {
        int nb = batch - b0 < 8 ? batch - b0 : 8;
        /* each input row stays aligned in the copy: xs floats are a whole number of cache lines */
        const float *xb = aligned_inputs(xp + b0 * xs, (size_t) nb * xs);
        float *ob = out + (long) b0 * outStride;
#define CASE(n, sic) case (n) * 2 + (sic): dot_rows_batch(codes, signs, scales, cols, signStride, rangeRowStride, hiTab, \
                                       loTab, hiShift, from, to, xb, xs, n, ob, outStride, sic); break;
        switch (nb * 2 + (signs == NULL)) {
            CASE(1, 0) CASE(2, 0) CASE(3, 0) CASE(4, 0) CASE(5, 0) CASE(6, 0) CASE(7, 0) CASE(8, 0)
            CASE(1, 1) CASE(2, 1) CASE(3, 1) CASE(4, 1) CASE(5, 1) CASE(6, 1) CASE(7, 1) CASE(8, 1)
        }
#undef CASE
    }
}

/* Rows [row0, row0 + count) decoded and scaled, in column order, into dst (count x cols floats). */
INLINE void decode_rows(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols,
                        long signStride, long rangeRowStride, const int16_t *hiTable, const int16_t *loTable,
                        int hiShift, int row0, int count, float *dst, const int sic) {
    __m512i hiTab = _mm512_loadu_si512(hiTable);
    __m512i loTab = _mm512_loadu_si512(loTable);
    /* the unpack order back to column order: lanes 4q..4q+3 of w0 are columns 8q..8q+3, of w1 8q+4.. */
    __m512i first = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    __m512i second = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    long full = cols / 32;
    int tail = cols % 32;
    for (int r = 0; r < count; r++) {
        long o = (long) row0 + r;
        const uint8_t *cr = codes + o * cols;
        const uint8_t *sr = signs + o * signStride;
        const uint16_t *scr = scales + o * rangeRowStride;
        float *d = dst + (long) r * cols;
        for (long g = 0; g < all_groups(cols); g++) {
            group_t w = g < full ? decode_group(cr, sr, g, hiTab, loTab, hiShift, sic)
                                 : decode_tail(cr, sr, g, tail, hiTab, loTab, hiShift, sic);
            __m512 s = _mm512_cvtph_ps(_mm256_set1_epi16((short) scr[g]));
            __m512 a = _mm512_permutex2var_ps(_mm512_mul_ps(w.w0, s), first, _mm512_mul_ps(w.w1, s));
            __m512 b = _mm512_permutex2var_ps(_mm512_mul_ps(w.w0, s), second, _mm512_mul_ps(w.w1, s));
            if (g < full) {
                _mm512_storeu_ps(d + 32 * g, a);
                _mm512_storeu_ps(d + 32 * g + 16, b);
            } else {
                /* only the row's own columns: dst ends at the last one */
                int n0 = tail < 16 ? tail : 16;
                _mm512_mask_storeu_ps(d + 32 * g, (__mmask16) ((1u << n0) - 1), a);
                _mm512_mask_storeu_ps(d + 32 * g + 16, (__mmask16) ((1u << (tail - n0)) - 1), b);
            }
        }
    }
}

/* decode_rows for either layout (signs NULL: qins8). */
EXPORT void qins_decode_rows(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols, long signStride,
                             long rangeRowStride, const int16_t *hiTable, const int16_t *loTable, int hiShift, int row0,
                             int count, float *dst) {
    if (signs) {
        decode_rows(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, row0, count, dst, 0);
    } else {
        decode_rows(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, row0, count, dst, 1);
    }
}

/* ---- Prefill: a batch of inputs times decoded row tiles (packed panels, register-blocked) ---- */

/*
 * Rows per decoded tile of the prefill product, and batch lanes per panel. A panel of 2 to 4 vectors is multiplied
 * six rows at a time (6 x 4 accumulators, 24 of 32 registers); one vector (up to 16 inputs: batched decode steps)
 * twelve rows at a time, so that twelve independent sums hide the multiply-add latency.
 */
#define MR 12
#define PANEL 64

/*
 * x[b * cols + k] (b < batch) into panels of PANEL batch lanes: xp[(p * cols + k) * PANEL + j] = x[(PANEL p + j) *
 * cols + k], zero past the batch. Once per product; every row tile of every thread reads it.
 */
EXPORT void qins_pack(const float *x, int cols, int batch, float *xp) {
    int panels = (batch + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        float *dst = xp + (long) p * cols * PANEL;
        for (int j = 0; j < PANEL; j++) {
            int b = p * PANEL + j;
            if (b < batch) {
                const float *src = x + (long) b * cols;
                for (int k = 0; k < cols; k++) {
                    dst[(long) k * PANEL + j] = src[k];
                }
            } else {
                for (int k = 0; k < cols; k++) {
                    dst[(long) k * PANEL + j] = 0;
                }
            }
        }
    }
}

/* out[(b0 + lanes) * outStride + o0 + r] += nothing: acc[r][v] for R rows and NP vectors of one panel, stored transposed. */
INLINE void micro(const float *tile, int cols, const float *xpanel, const int R, const int NP, float *out, int outStride,
                  int o0, int b0, int batch) {
    __m512 acc[MR][4]; /* R x NP <= 24 are used */
#pragma GCC unroll 12
    for (int r = 0; r < R; r++) {
#pragma GCC unroll 4
        for (int v = 0; v < NP; v++) {
            acc[r][v] = _mm512_setzero_ps();
        }
    }
    for (int k = 0; k < cols; k++) {
        __m512 xv[4];
#pragma GCC unroll 4
        for (int v = 0; v < NP; v++) {
            xv[v] = _mm512_loadu_ps(xpanel + (long) k * PANEL + 16 * v);
        }
#pragma GCC unroll 12
        for (int r = 0; r < R; r++) {
            __m512 w = _mm512_set1_ps(tile[(long) r * cols + k]);
#pragma GCC unroll 4
            for (int v = 0; v < NP; v++) {
                acc[r][v] = _mm512_fmadd_ps(w, xv[v], acc[r][v]);
            }
        }
    }
    __m512i lanes = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                       _mm512_set1_epi32(outStride));
#pragma GCC unroll 4
    for (int v = 0; v < NP; v++) {
        int left = batch - (b0 + 16 * v);
        __mmask16 m = left >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << left) - 1);
        float *base = out + (long) (b0 + 16 * v) * outStride + o0;
#pragma GCC unroll 12
        for (int r = 0; r < R; r++) {
            _mm512_mask_i32scatter_ps(base + r, m, lanes, acc[r][v], 4);
        }
    }
}

/* micro() with R and NP as constants so that the accumulators stay in registers: 1..12 rows of one vector, or 1..6 rows of 2..4. */
static void micro_any(const float *tile, int cols, const float *xpanel, int r, int np, float *out, int outStride, int o0,
                      int b0, int batch) {
#define M(R, NP) case (R) * 8 + (NP): micro(tile, cols, xpanel, R, NP, out, outStride, o0, b0, batch); return;
    if (np == 1) {
        switch (r * 8 + 1) {
            M(1, 1) M(2, 1) M(3, 1) M(4, 1) M(5, 1) M(6, 1) M(7, 1) M(8, 1) M(9, 1) M(10, 1) M(11, 1) M(12, 1)
        }
        return;
    }
    for (int h = 0; h < r; h += 6) {
        int rh = r - h < 6 ? r - h : 6;
        const float *th = tile + (long) h * cols;
        switch (rh * 8 + np) {
#undef M
#define M(R, NP) case (R) * 8 + (NP): micro(th, cols, xpanel, R, NP, out, outStride, o0 + h, b0, batch); break;
            M(1, 2) M(1, 3) M(1, 4) M(2, 2) M(2, 3) M(2, 4) M(3, 2) M(3, 3) M(3, 4)
            M(4, 2) M(4, 3) M(4, 4) M(5, 2) M(5, 3) M(5, 4) M(6, 2) M(6, 3) M(6, 4)
        }
    }
#undef M
}

/*
 * out[b * outStride + o] = sum_k W[o][k] * x[b * cols + k] for o in [from, to), b < batch: rows decoded MR at a
 * time into tile (MR x cols floats of scratch), then multiplied into every panel of xp (qins_pack's layout).
 */
EXPORT void qins_matmul(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols, long signStride,
                         long rangeRowStride, const int16_t *hiTable, const int16_t *loTable, int hiShift, int from,
                         int to, int batch, const float *xp, float *tile, float *out, int outStride) {
    for (int o0 = from; o0 < to; o0 += MR) {
        int r = to - o0 < MR ? to - o0 : MR;
        qins_decode_rows(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, o0, r, tile);
        for (int b0 = 0; b0 < batch; b0 += PANEL) {
            int np = (batch - b0 + 15) / 16;
            micro_any(tile, cols, xp + (long) (b0 / PANEL) * cols * PANEL, r, np > 4 ? 4 : np, out, outStride, o0, b0, batch);
        }
    }
}

/*
 * ---- The bf16 one-vector product (kernel=bf16): lossy by design, opt-in ----
 *
 * The exact loop spends ~13 vector operations per 32 weights (two table lookups, two unpacks, three float
 * operations); here each weight is decoded to bf16 only (one lookup) and multiplied by vdpbf16ps against the
 * input rounded to bf16 once per product: ~9 operations per 32 weights, and no mask-register traffic:
 *   c' = c - 1 in 16-bit lanes (code 0 wraps to 0xFFFF);
 *   h = bf16Table[c' mod 32] -sat (c' << hiShift): zero codes saturate to +0, the others lose whole octaves;
 *   the sign: qins9's sign word spread to bit 15 of each lane by vpmultishiftqb, qins8's bit 7 shifted up.
 * bf16Table[j] is the round-to-nearest-even bf16 of code j + 1's unscaled magnitude plus (j << hiShift): rounding
 * commutes with the octave shift (it leaves the low 16 bits alone), so every code's weight is its exactly rounded
 * bf16. Products of two bf16 values are exact in float; the group sums are scaled by the fp16 scale in float.
 * Needs AVX-512 BF16 and VBMI besides the exact loops' set (qins_bf16_supported).
 */
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx512vbmi,fma,f16c")))
#define BF16_INLINE static inline __attribute__((always_inline)) BF16_TARGET
/* The mask-free code reading below needs VBMI only (vpmultishiftqb); the exact mask-free loop uses it alone. */
#define VBMI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,fma,f16c")))
#define VBMI_INLINE static inline __attribute__((always_inline)) VBMI_TARGET

/* Codes of a group as 16-bit lanes: c the magnitude code, sg the sign at each lane's bit 15 (other bits garbage). */
typedef struct {
    __m512i c;
    __m512i sg;
} codes_t;

/*
 * vpmultishiftqb control spreading a broadcast 32-bit sign word over 32 16-bit lanes: lane j (bytes 2j, 2j + 1, in
 * qword j / 4) takes in its high byte the 8 bits that end at bit j, so bit j lands on the lane's bit 15.
 */
VBMI_INLINE __m512i sign_spread_control(void) {
    uint8_t b[64];
    for (int j = 0; j < 32; j++) {
        b[2 * j] = 0;
        b[2 * j + 1] = (uint8_t) ((j - 7) & 63);
    }
    return _mm512_loadu_si512(b);
}

/*
 * Codes [32g, 32g + n) of a row, n <= 32, without mask registers on the way (a partial last group reads no memory
 * past the row; the missing codes are 0, their sign bits 0). qins9: the sign word spread by ctl; qins8 (sic): bit 7.
 */
VBMI_INLINE codes_t read_codes(const uint8_t *cr, const uint8_t *sr, long g, int n, __m512i ctl, const int sic) {
    __m512i c;
    uint32_t sw = 0;
    if (n == 32) {
        c = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *) (cr + 32 * g)));
        if (!sic) {
            memcpy(&sw, sr + 4 * g, 4);
        }
    } else {
        c = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8((__mmask32) ((1u << n) - 1), cr + 32 * g));
        if (!sic) {
            memcpy(&sw, sr + 4 * g, (size_t) (n + 7) / 8);
        }
    }
    codes_t r;
    if (sic) {
        r.c = _mm512_and_si512(c, _mm512_set1_epi16(0x7F));
        r.sg = _mm512_slli_epi16(c, 8);
    } else {
        r.c = c;
        r.sg = _mm512_multishift_epi64_epi8(ctl, _mm512_set1_epi32((int) sw));
    }
    return r;
}

/* 1 when this CPU also runs the bf16 product (AVX-512 BF16 and VBMI). */
EXPORT int qins_bf16_supported(void) {
    __builtin_cpu_init();
    return qins_native_supported() && __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vbmi");
}

/* x[0, cols) rounded to bf16 (nearest even) into xb, zero-padded to whole groups of 32. */
EXPORT BF16_TARGET void qins_prepare_bf16(const float *x, int cols, uint16_t *xb) {
    int j = 0;
    for (; j + 32 <= cols; j += 32) {
        __m512bh h = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + j + 16), _mm512_loadu_ps(x + j));
        _mm512_storeu_si512(xb + j, (__m512i) h);
    }
    if (j < cols) {
        int n = cols - j;
        __mmask16 m0 = (__mmask16) (n >= 16 ? 0xFFFF : (1u << n) - 1);
        __mmask16 m1 = (__mmask16) (n > 16 ? (1u << (n - 16)) - 1 : 0);
        __m512bh h = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(m1, x + j + 16), _mm512_maskz_loadu_ps(m0, x + j));
        _mm512_storeu_si512(xb + j, (__m512i) h);
    }
}

/* The 32 signed bf16 weights (unscaled) of zero-extended codes c with the sign bits as a 16-bit lane's bit 15 in sg. */
BF16_INLINE __m512i bf16_weights(__m512i c, __m512i sg, __m512i tab, __m128i sh) {
    c = _mm512_add_epi16(c, _mm512_set1_epi16(-1));
    __m512i h = _mm512_subs_epu16(_mm512_permutexvar_epi16(c, tab), _mm512_sll_epi16(c, sh));
    return _mm512_ternarylogic_epi32(h, sg, _mm512_set1_epi16((short) 0x8000), 0xF8); /* h | (sg & 0x8000) */
}

/* The bf16 weights of codes [32g, 32g + n) of a row (read_codes). */
BF16_INLINE __m512i bf16_group(const uint8_t *cr, const uint8_t *sr, long g, int n, __m512i tab, __m128i sh, __m512i ctl,
                               const int sic) {
    codes_t k = read_codes(cr, sr, g, n, ctl, sic);
    return bf16_weights(k.c, k.sg, tab, sh);
}

BF16_INLINE void dot_rows_bf16(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols, long signStride,
                               long rangeRowStride, const int16_t *bf16Table, int hiShift, int from, int to,
                               const uint16_t *xb, float *out, const int sic) {
    __m512i tab = _mm512_loadu_si512(bf16Table);
    __m128i sh = _mm_cvtsi32_si128(hiShift);
    __m512i ctl = sign_spread_control();
    long full = cols / 32;
    int tail = cols % 32;
    for (int o = from; o < to; o++) {
        const uint8_t *cr = codes + (long) o * cols;
        const uint8_t *sr = signs + (long) o * signStride;
        const uint16_t *scr = scales + (long) o * rangeRowStride;
        __m512 acc0 = _mm512_setzero_ps();
        __m512 acc1 = _mm512_setzero_ps();
        float sc[CHUNK];
        for (long g0 = 0; g0 < full; g0 += CHUNK) {
            long n = full - g0 < CHUNK ? full - g0 : CHUNK;
            convert_scales(scr + g0, n, sc);
            long j = 0;
            for (; j + 1 < n; j += 2) {
                long g = g0 + j;
                _mm_prefetch((const char *) (cr + 32 * g + PREFETCH), _MM_HINT_T0);
                __m512i a = bf16_group(cr, sr, g, 32, tab, sh, ctl, sic);
                __m512i b = bf16_group(cr, sr, g + 1, 32, tab, sh, ctl, sic);
                __m512 pa = _mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a, (__m512bh) _mm512_loadu_si512(xb + 32 * g));
                __m512 pb = _mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) b, (__m512bh) _mm512_loadu_si512(xb + 32 * g + 32));
                acc0 = _mm512_fmadd_ps(pa, _mm512_set1_ps(sc[j]), acc0);
                acc1 = _mm512_fmadd_ps(pb, _mm512_set1_ps(sc[j + 1]), acc1);
            }
            if (j < n) {
                long g = g0 + j;
                __m512i a = bf16_group(cr, sr, g, 32, tab, sh, ctl, sic);
                __m512 pa = _mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a, (__m512bh) _mm512_loadu_si512(xb + 32 * g));
                acc0 = _mm512_fmadd_ps(pa, _mm512_set1_ps(sc[j]), acc0);
            }
        }
        if (tail) {
            __m512i a = bf16_group(cr, sr, full, tail, tab, sh, ctl, sic);
            __m512 pa = _mm512_dpbf16_ps(_mm512_setzero_ps(), (__m512bh) a, (__m512bh) _mm512_loadu_si512(xb + 32 * full));
            acc1 = _mm512_fmadd_ps(pa, _mm512_cvtph_ps(_mm256_set1_epi16((short) scr[full])), acc1);
        }
        out[o] = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    }
}

/*
 * out[o] = sum_i W[o][i] * x[i] for o in [from, to), weights and x in bf16: xb from qins_prepare_bf16, bf16Table
 * as above (32 int16); signs NULL for qins8. Other arguments as qins_dot_rows.
 */
EXPORT BF16_TARGET void qins_dot_rows_bf16(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols,
                                           long signStride, long rangeRowStride, const int16_t *bf16Table, int hiShift,
                                           int from, int to, const uint16_t *xb, float *out) {
    if (signs) {
        dot_rows_bf16(codes, signs, scales, cols, signStride, rangeRowStride, bf16Table, hiShift, from, to, xb, out, 0);
    } else {
        dot_rows_bf16(codes, signs, scales, cols, signStride, rangeRowStride, bf16Table, hiShift, from, to, xb, out, 1);
    }
}

/*
 * The exact decode of 32 codes without mask registers (for the one-vector loop where the CPU has VBMI): the bf16
 * loop's tricks with both halves. Tables re-indexed by c - 1 (hiTable[(j + 1) mod 32] - (1 << hiShift), loTable[(j +
 * 1) mod 32]); code 0 wraps to 0xFFFF, whose shifted octave saturates the high half to 0 and, through its top bit,
 * clears the low half: +0. The same floats as decode_group, bit for bit.
 */
VBMI_INLINE group_t exact_group_kf(const uint8_t *cr, const uint8_t *sr, long g, int n, __m512i hiTab, __m512i loTab,
                                   int hiShift, __m512i ctl, const int sic) {
    codes_t k = read_codes(cr, sr, g, n, ctl, sic);
    __m512i m = _mm512_add_epi16(k.c, _mm512_set1_epi16(-1));
    __m512i sh = _mm512_sll_epi16(m, _mm_cvtsi32_si128(hiShift));
    __m512i hi = _mm512_subs_epu16(_mm512_permutexvar_epi16(m, hiTab), sh);
    __m512i lo = _mm512_andnot_si512(_mm512_srai_epi16(sh, 15), _mm512_permutexvar_epi16(m, loTab));
    hi = _mm512_ternarylogic_epi32(hi, k.sg, _mm512_set1_epi16((short) 0x8000), 0xF8);
    group_t r;
    r.w0 = _mm512_castsi512_ps(_mm512_unpacklo_epi16(lo, hi));
    r.w1 = _mm512_castsi512_ps(_mm512_unpackhi_epi16(lo, hi));
    return r;
}

VBMI_INLINE void dot_rows_kf(const uint8_t *codes, const uint8_t *signs, const uint16_t *scales, int cols,
                             long signStride, long rangeRowStride, const int16_t *hiTable, const int16_t *loTable,
                             int hiShift, int from, int to, const float *xp, float *out, const int sic) {
    /* tables re-indexed by c - 1 (see exact_group_kf) */
    int16_t hs[32], ls[32];
    for (int j = 0; j < 32; j++) {
        hs[j] = (int16_t) (hiTable[(j + 1) & 31] - (1 << hiShift));
        ls[j] = loTable[(j + 1) & 31];
    }
    __m512i hiTab = _mm512_loadu_si512(hs);
    __m512i loTab = _mm512_loadu_si512(ls);
    __m512i ctl = sign_spread_control();
#define DECODE(g) exact_group_kf(cr, sr, g, 32, hiTab, loTab, hiShift, ctl, sic)
#define TAIL(g, n) exact_group_kf(cr, sr, g, n, hiTab, loTab, hiShift, ctl, sic)
    ONE_VECTOR_ROWS(DECODE, TAIL)
#undef DECODE
#undef TAIL
}

/* qins_dot_rows where the CPU has VBMI: the loop above, without mask registers. */
static VBMI_TARGET __attribute__((noinline)) void dot_rows_kf_any(const uint8_t *codes, const uint8_t *signs,
                                                                 const uint16_t *scales, int cols, long signStride,
                                                                 long rangeRowStride, const int16_t *hiTable,
                                                                 const int16_t *loTable, int hiShift, int from, int to,
                                                                 const float *xp, float *out) {
    if (signs) {
        dot_rows_kf(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out, 0);
    } else {
        dot_rows_kf(codes, signs, scales, cols, signStride, rangeRowStride, hiTable, loTable, hiShift, from, to, xp, out, 1);
    }
}
