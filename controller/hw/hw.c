/* hw.c: see hw.h. Picks the backends a zone's config names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/ds18b20.h"
#include "hw/gpio.h"
#include "hw/gpio_chip.h"
#include "hw/hw.h"
#include "hw/modbus.h"
#include "hw/sim.h"

/* Tries to write off this many times at close: the last word a relay hears
 * from us must be off. */
#define CLOSE_OFF_ATTEMPTS 3

static int open_sensor(const struct sensor_cfg *c, const struct hw_env *env,
                       struct sensor *ret, char *err, size_t errlen)
{
        int rc = -EINVAL;

        switch (c->type) {
        case SENSOR_DS18B20:
                rc = ds18b20_open(&c->ds18b20, ret);
                if (rc < 0)
                        snprintf(err, errlen, "ds18b20 %s: %s", c->ds18b20.id,
                                 strerror(-rc));
                break;
        case SENSOR_MODBUS:
                rc = mb_sensor_open(&c->modbus, env->modbus, ret);
                if (rc < 0)
                        snprintf(err, errlen, "modbus sensor: %s",
                                 strerror(-rc));
                break;
        default:
                snprintf(err, errlen, "no backend for this sensor");
                break;
        }
        return rc;
}

static int open_relay(const struct relay_cfg *c, const struct hw_env *env,
                      struct relay *ret, char *err, size_t errlen)
{
        int rc = -EINVAL;

        switch (c->type) {
        case RELAY_GPIO:
                rc = gpio_relay_open(&c->gpio, env->gpio ? env->gpio :
                                     gpio_chip_backend(), ret);
                if (rc == -ENODEV || rc == -ENOENT)
                        snprintf(err, errlen, "gpio relay: no GPIO chip "
                                 "\"%s\": `heatpadd --probe` lists the chips "
                                 "and their labels (on a Pi 5 the header is "
                                 "\"pinctrl-rp1\", on a Pi 4 "
                                 "\"pinctrl-bcm2711\"); fix relay.chip",
                                 c->gpio.chip);
                else if (rc == -EACCES || rc == -EPERM)
                        snprintf(err, errlen, "gpio relay %s line %d: %s: "
                                 "the service user needs the gpio group "
                                 "(sudo adduser heatpad gpio)", c->gpio.chip,
                                 c->gpio.line, strerror(-rc));
                else if (rc < 0)
                        snprintf(err, errlen, "gpio relay %s line %d: %s",
                                 c->gpio.chip, c->gpio.line, strerror(-rc));
                break;
        case RELAY_MODBUS:
                rc = mb_relay_open(&c->modbus, env->modbus, ret);
                if (rc < 0)
                        snprintf(err, errlen, "modbus relay: %s",
                                 strerror(-rc));
                break;
        default:
                snprintf(err, errlen, "no backend for this relay");
                break;
        }
        return rc;
}

int hw_open_zone(const struct zone_cfg *z, int zone_index,
                 const struct hw_env *env, struct sensor *ret_sensor,
                 struct sensor *ret_sensor2, struct relay *ret_relay,
                 char *err, size_t errlen)
{
        struct sensor s = { 0 }, s2 = { 0 };
        struct relay r = { 0 };
        int rc;

        if (z->sensor.type == SENSOR_SIM && z->relay.type == RELAY_SIM) {
                struct sim *sim;
                rc = sim_open(&z->sensor.sim, zone_index, env, &sim);
                if (rc < 0) {
                        snprintf(err, errlen, "simulated pad: %s",
                                 strerror(-rc));
                        return rc;
                }
                sim_as_sensor(sim, &s);
                sim_as_relay(sim, &r);
        } else {
                /* The relay first: if it cannot be opened, nothing else
                 * matters, and it must hear off as early as possible. */
                rc = open_relay(&z->relay, env, &r, err, errlen);
                if (rc == 0)
                        rc = open_sensor(&z->sensor, env, &s, err, errlen);
                if (rc < 0) {
                        hw_close_zone(&s, &s2, &r);
                        return rc;
                }
        }
        if (z->sensor2.type != SENSOR_NONE) {
                rc = open_sensor(&z->sensor2, env, &s2, err, errlen);
                if (rc < 0) {
                        hw_close_zone(&s, &s2, &r);
                        return rc;
                }
        }
        /* Off is the first thing any relay hears from us. */
        rc = r.ops->set(r.ctx, false);
        if (rc < 0 && r.ops->blocking) {
                /* A bus device that is not there yet (a USB adapter late at
                 * boot, a relay board powering up): the zone starts in its
                 * safe state with a relay fault, and its relay worker keeps
                 * writing off until the device answers. */
                snprintf(err, errlen, "relay %s: off not confirmed yet: %s",
                         r.ops->name, strerror(-rc));
                rc = 1;
        } else if (rc < 0) {
                snprintf(err, errlen, "relay %s: cannot switch off: %s",
                         r.ops->name, strerror(-rc));
                hw_close_zone(&s, &s2, &r);
                return rc;
        }
        *ret_sensor = s;
        *ret_sensor2 = s2;
        *ret_relay = r;
        return rc;
}

int hw_relay_off(const struct zone_cfg *z, int zone_index,
                 const struct hw_env *env, char *err, size_t errlen)
{
        struct sensor none = { 0 };
        struct relay r = { 0 };
        int rc;

        if (z->relay.type == RELAY_SIM) {
                struct sim *sim;
                rc = sim_open(&z->sensor.sim, zone_index, env, &sim);
                if (rc < 0) {
                        snprintf(err, errlen, "simulated pad: %s",
                                 strerror(-rc));
                        return rc;
                }
                sim_as_relay(sim, &r);
        } else {
                rc = open_relay(&z->relay, env, &r, err, errlen);
                if (rc < 0)
                        return rc;
        }
        rc = hw_close_zone(&none, NULL, &r);
        if (rc < 0)
                snprintf(err, errlen, "off not confirmed: %s", strerror(-rc));
        return rc;
}

int hw_close_zone(struct sensor *s, struct sensor *s2, struct relay *r)
{
        int rc = 0;

        if (r->ops) {
                for (int i = 0; i < CLOSE_OFF_ATTEMPTS; i++)
                        if ((rc = r->ops->set(r->ctx, false)) == 0)
                                break;
                r->ops->close(r->ctx);
        }
        if (s->ops)
                s->ops->close(s->ctx);
        if (s2 && s2->ops)
                s2->ops->close(s2->ctx);
        *s = (struct sensor){ 0 };
        if (s2)
                *s2 = (struct sensor){ 0 };
        *r = (struct relay){ 0 };
        return rc;
}
