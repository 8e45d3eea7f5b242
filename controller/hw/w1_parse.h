/* w1_parse.h: the text the kernel's w1_therm driver gives for a DS18B20.
 *
 * w1_slave holds two lines, the scratchpad with the kernel's CRC verdict
 * and the same bytes with the temperature in milli-degrees:
 *
 *   72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 *   72 01 4b 46 7f ff 0e 10 57 t=23125
 *
 * Newer kernels also offer a `temperature` file with just "23125\n". Pure
 * functions over a buffer (no file access), so they can be fuzzed. */
#ifndef HEATPAD_HW_W1_PARSE_H
#define HEATPAD_HW_W1_PARSE_H

#include <stddef.h>

enum w1_status {
        W1_OK = 0,
        W1_CRC_BAD,     /* the kernel's CRC check said NO */
        W1_POWER_ON,    /* 85000: the sensor reset and never converted */
        W1_MALFORMED,   /* not the shape above, or outside -55..125 degC */
};

/* Parses w1_slave text of len bytes (need not be NUL-terminated). Sets
 * *ret_milli_c on W1_OK and W1_POWER_ON only. */
enum w1_status w1_parse_slave(const char *text, size_t len, long *ret_milli_c);

/* Parses the `temperature` file's text the same way (no CRC line: the
 * kernel fails the read itself when the CRC is bad). */
enum w1_status w1_parse_temperature(const char *text, size_t len,
                                    long *ret_milli_c);

/* "ok", "crc_bad", "power_on", "malformed". */
const char *w1_status_name(enum w1_status st);

#endif
