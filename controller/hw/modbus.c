/* modbus.c: see modbus.h. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "hw/mb_decode.h"
#include "hw/modbus.h"

struct mb_sensor {
        struct mb_link *link;
        struct mb_sensor_cfg cfg;
};

struct mb_relay {
        struct mb_link *link;
        struct mb_relay_cfg cfg;
        uint8_t off_frame[12];  /* made at open, for the crash handler */
        int off_len;
};

static int sensor_read(void *ctx, double *ret_c)
{
        struct mb_sensor *s = ctx;
        struct mb_scaling sc = { s->cfg.is_signed, s->cfg.scale,
                                 s->cfg.offset };
        uint16_t raw;
        int rc = mb_link_read_reg(s->link, s->cfg.unit, s->cfg.input,
                                  s->cfg.reg, &raw);

        if (rc < 0)
                return rc;
        return mb_decode_temp(raw, &sc, ret_c);
}

static void sensor_close(void *ctx)
{
        struct mb_sensor *s = ctx;
        if (!s)
                return;
        mb_link_put(s->link);
        free(s);
}

static const struct sensor_ops mb_sensor_ops = {
        .name = "modbus",
        .read = sensor_read,
        .close = sensor_close,
};

int mb_sensor_open(const struct mb_sensor_cfg *cfg,
                   struct mb_registry *reg, struct sensor *ret)
{
        struct mb_sensor *s = calloc(1, sizeof(*s));
        int rc;

        if (!s)
                return -ENOMEM;
        s->cfg = *cfg;
        rc = mb_link_get(reg, &cfg->link, &s->link);
        if (rc < 0) {
                free(s);
                return rc;
        }
        *ret = (struct sensor){ &mb_sensor_ops, s };
        return 0;
}

const char *mb_sensor_link_name(const struct sensor *s)
{
        if (s->ops != &mb_sensor_ops)
                return NULL;
        return mb_link_name(((struct mb_sensor *)s->ctx)->link);
}

static int relay_set(void *ctx, bool on)
{
        struct mb_relay *r = ctx;
        return mb_link_write_coil(r->link, r->cfg.unit, r->cfg.coil, on);
}

static void relay_close(void *ctx)
{
        struct mb_relay *r = ctx;
        if (!r)
                return;
        mb_link_put(r->link);
        free(r);
}

/* From the crash handler: no lock, no libmodbus, no allocation; one
 * write(2) of a coil-off frame made at open on the link's fd. Best effort:
 * another thread may be mid-transaction on the same fd, and nobody waits
 * for the answer. A relay board with a communication watchdog covers what
 * this cannot (README). */
static void relay_force_off(void *ctx)
{
        struct mb_relay *r = ctx;
        int fd = mb_link_fd(r->link);

        if (fd >= 0 && write(fd, r->off_frame, (size_t)r->off_len) < 0) {
                /* nothing more a dying process can do */
        }
}

static const struct relay_ops mb_relay_ops = {
        .name = "modbus",
        .set = relay_set,
        .force_off = relay_force_off,
        .close = relay_close,
        .blocking = true,
};

int mb_relay_open(const struct mb_relay_cfg *cfg,
                  struct mb_registry *reg, struct relay *ret)
{
        struct mb_relay *r = calloc(1, sizeof(*r));
        int rc;

        if (!r)
                return -ENOMEM;
        r->cfg = *cfg;
        r->off_len = mb_coil_off_frame(cfg->link.device[0] != '\0', cfg->unit,
                                       cfg->coil, r->off_frame);
        rc = mb_link_get(reg, &cfg->link, &r->link);
        if (rc < 0) {
                free(r);
                return rc;
        }
        *ret = (struct relay){ &mb_relay_ops, r };
        return 0;
}
