/* test.h: what every cmocka unit test includes. */
#ifndef HEATPAD_TEST_H
#define HEATPAD_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Doubles compared to a tolerance, with the values in the message. */
#define assert_near(a, b, tol) \
        assert_true(fabs((double)(a) - (double)(b)) <= (tol))

#endif
