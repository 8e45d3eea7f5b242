/* probe.h: heatpadd --probe, what the daemon can see of the hardware.
 *
 * Lists DS18B20 ids with their temperature now (under /sys/bus/w1/devices
 * and any w1_root the config names), GPIO chips with their line counts and
 * named lines, and whether each Modbus sensor and relay in the config
 * answers (a register read, a coil read: it writes nothing). A new user
 * wires a sensor, runs this, and copies the id into the config. Blocks for
 * conversions and timeouts: it runs instead of the daemon, not inside it. */
#ifndef HEATPAD_PROBE_H
#define HEATPAD_PROBE_H

#include <stdio.h>

#include "config/config.h"

/* cfg may be NULL (no config yet). Returns the exit status: 0. */
int probe_run(const struct config *cfg, FILE *out);

#endif
