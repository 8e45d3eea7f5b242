/* config_http.h: the "http" section of the config (the status page and its
 * JSON API).
 *
 *   "http": { "listen": "127.0.0.1", "port": 8080, "web_root": "web",
 *             "pin": "4711" }
 *
 * The page is served only when the section is present ({} gives the
 * defaults). Unknown keys are errors, like everywhere in the config. A PIN
 * anyone would try first (1234, 0000, 9876) is refused, and so is a page
 * other machines can reach without a PIN unless "pin" is "none". */
#ifndef HEATPAD_CONFIG_HTTP_H
#define HEATPAD_CONFIG_HTTP_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#define HTTP_PIN_MAX 16

struct http_cfg {
        bool enabled;                   /* the section is present */
        char listen[64];                /* an IPv4 or IPv6 address literal */
        int port;                       /* 0: the system picks a free one */
        char web_root[256];             /* the folder the page is served from */
        char pin[HTTP_PIN_MAX + 1];     /* empty: no PIN */
        bool pin_none;                  /* "pin": "none": no PIN on purpose */
};

struct config_errors;

/* Parses the section (obj may be NULL: absent, the page is off) into ret,
 * adding one line per problem to errs. */
void config_http_parse(const cJSON *obj, struct http_cfg *ret,
                       struct config_errors *errs);

#endif
