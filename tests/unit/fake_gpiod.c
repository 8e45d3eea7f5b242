/* fake_gpiod.c: the kernel side of the fake libgpiod. See fake_gpiod.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fake_gpiod.h"

struct fake_kernel fake_kernel;

void fake_gpiod_reset(void)
{
        memset(&fake_kernel, 0, sizeof(fake_kernel));
}

int fake_gpiod_add_chip(const char *path, const char *label, unsigned nlines)
{
        int i = fake_kernel.nchips++;
        struct fake_kchip *c = &fake_kernel.chip[i];

        snprintf(c->path, sizeof(c->path), "%s", path);
        snprintf(c->label, sizeof(c->label), "%s", label);
        c->nlines = nlines;
        for (unsigned k = 0; k < FAKE_MAX_LINES; k++)
                c->line[k].level = c->line[k].requested_level = -1;
        return i;
}

struct fake_kchip *fake_gpiod_chip(const char *path)
{
        for (int i = 0; i < fake_kernel.nchips; i++)
                if (strcmp(fake_kernel.chip[i].path, path) == 0)
                        return &fake_kernel.chip[i];
        return NULL;
}

const char *fake_gpiod_chip_name(const struct fake_kchip *c)
{
        const char *slash = strrchr(c->path, '/');
        return slash ? slash + 1 : c->path;
}

void fake_kline_edges_open(struct fake_kline *kl)
{
        kl->edges = true;
        kl->nq = 0;
        if (pipe2(kl->ev_fd, O_NONBLOCK | O_CLOEXEC) < 0)
                kl->ev_fd[0] = kl->ev_fd[1] = -1;
}

void fake_kline_edges_close(struct fake_kline *kl)
{
        if (!kl->edges)
                return;
        close(kl->ev_fd[0]);
        close(kl->ev_fd[1]);
        kl->edges = false;
        kl->nq = 0;
}

int fake_kline_input_level(const struct fake_kline *kl)
{
        if (kl->level >= 0)
                return kl->level;
        return kl->pull_up ? 1 : 0;
}

int fake_kline_pop_edge(struct fake_kline *kl, int *ret_level)
{
        char c;

        if (!kl->edges || kl->nq == 0 || read(kl->ev_fd[0], &c, 1) != 1) {
                errno = EAGAIN;
                return -1;
        }
        *ret_level = kl->queue[0];
        memmove(kl->queue, kl->queue + 1, (size_t)(--kl->nq) * sizeof(int));
        return 0;
}

void fake_gpiod_drive(const char *path, unsigned offset, int level)
{
        struct fake_kchip *c = fake_gpiod_chip(path);
        struct fake_kline *kl = &c->line[offset];
        int was = fake_kline_input_level(kl);

        kl->level = !!level;
        if (!kl->edges || was == kl->level || kl->nq == 32)
                return;
        kl->queue[kl->nq++] = kl->level;
        if (write(kl->ev_fd[1], "e", 1) != 1)
                kl->nq--;
}
