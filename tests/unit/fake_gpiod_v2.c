/* fake_gpiod_v2.c: the libgpiod 2.x calls gpio_v2.c makes, over the fake
 * kernel (fake_gpiod.h), with 2.x's contract: settings and configs are
 * plain objects until gpiod_chip_request_lines() hands them to the
 * kernel, which takes the direction and the output value from them.
 * Linked instead of -lgpiod. */
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_gpiod.h"

struct gpiod_chip {
        struct fake_kchip *k;
};

struct gpiod_chip_info {
        struct fake_kchip *k;
};

struct gpiod_line_info {
        struct fake_kline l;
};

struct gpiod_line_settings {
        enum gpiod_line_direction direction;
        enum gpiod_line_value value;
        enum gpiod_line_edge edge;
        enum gpiod_line_bias bias;
        bool active_low;
};

struct gpiod_line_config {
        unsigned offsets[FAKE_MAX_LINES];
        struct gpiod_line_settings settings[FAKE_MAX_LINES];
        size_t n;
};

struct gpiod_request_config {
        char consumer[32];
};

struct gpiod_line_request {
        struct fake_kchip *k;
        unsigned offsets[FAKE_MAX_LINES];
        size_t n;
};

struct gpiod_chip *gpiod_chip_open(const char *path)
{
        struct fake_kchip *k = fake_gpiod_chip(path);
        struct gpiod_chip *c;

        if (!k) {
                errno = ENOENT;
                return NULL;
        }
        c = calloc(1, sizeof(*c));
        c->k = k;
        fake_kernel.open_handles++;
        return c;
}

/* Unlike 1.6, closing the chip leaves its requests alone. */
void gpiod_chip_close(struct gpiod_chip *chip)
{
        if (!chip)
                return;
        fake_kernel.open_handles--;
        free(chip);
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
        struct gpiod_chip_info *i = calloc(1, sizeof(*i));
        i->k = chip->k;
        return i;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
        free(info);
}

const char *gpiod_chip_info_get_name(struct gpiod_chip_info *info)
{
        return fake_gpiod_chip_name(info->k);
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
        return info->k->label;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
        return info->k->nlines;
}

struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip,
                                                 unsigned int offset)
{
        struct gpiod_line_info *i;

        if (offset >= chip->k->nlines) {
                errno = EINVAL;
                return NULL;
        }
        i = calloc(1, sizeof(*i));
        i->l = chip->k->line[offset];
        return i;
}

void gpiod_line_info_free(struct gpiod_line_info *info)
{
        free(info);
}

const char *gpiod_line_info_get_name(struct gpiod_line_info *info)
{
        return info->l.name[0] ? info->l.name : NULL;
}

bool gpiod_line_info_is_used(struct gpiod_line_info *info)
{
        return info->l.held;
}

const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
        return info->l.consumer[0] ? info->l.consumer : NULL;
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
        struct gpiod_line_settings *s = calloc(1, sizeof(*s));
        s->direction = GPIOD_LINE_DIRECTION_AS_IS;
        s->value = GPIOD_LINE_VALUE_INACTIVE;
        return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
        free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings,
                                      enum gpiod_line_direction direction)
{
        settings->direction = direction;
        return 0;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings,
                                         enum gpiod_line_value value)
{
        if (value != GPIOD_LINE_VALUE_ACTIVE &&
            value != GPIOD_LINE_VALUE_INACTIVE) {
                errno = EINVAL;
                return -1;
        }
        settings->value = value;
        return 0;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
        return calloc(1, sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
        free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config,
                                        const unsigned int *offsets,
                                        size_t num_offsets,
                                        struct gpiod_line_settings *settings)
{
        for (size_t i = 0; i < num_offsets; i++) {
                if (config->n == FAKE_MAX_LINES) {
                        errno = E2BIG;
                        return -1;
                }
                config->offsets[config->n] = offsets[i];
                config->settings[config->n++] = *settings;
        }
        return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
        return calloc(1, sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
        free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config,
                                       const char *consumer)
{
        snprintf(config->consumer, sizeof(config->consumer), "%s", consumer);
}

struct gpiod_line_request *
gpiod_chip_request_lines(struct gpiod_chip *chip,
                         struct gpiod_request_config *req_cfg,
                         struct gpiod_line_config *line_cfg)
{
        struct gpiod_line_request *r;

        if (!line_cfg || line_cfg->n == 0) {
                errno = EINVAL;
                return NULL;
        }
        for (size_t i = 0; i < line_cfg->n; i++) {
                if (line_cfg->offsets[i] >= chip->k->nlines) {
                        errno = EINVAL;
                        return NULL;
                }
                if (chip->k->line[line_cfg->offsets[i]].held) {
                        errno = EBUSY;
                        return NULL;
                }
        }
        r = calloc(1, sizeof(*r));
        r->k = chip->k;
        for (size_t i = 0; i < line_cfg->n; i++) {
                struct fake_kline *kl = &chip->k->line[line_cfg->offsets[i]];
                const struct gpiod_line_settings *s = &line_cfg->settings[i];
                kl->held = true;
                kl->output = s->direction == GPIOD_LINE_DIRECTION_OUTPUT;
                if (kl->output)
                        kl->level = kl->requested_level =
                                s->value == GPIOD_LINE_VALUE_ACTIVE;
                kl->active_low = s->active_low;
                kl->pull_up = s->bias == GPIOD_LINE_BIAS_PULL_UP;
                kl->pull_down = s->bias == GPIOD_LINE_BIAS_PULL_DOWN;
                if (!kl->output && s->edge == GPIOD_LINE_EDGE_BOTH)
                        fake_kline_edges_open(kl);
                snprintf(kl->consumer, sizeof(kl->consumer), "%s",
                         req_cfg ? req_cfg->consumer : "?");
                r->offsets[r->n++] = line_cfg->offsets[i];
        }
        fake_kernel.open_handles++;
        return r;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request,
                                 unsigned int offset,
                                 enum gpiod_line_value value)
{
        size_t i;

        for (i = 0; i < request->n && request->offsets[i] != offset; i++)
                ;
        if (i == request->n || !request->k->line[offset].output) {
                errno = EINVAL;
                return -1;
        }
        if (fake_kernel.set_errno) {
                errno = fake_kernel.set_errno;
                return -1;
        }
        request->k->line[offset].level = value == GPIOD_LINE_VALUE_ACTIVE;
        return 0;
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
        if (!request)
                return;
        for (size_t i = 0; i < request->n; i++) {
                struct fake_kline *kl = &request->k->line[request->offsets[i]];
                fake_kline_edges_close(kl);
                kl->held = false;
                kl->consumer[0] = '\0';
        }
        fake_kernel.open_handles--;
        free(request);
}

/* The calls button_gpio_v2.c makes: an input with both edges. */
int gpiod_line_settings_set_edge_detection(struct gpiod_line_settings *settings,
                                           enum gpiod_line_edge edge)
{
        settings->edge = edge;
        return 0;
}

int gpiod_line_settings_set_bias(struct gpiod_line_settings *settings,
                                 enum gpiod_line_bias bias)
{
        settings->bias = bias;
        return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings,
                                        bool active_low)
{
        settings->active_low = active_low;
}

int gpiod_line_request_get_fd(struct gpiod_line_request *request)
{
        struct fake_kline *kl = &request->k->line[request->offsets[0]];
        return kl->edges ? kl->ev_fd[0] : -1;
}

struct gpiod_edge_event {
        enum gpiod_edge_event_type type;
};

struct gpiod_edge_event_buffer {
        size_t capacity, n;
        struct gpiod_edge_event ev[64];
};

struct gpiod_edge_event_buffer *gpiod_edge_event_buffer_new(size_t capacity)
{
        struct gpiod_edge_event_buffer *b = calloc(1, sizeof(*b));
        b->capacity = capacity > 64 ? 64 : capacity;
        return b;
}

void gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
{
        free(buffer);
}

struct gpiod_edge_event *
gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *buffer,
                                  unsigned long index)
{
        return index < buffer->n ? &buffer->ev[index] : NULL;
}

enum gpiod_edge_event_type
gpiod_edge_event_get_event_type(struct gpiod_edge_event *event)
{
        return event->type;
}

int gpiod_line_request_read_edge_events(struct gpiod_line_request *request,
                                        struct gpiod_edge_event_buffer *buffer,
                                        size_t max_events)
{
        struct fake_kline *kl = &request->k->line[request->offsets[0]];
        int level;

        buffer->n = 0;
        while (buffer->n < max_events && buffer->n < buffer->capacity &&
               fake_kline_pop_edge(kl, &level) == 0)
                buffer->ev[buffer->n++].type = (level ^ kl->active_low) ?
                        GPIOD_EDGE_EVENT_RISING_EDGE :
                        GPIOD_EDGE_EVENT_FALLING_EDGE;
        return buffer->n ? (int)buffer->n : -1;
}

enum gpiod_line_value
gpiod_line_request_get_value(struct gpiod_line_request *request,
                             unsigned int offset)
{
        struct fake_kline *kl = &request->k->line[offset];
        return (fake_kline_input_level(kl) ^ kl->active_low) ?
               GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}
