/* alloff.c: see alloff.h. */
#include "daemon/alloff.h"
#include "hw/hw.h"
#include "hw/modbus_link.h"
#include "daemon/vclock.h"

int alloff_run(const struct config *cfg, FILE *out, FILE *err)
{
        struct vclock clock;
        struct mb_registry modbus = { 0 };
        struct hw_env env = { &clock, -1, &modbus, NULL };
        int failed = 0;

        vclock_init(&clock, 1, -1);
        for (int i = 0; i < cfg->nzones; i++) {
                char why[256];

                if (hw_relay_off(&cfg->zones[i], i, &env, why,
                                 sizeof(why)) < 0) {
                        fprintf(err, "%s: relay NOT switched off: %s\n",
                                cfg->zones[i].name, why);
                        failed++;
                        continue;
                }
                fprintf(out, "%s: relay off\n", cfg->zones[i].name);
        }
        fflush(out);
        return failed ? 1 : 0;
}
