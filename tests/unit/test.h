/* test.h: what every cmocka unit test includes. */
#ifndef HEATPAD_TEST_H
#define HEATPAD_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <time.h>

#include "core/tz.h"

/* The process's time zone (a test sets TZ), as the daemon gives it to the
 * core (daemon/systz.c): for core_set_localtime and the tz arguments. */
static inline bool test_localtime(time_t t, struct tm *ret, void *ctx)
{
        (void)ctx;
        return localtime_r(&t, ret) != NULL;
}
#define TEST_TZ (&(const struct tz){ .fn = test_localtime })

/* Doubles compared to a tolerance, with the values in the message. */
#define assert_near(a, b, tol) \
        assert_true(fabs((double)(a) - (double)(b)) <= (tol))

#endif
