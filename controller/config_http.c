/* config_http.c: see config_http.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "cfgjson.h"
#include "config.h"
#include "config_http.h"

static bool address_literal(const char *s)
{
        unsigned char buf[16];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

void config_http_parse(const cJSON *obj, struct http_cfg *ret,
                       struct config_errors *errs)
{
        static const char *const keys[] = { "listen", "port", "web_root",
                                            "pin", NULL };
        const char *path = "http";

        memset(ret, 0, sizeof(*ret));
        ret->enabled = obj != NULL;
        if (obj)
                cfg_check_keys(obj, path, keys, errs);
        if (cfg_string(obj, "listen", path, "127.0.0.1", ret->listen,
                       sizeof(ret->listen), errs) && !address_literal(ret->listen))
                cfg_error(errs, path, "listen", "must be an IPv4 or IPv6 "
                          "address, e.g. 127.0.0.1 or 0.0.0.0");
        ret->port = (int)cfg_integer(obj, "port", path, 8080, 0, 65535, errs);
        if (cfg_string(obj, "web_root", path, "web", ret->web_root,
                       sizeof(ret->web_root), errs) && !ret->web_root[0])
                cfg_error(errs, path, "web_root", "must not be empty");
        if (cfg_string(obj, "pin", path, "", ret->pin, sizeof(ret->pin), errs)) {
                size_t n = strlen(ret->pin);
                bool digits = true;
                for (size_t i = 0; i < n; i++)
                        digits &= isdigit((unsigned char)ret->pin[i]) != 0;
                /* Digits only: typed on a phone's number pad in the dark. */
                if (n && (n < 4 || !digits))
                        cfg_error(errs, path, "pin", "must be 4 to %d digits",
                                  HTTP_PIN_MAX);
        }
}
