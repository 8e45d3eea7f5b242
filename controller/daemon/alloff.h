/* alloff.h: `heatpadd --all-off`, every configured relay driven off.
 *
 * The unit's ExecStopPost= runs it after the daemon has gone, however it
 * went (a clean stop, a crash, a watchdog kill, SIGKILL), because on a
 * Raspberry Pi a GPIO line keeps its level when the process that drove it
 * dies. Each zone is opened through hw_open_zone(), which writes its relay
 * off before anything else, and closed again (off once more). One zone
 * failing does not stop the others. */
#ifndef HEATPAD_ALLOFF_H
#define HEATPAD_ALLOFF_H

#include <stdio.h>

#include "config/config.h"

/* Drives every zone's relay off. Prints a line per zone to out ("upper
 * back: relay off") and a line per failure to err. Returns 0 when every
 * relay was written off, 1 otherwise. */
int alloff_run(const struct config *cfg, FILE *out, FILE *err);

#endif
