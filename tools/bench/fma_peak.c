/* The FP32 FMA peak of this CPU, per thread: 12 independent AVX-512 FMA
 * chains (enough to cover the FMA latency on two ports), 32 FLOP each.
 * Run with 1 and with N threads; with N the threads run at once.
 *
 *   gcc -O2 -mavx512f -mfma -o /tmp/fma_peak tools/bench/fma_peak.c -lpthread
 *   /tmp/fma_peak 1 && /tmp/fma_peak 2
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *run(void *arg) {
    (void)arg;
    __m512 a[12];
    const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps((float)i);
    const long n = 200000000;
    double t = now();
    for (long k = 0; k < n; k++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    }
    t = now() - t;
    float s = 0;
    for (int i = 0; i < 12; i++) s += _mm512_reduce_add_ps(a[i]);
    printf("%.1f GFLOP/s per thread (checksum %g)\n", n * 12 * 32.0 / t / 1e9, s);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 64) threads = 1;
    pthread_t p[64];
    for (int i = 0; i < threads; i++) pthread_create(&p[i], NULL, run, NULL);
    for (int i = 0; i < threads; i++) pthread_join(p[i], NULL);
    return 0;
}
