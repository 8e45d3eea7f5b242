/* modbus_link.h: one connection to a Modbus device (RTU or TCP), shared.
 *
 * Zones whose sensors and relays name the same serial device, or the same
 * host and port, share one link: a serial line cannot be opened twice, and
 * its transactions must not interleave. A mutex serialises them; callers are
 * reader and relay-worker threads, never the loop (a timeout blocks for
 * timeout_ms per attempt).
 *
 * A failed transaction is retried `retries` times. A link that broke (a
 * timeout on TCP, a reset, a serial device gone) is closed and reopened on
 * the next call; while reopening fails, calls fail at once with the last
 * error and a new attempt is made only after a backoff (0.5 s doubling to
 * 8 s), so a dead device costs no busy loop. A Modbus exception means the
 * device answered: no retry, the link stays up.
 *
 * Errors are -errno: -ETIMEDOUT (no answer), -EREMOTEIO (an exception
 * answer), -EBADMSG (a garbled answer or one from the wrong unit),
 * -ENOTCONN/-ECONNREFUSED/-ENOENT/... (no link). */
#ifndef HEATPAD_HW_MODBUS_LINK_H
#define HEATPAD_HW_MODBUS_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

#define MB_MAX_LINKS (3 * CONFIG_MAX_ZONES)

struct mb_link;

/* The links of one daemon, for sharing. Zero it before use; main.c's
 * struct app owns one. */
struct mb_registry {
        struct mb_link *links[MB_MAX_LINKS];
};

/* Finds the registry's link to the same device (or host:port), or makes
 * one (not yet connected). Takes a reference. 0 or -errno. */
int mb_link_get(struct mb_registry *reg, const struct mb_link_cfg *cfg,
                struct mb_link **ret);

/* Drops a reference; the last closes the link. Accepts NULL. */
void mb_link_put(struct mb_link *l);

/* Reads one input (04) or holding (03) register. */
int mb_link_read_reg(struct mb_link *l, int unit, bool input, int addr,
                     uint16_t *ret);

/* Writes one coil (05), then reads it back (01): a coil that does not read
 * back what was written is -EIO. */
int mb_link_write_coil(struct mb_link *l, int unit, int addr, bool on);

/* Reads one coil. */
int mb_link_read_coil(struct mb_link *l, int unit, int addr, bool *ret);

/* The link's open socket or serial fd, or -1. Read without the lock: for
 * the crash handler only. */
int mb_link_fd(const struct mb_link *l);

/* Whether it is Modbus RTU. */
bool mb_link_is_rtu(const struct mb_link *l);

/* "tcp 127.0.0.1:502" or "rtu /dev/ttyUSB0 9600 8N1", for messages. */
const char *mb_link_name(const struct mb_link *l);

#endif
