/* Unit tests for w1_parse.c: the kernel's w1_slave and temperature texts,
 * good, bad CRC, power-on, and malformed in the ways a fuzzer would try. */
#include <string.h>

#include "hw/w1_parse.h"
#include "test.h"

#define PAD "72 01 4b 46 7f ff 0e 10 57"

static enum w1_status slave(const char *text, long *milli)
{
        return w1_parse_slave(text, strlen(text), milli);
}

static void good_reading(void **state)
{
        long m = 0;
        (void)state;
        assert_int_equal(slave(PAD " : crc=57 YES\n" PAD " t=23125\n", &m),
                         W1_OK);
        assert_int_equal(m, 23125);
        /* No final newline, and below zero. */
        assert_int_equal(slave(PAD " : crc=57 YES\n" PAD " t=-10062", &m),
                         W1_OK);
        assert_int_equal(m, -10062);
}

static void crc_no_is_not_believed(void **state)
{
        long m = 4242;
        (void)state;
        assert_int_equal(slave(PAD " : crc=57 NO\n" PAD " t=23125\n", &m),
                         W1_CRC_BAD);
        assert_int_equal(m, 4242);      /* untouched */
}

static void power_on_value(void **state)
{
        long m = 0;
        (void)state;
        assert_int_equal(slave(PAD " : crc=57 YES\n" PAD " t=85000\n", &m),
                         W1_POWER_ON);
        assert_int_equal(m, 85000);
        assert_string_equal(w1_status_name(W1_POWER_ON), "power_on");
}

static void malformed(void **state)
{
        static const char *const bad[] = {
                "",
                "\n",
                PAD " : crc=57 YES\n",
                PAD " : crc=57 YES\n" PAD " t=\n",
                PAD " : crc=57 YES\n" PAD " t=12a5\n",
                PAD " : crc=57 YES\n" PAD " t=--5\n",
                PAD " : crc=57 YES\n" PAD " t=125001\n",        /* > 125 C */
                PAD " : crc=57 YES\n" PAD " t=-55001\n",
                PAD " : crc=57 YES\n" PAD " t=99999999999\n",
                PAD " : crc=57 MAYBE\n" PAD " t=23125\n",
                PAD " : crc=57 YESS\n" PAD " t=23125\n",
                PAD " crc=57 YES\n" PAD " t=23125\n",
                "72 01 4b 46 7f ff 0e 10 : crc=57 YES\n" PAD " t=23125\n",
                "ZZ 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n" PAD " t=23125\n",
                PAD " : crc=57 YES\n" PAD " t=23125\nextra\n",
                PAD " : crc=57 YES\n" PAD " x=23125\n",
        };
        long m = 7;
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (slave(bad[i], &m) != W1_MALFORMED)
                        fail_msg("accepted: '%s'", bad[i]);
                assert_int_equal(m, 7);
        }
}

static void not_nul_terminated(void **state)
{
        char buf[128];
        const char *t = PAD " : crc=57 YES\n" PAD " t=23125\n";
        long m = 0;
        (void)state;
        memset(buf, '9', sizeof(buf));
        memcpy(buf, t, strlen(t));
        /* Only len bytes count, whatever follows them. */
        assert_int_equal(w1_parse_slave(buf, strlen(t), &m), W1_OK);
        assert_int_equal(m, 23125);
        assert_int_equal(w1_parse_slave(buf, strlen(t) - 2, &m), W1_OK);
        assert_int_equal(m, 2312);
        for (size_t n = 0; n < 40; n++)
                assert_int_equal(w1_parse_slave(buf, n, &m), W1_MALFORMED);
}

static void temperature_file(void **state)
{
        long m = 0;
        (void)state;
        assert_int_equal(w1_parse_temperature("23125\n", 6, &m), W1_OK);
        assert_int_equal(m, 23125);
        assert_int_equal(w1_parse_temperature("-500", 4, &m), W1_OK);
        assert_int_equal(m, -500);
        assert_int_equal(w1_parse_temperature("85000\n", 6, &m), W1_POWER_ON);
        assert_int_equal(w1_parse_temperature("", 0, &m), W1_MALFORMED);
        assert_int_equal(w1_parse_temperature("\n", 1, &m), W1_MALFORMED);
        assert_int_equal(w1_parse_temperature("23 125\n", 7, &m), W1_MALFORMED);
        assert_int_equal(w1_parse_temperature("200000\n", 7, &m), W1_MALFORMED);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(good_reading),
                cmocka_unit_test(crc_no_is_not_believed),
                cmocka_unit_test(power_on_value),
                cmocka_unit_test(malformed),
                cmocka_unit_test(not_nul_terminated),
                cmocka_unit_test(temperature_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
