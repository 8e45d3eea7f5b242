/* http_int.h: what http.c shares with http_api.c; not for other modules. */
#ifndef HEATPAD_HTTP_INT_H
#define HEATPAD_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "core/history.h"
#include "net/http_auth.h"
#include "net/http_static.h"
#include "net/port.h"

#define HTTP_COOKIE "heatpad_session"

struct request;

struct http {
        const struct port *port;
        struct request *held;           /* answers waiting for the commit */
        struct request *waiting;        /* committed, waiting for the disk */
        uint64_t written_seq;           /* the state file holds up to this */
        struct MHD_Daemon *mhd;
        int epoll_fd;                   /* MHD's, watched by our loop */
        int timer;
        int wake;                       /* a one-shot run after resuming */
        int root_fd;                    /* the web folder */
        struct http_static *files;      /* its compressed copies */
        struct http_auth auth;
        struct history history;
        struct history_sample scratch[HISTORY_LEN];     /* for /api/history */
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

/* A request as http.c read it from libmicrohttpd: what the API answers
 * depends on nothing else (and the port's state and clocks). */
struct http_request {
        const char *method, *url;       /* url decoded, without the query */
        const char *body;               /* read whole, NUL-terminated */
        size_t len;                     /* at most HTTP_BODY_MAX */
        const char *host, *origin, *fetch_site;         /* NULL: absent */
        const char *cookie;             /* HTTP_COOKIE's value, or NULL */
        const char *arg_zone, *arg_minutes;     /* ?zone=&minutes= */
        struct http_addr from;          /* the client, for its PIN tries */
        const char *from_text;          /* the same for the log */
};

/* The API's half of struct http: the port, PIN state and the history. */
void http_api_init(struct http *h, const struct port *port);

/* Handles a request under /api/. */
void http_api_handle(struct http *h, const struct http_request *req,
                     struct http_reply *ret);

/* A JSON error: {"ok":false,"code":...,"message":...}. */
void http_api_error(struct http_reply *ret, unsigned status, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
