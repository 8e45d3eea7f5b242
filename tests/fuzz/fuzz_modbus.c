/* Fuzzes the Modbus answer check and register decoding. Input layout:
 * byte 0 flags (bit 0 RTU, bits 1-2 function 01/03/04, bit 3 signed),
 * byte 1 the unit we asked, then the frame as received. The frame is an
 * exact-size copy so a read past it is caught. */
#include <math.h>

#include "fuzz.h"
#include "hw/mb_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const int functions[] = { 1, 3, 4, 3 };
        uint16_t value;
        double c;

        if (size < 2)
                return 0;
        bool rtu = data[0] & 1;
        int function = functions[(data[0] >> 1) & 3];
        int unit = data[1];
        size_t len = size - 2;
        uint8_t *adu = malloc(len ? len : 1);
        if (!adu)
                abort();
        memcpy(adu, data + 2, len);

        int r = mb_parse_read_response(adu, (int)len, rtu ? 1 : 7, rtu ? 2 : 0,
                                       unit, function, &value);
        if (r == 0) {
                struct mb_scaling sc = { .is_signed = data[0] & 8,
                                         .scale = 0.1, .offset = 0 };
                if (function == 1 && value > 1)
                        abort();        /* a coil is 0 or 1 */
                if (mb_decode_temp(value, &sc, &c) != 0 || !isfinite(c))
                        abort();
                uint16_t back;
                if (mb_encode_temp(c, &sc, &back) != 0 || back != value)
                        abort();        /* decode and encode disagree */
        }
        (void)mb_crc16(adu, (int)len);
        free(adu);
        return 0;
}
