/* probe.c: see probe.h. */
#include <errno.h>
#include <string.h>

#include "hw/ds18b20.h"
#include "hw/gpio_chip.h"
#include "hw/mb_decode.h"
#include "hw/modbus_link.h"
#include "daemon/buttons.h"
#include "daemon/probe.h"

#define W1_DEFAULT_ROOT "/sys/bus/w1/devices"

struct w1_ctx {
        const char *root;
        FILE *out;
};

static void print_ds18b20(void *ctx, const char *id)
{
        struct w1_ctx *w = ctx;
        double c;
        int rc = ds18b20_read_once(w->root, id, &c);

        if (rc < 0)
                fprintf(w->out, "  %s  no reading: %s\n", id, strerror(-rc));
        else if (c == 85.0)
            fprintf(w->out, "  %s  85.000 C: power-on value, check its power "
                    "wiring\n", id);
        else
                fprintf(w->out, "  %s  %.3f C\n", id, c);
}

static void probe_w1_root(const char *root, FILE *out)
{
        struct w1_ctx w = { root, out };

        fprintf(out, "DS18B20 sensors under %s:\n", root);
        int n = ds18b20_list(root, print_ds18b20, &w);
        if (n < 0)
                fprintf(out, "  cannot read %s: %s (is 1-Wire enabled? On a "
                        "Pi: dtoverlay=w1-gpio in config.txt)\n", root,
                        strerror(-n));
        else if (n == 0)
                fprintf(out, "  none found\n");
}

static bool root_listed(const struct config *cfg, int upto, const char *root)
{
        if (strcmp(root, W1_DEFAULT_ROOT) == 0)
                return true;
        for (int i = 0; i < upto; i++) {
                const struct sensor_cfg *s[2] = { &cfg->zones[i].sensor,
                                                  &cfg->zones[i].sensor2 };
                for (int k = 0; k < 2; k++)
                        if (s[k]->type == SENSOR_DS18B20 &&
                            strcmp(s[k]->ds18b20.w1_root, root) == 0)
                                return true;
        }
        return false;
}

static void probe_modbus_sensor(const struct mb_sensor_cfg *m,
                                const char *what, const char *zone,
                                struct mb_registry *reg, FILE *out)
{
        struct mb_scaling sc = { m->is_signed, m->scale, m->offset };
        struct mb_link *l;
        uint16_t raw;
        double c;

        if (mb_link_get(reg, &m->link, &l) < 0)
                return;
        fprintf(out, "  %s (%s): %s unit %d %s register %d: ", what, zone,
                mb_link_name(l), m->unit, m->input ? "input" : "holding",
                m->reg);
        int rc = mb_link_read_reg(l, m->unit, m->input, m->reg, &raw);
        if (rc == 0 && mb_decode_temp(raw, &sc, &c) == 0)
                fprintf(out, "answers, %u = %.2f C\n", raw, c);
        else
                fprintf(out, "no answer: %s\n", strerror(-rc));
        mb_link_put(l);
}

static void probe_modbus_relay(const struct mb_relay_cfg *m,
                               const char *zone, struct mb_registry *reg,
                               FILE *out)
{
        struct mb_link *l;
        bool on;

        if (mb_link_get(reg, &m->link, &l) < 0)
                return;
        fprintf(out, "  relay (%s): %s unit %d coil %d: ", zone,
                mb_link_name(l), m->unit, m->coil);
        int rc = mb_link_read_coil(l, m->unit, m->coil, &on);
        if (rc == 0)
                fprintf(out, "answers, coil %s\n", on ? "ON" : "off");
        else
                fprintf(out, "no answer: %s\n", strerror(-rc));
        mb_link_put(l);
}

int probe_run(const struct config *cfg, FILE *out)
{
        struct mb_registry reg = { 0 };
        int nmodbus = 0;

        probe_w1_root(W1_DEFAULT_ROOT, out);
        for (int i = 0; cfg && i < cfg->nzones; i++) {
                const struct sensor_cfg *s[2] = { &cfg->zones[i].sensor,
                                                  &cfg->zones[i].sensor2 };
                for (int k = 0; k < 2; k++)
                        if (s[k]->type == SENSOR_DS18B20 &&
                            !root_listed(cfg, i, s[k]->ds18b20.w1_root) &&
                            !(k == 1 && s[0]->type == SENSOR_DS18B20 &&
                              strcmp(s[0]->ds18b20.w1_root,
                                     s[1]->ds18b20.w1_root) == 0))
                                probe_w1_root(s[k]->ds18b20.w1_root, out);
        }

        fprintf(out, "GPIO chips: (%s; a relay's \"chip\" may be the name "
                "or the label)\n", gpio_chip_backend()->api);
        if (gpio_probe(gpio_chip_backend(), GPIO_DEV_DIR, out) == 0)
                fprintf(out, "  none found\n");

        buttons_probe(cfg, out);

        fprintf(out, "Modbus devices in the config:\n");
        for (int i = 0; cfg && i < cfg->nzones; i++) {
                const struct zone_cfg *z = &cfg->zones[i];
                if (z->sensor.type == SENSOR_MODBUS) {
                        probe_modbus_sensor(&z->sensor.modbus, "sensor",
                                            z->name, &reg, out);
                        nmodbus++;
                }
                if (z->sensor2.type == SENSOR_MODBUS) {
                        probe_modbus_sensor(&z->sensor2.modbus, "sensor2",
                                            z->name, &reg, out);
                        nmodbus++;
                }
                if (z->relay.type == RELAY_MODBUS) {
                        probe_modbus_relay(&z->relay.modbus, z->name, &reg,
                                           out);
                        nmodbus++;
                }
        }
        if (!nmodbus)
                fprintf(out, "  none configured%s\n",
                        cfg ? "" : " (no configuration read)");
        return 0;
}
