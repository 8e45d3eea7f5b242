/* Fuzzes the DS18B20 w1_slave and temperature file parsers over
 * exact-size buffers: a value is only given for OK and power-on, and an OK
 * value is inside the sensor's -55..125 degC. */
#include "fuzz.h"
#include "hw/w1_parse.h"

static void check(enum w1_status st, long milli_c)
{
        if (st == W1_OK && (milli_c < -55000 || milli_c > 125000))
                abort();
        if (st < W1_OK || st > W1_MALFORMED)
                abort();
        if (!w1_status_name(st))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        long milli_c = 0;
        char *text = malloc(size ? size : 1);

        if (!text)
                abort();
        memcpy(text, data, size);
        check(w1_parse_slave(text, size, &milli_c), milli_c);
        milli_c = 0;
        check(w1_parse_temperature(text, size, &milli_c), milli_c);
        free(text);
        return 0;
}
