/* ds18b20.c: see ds18b20.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/ds18b20.h"
#include "hw/w1_parse.h"

/* w1_slave is 2 lines of about 40 bytes. */
#define W1_TEXT_MAX 256

struct ds18b20 {
        char root[CONFIG_PATH_MAX];
        char id[24];
        int retries;
};

/* Reads a whole small file. -ENODEV when it is not there: for a w1 device
 * that means unplugged or never seen. */
static int read_text(const char *path, char *buf, size_t size, size_t *ret_n)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        size_t n = 0;

        if (fd < 0)
                return errno == ENOENT ? -ENODEV : -errno;
        while (n < size) {
                ssize_t r = read(fd, buf + n, size - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        int e = errno;
                        close(fd);
                        return -e;
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        close(fd);
        if (n == size)
                return -EMSGSIZE;
        *ret_n = n;
        return 0;
}

/* One conversion. 0 with *ret_st set (and *ret_milli for OK and POWER_ON),
 * or -errno when no file could be read. */
static int read_one(const char *root, const char *id, enum w1_status *ret_st,
                    long *ret_milli)
{
        char path[CONFIG_PATH_MAX + 48], text[W1_TEXT_MAX];
        size_t n;
        int rc;

        snprintf(path, sizeof(path), "%s/%s/temperature", root, id);
        rc = read_text(path, text, sizeof(text), &n);
        if (rc == 0) {
                *ret_st = w1_parse_temperature(text, n, ret_milli);
                return 0;
        }
        snprintf(path, sizeof(path), "%s/%s/w1_slave", root, id);
        rc = read_text(path, text, sizeof(text), &n);
        if (rc < 0)
                return rc;
        *ret_st = w1_parse_slave(text, n, ret_milli);
        return 0;
}

static int read_retrying(const char *root, const char *id, int retries,
                         double *ret_c)
{
        enum w1_status st = W1_MALFORMED;
        long milli = 0;

        for (int attempt = 0; attempt <= retries; attempt++) {
                int rc = read_one(root, id, &st, &milli);
                if (rc < 0)
                        return rc;
                if (st == W1_OK)
                        break;
        }
        switch (st) {
        case W1_OK:
        case W1_POWER_ON:
                /* 85.000 exactly: the supervisor knows it for a reset. */
                *ret_c = (double)milli / 1000.0;
                return 0;
        case W1_CRC_BAD:
                return -EBADMSG;
        default:
                return -EPROTO;
        }
}

static int ds_read(void *ctx, double *ret_c)
{
        struct ds18b20 *d = ctx;
        return read_retrying(d->root, d->id, d->retries, ret_c);
}

static void ds_close(void *ctx)
{
        free(ctx);
}

static const struct sensor_ops ds18b20_ops = {
        .name = "ds18b20",
        .read = ds_read,
        .close = ds_close,
};

int ds18b20_open(const struct ds18b20_cfg *cfg, struct sensor *ret)
{
        struct ds18b20 *d = calloc(1, sizeof(*d));

        if (!d)
                return -ENOMEM;
        snprintf(d->root, sizeof(d->root), "%s", cfg->w1_root);
        snprintf(d->id, sizeof(d->id), "%s", cfg->id);
        d->retries = cfg->retries;
        *ret = (struct sensor){ &ds18b20_ops, d };
        return 0;
}

int ds18b20_read_once(const char *w1_root, const char *id, double *ret_c)
{
        return read_retrying(w1_root, id, 1, ret_c);
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int ds18b20_list(const char *w1_root,
                 void (*fn)(void *ctx, const char *id), void *ctx)
{
        /* A 1-Wire bus holds a handful of devices; more than 64 is not a
         * heating pad. */
        char *ids[64];
        int n = 0;
        struct dirent *de;
        DIR *dir = opendir(w1_root);

        if (!dir)
                return -errno;
        while ((de = readdir(dir)) && n < 64)
                if (strncmp(de->d_name, "28-", 3) == 0 &&
                    (ids[n] = strdup(de->d_name)))
                        n++;
        closedir(dir);
        qsort(ids, (size_t)n, sizeof(ids[0]), cmp_names);
        for (int i = 0; i < n; i++) {
                fn(ctx, ids[i]);
                free(ids[i]);
        }
        return n;
}
