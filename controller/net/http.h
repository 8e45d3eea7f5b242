/* http.h: the status page and the JSON API, served by libmicrohttpd inside
 * the daemon's own event loop.
 *
 * libmicrohttpd runs in its external epoll mode: its epoll fd sits in our
 * loop, and MHD_run is called when it is ready and on MHD's own timeout, so
 * every request is handled on the loop's thread, one at a time, with the
 * core in a consistent state and nothing blocking (sensor reads happen on
 * their own threads). The API is in http_api.c, the files in
 * http_static.c, the PIN and origin checks in http_auth.c, and the request
 * bodies are parsed by the pure functions of http_body.c. */
#ifndef HEATPAD_HTTP_H
#define HEATPAD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct http;
struct port;

/* Starts serving when port->cfg has an "http" section (port outlives the
 * page). Returns NULL with
 * err empty when it has none, NULL with err set when it cannot listen (the
 * daemon goes on without the page: heat control must not depend on it). */
struct http *http_start(const struct port *port, char *err, size_t errlen);

/* From the control tick: samples the history for the chart. Accepts NULL. */
void http_tick(struct http *h, uint64_t now_ms, time_t wall);

/* After every batch of the loop, once it is committed: the answers to the
 * batch's changes go out, once the state file holds snapshot `seq` (0:
 * the batch saved nothing, at once). Accepts NULL. */
void http_after_batch(struct http *h, uint64_t seq);

/* The state file holds every snapshot up to seq (or its write failed,
 * which the log says): the answers waiting for them go out. Accepts
 * NULL. */
void http_state_written(struct http *h, uint64_t seq);

/* Stops serving and frees everything. Accepts NULL. */
void http_stop(struct http *h);

#endif
