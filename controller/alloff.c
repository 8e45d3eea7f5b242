/* alloff.c: see alloff.h. */
#include "alloff.h"
#include "hw/hw.h"
#include "vclock.h"

int alloff_run(const struct config *cfg, FILE *out, FILE *err)
{
        struct vclock clock;
        struct hw_env env = { &clock, -1 };
        int failed = 0;

        vclock_init(&clock, 1, -1);
        for (int i = 0; i < cfg->nzones; i++) {
                struct sensor s = { 0 };
                struct relay r = { 0 };
                char why[256];

                if (hw_open_zone(&cfg->zones[i], i, &env, &s, &r, why,
                                 sizeof(why)) < 0) {
                        fprintf(err, "%s: relay NOT switched off: %s\n",
                                cfg->zones[i].name, why);
                        failed++;
                        continue;
                }
                hw_close_zone(&s, &r);
                fprintf(out, "%s: relay off\n", cfg->zones[i].name);
        }
        fflush(out);
        return failed ? 1 : 0;
}
