/* app.h: what adapters (MQTT, HTTP, schedules) may use of the daemon.
 *
 * main.c owns the one struct app. An adapter gets a pointer to it at set-up,
 * registers its fds and timers on the loop, calls core commands with the
 * app's clocks, and then app_commit() so the relays and the state file
 * follow the command at once rather than at the next tick. */
#ifndef HEATPAD_APP_H
#define HEATPAD_APP_H

#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "core/core.h"
#include "daemon/log.h"
#include "daemon/loop.h"

struct app;

struct core *app_core(struct app *app);
const struct config *app_config(const struct app *app);
struct loop *app_loop(struct app *app);
const struct log *app_log(const struct app *app);

/* The daemon's clocks (simulated when --sim-speed/--sim-start are given). */
uint64_t app_now_ms(const struct app *app);
time_t app_wall(const struct app *app);

/* After a core command: write relays that changed, save the state file if
 * the record changed. */
void app_commit(struct app *app);

/* The number of the newest state snapshot handed to the state file's
 * writer (it grows by one per snapshot). A change is on disk once the
 * writer has finished this number or a later one: http_state_written. */
uint64_t app_state_posted(const struct app *app);

/* Waits, on the loop's thread, until the newest snapshot posted is on
 * disk (or its write failed): for answers that cannot be held back until
 * then, like MQTT's, which libmosquitto may send with the next packet. */
void app_state_flush(struct app *app);

#endif
