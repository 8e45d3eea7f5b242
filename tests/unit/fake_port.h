/* fake_port.h: a port (net/port.h) for adapter tests: a real core behind
 * it, clocks the test sets, and a record of every command, log line, fd
 * and timer the adapter gave it. Nothing here sleeps or does I/O. */
#ifndef HEATPAD_FAKE_PORT_H
#define HEATPAD_FAKE_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "core/core.h"
#include "net/port.h"

#define FAKE_PORT_MAX 64

struct fake_port {
        struct port port;
        struct config cfg;
        struct core core;
        uint64_t now_ms, real_ms;
        time_t wall;
        /* what the adapter did */
        int ncmds;
        struct core_cmd cmds[FAKE_PORT_MAX];
        struct core_reply replies[FAKE_PORT_MAX];
        int nlogs;
        char logs[FAKE_PORT_MAX][512];
        int nfds, ntimers;
};

/* Parses config_json (asserting it is valid), starts the core at a fixed
 * day (Tue 24 Nov 2026 20:00 UTC, wall clock trusted), every zone read at
 * 30 C once. */
void fake_port_init(struct fake_port *f, const char *config_json);

/* The core's queued events, dropped (as the loop would after the batch). */
void fake_port_drain(struct fake_port *f);

/* Whether a log line containing text was written. */
bool fake_port_logged(const struct fake_port *f, const char *text);

#endif
