/* http_auth.c: see http_auth.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "http_auth.h"

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

enum http_login http_auth_login(struct http_auth *a, const char *pin,
                                uint64_t now_ms,
                                const uint8_t random[HTTP_AUTH_TOKEN_BYTES],
                                char *ret_token, int *ret_wait_s)
{
        *ret_wait_s = 0;
        if (now_ms < a->locked_until_ms) {
                *ret_wait_s = (int)((a->locked_until_ms - now_ms + 999) / 1000);
                return HTTP_LOGIN_WAIT;
        }
        if (!http_auth_required(a) || !equal_secret(pin, a->pin)) {
                a->failures++;
                int w = wait_after(a->failures);
                a->locked_until_ms = now_ms + (uint64_t)w * 1000;
                *ret_wait_s = w;
                return HTTP_LOGIN_WRONG;
        }
        a->failures = 0;
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
