/* state_file.c: the state file on disk: written atomically, read with a
 * copy kept of what could not be read or is newer than this version. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/slurp.h"
#include "daemon/state.h"

#define STATE_MAX_BYTES (1024 * 1024)

static int write_all(int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                buf += n;
                len -= (size_t)n;
        }
        return 0;
}

static int fsync_dir_of(const char *path)
{
        char copy[PATH_MAX];
        int fd, r = 0;

        snprintf(copy, sizeof(copy), "%s", path);
        fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                r = -errno;
        close(fd);
        return r;
}

int state_save(const char *path, const struct state_data *st)
{
        char tmp[PATH_MAX];
        struct stat sb;
        char *json;
        int fd, r;

        /* The rename would replace a device or a symlink itself. */
        if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
                return -EPERM;
        json = state_to_json(st);
        if (!json)
                return -ENOMEM;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
                free(json);
                return -ENAMETOOLONG;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
                r = -errno;
                free(json);
                return r;
        }
        /* A failed write of the last byte must stop the rename too: an
         * unsynced file must never replace the good one. */
        r = write_all(fd, json, strlen(json));
        if (r == 0)
                r = write_all(fd, "\n", 1);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        free(json);
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        return fsync_dir_of(path);
}

/* Copies the file at path to path + suffix, never over an earlier copy
 * (two bad starts in one second: that is someone's evidence too), and only
 * a regular file: a device or a symlink is not this daemon's to take
 * apart. 0 with the copy's name in ret, or -errno (-EPERM: not a regular
 * file). */
static int keep_copy(const char *path, const char *suffix, char *ret,
                     size_t retlen)
{
        struct stat sb;
        char chunk[8192];
        int in, out = -1, r = 0;
        ssize_t n;

        in = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (in < 0)
                return errno == ELOOP ? -EPERM : -errno;
        if (fstat(in, &sb) < 0 || !S_ISREG(sb.st_mode)) {
                close(in);
                return -EPERM;
        }
        for (int i = 0; i < 100 && out < 0; i++) {
                if (i == 0)
                        snprintf(ret, retlen, "%s%s", path, suffix);
                else
                        snprintf(ret, retlen, "%s%s-%d", path, suffix, i);
                out = open(ret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (out < 0 && errno != EEXIST)
                        break;
        }
        if (out < 0) {
                r = -errno;
                close(in);
                return r;
        }
        while (r == 0 && (n = read(in, chunk, sizeof(chunk))) != 0) {
                if (n < 0)
                        r = errno == EINTR ? 0 : -errno;
                else
                        r = write_all(out, chunk, (size_t)n);
        }
        if (r == 0 && fsync(out) < 0)
                r = -errno;
        if (close(out) < 0 && r == 0)
                r = -errno;
        close(in);
        if (r < 0)
                unlink(ret);
        return r;
}

static void append(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void append(char *err, size_t errlen, const char *fmt, ...)
{
        size_t used = strlen(err);
        va_list ap;

        if (used + 1 >= errlen)
                return;
        va_start(ap, fmt);
        vsnprintf(err + used, errlen - used, fmt, ap);
        va_end(ap);
}

int state_load(const char *path, struct state_data *ret, char *err,
               size_t errlen)
{
        char copy[PATH_MAX], suffix[48];
        char *buf;
        int r, c;

        memset(ret, 0, sizeof(*ret));
        ret->hold_left_s = -1;
        err[0] = '\0';
        r = slurp_file(path, STATE_MAX_BYTES, &buf);
        if (r == -EFBIG) {
                snprintf(err, errlen, "larger than %d bytes", STATE_MAX_BYTES);
                ret->record.unreadable = true;
                buf = NULL;
                r = -EINVAL;
        } else if (r < 0) {
                snprintf(err, errlen, "%s", strerror(-r));
                return r;
        } else {
                r = state_from_json(buf, ret, err, errlen);
        }
        if (r == -EINVAL) {
                snprintf(suffix, sizeof(suffix), ".corrupt-%lld",
                         (long long)time(NULL));
                c = keep_copy(path, suffix, copy, sizeof(copy));
                if (c == 0)
                        append(err, errlen, "; a copy of the file is kept "
                               "at %s", copy);
                else
                        append(err, errlen, "; no copy of the file kept: %s",
                               c == -EPERM ? "not a regular file" :
                               strerror(-c));
        }
        if (ret->version > STATE_VERSION) {
                /* Before this version's first write replaces it. */
                snprintf(suffix, sizeof(suffix), ".v%d", ret->version);
                c = keep_copy(path, suffix, copy, sizeof(copy));
                append(err, errlen, "%sversion %d is newer than this daemon "
                       "writes (%d): read what this version knows", err[0] ?
                       "; " : "", ret->version, STATE_VERSION);
                if (c == 0)
                        append(err, errlen, ", the file is kept at %s", copy);
                else
                        append(err, errlen, ", no copy kept (%s), so it is "
                               "not written over", c == -EPERM ?
                               "not a regular file" : strerror(-c));
                ret->keep_file = c < 0;
        }
        free(buf);
        return r;
}
