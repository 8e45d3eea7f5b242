/* http_auth.h: who may change things through the page, and from where.
 *
 * With a PIN in the config, every change needs a session: the PIN is
 * exchanged once (POST /api/login) for a random token carried in an
 * HttpOnly, SameSite=Strict cookie. A stop (one zone or all) never needs
 * one: off is the safe state, and no lockout or lost cookie may stand
 * between a person and turning a pad off.
 *
 * Wrong PINs are rate-limited per client address: after
 * HTTP_AUTH_FREE_TRIES wrong ones in a row every try from that address
 * waits, 5 s doubling up to 5 minutes, and a right PIN during the wait is
 * refused too (so guessing gains nothing by being fast). One phone's typos
 * do not lock out another. An IPv6 address counts whole, not by its /64:
 * a home network shares one prefix, so a prefix would let one device lock
 * out every other again.
 *
 * The table of addresses is fixed (HTTP_AUTH_CLIENTS). An entry is made by
 * a wrong PIN and ends with a right PIN from that address, or
 * HTTP_AUTH_FORGET_MS after its last wrong PIN. It is never evicted to
 * make room: if it were, an attacker with a few dozen addresses could push
 * out his own locked entry and start again with free tries. An address
 * that finds the table full shares one more entry, the overflow, with
 * every other such address. So an attacker gains at most the free tries
 * and waits of HTTP_AUTH_CLIENTS addresses plus one shared schedule, and
 * the worst he can do to others is make new addresses wait while he holds
 * the whole table: a stop still works, and a device already signed in
 * keeps its session. Forgetting after an hour of silence gains a guesser
 * nothing: the fresh start gives back 3 free tries and 6 short waits, 9
 * tries, where the silent hour cost 12 at the longest wait.
 *
 * Also the checks that keep other sites out: the Origin of a change must
 * be this host, and the Host itself must be a name a home network uses
 * (against DNS rebinding). Pure: time, addresses and random bytes come in
 * as arguments. */
#ifndef HEATPAD_HTTP_AUTH_H
#define HEATPAD_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/config_http.h"

#define HTTP_AUTH_SESSIONS 8
#define HTTP_AUTH_TOKEN_BYTES 16
#define HTTP_AUTH_TOKEN_LEN (2 * HTTP_AUTH_TOKEN_BYTES)
#define HTTP_AUTH_FREE_TRIES 3
#define HTTP_AUTH_SESSION_MS (30ULL * 24 * 3600 * 1000)
#define HTTP_AUTH_CLIENTS 32
#define HTTP_AUTH_FORGET_MS (3600ULL * 1000)
#define HTTP_AUTH_ADDR_LEN 16

/* A client address: IPv6 as it is, IPv4 as ::ffff:a.b.c.d. */
struct http_addr {
        uint8_t b[HTTP_AUTH_ADDR_LEN];
};

/* The wrong PINs of one address (or of the overflow). */
struct http_tries {
        bool used;
        struct http_addr addr;
        int failures;                   /* wrong PINs in a row */
        uint64_t last_ms;               /* the last of them */
        uint64_t locked_until_ms;
};

struct http_session {
        bool used;
        char token[HTTP_AUTH_TOKEN_LEN + 1];
        uint64_t expires_ms;
};

struct http_auth {
        char pin[HTTP_PIN_MAX + 1];
        struct http_tries clients[HTTP_AUTH_CLIENTS];
        struct http_tries overflow;     /* addresses the table had no room for */
        struct http_session sessions[HTTP_AUTH_SESSIONS];
};

enum http_login { HTTP_LOGIN_OK, HTTP_LOGIN_WRONG, HTTP_LOGIN_WAIT };

void http_auth_init(struct http_auth *a, const char *pin);

/* Whether changes need a session (a PIN is configured). */
bool http_auth_required(const struct http_auth *a);

/* A socket address (from the connection) as the key of its wrong PINs;
 * NULL or another family gives the all-zero address. */
struct http_addr http_auth_addr(const struct sockaddr *sa);

/* Tries a PIN from address from. On HTTP_LOGIN_OK a new session's token
 * (from the random bytes) is in ret_token (HTTP_AUTH_TOKEN_LEN + 1 bytes).
 * On WRONG or WAIT, ret_wait_s says how long until the next try from that
 * address is heard (0: at once). */
enum http_login http_auth_login(struct http_auth *a,
                                const struct http_addr *from, const char *pin,
                                uint64_t now_ms,
                                const uint8_t random[HTTP_AUTH_TOKEN_BYTES],
                                char *ret_token, int *ret_wait_s);

/* Whether the token (may be NULL) is a live session; true when no PIN is
 * configured. */
bool http_auth_session_ok(const struct http_auth *a, const char *token,
                          uint64_t now_ms);

/* Whether a request needs a session when a PIN is set: every change but
 * signing in or out and a stop (POST /api/zones/<zone>/stop, POST
 * /api/stop). Reads need none. url is the decoded path. */
bool http_auth_needs_session(const char *method, const char *url);

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
