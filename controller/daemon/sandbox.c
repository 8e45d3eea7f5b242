/* sandbox.c: see sandbox.h. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/gpio_chip.h"
#include "daemon/sandbox.h"

static bool under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || !path[n]);
}

const char *sandbox_hidden(const char *path)
{
        if (under(path, "/home") || under(path, "/root") ||
            under(path, "/run/user"))
                return "hidden from the service by ProtectHome=yes";
        if (under(path, "/tmp") || under(path, "/var/tmp"))
                return "not the same /tmp for the service (PrivateTmp=yes)";
        return NULL;
}

bool sandbox_serial_allowed(const char *real_path)
{
        static const char *const prefixes[] = {
                "/dev/ttyUSB", "/dev/ttyACM", "/dev/ttyAMA", "/dev/ttySC",
                "/dev/ttyS",
        };
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
                if (strncmp(real_path, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

bool sandbox_any_simulated(const struct config *cfg)
{
        for (int i = 0; i < cfg->nzones; i++)
                if (cfg->zones[i].sensor.type == SENSOR_SIM ||
                    cfg->zones[i].relay.type == RELAY_SIM)
                        return true;
        return false;
}

void sandbox_not_configured(FILE *out, const char *config_path)
{
        fprintf(out, "heatpadd: not configured yet: %s has no zones, so "
                "nothing is heated and the service stays stopped. Run "
                "`heatpadd --probe` to see what is wired (DS18B20 ids, GPIO "
                "chips and their labels), start from "
                "/usr/share/doc/heatpad/examples/pi.json, then `sudo "
                "heatpadd --check-config %s` and `sudo systemctl restart "
                "heatpad`.\n", config_path, config_path);
}

/* Whether uid (with its groups) may read, or write, the file at st. */
static bool user_may(const struct passwd *pw, const struct stat *st,
                     bool write)
{
        gid_t groups[64];
        int n = 64;
        mode_t u = write ? S_IWUSR : S_IRUSR, g = write ? S_IWGRP : S_IRGRP,
               o = write ? S_IWOTH : S_IROTH;

        if (pw->pw_uid == 0)
                return true;
        if (st->st_uid == pw->pw_uid)
                return st->st_mode & u;
        if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
                n = 0;
        for (int i = 0; i < n; i++)
                if (groups[i] == st->st_gid)
                        return st->st_mode & g;
        return st->st_mode & o;
}

/* Every directory above path searchable by the user, and the file
 * readable. 0, or a problem line printed. */
static int readable_by(const struct passwd *pw, const char *key,
                       const char *path, FILE *out)
{
        char dir[PATH_MAX];
        struct stat st;

        if (stat(path, &st) < 0) {
                fprintf(out, "%s: %s: %s\n", key, path, strerror(errno));
                return 1;
        }
        if (!pw)
                return 0;
        if (!user_may(pw, &st, false)) {
                struct group *gr = getgrgid(st.st_gid);
                fprintf(out, "%s: %s is not readable by the %s user (mode "
                        "%04o, group %s): sudo chgrp %s %s && sudo chmod g+r "
                        "%s\n", key, path, pw->pw_name,
                        (unsigned)(st.st_mode & 07777),
                        gr ? gr->gr_name : "?", pw->pw_name, path, path);
                return 1;
        }
        snprintf(dir, sizeof(dir), "%s", path);
        for (char *s = strrchr(dir, '/'); s && s > dir; s = strrchr(dir, '/')) {
                *s = '\0';
                if (stat(dir, &st) == 0 && !(st.st_mode & S_IXOTH) &&
                    !user_may(pw, &st, false)) {
                        fprintf(out, "%s: %s: the %s user cannot enter %s\n",
                                key, path, pw->pw_name, dir);
                        return 1;
                }
        }
        return 0;
}

static int check_file(const struct passwd *pw, const char *key,
                      const char *path, FILE *out)
{
        const char *why = path[0] == '/' ? sandbox_hidden(path) : NULL;

        if (why) {
                fprintf(out, "%s: %s is %s: keep it under /etc/heatpad\n",
                        key, path, why);
                return 1;
        }
        return readable_by(pw, key, path, out);
}

static int check_serial(const char *key, const char *device, FILE *out)
{
        char real[PATH_MAX];

        if (!realpath(device, real)) {
                fprintf(out, "%s: %s: %s: is the adapter plugged in? "
                        "(`ls /dev/serial/by-id/` names it)\n", key, device,
                        strerror(errno));
                return 1;
        }
        if (!sandbox_serial_allowed(real)) {
                fprintf(out, "%s: %s (%s) is not a serial device the unit "
                        "lets through (DeviceAllow=: ttyUSB, ttyACM, ttyAMA, "
                        "ttyS, ttySC)\n", key, device, real);
                return 1;
        }
        return 0;
}

/* The RTU device of zone i's k-th Modbus part (sensor, sensor2, relay), or
 * NULL. */
static const char *rtu_device(const struct zone_cfg *z, int k)
{
        const struct mb_link_cfg *l =
                k == 0 && z->sensor.type == SENSOR_MODBUS ? &z->sensor.modbus.link :
                k == 1 && z->sensor2.type == SENSOR_MODBUS ? &z->sensor2.modbus.link :
                k == 2 && z->relay.type == RELAY_MODBUS ? &z->relay.modbus.link :
                NULL;
        return l && l->device[0] ? l->device : NULL;
}

int sandbox_wait_serial(const struct config *cfg, int wait_ms, char *err,
                        size_t errlen)
{
        static const char *const part[] = { "sensor", "sensor2", "relay" };

        for (int i = 0; i < cfg->nzones; i++) {
                for (int k = 0; k < 3; k++) {
                        const char *dev = rtu_device(&cfg->zones[i], k);
                        int waited = 0;
                        if (!dev)
                                continue;
                        while (access(dev, F_OK) < 0 && waited < wait_ms) {
                                usleep(200 * 1000);
                                waited += 200;
                        }
                        if (access(dev, F_OK) == 0)
                                continue;
                        snprintf(err, errlen, "zones[%d].%s.device: no serial "
                                 "device %s: plug the adapter in (`ls "
                                 "/dev/serial/by-id/` names it) or, for the "
                                 "Pi's UART, enable it (README: Modbus RTU "
                                 "over the Pi's UART)", i, part[k], dev);
                        return -ENODEV;
                }
        }
        return 0;
}

int sandbox_check(const struct config *cfg, const char *config_path,
                  FILE *out)
{
        const struct passwd *pw = getpwnam(SANDBOX_USER);
        char key[64], path[PATH_MAX];
        int n = 0;

        /* The checks are of what the unit runs; any other file is a test
         * or a draft, run by hand. */
        if (strcmp(config_path, SANDBOX_CONFIG) != 0)
                return 0;
        n += readable_by(pw, "config", config_path, out);
        if (cfg->mqtt.enabled && cfg->mqtt.tls_ca_file[0])
                n += check_file(pw, "mqtt.tls_ca_file", cfg->mqtt.tls_ca_file,
                                out);
        if (cfg->http.enabled && cfg->http.web_root[0]) {
                if (cfg->http.web_root[0] == '/')
                        snprintf(path, sizeof(path), "%s", cfg->http.web_root);
                else
                        snprintf(path, sizeof(path), "%s/%s", SANDBOX_WORK_DIR,
                                 cfg->http.web_root);
                n += check_file(pw, "http.web_root", path, out);
        }
        if (strncmp(cfg->state_file, SANDBOX_STATE_DIR "/",
                    strlen(SANDBOX_STATE_DIR) + 1) != 0) {
                fprintf(out, "state_file: %s is read-only for the service "
                        "(ProtectSystem=strict): keep it under %s/\n",
                        cfg->state_file, SANDBOX_STATE_DIR);
                n++;
        }
        for (int i = 0; i < cfg->nzones; i++) {
                const struct zone_cfg *z = &cfg->zones[i];
                const struct mb_link_cfg *links[3] = {
                        z->sensor.type == SENSOR_MODBUS ?
                                &z->sensor.modbus.link : NULL,
                        z->sensor2.type == SENSOR_MODBUS ?
                                &z->sensor2.modbus.link : NULL,
                        z->relay.type == RELAY_MODBUS ?
                                &z->relay.modbus.link : NULL,
                };
                for (int k = 0; k < 3; k++) {
                        if (!links[k] || !links[k]->device[0])
                                continue;
                        snprintf(key, sizeof(key), "zones[%d].%s.device", i,
                                 k == 2 ? "relay" : k ? "sensor2" : "sensor");
                        n += check_serial(key, links[k]->device, out);
                }
                if (z->relay.type == RELAY_GPIO) {
                        snprintf(key, sizeof(key), "zones[%d].relay.chip", i);
                        if (gpio_chip_find(gpio_chip_backend(), GPIO_DEV_DIR,
                                           z->relay.gpio.chip, path,
                                           sizeof(path)) < 0 ||
                            access(path, F_OK) < 0) {
                                fprintf(out, "%s: no GPIO chip \"%s\": "
                                        "`heatpadd --probe` lists the chips "
                                        "and their labels\n", key,
                                        z->relay.gpio.chip);
                                n++;
                        }
                }
        }
        return n;
}
