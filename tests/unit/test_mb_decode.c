/* Unit tests for mb_decode.c: register values to degC and back. */
#include <errno.h>
#include <math.h>

#include "hw/mb_decode.h"
#include "test.h"

static void signed_and_unsigned(void **state)
{
        struct mb_scaling s = { true, 0.1, 0 }, u = { false, 0.1, 0 };
        double c;
        (void)state;
        assert_int_equal(mb_decode_temp(235, &s, &c), 0);
        assert_near(c, 23.5, 1e-9);
        assert_int_equal(mb_decode_temp(0xff9c, &s, &c), 0);   /* -100 */
        assert_near(c, -10.0, 1e-9);
        assert_int_equal(mb_decode_temp(0xff9c, &u, &c), 0);
        assert_near(c, 6543.6, 1e-9);
        assert_int_equal(mb_decode_temp(0x8000, &s, &c), 0);
        assert_near(c, -3276.8, 1e-9);
        assert_int_equal(mb_decode_temp(0x7fff, &s, &c), 0);
        assert_near(c, 3276.7, 1e-9);
}

static void scale_and_offset(void **state)
{
        struct mb_scaling s = { false, 0.01, -50 };
        double c;
        (void)state;
        assert_int_equal(mb_decode_temp(8950, &s, &c), 0);
        assert_near(c, 39.5, 1e-9);
        s = (struct mb_scaling){ true, 1, 0 };
        assert_int_equal(mb_decode_temp(40, &s, &c), 0);
        assert_near(c, 40, 1e-9);
}

static void bad_scaling(void **state)
{
        struct mb_scaling s = { true, 0, 0 };
        double c = 1.5;
        uint16_t raw = 7;
        (void)state;
        assert_int_equal(mb_decode_temp(1, &s, &c), -EINVAL);
        s.scale = NAN;
        assert_int_equal(mb_decode_temp(1, &s, &c), -EINVAL);
        s = (struct mb_scaling){ true, 0.1, INFINITY };
        assert_int_equal(mb_decode_temp(1, &s, &c), -EINVAL);
        assert_near(c, 1.5, 0);
        assert_int_equal(mb_encode_temp(20, &s, &raw), -EINVAL);
        assert_int_equal(raw, 7);
}

static void round_trip(void **state)
{
        struct mb_scaling s = { true, 0.1, 0 }, u = { false, 0.1, 0 };
        uint16_t raw;
        double c;
        (void)state;
        for (double t = -40; t <= 120; t += 0.1) {
                assert_int_equal(mb_encode_temp(t, &s, &raw), 0);
                assert_int_equal(mb_decode_temp(raw, &s, &c), 0);
                assert_near(c, t, 0.05 + 1e-9);
        }
        assert_int_equal(mb_encode_temp(-0.1, &u, &raw), -ERANGE);
        assert_int_equal(mb_encode_temp(3276.8, &s, &raw), -ERANGE);
        assert_int_equal(mb_encode_temp(-3276.8, &s, &raw), 0);
        assert_int_equal(raw, 0x8000);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(signed_and_unsigned),
                cmocka_unit_test(scale_and_offset),
                cmocka_unit_test(bad_scaling),
                cmocka_unit_test(round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
