/*
 * Encodes per second of libqrencode's QRcode_encodeString8bit (byte mode, the smallest
 * version, error correction M), for comparison with Benchmarks/QRBenchmark; scripts/bench-qr
 * builds and runs both on the same text.
 *
 * Usage: qrencode_bench [seconds per measurement, default 2] [text, default an otpauth URI]
 */
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Encodes `text` once and returns the symbol width, so the work cannot be optimised away. */
static int encode_once(const char *text) {
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (code == NULL) {
        perror("QRcode_encodeString8bit");
        exit(1);
    }
    int width = code->width;
    QRcode_free(code);
    return width;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    const char *text = argc > 2 ? argv[2]
        : "otpauth://totp/ClientOne%20Console:jane.doe%40example.com"
          "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ClientOne%20Console";
    if (seconds <= 0) seconds = 2.0;

    QRcode *sample = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (sample == NULL) {
        perror("QRcode_encodeString8bit");
        return 1;
    }
    int version = sample->version;
    QRcode_free(sample);

    long sink = 0;
    double warm_up_end = now_seconds() + 0.3;
    while (now_seconds() < warm_up_end) sink += encode_once(text);

    long calls = 0;
    double start = now_seconds(), elapsed;
    do {
        for (int i = 0; i < 20; i++) sink += encode_once(text);
        calls += 20;
        elapsed = now_seconds() - start;
    } while (elapsed < seconds);

    double rate = (double)calls / elapsed;
    printf("libqrencode (QRcode_encodeString8bit, matrix only): %.0f encodes/s (%.1f µs each) [version %d, ECC M]\n",
           rate, 1e6 / rate, version);
    return sink == 42 ? 1 : 0;
}
