/* http_static.h: the page's files, from the web folder only.
 *
 * A URL names a file under the folder in at most HTTP_STATIC_DEPTH
 * segments ("app.js", "icons/icon-192.png", "i18n/de/page.json"), each
 * made of letters, digits, '.', '_' and '-' and not starting with a dot.
 * Anything else ("..", "//", "%2f", hidden files) is refused before the
 * file system is asked, and each segment is opened relative to the one
 * before without following a symbolic link.
 *
 * Text files go out gzip-compressed when the client accepts it: each is
 * compressed once and kept in memory (bounded, HTTP_STATIC_CACHE_BYTES)
 * until it changes on disk. Every answer carries an ETag of the file's
 * identity (inode, size, modification time) and its encoding, so a page
 * marked "no-cache" revalidates with a 304 and no body. */
#ifndef HEATPAD_HTTP_STATIC_H
#define HEATPAD_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_STATIC_DEPTH 3
#define HTTP_STATIC_CACHE_FILES 48
#define HTTP_STATIC_CACHE_BYTES (1024 * 1024)   /* compressed, all files */
#define HTTP_STATIC_GZIP_MAX (512 * 1024)       /* larger files go plain */

/* The file a URL path names ("/" is index.html) into ret (size >= 2), or
 * false when the path may not be served. Pure. */
bool http_static_name(const char *url, char *ret, size_t size);

/* The Content-Type for a file name, by its extension. Pure. */
const char *http_static_type(const char *name);

/* Whether a file of that name is text worth compressing. Pure. */
bool http_static_compressible(const char *name);

/* Whether an Accept-Encoding value (NULL: absent) accepts gzip. Pure. */
bool http_static_accepts_gzip(const char *accept_encoding);

/* Whether an If-None-Match value (NULL: absent) names etag. Pure. */
bool http_static_etag_matches(const char *if_none_match, const char *etag);

/* Opens the named file under the folder root_fd: 0 with *ret_fd and
 * *ret_size, or -errno (-ENOENT also for anything not a regular file and
 * for a symbolic link on the way). */
int http_static_open(int root_fd, const char *name, int *ret_fd,
                     uint64_t *ret_size);

/* The files of one web folder and their compressed copies. */
struct http_static;

/* What to send for a GET or HEAD of a file. */
struct http_static_file {
        unsigned status;                /* 200, or 304 (no body) */
        int fd;                         /* >= 0: size bytes of this file,
                                         * plain; the caller closes it */
        const void *data;               /* else the body (gzip), valid
                                         * until the next http_static_get */
        uint64_t size;
        const char *type;               /* Content-Type */
        const char *encoding;           /* "gzip", or NULL */
        const char *cache_control;
        char etag[64];
        char last_modified[32];         /* an HTTP date */
};

/* A cache over the folder root_fd (not closed by http_static_free), or
 * NULL without memory. */
struct http_static *http_static_new(int root_fd);
void http_static_free(struct http_static *s);

/* The answer to a GET of url, given the request's Accept-Encoding and
 * If-None-Match (NULL: absent): 0 and *ret, -ENOENT when there is no such
 * file to serve, or another -errno (*ret untouched on failure). A file
 * that cannot be compressed (no memory, too large) goes plain. */
int http_static_get(struct http_static *s, const char *url,
                    const char *accept_encoding, const char *if_none_match,
                    struct http_static_file *ret);

#endif
