/* http_int.h: what http.c shares with http_api.c; not for other modules. */
#ifndef HEATPAD_HTTP_INT_H
#define HEATPAD_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "daemon/app.h"
#include "core/history.h"
#include "net/http_auth.h"

#define HTTP_COOKIE "heatpad_session"

struct http {
        struct app *app;
        struct MHD_Daemon *mhd;
        int epoll_fd;                   /* MHD's, watched by our loop */
        int timer;
        int root_fd;                    /* the web folder */
        struct http_auth auth;
        struct history history;
        struct history_sample scratch[HISTORY_LEN];     /* for /api/history */
        struct request *held;           /* replies waiting for the disk */
        uint64_t state_written;         /* the writer's newest finished */
};

/* What an API handler answers. */
struct http_reply {
        unsigned status;
        cJSON *json;                    /* the body; freed by the caller */
        char set_cookie[192];           /* a Set-Cookie value, or "" */
        int retry_after_s;              /* > 0: a Retry-After header */
        const char *allow;              /* for 405: the methods allowed */
        bool close;                     /* close the connection after it */
};

/* Handles a request under /api/. The body has been read whole (at most
 * HTTP_BODY_MAX bytes). */
void http_api_handle(struct http *h, struct MHD_Connection *conn,
                     const char *method, const char *url, const char *body,
                     size_t len, struct http_reply *ret);

/* A JSON error: {"ok":false,"code":...,"message":...}. */
void http_api_error(struct http_reply *ret, unsigned status, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
