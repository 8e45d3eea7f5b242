/* http_static.c: see http_static.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "net/http_static.h"

#define NAME_MAX_LEN 64

/* One file's compressed copy, valid while the file keeps its identity. */
struct cached {
        char name[NAME_MAX_LEN];        /* "": a free slot */
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime;
        unsigned char *gz;              /* NULL: not worth it (kept so) */
        size_t gz_len;
        uint64_t used;                  /* for evicting the least recent */
};

struct http_static {
        int root_fd;
        uint64_t clock;                 /* counts lookups */
        size_t bytes;                   /* sum of gz_len */
        struct cached files[HTTP_STATIC_CACHE_FILES];
};

static bool name_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool http_static_name(const char *url, char *ret, size_t size)
{
        if (!url || url[0] != '/')
                return false;
        const char *name = url[1] ? url + 1 : "index.html";
        size_t n = strlen(name);
        int segments = 1;
        if (n >= NAME_MAX_LEN || n + 1 > size)
                return false;
        /* Every segment non-empty and not starting with a dot: no "..",
         * no hidden file, no "a//b", no trailing "/". */
        for (const char *p = name; *p; p++) {
                bool start = p == name || p[-1] == '/';
                if (*p == '/') {
                        if (start || !p[1] || ++segments > HTTP_STATIC_DEPTH)
                                return false;
                } else if (!name_char(*p) || (start && *p == '.')) {
                        return false;
                }
        }
        memcpy(ret, name, n + 1);
        return true;
}

static const struct {
        const char *ext, *type;
        bool text;
} types[] = {
        { ".html", "text/html; charset=utf-8", true },
        { ".css", "text/css; charset=utf-8", true },
        { ".js", "text/javascript; charset=utf-8", true },
        { ".json", "application/json", true },
        { ".webmanifest", "application/manifest+json", true },
        { ".svg", "image/svg+xml", true },
        { ".txt", "text/plain; charset=utf-8", true },
        /* Already compressed inside. */
        { ".png", "image/png", false },
        { ".ico", "image/x-icon", false },
};

static int type_index(const char *name)
{
        const char *dot = strrchr(name, '.');
        for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(dot, types[i].ext) == 0)
                        return (int)i;
        return -1;
}

const char *http_static_type(const char *name)
{
        int i = type_index(name);
        return i < 0 ? "application/octet-stream" : types[i].type;
}

bool http_static_compressible(const char *name)
{
        int i = type_index(name);
        return i >= 0 && types[i].text;
}

/* The next comma-separated element of a header list, trimmed, into
 * [*ret_start, *ret_end); false at the end. */
static bool next_element(const char **p, const char **ret_start,
                         const char **ret_end)
{
        const char *s = *p;
        while (*s == ' ' || *s == '\t' || *s == ',')
                s++;
        if (!*s)
                return false;
        const char *e = s;
        while (*e && *e != ',')
                e++;
        *p = e;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
        *ret_start = s;
        *ret_end = e;
        return true;
}

bool http_static_accepts_gzip(const char *accept_encoding)
{
        const char *p = accept_encoding, *s, *e;
        bool star = false, gzip = false, gzip_named = false;

        while (p && next_element(&p, &s, &e)) {
                const char *name_end = s;
                while (name_end < e && *name_end != ';' && *name_end != ' ' &&
                       *name_end != '\t')
                        name_end++;
                size_t len = (size_t)(name_end - s);
                /* "q=0" (or 0.0, 0.00...) refuses a coding. */
                bool refused = false;
                for (const char *q = name_end; q + 1 < e; q++)
                        if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
                                char buf[8] = "";
                                size_t n = (size_t)(e - (q + 2));
                                memcpy(buf, q + 2, n < 7 ? n : 7);
                                refused = strtod(buf, NULL) <= 0.0;
                                break;
                        }
                if (len == 4 && strncasecmp(s, "gzip", 4) == 0) {
                        gzip_named = true;
                        gzip = !refused;
                } else if (len == 1 && *s == '*') {
                        star = !refused;
                }
        }
        return gzip_named ? gzip : star;
}

bool http_static_etag_matches(const char *if_none_match, const char *etag)
{
        const char *p = if_none_match, *s, *e;
        size_t n = strlen(etag);

        while (p && next_element(&p, &s, &e)) {
                if (e - s == 1 && *s == '*')
                        return true;
                if (e - s >= 2 && s[0] == 'W' && s[1] == '/')
                        s += 2;         /* weak comparison, as for a GET */
                if ((size_t)(e - s) == n && memcmp(s, etag, n) == 0)
                        return true;
        }
        return false;
}

int http_static_open(int root_fd, const char *name, int *ret_fd,
                     uint64_t *ret_size)
{
        char seg[NAME_MAX_LEN];
        const char *p = name;
        int dir = root_fd, fd = -1;
        struct stat st;

        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);
                if (n == 0 || n >= sizeof(seg)) {
                        fd = -1;
                        errno = ENOENT;
                        break;
                }
                memcpy(seg, p, n);
                seg[n] = '\0';
                fd = openat(dir, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                            O_NONBLOCK | (slash ? O_DIRECTORY : 0));
                int saved = errno;
                if (dir != root_fd)
                        close(dir);
                errno = saved;
                if (fd < 0 || !slash)
                        break;
                dir = fd;
                p = slash + 1;
        }
        if (fd < 0)
                return errno == ELOOP || errno == ENOTDIR ? -ENOENT : -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -ENOENT;
        }
        *ret_fd = fd;
        *ret_size = (uint64_t)st.st_size;
        return 0;
}

struct http_static *http_static_new(int root_fd)
{
        struct http_static *s = calloc(1, sizeof(*s));
        if (s)
                s->root_fd = root_fd;
        return s;
}

static void drop(struct http_static *s, struct cached *c)
{
        s->bytes -= c->gz_len;
        free(c->gz);
        memset(c, 0, sizeof(*c));
}

void http_static_free(struct http_static *s)
{
        if (!s)
                return;
        for (int i = 0; i < HTTP_STATIC_CACHE_FILES; i++)
                drop(s, &s->files[i]);
        free(s);
}

/* The whole file into a gzip stream: 0 with *ret (malloc'd; NULL when the
 * copy would not be smaller) or -errno. */
static int gzip_file(int fd, size_t size, unsigned char **ret, size_t *ret_len)
{
        unsigned char *in = malloc(size ? size : 1), *out = NULL;
        size_t got = 0;
        int rc = -ENOMEM;

        if (!in)
                return -ENOMEM;
        while (got < size) {
                ssize_t n = pread(fd, in + got, size - got, (off_t)got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        rc = n < 0 ? -errno : -EIO;     /* shrank meanwhile */
                        goto out;
                }
                got += (size_t)n;
        }
        z_stream z = { 0 };
        /* 15 + 16: a gzip header and trailer, which Content-Encoding: gzip
         * means (zlib's own format would be "deflate", which browsers
         * have read inconsistently). */
        if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY)
            != Z_OK)
                goto out;
        uLong bound = deflateBound(&z, (uLong)size);
        out = malloc(bound);
        if (out) {
                z.next_in = in;
                z.avail_in = (uInt)size;
                z.next_out = out;
                z.avail_out = (uInt)bound;
                if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
                        rc = 0;
                        *ret_len = z.total_out;
                } else {
                        rc = -EIO;
                }
        }
        deflateEnd(&z);
        if (rc == 0 && *ret_len >= size) {
                free(out);              /* no gain: send it plain */
                out = NULL;
                *ret_len = 0;
        }
        if (rc == 0)
                *ret = out;
        else
                free(out);
out:
        free(in);
        return rc;
}

static bool same_file(const struct cached *c, const struct stat *st)
{
        return c->dev == st->st_dev && c->ino == st->st_ino &&
               c->size == st->st_size &&
               c->mtime.tv_sec == st->st_mtim.tv_sec &&
               c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The cache's entry for this file as it is now, compressing it if needed;
 * NULL when it cannot be kept (no memory, or too large). */
static struct cached *lookup(struct http_static *s, const char *name, int fd,
                             const struct stat *st)
{
        struct cached *c = NULL, *victim = &s->files[0];

        s->clock++;
        for (int i = 0; i < HTTP_STATIC_CACHE_FILES; i++) {
                struct cached *e = &s->files[i];
                if (e->name[0] && strcmp(e->name, name) == 0)
                        c = e;
                if (!e->name[0] ? victim->name[0] : e->used < victim->used)
                        victim = e;
        }
        if (c && same_file(c, st)) {
                c->used = s->clock;
                return c;
        }
        if (c)
                drop(s, c);             /* changed on disk */
        if (st->st_size > HTTP_STATIC_GZIP_MAX)
                return NULL;
        unsigned char *gz = NULL;
        size_t len = 0;
        if (gzip_file(fd, (size_t)st->st_size, &gz, &len) < 0)
                return NULL;
        /* Room: the least recently used go first. */
        c = c ? c : victim;
        if (c->name[0])
                drop(s, c);
        while (s->bytes + len > HTTP_STATIC_CACHE_BYTES) {
                struct cached *old = NULL;
                for (int i = 0; i < HTTP_STATIC_CACHE_FILES; i++) {
                        struct cached *e = &s->files[i];
                        if (e->gz && (!old || e->used < old->used))
                                old = e;
                }
                if (!old)
                        break;
                drop(s, old);
        }
        if (s->bytes + len > HTTP_STATIC_CACHE_BYTES) {
                free(gz);
                return NULL;
        }
        snprintf(c->name, sizeof(c->name), "%s", name);
        c->dev = st->st_dev;
        c->ino = st->st_ino;
        c->size = st->st_size;
        c->mtime = st->st_mtim;
        c->gz = gz;
        c->gz_len = len;
        c->used = s->clock;
        s->bytes += len;
        return c;
}

/* An HTTP date (RFC 9110, IMF-fixdate), in no locale. */
static void http_date(time_t t, char *ret, size_t size)
{
        static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
                                        "Fri", "Sat" };
        static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
                                          "Jun", "Jul", "Aug", "Sep", "Oct",
                                          "Nov", "Dec" };
        struct tm tm;
        if (!gmtime_r(&t, &tm)) {
                ret[0] = '\0';
                return;
        }
        snprintf(ret, size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int http_static_get(struct http_static *s, const char *url,
                    const char *accept_encoding, const char *if_none_match,
                    struct http_static_file *ret)
{
        char name[NAME_MAX_LEN];
        struct http_static_file f = { .status = 200, .fd = -1,
                                      .cache_control = "no-cache" };
        struct stat st;
        uint64_t size;
        int fd, rc;

        if (!http_static_name(url, name, sizeof(name)))
                return -ENOENT;
        rc = http_static_open(s->root_fd, name, &fd, &size);
        if (rc < 0)
                return rc;
        if (fstat(fd, &st) < 0) {
                rc = -errno;
                close(fd);
                return rc;
        }
        f.type = http_static_type(name);
        struct cached *c = NULL;
        if (http_static_compressible(name) &&
            http_static_accepts_gzip(accept_encoding))
                c = lookup(s, name, fd, &st);
        bool gz = c && c->gz;
        snprintf(f.etag, sizeof(f.etag), "\"%llx-%llx-%llx%s\"",
                 (unsigned long long)st.st_ino, (unsigned long long)size,
                 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec, gz ? "-gz" : "");
        http_date(st.st_mtim.tv_sec, f.last_modified, sizeof(f.last_modified));
        if (http_static_etag_matches(if_none_match, f.etag)) {
                close(fd);
                f.status = 304;
        } else if (gz) {
                close(fd);
                f.data = c->gz;
                f.size = c->gz_len;
                f.encoding = "gzip";
        } else {
                f.fd = fd;
                f.size = size;
        }
        *ret = f;
        return 0;
}
