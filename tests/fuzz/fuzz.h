/* fuzz.h: what every libFuzzer target here shares.
 *
 * Inputs come as (data, size) with no NUL; the parsers that take C strings
 * get a NUL-terminated heap copy, so ASan still sees a read past its end. */
#ifndef HEATPAD_FUZZ_H
#define HEATPAD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd NUL-terminated copy (abort on allocation failure: the fuzzer
 * treats it as a crash, which it would be). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

#endif
