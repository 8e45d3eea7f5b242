/* Fuzzes schedule_parse_text() against a fixed two-zone config and with no
 * config at all; an accepted schedule must also serialise. */
#include <cjson/cJSON.h>

#include "config/config.h"
#include "fuzz.h"
#include "core/schedule.h"

static const char config_text[] =
        "{\"zones\":[{\"name\":\"upper back\",\"sensor\":{\"type\":\"sim\"},"
        "\"relay\":{\"type\":\"sim\"}},{\"name\":\"lower back\","
        "\"sensor\":{\"type\":\"sim\"},\"relay\":{\"type\":\"sim\"},"
        "\"limits\":{\"max_setpoint_c\":41}}]}";

static void check(const char *text, size_t len, const struct config *cfg)
{
        static struct schedule s;
        char err[256];

        err[0] = '\0';
        if (schedule_parse_text(text, len, cfg, &s, err, sizeof(err)) == 0) {
                cJSON *j = schedule_to_json(&s);
                if (s.n < 0 || s.n > SCHEDULE_MAX || !j)
                        abort();
                cJSON_Delete(j);
        } else if (!err[0]) {
                abort();                /* refused without a reason */
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct config cfg;
        static struct config_errors errs;
        static int cfg_ok = -1;

        if (cfg_ok < 0) {
                cfg_ok = config_parse(config_text, &cfg, &errs) == 0;
                if (!cfg_ok)
                        abort();
        }
        /* An exact-size copy: the parser takes a length, not a NUL. */
        char *text = malloc(size ? size : 1);
        if (!text)
                abort();
        memcpy(text, data, size);
        check(text, size, &cfg);
        check(text, size, NULL);
        free(text);
        return 0;
}
