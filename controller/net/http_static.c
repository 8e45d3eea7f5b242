/* http_static.c: see http_static.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/http_static.h"

#define NAME_MAX_LEN 64

bool http_static_name(const char *url, char *ret, size_t size)
{
        if (!url || url[0] != '/')
                return false;
        const char *name = url[1] ? url + 1 : "index.html";
        size_t n = strlen(name);
        if (n >= NAME_MAX_LEN || n + 1 > size || name[0] == '.')
                return false;
        for (const char *p = name; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
                        return false;
        }
        memcpy(ret, name, n + 1);
        return true;
}

const char *http_static_type(const char *name)
{
        static const struct { const char *ext, *type; } types[] = {
                { ".html", "text/html; charset=utf-8" },
                { ".css", "text/css; charset=utf-8" },
                { ".js", "text/javascript; charset=utf-8" },
                { ".svg", "image/svg+xml" },
                { ".png", "image/png" },
                { ".ico", "image/x-icon" },
                { ".json", "application/json" },
                { ".webmanifest", "application/manifest+json" },
                { ".txt", "text/plain; charset=utf-8" },
        };
        const char *dot = strrchr(name, '.');
        for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(dot, types[i].ext) == 0)
                        return types[i].type;
        return "application/octet-stream";
}

int http_static_open(int root_fd, const char *name, int *ret_fd,
                     uint64_t *ret_size)
{
        struct stat st;
        int fd = openat(root_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                        O_NONBLOCK);
        if (fd < 0)
                return errno == ELOOP ? -ENOENT : -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -ENOENT;
        }
        *ret_fd = fd;
        *ret_size = (uint64_t)st.st_size;
        return 0;
}
