/* mandel.c - floating point: the Mandelbrot set escape-time loop over a grid. */
#include "bench.h"
BENCH uint32_t bench(uint32_t size)
{
    uint32_t total = 0;
    for (uint32_t py = 0; py < size; py++)
        for (uint32_t px = 0; px < size; px++) {
            double cx = -2.0 + 2.5 * px / size, cy = -1.25 + 2.5 * py / size;
            double x = 0, y = 0;
            uint32_t k = 0;
            while (k < 200 && x * x + y * y <= 4.0) {
                double t = x * x - y * y + cx;
                y = 2 * x * y + cy;
                x = t;
                k++;
            }
            total = total * 7 + k;
        }
    return total;
}
