/* fake_gpiod.c: the kernel side of the fake libgpiod. See fake_gpiod.h. */
#include <stdio.h>
#include <string.h>

#include "fake_gpiod.h"

struct fake_kernel fake_kernel;

void fake_gpiod_reset(void)
{
        memset(&fake_kernel, 0, sizeof(fake_kernel));
}

int fake_gpiod_add_chip(const char *path, const char *label, unsigned nlines)
{
        int i = fake_kernel.nchips++;
        struct fake_kchip *c = &fake_kernel.chip[i];

        snprintf(c->path, sizeof(c->path), "%s", path);
        snprintf(c->label, sizeof(c->label), "%s", label);
        c->nlines = nlines;
        for (unsigned k = 0; k < FAKE_MAX_LINES; k++)
                c->line[k].level = c->line[k].requested_level = -1;
        return i;
}

struct fake_kchip *fake_gpiod_chip(const char *path)
{
        for (int i = 0; i < fake_kernel.nchips; i++)
                if (strcmp(fake_kernel.chip[i].path, path) == 0)
                        return &fake_kernel.chip[i];
        return NULL;
}

const char *fake_gpiod_chip_name(const struct fake_kchip *c)
{
        const char *slash = strrchr(c->path, '/');
        return slash ? slash + 1 : c->path;
}
