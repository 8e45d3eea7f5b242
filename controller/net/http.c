/* http.c: see http.h. The connection life cycle: libmicrohttpd calls
 * on_request first with the headers (a request record is made, a body
 * declared too large is refused at once), then with each piece of the body
 * (kept up to HTTP_BODY_MAX, the rest counted and dropped up to
 * HTTP_DRAIN_MAX), then once more with nothing, when the request is
 * handled. A change is answered only after the loop has committed it (the
 * relays written, the state file saved): its connection is suspended with
 * the answer kept, and http_after_batch resumes it, when libmicrohttpd
 * calls on_request once more to send the answer. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net/http.h"
#include "net/http_body.h"
#include "net/http_int.h"
#include "net/http_static.h"

#define MHD_RUN_MAX_MS 250      /* a bound on MHD's own timeouts */

/* Connection limits for a page a household opens from a few phones (a
 * browser keeps at most 6 connections to a host). One address may hold a
 * quarter of the connections, so a misbehaving client (or a slowloris
 * attack from one address) leaves room for the others; a connection
 * silent this long is closed: the page asks every second, so its own
 * connection is never idle that long. Slow-drip clients on many addresses
 * can still fill the global limit (README, "Load and hostile clients"). */
#define HTTP_MAX_CONNECTIONS 64
#define HTTP_MAX_PER_ADDRESS 16
#define HTTP_IDLE_TIMEOUT_S 10

/* A body without a declared length (chunked) that grows past
 * HTTP_BODY_MAX is read and dropped so that a 413 can answer it at its end;
 * past this much the connection is closed instead, without an answer:
 * libmicrohttpd 0.9 cannot answer before the body has ended, and an
 * endless body would keep the loop reading it. */
#define HTTP_DRAIN_MAX (64 * 1024)

struct request {
        struct MHD_Connection *conn;
        struct request *next_held;      /* h->held or h->waiting */
        uint64_t wait_seq;              /* the snapshot its answer needs */
        bool answered;                  /* rep holds the answer */
        struct http_reply rep;
        size_t len;
        size_t dropped;                 /* bytes past HTTP_BODY_MAX */
        bool too_big;
        char body[HTTP_BODY_MAX + 1];
};

static void add_common_headers(struct MHD_Response *r)
{
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; "
                                "frame-ancestors 'none'; base-uri 'none'; "
                                "form-action 'self'");
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn,
                                  struct http_reply *rep)
{
        char *text = rep->json ? cJSON_PrintUnformatted(rep->json) : NULL;
        cJSON_Delete(rep->json);
        rep->json = NULL;
        if (!text)
                return MHD_NO;
        struct MHD_Response *r = MHD_create_response_from_buffer(
                strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!r) {
                free(text);
                return MHD_NO;
        }
        add_common_headers(r);
        MHD_add_response_header(r, "Content-Type", "application/json");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        if (rep->set_cookie[0])
                MHD_add_response_header(r, "Set-Cookie", rep->set_cookie);
        if (rep->retry_after_s > 0) {
                char s[16];
                snprintf(s, sizeof(s), "%d", rep->retry_after_s);
                MHD_add_response_header(r, "Retry-After", s);
        }
        if (rep->allow)
                MHD_add_response_header(r, "Allow", rep->allow);
        if (rep->close)
                MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        enum MHD_Result rc = MHD_queue_response(conn, rep->status, r);
        MHD_destroy_response(r);
        return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status,
                                  const char *code, const char *msg)
{
        struct http_reply rep = { 0 };
        http_api_error(&rep, status, code, "%s", msg);
        return send_reply(conn, &rep);
}

static const char *header(struct MHD_Connection *conn, const char *name);

static enum MHD_Result send_file(struct http *h, struct MHD_Connection *conn,
                                 const char *method, const char *url)
{
        struct http_static_file f;

        if (strcmp(method, MHD_HTTP_METHOD_GET) &&
            strcmp(method, MHD_HTTP_METHOD_HEAD)) {
                struct http_reply rep = { .allow = "GET, HEAD" };
                http_api_error(&rep, MHD_HTTP_METHOD_NOT_ALLOWED,
                               "method_not_allowed", "only GET and HEAD here");
                return send_reply(conn, &rep);
        }
        if (http_static_get(h->files, url, header(conn, "Accept-Encoding"),
                            header(conn, "If-None-Match"), &f) < 0)
                return send_error(conn, MHD_HTTP_NOT_FOUND, "not_found",
                                  "no such page");
        struct MHD_Response *r = f.fd >= 0 ?
                MHD_create_response_from_fd(f.size, f.fd) :
                MHD_create_response_from_buffer((size_t)f.size, (void *)f.data,
                                                MHD_RESPMEM_MUST_COPY);
        if (!r) {
                if (f.fd >= 0)
                        close(f.fd);
                return MHD_NO;
        }
        add_common_headers(r);
        if (f.status == MHD_HTTP_OK)
                MHD_add_response_header(r, "Content-Type", f.type);
        if (f.encoding)
                MHD_add_response_header(r, "Content-Encoding", f.encoding);
        MHD_add_response_header(r, "Vary", "Accept-Encoding");
        MHD_add_response_header(r, "Cache-Control", f.cache_control);
        MHD_add_response_header(r, "ETag", f.etag);
        if (f.last_modified[0])
                MHD_add_response_header(r, "Last-Modified", f.last_modified);
        enum MHD_Result rc = MHD_queue_response(conn, f.status, r);
        MHD_destroy_response(r);
        return rc;
}

static bool is_read(const char *method)
{
        return strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
               strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
        return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* The client's address: the key of its wrong PINs, and for the log. */
static struct http_addr client_addr(struct MHD_Connection *conn, char *text,
                                    size_t len)
{
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
                MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;
        struct http_addr a = http_auth_addr(sa);

        if (!inet_ntop(AF_INET6, a.b, text, (socklen_t)len))
                snprintf(text, len, "?");
        if (sa && sa->sa_family == AF_INET &&
            !inet_ntop(AF_INET, a.b + 12, text, (socklen_t)len))
                snprintf(text, len, "?");
        return a;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
        struct http *h = cls;
        struct request *req = *con_cls;

        (void)version;
        if (!req) {
                const char *host = MHD_lookup_connection_value(conn,
                        MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
                const char *cl = MHD_lookup_connection_value(conn,
                        MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
                long declared;
                /* A name a home network does not use may be DNS rebinding:
                 * another site's script reaching us through its own name. */
                if (!http_auth_host_ok(host))
                        return send_error(conn, MHD_HTTP_FORBIDDEN, "bad_host",
                                          "this device answers only to an "
                                          "address or a local name");
                if (cl && (http_parse_int(cl, 0, HTTP_BODY_MAX, &declared) < 0))
                        return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
                                          "body_too_large", "the body must "
                                          "be at most 8192 bytes");
                req = calloc(1, sizeof(*req));
                if (!req)
                        return MHD_NO;
                *con_cls = req;
                return MHD_YES;
        }
        if (req->answered) {            /* resumed after the commit */
                req->answered = false;
                return send_reply(conn, &req->rep);
        }
        if (*upload_data_size) {
                size_t n = *upload_data_size;
                *upload_data_size = 0;
                if (req->too_big || req->len + n > HTTP_BODY_MAX) {
                        req->too_big = true;
                        req->dropped += n;
                        return req->dropped > HTTP_DRAIN_MAX ? MHD_NO : MHD_YES;
                }
                memcpy(req->body + req->len, upload_data, n);
                req->len += n;
                return MHD_YES;
        }
        if (req->too_big) {
                /* A client that sent that much is not the page: no more
                 * requests on this connection. */
                struct http_reply rep = { .close = true };
                http_api_error(&rep, MHD_HTTP_CONTENT_TOO_LARGE,
                               "body_too_large", "the body must be at most "
                               "8192 bytes");
                return send_reply(conn, &rep);
        }
        req->body[req->len] = '\0';
        if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0) {
                struct http_reply rep = { 0 };
                char who[INET6_ADDRSTRLEN];
                struct http_request rq = {
                        .method = method, .url = url,
                        .body = req->body, .len = req->len,
                        .host = header(conn, MHD_HTTP_HEADER_HOST),
                        .origin = header(conn, "Origin"),
                        .fetch_site = header(conn, "Sec-Fetch-Site"),
                        .cookie = MHD_lookup_connection_value(conn,
                                MHD_COOKIE_KIND, HTTP_COOKIE),
                        .arg_zone = MHD_lookup_connection_value(conn,
                                MHD_GET_ARGUMENT_KIND, "zone"),
                        .arg_minutes = MHD_lookup_connection_value(conn,
                                MHD_GET_ARGUMENT_KIND, "minutes"),
                        .from = client_addr(conn, who, sizeof(who)),
                        .from_text = who,
                };
                http_api_handle(h, &rq, &rep);
                if (is_read(method))
                        return send_reply(conn, &rep);
                /* Answered after the batch is committed. */
                req->rep = rep;
                req->answered = true;
                req->conn = conn;
                req->next_held = h->held;
                h->held = req;
                MHD_suspend_connection(conn);
                return MHD_YES;
        }
        return send_file(h, conn, method, url);
}

/* Decodes %XX escapes in place, as libmicrohttpd would, except that an
 * escaped NUL becomes DEL: a C string cut short at "%00" could otherwise
 * name a different file or zone than the request did. DEL is in no file
 * name and no zone id, so such a request finds nothing. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
        char *out = s;

        (void)cls;
        (void)conn;
        for (const char *in = s; *in; in++) {
                int hi, lo;
                if (in[0] == '%' && (hi = hexval(in[1])) >= 0 &&
                    (lo = hexval(in[2])) >= 0) {
                        char c = (char)(hi << 4 | lo);
                        *out++ = c ? c : '\x7f';
                        in += 2;
                } else {
                        *out++ = *in;
                }
        }
        *out = '\0';
        return (size_t)(out - s);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
        (void)cls;
        (void)conn;
        (void)toe;
        struct request *req = *con_cls;
        if (req)
                cJSON_Delete(req->rep.json);    /* an answer never sent */
        free(req);
        *con_cls = NULL;
}

/* Runs MHD until it has nothing ready (bounded, so a flood cannot hold the
 * loop) and says when it wants to run again. */
static double run_mhd(struct http *h)
{
        MHD_UNSIGNED_LONG_LONG t = MHD_RUN_MAX_MS;

        for (int i = 0; i < 8; i++) {
                MHD_run(h->mhd);
                if (MHD_get_timeout(h->mhd, &t) != MHD_YES || t > 0)
                        break;
        }
        if (t > MHD_RUN_MAX_MS)
                t = MHD_RUN_MAX_MS;
        return t < 1 ? 1 : (double)t;
}

static void on_mhd_ready(void *ctx, int fd, uint32_t events)
{
        (void)fd;
        (void)events;
        run_mhd(ctx);
}

static double on_mhd_timer(void *ctx)
{
        return run_mhd(ctx);
}

static double on_wake(void *ctx)
{
        struct http *h = ctx;

        h->wake = -1;
        run_mhd(h);
        return PORT_TIMER_STOP;
}

static int make_sockaddr(const char *listen, int port,
                         struct sockaddr_storage *ret, bool *ret_v6)
{
        struct sockaddr_in *v4 = (struct sockaddr_in *)ret;
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ret;

        memset(ret, 0, sizeof(*ret));
        if (inet_pton(AF_INET, listen, &v4->sin_addr) == 1) {
                v4->sin_family = AF_INET;
                v4->sin_port = htons((uint16_t)port);
                *ret_v6 = false;
                return 0;
        }
        if (inet_pton(AF_INET6, listen, &v6->sin6_addr) == 1) {
                v6->sin6_family = AF_INET6;
                v6->sin6_port = htons((uint16_t)port);
                *ret_v6 = true;
                return 0;
        }
        return -EINVAL;
}

struct http *http_start(const struct port *port, char *err, size_t errlen)
{
        const struct http_cfg *cfg = &port->cfg->http;
        struct sockaddr_storage sa;
        bool v6;
        struct http *h;

        err[0] = '\0';
        if (!cfg->enabled)
                return NULL;
        h = calloc(1, sizeof(*h));
        if (!h) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        h->timer = h->wake = -1;
        h->epoll_fd = -1;
        http_api_init(h, port);
        h->root_fd = open(cfg->web_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->root_fd < 0) {
                snprintf(err, errlen, "web_root %s: %s", cfg->web_root,
                         strerror(errno));
                goto fail;
        }
        h->files = http_static_new(h->root_fd);
        if (!h->files) {
                snprintf(err, errlen, "out of memory");
                goto fail;
        }
        if (make_sockaddr(cfg->listen, cfg->port, &sa, &v6) < 0) {
                snprintf(err, errlen, "listen %s: not an address", cfg->listen);
                goto fail;
        }
        h->mhd = MHD_start_daemon(
                MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                (v6 ? MHD_USE_IPv6 : 0), (uint16_t)cfg->port,
                NULL, NULL, on_request, h,
                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                MHD_OPTION_UNESCAPE_CALLBACK, unescape, h,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                (unsigned)HTTP_MAX_PER_ADDRESS,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
                MHD_OPTION_END);
        if (!h->mhd) {
                snprintf(err, errlen, "cannot listen on %s port %d (in use, "
                         "or not an address of this machine)", cfg->listen,
                         cfg->port);
                goto fail;
        }
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd,
                MHD_DAEMON_INFO_EPOLL_FD);
        h->epoll_fd = info ? info->epoll_fd : -1;
        int rc = h->epoll_fd < 0 ? -EINVAL :
                 port->add_fd(port->ctx, h->epoll_fd, EPOLLIN, on_mhd_ready, h);
        if (rc < 0) {
                snprintf(err, errlen, "cannot watch the HTTP daemon: %s",
                         strerror(-rc));
                goto fail;
        }
        h->timer = port->add_timer(port->ctx, MHD_RUN_MAX_MS, on_mhd_timer, h);
        if (h->timer < 0) {
                port->del_fd(port->ctx, h->epoll_fd);
                snprintf(err, errlen, "no timer left for the HTTP daemon");
                goto fail;
        }
        info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
        int bound = info ? info->port : cfg->port;
        port_log(port, "info", "status page on http://%s%s%s:%d/%s",
                 v6 ? "[" : "", cfg->listen, v6 ? "]" : "", bound,
                 http_auth_required(&h->auth) ? " (changes need the PIN)" : "");
        return h;
fail:
        if (h->mhd)
                MHD_stop_daemon(h->mhd);
        http_static_free(h->files);
        if (h->root_fd >= 0)
                close(h->root_fd);
        free(h);
        return NULL;
}

void http_tick(struct http *h, uint64_t now_ms, time_t wall)
{
        if (!h || !history_due(&h->history, now_ms))
                return;
        const struct core *core = h->port->core;
        for (int i = 0; i < core->nzones; i++) {
                const struct core_zone *z = &core->zones[i];
                struct history_sample s = {
                        .mono_ms = now_ms,
                        .wall = wall,
                        .temp_c = z->safety.have_temp ? (float)z->safety.temp_c :
                                  (float)NAN,
                        .setpoint_c = z->session.active ?
                                      (float)z->session.setpoint_c : (float)NAN,
                        .relay = z->relay_on,
                };
                history_add(&h->history, i, &s);
        }
}

static void wake_soon(struct http *h)
{
        /* libmicrohttpd sends resumed answers when it runs next: at once,
         * as a batch of its own (what it reads then is committed after
         * it). */
        if (h->wake < 0)
                h->wake = h->port->add_timer(h->port->ctx, 0, on_wake, h);
}

/* Resumes every waiting answer whose snapshot is on disk. */
static void release_written(struct http *h)
{
        struct request **pp = &h->waiting;
        bool any = false;

        while (*pp) {
                struct request *r = *pp;
                if (r->wait_seq > h->written_seq) {
                        pp = &r->next_held;
                        continue;
                }
                *pp = r->next_held;
                r->next_held = NULL;
                MHD_resume_connection(r->conn);
                any = true;
        }
        if (any)
                wake_soon(h);
}

void http_after_batch(struct http *h, uint64_t seq)
{
        if (!h || !h->held)
                return;
        for (struct request *r = h->held, *next; r; r = next) {
                next = r->next_held;
                r->wait_seq = seq;
                r->next_held = h->waiting;
                h->waiting = r;
        }
        h->held = NULL;
        release_written(h);
}

void http_state_written(struct http *h, uint64_t seq)
{
        if (!h)
                return;
        if (seq > h->written_seq)
                h->written_seq = seq;
        release_written(h);
}

void http_stop(struct http *h)
{
        if (!h)
                return;
        /* None may stay suspended: libmicrohttpd closes them as it stops
         * (the state file gets the last snapshot at exit). */
        http_after_batch(h, 0);
        http_state_written(h, UINT64_MAX);
        if (h->wake >= 0)
                h->port->del_timer(h->port->ctx, h->wake);
        h->port->del_timer(h->port->ctx, h->timer);
        h->port->del_fd(h->port->ctx, h->epoll_fd);
        MHD_stop_daemon(h->mhd);
        http_static_free(h->files);
        close(h->root_fd);
        free(h);
}
