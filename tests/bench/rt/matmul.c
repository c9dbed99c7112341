/* matmul.c - matrix multiply: double-precision matrices, the i-k-j loop order. */
#include "bench.h"
#define N 128
static double A[N][N], B[N][N], C[N][N];
BENCH uint32_t bench(uint32_t rounds)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) { A[i][j] = (double)((i * 7 + j * 3) % 17) - 8; B[i][j] = (double)((i * 5 + j * 11) % 13) - 6; }
    double s = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        memset(C, 0, sizeof C);
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double a = A[i][k];
                for (int j = 0; j < N; j++) C[i][j] += a * B[k][j];
            }
        s += C[r % N][(r * 3) % N];
        A[r % N][(r * 5) % N] += 1;
    }
    return (uint32_t)(int64_t)s;
}
