/* mb_decode.c: see mb_decode.h. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "hw/mb_decode.h"

int mb_decode_temp(uint16_t raw, const struct mb_scaling *sc, double *ret_c)
{
        if (!isfinite(sc->scale) || sc->scale == 0 || !isfinite(sc->offset))
                return -EINVAL;
        /* Two's complement by arithmetic, not by a cast's implementation-
         * defined conversion. */
        double v = sc->is_signed && raw >= 0x8000 ? (double)raw - 65536.0 :
                   (double)raw;
        *ret_c = v * sc->scale + sc->offset;
        return 0;
}

int mb_encode_temp(double c, const struct mb_scaling *sc, uint16_t *ret_raw)
{
        if (!isfinite(c) || !isfinite(sc->scale) || sc->scale == 0 ||
            !isfinite(sc->offset))
                return -EINVAL;
        double v = round((c - sc->offset) / sc->scale);
        double lo = sc->is_signed ? -32768 : 0;
        double hi = sc->is_signed ? 32767 : 65535;
        if (v < lo || v > hi)
                return -ERANGE;
        *ret_raw = (uint16_t)(v < 0 ? v + 65536.0 : v);
        return 0;
}

int mb_parse_read_response(const uint8_t *adu, int len, int header_len,
                           int trailer_len, int unit, int function,
                           uint16_t *ret_value)
{
        int pdu_len = len - header_len - trailer_len;
        const uint8_t *pdu = adu + header_len;

        if (header_len < 1 || trailer_len < 0 || pdu_len < 2)
                return -EBADMSG;
        if (adu[header_len - 1] != unit)
                return -EBADMSG;
        if (pdu[0] == (function | 0x80))
                return pdu_len == 2 ? -EREMOTEIO : -EBADMSG;
        if (pdu[0] != function)
                return -EBADMSG;
        if (function == 0x01) {
                /* One coil: one byte, only its lowest bit may be set. */
                if (pdu_len != 3 || pdu[1] != 1 || (pdu[2] & 0xfe))
                        return -EBADMSG;
                *ret_value = pdu[2];
                return 0;
        }
        if (function != 0x03 && function != 0x04)
                return -EBADMSG;
        if (pdu_len != 4 || pdu[1] != 2)
                return -EBADMSG;
        *ret_value = (uint16_t)(pdu[2] << 8 | pdu[3]);
        return 0;
}

uint16_t mb_crc16(const uint8_t *buf, int len)
{
        uint16_t crc = 0xffff;

        for (int i = 0; i < len; i++) {
                crc ^= buf[i];
                for (int b = 0; b < 8; b++)
                        crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) :
                              (uint16_t)(crc >> 1);
        }
        return crc;
}

int mb_coil_off_frame(bool rtu, int unit, int addr, uint8_t *buf)
{
        uint8_t pdu[6] = { (uint8_t)unit, 0x05, (uint8_t)(addr >> 8),
                           (uint8_t)addr, 0x00, 0x00 };

        if (rtu) {
                uint16_t crc = mb_crc16(pdu, 6);
                memcpy(buf, pdu, 6);
                buf[6] = (uint8_t)crc;
                buf[7] = (uint8_t)(crc >> 8);
                return 8;
        }
        /* Transaction id 0xffff, protocol 0, length 6 (unit + PDU). */
        const uint8_t mbap[6] = { 0xff, 0xff, 0, 0, 0, 6 };
        memcpy(buf, mbap, 6);
        memcpy(buf + 6, pdu, 6);
        return 12;
}
