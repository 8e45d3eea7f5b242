/* http_static.h: the page's files, from the web folder only.
 *
 * The folder is flat (index.html, app.js, style.css, ...): a URL names one
 * file directly under it, made of letters, digits, '.', '_' and '-', not
 * starting with a dot. Anything else ("..", "/", "%2f", hidden files) is
 * refused before the file system is asked, and the file is opened relative
 * to the folder without following a symbolic link. */
#ifndef HEATPAD_HTTP_STATIC_H
#define HEATPAD_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file a URL path names ("/" is index.html) into ret (size >= 2), or
 * false when the path may not be served. Pure. */
bool http_static_name(const char *url, char *ret, size_t size);

/* The Content-Type for a file name, by its extension. Pure. */
const char *http_static_type(const char *name);

/* Opens the named file under the folder root_fd: 0 with *ret_fd and
 * *ret_size, or -errno (-ENOENT also for anything not a regular file). */
int http_static_open(int root_fd, const char *name, int *ret_fd,
                     uint64_t *ret_size);

#endif
