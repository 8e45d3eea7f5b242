/* slurp.c: see slurp.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/slurp.h"

int slurp_file(const char *path, size_t max, char **ret_buf)
{
        FILE *f = fopen(path, "r");
        char *buf;
        size_t n;
        int r = 0;

        if (!f)
                return -errno;
        buf = malloc(max + 1);
        if (!buf) {
                fclose(f);
                return -ENOMEM;
        }
        /* One byte more than allowed tells a full file from a too-big one. */
        n = fread(buf, 1, max + 1, f);
        if (ferror(f))
                r = -EIO;
        else if (n > max)
                r = -EFBIG;
        fclose(f);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[n] = '\0';
        *ret_buf = buf;
        return 0;
}
