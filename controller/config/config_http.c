/* config_http.c: see config_http.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>

#include "config/cfgjson.h"
#include "config/config.h"
#include "config/config_keys.h"
#include "config/config_http.h"

static bool address_literal(const char *s)
{
        unsigned char buf[16];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z): only this machine. */
static bool loopback(const char *s)
{
        struct in_addr a4;
        struct in6_addr a6;

        if (inet_pton(AF_INET, s, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        if (inet_pton(AF_INET6, s, &a6) == 1)
                return IN6_IS_ADDR_LOOPBACK(&a6) ||
                       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
        return false;
}

/* Why a PIN of digits is among the first a stranger would try, or NULL. */
static const char *guessable_pin(const char *pin)
{
        size_t n = strlen(pin);
        bool same = true, up = true, down = true;

        for (size_t i = 1; i < n; i++) {
                int a = pin[i - 1] - '0', b = pin[i] - '0';
                same &= a == b;
                up &= b == (a + 1) % 10;        /* 7890 counts too */
                down &= a == (b + 1) % 10;
        }
        if (same)
                return "one digit repeated";
        if (up || down)
                return "a run of digits like 1234 or 4321";
        return NULL;
}

void config_http_parse(const cJSON *obj, struct http_cfg *ret,
                       struct config_errors *errs)
{
        const char *path = "http";
        bool pin_ok = false;

        memset(ret, 0, sizeof(*ret));
        ret->enabled = obj != NULL;
        if (obj)
                cfg_check_table_keys(obj, path, path, errs);
        bool listen_ok = cfg_key_string(obj, path, "http.listen", ret->listen,
                                        sizeof(ret->listen), errs);
        if (listen_ok && !address_literal(ret->listen)) {
                cfg_error(errs, path, "listen", "must be an IPv4 or IPv6 "
                          "address, e.g. 127.0.0.1 or 0.0.0.0");
                listen_ok = false;
        }
        ret->port = (int)cfg_key_integer(obj, path, "http.port", errs);
        if (cfg_key_string(obj, path, "http.web_root", ret->web_root,
                           sizeof(ret->web_root), errs) && !ret->web_root[0])
                cfg_error(errs, path, "web_root", "must not be empty");
        if (cfg_key_string(obj, path, "http.pin", ret->pin, sizeof(ret->pin),
                           errs)) {
                size_t n = strlen(ret->pin);
                bool digits = true;
                const char *why;

                pin_ok = true;
                for (size_t i = 0; i < n; i++)
                        digits &= isdigit((unsigned char)ret->pin[i]) != 0;
                if (strcmp(ret->pin, "none") == 0) {
                        /* No PIN, and the file says so on purpose. */
                        ret->pin[0] = '\0';
                        ret->pin_none = true;
                } else if (n && (n < 4 || !digits)) {
                        /* Digits only: typed on a phone's number pad in
                         * the dark. */
                        cfg_error(errs, path, "pin", "must be 4 to %d digits",
                                  HTTP_PIN_MAX);
                } else if (n && (why = guessable_pin(ret->pin))) {
                        /* Not echoed: the error goes to logs. */
                        cfg_error(errs, path, "pin", "is too easy to guess "
                                  "(%s): choose other digits", why);
                }
        }
        /* A page other machines can reach lets anyone on the network start
         * heat or change the record: that needs a PIN, or a file that says
         * it goes without one. */
        if (obj && listen_ok && pin_ok && !ret->pin[0] && !ret->pin_none &&
            !loopback(ret->listen))
                cfg_error(errs, path, "pin", "is needed: the page listens on "
                          "%s, beyond this machine; give 4 to %d digits, or "
                          "\"none\" to go without on purpose", ret->listen,
                          HTTP_PIN_MAX);
}
