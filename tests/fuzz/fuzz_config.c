/* Fuzzes config_parse(): any text is either a config or a list of errors,
 * never a crash, a leak or an overrun of the error lines. */
#include "config/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct config cfg;
        static struct config_errors errs;
        char *text = fuzz_strndup(data, size);

        if (config_parse(text, &cfg, &errs) == 0) {
                if (cfg.nzones < 0 || cfg.nzones > CONFIG_MAX_ZONES)
                        abort();        /* accepted, yet out of range */
        } else if (errs.n < 1 || errs.n > CONFIG_MAX_ERRORS) {
                abort();                /* refused without one reason */
        }
        free(text);
        return 0;
}
