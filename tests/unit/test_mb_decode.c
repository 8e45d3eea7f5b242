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

/* TCP answers: a 7-byte MBAP header ending in the unit id, no trailer. */
static void read_responses(void **state)
{
        uint8_t reg[] = { 0, 1, 0, 0, 0, 5, 3, 0x04, 2, 0x01, 0x7b };
        uint8_t coil[] = { 0, 1, 0, 0, 0, 4, 3, 0x01, 1, 0x01 };
        uint8_t exc[] = { 0, 1, 0, 0, 0, 3, 3, 0x84, 0x04 };
        uint16_t v = 0;
        (void)state;
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg), 7, 0, 3,
                                                0x04, &v), 0);
        assert_int_equal(v, 0x017b);
        assert_int_equal(mb_parse_read_response(coil, sizeof(coil), 7, 0, 3,
                                                0x01, &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(mb_parse_read_response(exc, sizeof(exc), 7, 0, 3,
                                                0x04, &v), -EREMOTEIO);
        v = 99;
        /* Another unit answered: not ours to believe. */
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg), 7, 0, 4,
                                                0x04, &v), -EBADMSG);
        /* Another function (holding asked, input answered). */
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg), 7, 0, 3,
                                                0x03, &v), -EBADMSG);
        /* Short, long, wrong byte count, a coil byte with stray bits. */
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg) - 1, 7, 0, 3,
                                                0x04, &v), -EBADMSG);
        assert_int_equal(mb_parse_read_response(reg, 0, 7, 0, 3, 0x04, &v),
                         -EBADMSG);
        reg[8] = 4;
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg), 7, 0, 3,
                                                0x04, &v), -EBADMSG);
        coil[9] = 0x03;
        assert_int_equal(mb_parse_read_response(coil, sizeof(coil), 7, 0, 3,
                                                0x01, &v), -EBADMSG);
        assert_int_equal(v, 99);        /* untouched on failure */
}

/* RTU answers: the unit id is the whole header, a 2-byte CRC trails. */
static void rtu_responses(void **state)
{
        uint8_t reg[] = { 1, 0x03, 2, 0xff, 0x9c, 0xaa, 0xbb };
        uint16_t v = 0;
        (void)state;
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg), 1, 2, 1,
                                                0x03, &v), 0);
        assert_int_equal(v, 0xff9c);
        assert_int_equal(mb_parse_read_response(reg, sizeof(reg), 1, 2, 9,
                                                0x03, &v), -EBADMSG);
        /* Every truncation is refused, none read past len. */
        for (int n = 0; n < (int)sizeof(reg); n++)
                assert_int_equal(mb_parse_read_response(reg, n, 1, 2, 1,
                                                        0x03, &v), -EBADMSG);
}

static void crc_and_coil_off_frames(void **state)
{
        /* The spec's example: 01 05 00 00 FF 00 is sent with CRC 8C 3A. */
        const uint8_t on[] = { 0x01, 0x05, 0x00, 0x00, 0xff, 0x00 };
        uint8_t f[12];
        (void)state;
        assert_int_equal(mb_crc16(on, 6), 0x3a8c);
        assert_int_equal(mb_coil_off_frame(true, 1, 0, f), 8);
        const uint8_t rtu[] = { 0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0xcd, 0xca };
        assert_memory_equal(f, rtu, 8);
        /* A frame with its own CRC appended checks to zero. */
        assert_int_equal(mb_crc16(f, 8), 0);
        assert_int_equal(mb_coil_off_frame(false, 17, 0x0102, f), 12);
        const uint8_t tcp[] = { 0xff, 0xff, 0, 0, 0, 6, 17, 0x05, 0x01, 0x02,
                                0x00, 0x00 };
        assert_memory_equal(f, tcp, 12);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(signed_and_unsigned),
                cmocka_unit_test(scale_and_offset),
                cmocka_unit_test(bad_scaling),
                cmocka_unit_test(round_trip),
                cmocka_unit_test(read_responses),
                cmocka_unit_test(rtu_responses),
                cmocka_unit_test(crc_and_coil_off_frames),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
