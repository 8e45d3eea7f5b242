/* mb_decode.c: see mb_decode.h. */
#include <errno.h>
#include <math.h>

#include "mb_decode.h"

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
