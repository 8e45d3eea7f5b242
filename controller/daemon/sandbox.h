/* sandbox.h: what the service will meet that a valid config cannot show.
 *
 * heatpadd --check-config on the service's own config (SANDBOX_CONFIG)
 * also checks each file and device the config names against the unit
 * (systemd/heatpad.service): ProtectHome= hides /home, /root and
 * /run/user; PrivateTmp= gives the service its own /tmp; ProtectSystem=
 * strict leaves only StateDirectory= writable; DeviceAllow= lists the
 * serial devices a Modbus adapter may be. And whether the service user
 * (SANDBOX_USER, when it exists) may read them: a file that passes when
 * checked as root and then fails under the unit restarts five times and
 * gives up. Reads the file system and the user database; changes nothing. */
#ifndef HEATPAD_SANDBOX_H
#define HEATPAD_SANDBOX_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"

#define SANDBOX_CONFIG "/etc/heatpad/config.json"
#define SANDBOX_USER "heatpad"
#define SANDBOX_STATE_DIR "/var/lib/heatpad"
#define SANDBOX_WORK_DIR "/usr/share/heatpad"

/* Prints one line per problem to out, each naming the key, the file and
 * the fix. Returns how many. */
int sandbox_check(const struct config *cfg, const char *config_path,
                  FILE *out);

/* Why a path is out of the unit's reach ("hidden by ProtectHome=yes"), or
 * NULL when it is not. */
const char *sandbox_hidden(const char *path);

/* Whether the serial device (after symlinks) is one the unit's
 * DeviceAllow= lets through. */
bool sandbox_serial_allowed(const char *real_path);

/* Waits up to wait_ms for each Modbus RTU serial device the config names
 * to exist (a USB adapter enumerates a few seconds into boot). 0, or
 * -ENODEV with the device, its key and the fix in err. */
int sandbox_wait_serial(const struct config *cfg, int wait_ms, char *err,
                        size_t errlen);

/* True when any zone is simulated (sensor or relay "sim"). */
bool sandbox_any_simulated(const struct config *cfg);

/* The paragraph a config with no zones gets, to out. */
void sandbox_not_configured(FILE *out, const char *config_path);

#endif
