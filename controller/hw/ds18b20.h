/* ds18b20.h: a DS18B20 read through the kernel's w1 sysfs.
 *
 * Reads <w1_root>/<id>/temperature when the kernel offers it, else
 * <w1_root>/<id>/w1_slave (both block for the ~750 ms conversion, so reads
 * belong on a reader thread). A CRC NO, a malformed answer or the power-on
 * 85000 is read again up to `retries` times; a lasting 85000 is passed on
 * as 85.0 so the supervisor latches sensor_power_on. A device that is
 * missing, or vanishes mid-session, is -ENODEV. The root is configurable so
 * tests point it at a directory of the same shape. */
#ifndef HEATPAD_HW_DS18B20_H
#define HEATPAD_HW_DS18B20_H

#include <stddef.h>

#include "config/config.h"
#include "hw/hw.h"

/* Fills ret with a DS18B20 sensor. Does not touch the device (a sensor
 * that is not there yet is a read error, not a start-up failure). 0 or
 * -errno. */
int ds18b20_open(const struct ds18b20_cfg *cfg, struct sensor *ret);

/* Reads once as the sensor would: 0 and degC, or -errno. For --probe. */
int ds18b20_read_once(const char *w1_root, const char *id, double *ret_c);

/* Calls fn for each DS18B20 ("28-...") under w1_root, sorted by id.
 * Returns how many, or -errno when w1_root cannot be read. */
int ds18b20_list(const char *w1_root,
                 void (*fn)(void *ctx, const char *id), void *ctx);

#endif
