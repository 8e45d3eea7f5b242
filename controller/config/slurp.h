/* slurp.h: reads a small file (a config, the state file) whole. */
#ifndef HEATPAD_SLURP_H
#define HEATPAD_SLURP_H

#include <stddef.h>

/* Reads path into a malloc'd, NUL-terminated buffer. 0; -EFBIG when the
 * file holds more than max bytes; or -errno from opening or reading.
 * *ret_buf is set only on success (the caller frees it). */
int slurp_file(const char *path, size_t max, char **ret_buf);

#endif
