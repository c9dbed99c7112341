/* stdout throughput benchmark (tests/bench/wasi2.sh): writes MB megabytes (argv[1],
   default 100; 1 MB = 1,048,576 bytes) to stdout in 64 KiB fwrite calls, then prints
   "wrote BYTES" to stderr, BYTES being what fwrite accepted.  The bytes are a fixed
   pattern (not zeros), so an output checksum tells a short or garbled write.
   Built as a wasm32-wasi module (writer.wasm), as a command component
   (writer-cmd.wasm) and natively by the benchmark; see build.sh. */
#include <stdio.h>
#include <stdlib.h>

#define CHUNK 65536

int main(int argc, char **argv) {
  static unsigned char buf[CHUNK];
  long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
  long long total = (long long)mb * 1048576, done = 0;
  for (int i = 0; i < CHUNK; i++)
    buf[i] = (unsigned char)('a' + (i * 7 + i / 251) % 26);
  while (done < total) {
    size_t n = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
    size_t w = fwrite(buf, 1, n, stdout);
    done += (long long)w;
    if (w != n) break;
  }
  if (fflush(stdout) != 0) {
    perror("writer");
    return 1;
  }
  fprintf(stderr, "wrote %lld\n", done);
  return done == total ? 0 : 1;
}
