/* Fuzzes the HTTP API's pure input handling: the three JSON bodies
 * (exact-size buffers), the query value and local-time parsers, the
 * static-file path check that runs before the file system is asked, and
 * the Host / Origin / Sec-Fetch-Site checks (the input split at newlines).
 * The first byte picks a query range so both small and wide ones are hit. */
#include <ctype.h>
#include <math.h>

#include "fuzz.h"
#include "net/http_auth.h"
#include "net/http_body.h"
#include "net/http_static.h"

/* What http_static_name() promises: at most HTTP_STATIC_DEPTH segments
 * split by single '/', none empty or starting with a dot (so no "..", no
 * hidden file), only letters, digits, '.', '_' and '-' in each. */
static void check_static_name(const char *url)
{
        char name[64];
        int segments = 1;

        if (!http_static_name(url, name, sizeof(name)))
                return;
        if (!name[0] || strlen(name) >= sizeof(name))
                abort();
        for (const char *p = name; *p; p++) {
                bool start = p == name || p[-1] == '/';
                if (*p == '/') {
                        if (start || !p[1] || ++segments > HTTP_STATIC_DEPTH)
                                abort();
                } else if ((start && *p == '.') ||
                           (!isalnum((unsigned char)*p) && !strchr("._-", *p))) {
                        abort();
                }
        }
        if (!http_static_type(name))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[256], pin[64];
        int minutes;
        double sp;
        struct injury_report inj;
        long v;
        char *body = malloc(size ? size : 1);

        if (!body)
                abort();
        memcpy(body, data, size);
        err[0] = '\0';
        if (http_parse_start_body(body, size, &minutes, &sp, err, sizeof(err)) == 0) {
                if (minutes < 0 || !(isnan(sp) || isfinite(sp)))
                        abort();
        } else if (!err[0]) {
                abort();
        }
        (void)http_parse_injury_body(body, size, &inj, err, sizeof(err));
        if (http_parse_pin_body(body, size, pin, sizeof(pin), err, sizeof(err)) == 0 &&
            memchr(pin, '\0', sizeof(pin)) == NULL)
                abort();
        free(body);

        char *s = fuzz_strndup(data, size);
        long max = size && (data[0] & 1) ? 1440 : 100000000L;
        if (http_parse_int(s, 0, max, &v) == 0 && (v < 0 || v > max))
                abort();
        (void)http_parse_local_time(s);
        check_static_name(s);
        (void)http_auth_host_ok(s);
        /* Nothing but a stop, signing in and out goes without a session. */
        size_t n = strlen(s);
        if (!http_auth_needs_session("POST", s) && strcmp(s, "/api/login") &&
            strcmp(s, "/api/logout") && (n < 5 || strcmp(s + n - 5, "/stop")))
                abort();
        char *site = strchr(s, '\n'), *host = NULL;
        if (site) {
                *site++ = '\0';
                host = strchr(site, '\n');
                if (host)
                        *host++ = '\0';
        }
        (void)http_auth_same_origin(s, site, host ? host : "heatpad.local");
        free(s);
        return 0;
}
