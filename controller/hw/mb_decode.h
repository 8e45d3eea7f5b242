/* mb_decode.h: Modbus register values to temperatures and back.
 *
 * A temperature register holds a 16-bit number, signed or not, that a scale
 * and an offset turn into degC (a common RS485 probe gives 235 for 23.5 degC:
 * scale 0.1). Pure, so it can be fuzzed. */
#ifndef HEATPAD_HW_MB_DECODE_H
#define HEATPAD_HW_MB_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct mb_scaling {
        bool is_signed;         /* the register is an int16 */
        double scale, offset;   /* degC = value * scale + offset */
};

/* The temperature a register value stands for. -EINVAL when the scaling
 * cannot give a finite number (scale 0 or not finite). */
int mb_decode_temp(uint16_t raw, const struct mb_scaling *sc, double *ret_c);

/* Checks the answer to a read of one coil (function 01) or one register
 * (03, 04) and takes its value. adu is the whole frame as received:
 * header_len bytes of header whose last is the unit id (7 on TCP, 1 on RTU),
 * the PDU, and trailer_len bytes after it (RTU's CRC, already checked by
 * the receiver). Returns 0 with *ret_value set; -EREMOTEIO for an
 * exception answer; -EBADMSG for an answer from another unit, to another
 * function, or of the wrong length. libmodbus does not check the unit id
 * of a TCP answer, so this does. */
int mb_parse_read_response(const uint8_t *adu, int len, int header_len,
                           int trailer_len, int unit, int function,
                           uint16_t *ret_value);

/* The Modbus RTU CRC of len bytes (sent low byte first). */
uint16_t mb_crc16(const uint8_t *buf, int len);

/* Builds a complete "write single coil" (05) frame switching coil `addr` of
 * `unit` off: an MBAP header for TCP (rtu false), or the RTU frame with its
 * CRC. Returns its length (12 or 8); buf holds at least 12 bytes. For the
 * crash handler, which can only write(2) a frame made in advance. */
int mb_coil_off_frame(bool rtu, int unit, int addr, uint8_t *buf);

/* The register value for a temperature (rounded), for test servers.
 * -ERANGE when it does not fit in 16 bits of that signedness. */
int mb_encode_temp(double c, const struct mb_scaling *sc, uint16_t *ret_raw);

#endif
