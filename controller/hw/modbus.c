/* modbus.c: see modbus.h. */
#include <errno.h>
#include <stdlib.h>

#include "mb_decode.h"
#include "modbus.h"

struct mb_sensor {
        struct mb_link *link;
        struct modbus_sensor_cfg cfg;
};

struct mb_relay {
        struct mb_link *link;
        struct modbus_relay_cfg cfg;
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

int modbus_sensor_open(const struct modbus_sensor_cfg *cfg,
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

const char *modbus_sensor_link_name(const struct sensor *s)
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

/* No force_off: a crash handler cannot take the link's lock or run a
 * Modbus transaction. A relay board with a communication watchdog (most
 * RS485 boards offer one) covers a crashed daemon; see README. */
static const struct relay_ops mb_relay_ops = {
        .name = "modbus",
        .set = relay_set,
        .force_off = NULL,
        .close = relay_close,
        .blocking = true,
};

int modbus_relay_open(const struct modbus_relay_cfg *cfg,
                      struct mb_registry *reg, struct relay *ret)
{
        struct mb_relay *r = calloc(1, sizeof(*r));
        int rc;

        if (!r)
                return -ENOMEM;
        r->cfg = *cfg;
        rc = mb_link_get(reg, &cfg->link, &r->link);
        if (rc < 0) {
                free(r);
                return rc;
        }
        *ret = (struct relay){ &mb_relay_ops, r };
        return 0;
}
