/* systz.c: see systz.h. */
#include "daemon/systz.h"

bool systz_localtime(time_t t, struct tm *ret, void *ctx)
{
        (void)ctx;
        return localtime_r(&t, ret) != NULL;
}
