/* w1_parse.c: see w1_parse.h. */
#include <stdbool.h>
#include <string.h>

#include "hw/w1_parse.h"

#define W1_POWER_ON_MILLI 85000
/* The DS18B20's measuring range. */
#define W1_MIN_MILLI (-55000)
#define W1_MAX_MILLI 125000

/* An optional '-' and 1..7 digits, exactly filling [p, end). */
static bool parse_milli(const char *p, const char *end, long *ret)
{
        bool neg = false;
        long v = 0;

        if (p < end && *p == '-') {
                neg = true;
                p++;
        }
        if (p >= end || end - p > 7)
                return false;
        for (; p < end; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (*p - '0');
        }
        *ret = neg ? -v : v;
        return true;
}

static enum w1_status classify(long milli, long *ret_milli_c)
{
        if (milli < W1_MIN_MILLI || milli > W1_MAX_MILLI)
                return W1_MALFORMED;
        *ret_milli_c = milli;
        return milli == W1_POWER_ON_MILLI ? W1_POWER_ON : W1_OK;
}

/* Nine "xx " hex bytes, as both lines begin. */
static bool scratchpad(const char *p, const char *end)
{
        static const char hex[] = "0123456789abcdef";
        if (end - p < 27)
                return false;
        for (int i = 0; i < 9; i++, p += 3)
                if (!memchr(hex, p[0], 16) || !memchr(hex, p[1], 16) ||
                    p[2] != ' ')
                        return false;
        return true;
}

enum w1_status w1_parse_slave(const char *text, size_t len, long *ret_milli_c)
{
        const char *end = text + len;
        const char *nl = memchr(text, '\n', len);
        long milli;

        if (!nl || !scratchpad(text, nl))
                return W1_MALFORMED;
        /* Line 1: "... : crc=57 YES" */
        const char *l1 = text + 27;
        size_t n1 = (size_t)(nl - l1);
        if (n1 < 10 || memcmp(l1, ": crc=", 6) != 0)
                return W1_MALFORMED;
        bool yes = n1 == 12 && memcmp(l1 + 8, " YES", 4) == 0;
        bool no = n1 == 11 && memcmp(l1 + 8, " NO", 3) == 0;
        if (!yes && !no)
                return W1_MALFORMED;

        /* Line 2: "... t=23125", newline optional at the very end. */
        const char *l2 = nl + 1;
        const char *e2 = memchr(l2, '\n', (size_t)(end - l2));
        if (!e2)
                e2 = end;
        else if (e2 + 1 != end)
                return W1_MALFORMED;
        if (!scratchpad(l2, e2) || e2 - (l2 + 27) < 3 ||
            memcmp(l2 + 27, "t=", 2) != 0)
                return W1_MALFORMED;
        if (!parse_milli(l2 + 29, e2, &milli))
                return W1_MALFORMED;
        /* A bad CRC wins over whatever number follows: it is not to be
         * believed. */
        if (no)
                return W1_CRC_BAD;
        return classify(milli, ret_milli_c);
}

enum w1_status w1_parse_temperature(const char *text, size_t len,
                                    long *ret_milli_c)
{
        const char *end = text + len;
        long milli;

        if (len > 0 && end[-1] == '\n')
                end--;
        if (!parse_milli(text, end, &milli))
                return W1_MALFORMED;
        return classify(milli, ret_milli_c);
}

const char *w1_status_name(enum w1_status st)
{
        switch (st) {
        case W1_OK: return "ok";
        case W1_CRC_BAD: return "crc_bad";
        case W1_POWER_ON: return "power_on";
        default: return "malformed";
        }
}
