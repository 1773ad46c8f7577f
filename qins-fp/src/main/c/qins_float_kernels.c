/*
 * Native AVX-512 float32 matrix-vector product, called through the FFM API by Fp32Linear for one input
 * vector (decode steps). The Vector API loop stays the fallback and the reference it is tested against.
 *
 * Why native: the product is bound by memory bandwidth, and four rows per pass (four independent
 * streams, one input load per four FMAs) kept more reads in flight than the Java loop reached: on the
 * TinyLlama-shaped F32 model at two threads 46 to 47 GB/s against about 36.
 */
#include <immintrin.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int fp32_native_version(void) {
    return 1;
}

/* 1 when this CPU runs these kernels (AVX-512 F with FMA), else 0. */
EXPORT int fp32_native_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

/* sum_i a[i] * x[i] over the masked tail [i, cols), added into acc */
static inline __m512 tail(const float *a, const float *x, int i, int cols, __m512 acc) {
    __mmask16 m = (__mmask16) ((1u << (cols - i)) - 1);
    return _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, x + i), acc);
}

/* out[o] = sum_i W[o][i] * x[i] for o in [from, to); W row-major, rows of cols floats. */
EXPORT void fp32_dot_rows(const float *w, int cols, int from, int to, const float *x, float *out) {
    int full = cols & ~15;
    int o = from;
    for (; o + 3 < to; o += 4) {
        const float *a = w + (long) o * cols;
        const float *b = a + cols;
        const float *c = b + cols;
        const float *d = c + cols;
        __m512 sa = _mm512_setzero_ps(), sb = sa, sc = sa, sd = sa;
        int i = 0;
        for (; i < full; i += 16) {
            __m512 xv = _mm512_loadu_ps(x + i);
            sa = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), xv, sa);
            sb = _mm512_fmadd_ps(_mm512_loadu_ps(b + i), xv, sb);
            sc = _mm512_fmadd_ps(_mm512_loadu_ps(c + i), xv, sc);
            sd = _mm512_fmadd_ps(_mm512_loadu_ps(d + i), xv, sd);
        }
        if (i < cols) {
            sa = tail(a, x, i, cols, sa);
            sb = tail(b, x, i, cols, sb);
            sc = tail(c, x, i, cols, sc);
            sd = tail(d, x, i, cols, sd);
        }
        out[o] = _mm512_reduce_add_ps(sa);
        out[o + 1] = _mm512_reduce_add_ps(sb);
        out[o + 2] = _mm512_reduce_add_ps(sc);
        out[o + 3] = _mm512_reduce_add_ps(sd);
    }
    for (; o < to; o++) {
        const float *a = w + (long) o * cols;
        __m512 sa = _mm512_setzero_ps();
        int i = 0;
        for (; i < full; i += 16) {
            sa = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(x + i), sa);
        }
        if (i < cols) {
            sa = tail(a, x, i, cols, sa);
        }
        out[o] = _mm512_reduce_add_ps(sa);
    }
}
