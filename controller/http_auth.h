/* http_auth.h: who may change things through the page, and from where.
 *
 * With a PIN in the config, every change needs a session: the PIN is
 * exchanged once (POST /api/login) for a random token carried in an
 * HttpOnly, SameSite=Strict cookie. Wrong PINs are rate-limited for the
 * whole device: after HTTP_AUTH_FREE_TRIES wrong ones in a row every try
 * waits, 5 s doubling up to 5 minutes, and a right PIN during the wait is
 * refused too (so guessing gains nothing by being fast). Also the checks
 * that keep other sites out: the Origin of a change must be this host, and
 * the Host itself must be a name a home network uses (against DNS
 * rebinding). Pure: time and random bytes come in as arguments. */
#ifndef HEATPAD_HTTP_AUTH_H
#define HEATPAD_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config_http.h"

#define HTTP_AUTH_SESSIONS 8
#define HTTP_AUTH_TOKEN_BYTES 16
#define HTTP_AUTH_TOKEN_LEN (2 * HTTP_AUTH_TOKEN_BYTES)
#define HTTP_AUTH_FREE_TRIES 3
#define HTTP_AUTH_SESSION_MS (30ULL * 24 * 3600 * 1000)

struct http_session {
        bool used;
        char token[HTTP_AUTH_TOKEN_LEN + 1];
        uint64_t expires_ms;
};

struct http_auth {
        char pin[HTTP_PIN_MAX + 1];
        int failures;                   /* wrong PINs in a row */
        uint64_t locked_until_ms;
        struct http_session sessions[HTTP_AUTH_SESSIONS];
};

enum http_login { HTTP_LOGIN_OK, HTTP_LOGIN_WRONG, HTTP_LOGIN_WAIT };

void http_auth_init(struct http_auth *a, const char *pin);

/* Whether changes need a session (a PIN is configured). */
bool http_auth_required(const struct http_auth *a);

/* Tries a PIN. On HTTP_LOGIN_OK a new session's token (from the random
 * bytes) is in ret_token (HTTP_AUTH_TOKEN_LEN + 1 bytes). On WRONG or WAIT,
 * ret_wait_s says how long until the next try is heard (0: at once). */
enum http_login http_auth_login(struct http_auth *a, const char *pin,
                                uint64_t now_ms,
                                const uint8_t random[HTTP_AUTH_TOKEN_BYTES],
                                char *ret_token, int *ret_wait_s);

/* Whether the token (may be NULL) is a live session; true when no PIN is
 * configured. */
bool http_auth_session_ok(const struct http_auth *a, const char *token,
                          uint64_t now_ms);

/* Ends a session (logout). */
void http_auth_logout(struct http_auth *a, const char *token);

/* A change may go ahead only if the browser says it comes from this host:
 * Origin (when sent) is http(s)://<host>, and Sec-Fetch-Site (when sent)
 * is not cross-site. Tools that send neither (curl) pass. */
bool http_auth_same_origin(const char *origin, const char *sec_fetch_site,
                           const char *host);

/* Whether a Host header names this device the way a home network does: an
 * IP address, localhost, a single-label name, or a name under .local,
 * .lan, .home.arpa or .internal (with an optional port). */
bool http_auth_host_ok(const char *host);

#endif
