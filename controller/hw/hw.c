/* hw.c: see hw.h. Picks the backend a zone's config names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw.h"
#include "sim.h"

int hw_open_zone(const struct zone_cfg *z, int zone_index,
                 const struct hw_env *env, struct sensor *ret_sensor,
                 struct relay *ret_relay, char *err, size_t errlen)
{
        struct sensor s = { 0 };
        struct relay r = { 0 };
        int rc = -EINVAL;

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
                rc = 0;
        } else {
                snprintf(err, errlen, "no backend for this sensor and relay");
                return rc;
        }
        /* Off is the first thing any relay hears from us. */
        rc = r.ops->set(r.ctx, false);
        if (rc < 0) {
                snprintf(err, errlen, "relay %s: cannot switch off: %s",
                         r.ops->name, strerror(-rc));
                hw_close_zone(&s, &r);
                return rc;
        }
        *ret_sensor = s;
        *ret_relay = r;
        return 0;
}

void hw_close_zone(struct sensor *s, struct relay *r)
{
        if (r->ops) {
                r->ops->set(r->ctx, false);
                r->ops->close(r->ctx);
        }
        if (s->ops)
                s->ops->close(s->ctx);
        *s = (struct sensor){ 0 };
        *r = (struct relay){ 0 };
}
