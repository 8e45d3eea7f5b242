/* http_auth.c: see http_auth.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "net/http_auth.h"

#define WAIT_FIRST_S 5
#define WAIT_MAX_S 300

void http_auth_init(struct http_auth *a, const char *pin)
{
        memset(a, 0, sizeof(*a));
        snprintf(a->pin, sizeof(a->pin), "%s", pin ? pin : "");
}

bool http_auth_required(const struct http_auth *a)
{
        return a->pin[0] != '\0';
}

/* Compares without an early exit, so timing does not tell how much of a
 * guess was right. */
static bool equal_secret(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        unsigned diff = (unsigned)(la != lb);
        for (size_t i = 0; i < la; i++)
                diff |= (unsigned)(a[i] ^ b[i % (lb ? lb : 1)]);
        return diff == 0 && lb > 0;
}

static int wait_after(int failures)
{
        if (failures < HTTP_AUTH_FREE_TRIES)
                return 0;
        int shift = failures - HTTP_AUTH_FREE_TRIES;
        return shift >= 6 ? WAIT_MAX_S : WAIT_FIRST_S << shift;
}

struct http_addr http_auth_addr(const struct sockaddr *sa)
{
        struct http_addr k = { { 0 } };

        if (sa && sa->sa_family == AF_INET) {
                const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
                k.b[10] = k.b[11] = 0xff;
                memcpy(k.b + 12, &v4->sin_addr, 4);
        } else if (sa && sa->sa_family == AF_INET6) {
                const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
                memcpy(k.b, &v6->sin6_addr, sizeof(k.b));
        }
        return k;
}

/* An entry whose last wrong PIN is an hour old is forgotten. */
static bool live(const struct http_tries *t, uint64_t now_ms)
{
        return t->used && now_ms - t->last_ms < HTTP_AUTH_FORGET_MS;
}

/* The entry that counts an address's wrong PINs: its own, else a free or
 * forgotten one (made = true), else the shared overflow. Never one that
 * still counts for another address (http_auth.h says why). */
static struct http_tries *tries_of(struct http_auth *a,
                                   const struct http_addr *from,
                                   uint64_t now_ms, bool *made)
{
        struct http_tries *spare = NULL;

        *made = false;
        for (int i = 0; i < HTTP_AUTH_CLIENTS; i++) {
                struct http_tries *t = &a->clients[i];
                if (!live(t, now_ms)) {
                        if (!spare)
                                spare = t;
                } else if (memcmp(&t->addr, from, sizeof(*from)) == 0) {
                        return t;
                }
        }
        if (!spare)
                return &a->overflow;
        *made = true;
        return spare;
}

enum http_login http_auth_login(struct http_auth *a,
                                const struct http_addr *from, const char *pin,
                                uint64_t now_ms,
                                const uint8_t random[HTTP_AUTH_TOKEN_BYTES],
                                char *ret_token, int *ret_wait_s)
{
        bool made;
        struct http_tries *t = tries_of(a, from, now_ms, &made);

        *ret_wait_s = 0;
        if (made || !live(t, now_ms))
                memset(t, 0, sizeof(*t));
        if (now_ms < t->locked_until_ms) {
                *ret_wait_s = (int)((t->locked_until_ms - now_ms + 999) / 1000);
                return HTTP_LOGIN_WAIT;
        }
        if (!http_auth_required(a) || !equal_secret(pin, a->pin)) {
                t->used = true;
                t->addr = *from;
                t->failures++;
                t->last_ms = now_ms;
                int w = wait_after(t->failures);
                t->locked_until_ms = now_ms + (uint64_t)w * 1000;
                *ret_wait_s = w;
                return HTTP_LOGIN_WRONG;
        }
        /* Right: this address starts afresh. The overflow does not: it
         * counts for others too. */
        if (t != &a->overflow)
                memset(t, 0, sizeof(*t));
        /* A free slot, else the one that expires first. */
        struct http_session *s = &a->sessions[0];
        for (int i = 0; i < HTTP_AUTH_SESSIONS; i++) {
                struct http_session *c = &a->sessions[i];
                if (!c->used || c->expires_ms <= now_ms) {
                        s = c;
                        break;
                }
                if (c->expires_ms < s->expires_ms)
                        s = c;
        }
        for (int i = 0; i < HTTP_AUTH_TOKEN_BYTES; i++)
                snprintf(s->token + 2 * i, 3, "%02x", random[i]);
        s->used = true;
        s->expires_ms = now_ms + HTTP_AUTH_SESSION_MS;
        memcpy(ret_token, s->token, HTTP_AUTH_TOKEN_LEN + 1);
        return HTTP_LOGIN_OK;
}

static struct http_session *find(struct http_auth *a, const char *token,
                                 uint64_t now_ms)
{
        if (!token || strlen(token) != HTTP_AUTH_TOKEN_LEN)
                return NULL;
        for (int i = 0; i < HTTP_AUTH_SESSIONS; i++) {
                struct http_session *s = &a->sessions[i];
                if (s->used && s->expires_ms > now_ms &&
                    equal_secret(token, s->token))
                        return s;
        }
        return NULL;
}

bool http_auth_session_ok(const struct http_auth *a, const char *token,
                          uint64_t now_ms)
{
        if (!http_auth_required(a))
                return true;
        return find((struct http_auth *)a, token, now_ms) != NULL;
}

/* POST /api/stop, or /api/zones/<zone>/stop with a zone segment that
 * has no slash of its own. */
static bool is_stop(const char *method, const char *url)
{
        static const char zones[] = "/api/zones/";

        if (strcmp(method, "POST"))
                return false;
        if (strcmp(url, "/api/stop") == 0)
                return true;
        if (strncmp(url, zones, sizeof(zones) - 1))
                return false;
        const char *zone = url + sizeof(zones) - 1;
        const char *slash = strchr(zone, '/');
        return slash && slash != zone && strcmp(slash, "/stop") == 0;
}

bool http_auth_needs_session(const char *method, const char *url)
{
        if (!method || !url)
                return true;
        if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
                return false;
        if (strcmp(url, "/api/login") == 0 || strcmp(url, "/api/logout") == 0)
                return false;
        return !is_stop(method, url);
}

void http_auth_logout(struct http_auth *a, const char *token)
{
        struct http_session *s = find(a, token, 0);
        if (s)
                memset(s, 0, sizeof(*s));
}

bool http_auth_same_origin(const char *origin, const char *sec_fetch_site,
                           const char *host)
{
        if (sec_fetch_site && strcmp(sec_fetch_site, "same-origin") &&
            strcmp(sec_fetch_site, "none"))
                return false;
        if (!origin)
                return true;
        if (!host)
                return false;
        const char *rest = NULL;
        if (strncmp(origin, "http://", 7) == 0)
                rest = origin + 7;
        else if (strncmp(origin, "https://", 8) == 0)
                rest = origin + 8;
        return rest && strcasecmp(rest, host) == 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
        size_t k = strlen(suffix);
        return n > k && strncasecmp(s + n - k, suffix, k) == 0;
}

bool http_auth_host_ok(const char *host)
{
        char name[256];
        size_t n;

        if (!host || !*host || strlen(host) >= sizeof(name))
                return false;
        snprintf(name, sizeof(name), "%s", host);
        if (name[0] == '[') {                   /* [::1]:8080 */
                char *close = strchr(name, ']');
                if (!close || (close[1] && close[1] != ':'))
                        return false;
                *close = '\0';
                unsigned char buf[16];
                return inet_pton(AF_INET6, name + 1, buf) == 1;
        }
        char *colon = strchr(name, ':');
        if (colon) {
                for (const char *p = colon + 1; *p; p++)
                        if (!isdigit((unsigned char)*p))
                                return false;
                *colon = '\0';
        }
        n = strlen(name);
        if (n && name[n - 1] == '.')
                name[--n] = '\0';
        if (!n)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
                        return false;
        unsigned char buf[4];
        if (inet_pton(AF_INET, name, buf) == 1)
                return true;
        if (strcasecmp(name, "localhost") == 0 || !strchr(name, '.'))
                return true;
        return ends_with(name, n, ".local") || ends_with(name, n, ".lan") ||
               ends_with(name, n, ".home.arpa") || ends_with(name, n, ".internal");
}
