/* modbus_link.c: see modbus_link.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <modbus/modbus.h>

#include "hw/mb_decode.h"
#include "hw/modbus_link.h"

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 8000

struct mb_link {
        pthread_mutex_t mu;
        struct mb_registry *reg;
        int refs;
        struct mb_link_cfg cfg;
        char name[CONFIG_PATH_MAX + 32];
        modbus_t *ctx;
        bool connected;
        uint64_t retry_at_ms;   /* no reconnect before this */
        uint64_t backoff_ms;    /* the next wait after a failed connect */
        int connect_err;        /* why the last connect failed */
        volatile int fd;        /* for the crash handler: the open fd or -1 */
};

static uint64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool same_device(const struct mb_link_cfg *a,
                        const struct mb_link_cfg *b)
{
        if (a->device[0])
                return strcmp(a->device, b->device) == 0;
        return !b->device[0] && strcmp(a->host, b->host) == 0 &&
               a->port == b->port;
}

static const char parity_char[] = { 'N', 'E', 'O' };

int mb_link_get(struct mb_registry *reg, const struct mb_link_cfg *cfg,
                struct mb_link **ret)
{
        int free_slot = -1;

        for (int i = 0; i < MB_MAX_LINKS; i++) {
                struct mb_link *l = reg->links[i];
                if (!l) {
                        if (free_slot < 0)
                                free_slot = i;
                        continue;
                }
                if (same_device(&l->cfg, cfg)) {
                        pthread_mutex_lock(&l->mu);
                        l->refs++;
                        pthread_mutex_unlock(&l->mu);
                        *ret = l;
                        return 0;
                }
        }
        if (free_slot < 0)
                return -ENOSPC;
        struct mb_link *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        pthread_mutex_init(&l->mu, NULL);
        l->reg = reg;
        l->refs = 1;
        l->cfg = *cfg;
        l->fd = -1;
        if (cfg->device[0])
                snprintf(l->name, sizeof(l->name), "rtu %s %d %d%c%d",
                         cfg->device, cfg->baud, cfg->data_bits,
                         parity_char[cfg->parity], cfg->stop_bits);
        else
                snprintf(l->name, sizeof(l->name), "tcp %s:%d", cfg->host,
                         cfg->port);
        reg->links[free_slot] = l;
        *ret = l;
        return 0;
}

void mb_link_put(struct mb_link *l)
{
        if (!l)
                return;
        pthread_mutex_lock(&l->mu);
        bool last = --l->refs == 0;
        pthread_mutex_unlock(&l->mu);
        if (!last)
                return;
        for (int i = 0; i < MB_MAX_LINKS; i++)
                if (l->reg->links[i] == l)
                        l->reg->links[i] = NULL;
        l->fd = -1;
        if (l->ctx) {
                modbus_close(l->ctx);
                modbus_free(l->ctx);
        }
        pthread_mutex_destroy(&l->mu);
        free(l);
}

const char *mb_link_name(const struct mb_link *l)
{
        return l->name;
}

/* A libmodbus errno as ours. */
static int map_errno(int e)
{
        if (e > MODBUS_ENOBASE && e <= EMBXGTAR)
                return -EREMOTEIO;
        if (e > EMBXGTAR)
                return e == EMBMDATA ? -EMSGSIZE : -EBADMSG;
        return e ? -e : -EIO;
}

static void drop(struct mb_link *l)
{
        l->fd = -1;
        if (l->connected)
                modbus_close(l->ctx);
        l->connected = false;
}

int mb_link_fd(const struct mb_link *l)
{
        return l->fd;
}

bool mb_link_is_rtu(const struct mb_link *l)
{
        return l->cfg.device[0] != '\0';
}

/* Connects unless connected; respects the backoff. Caller holds mu. */
static int ensure(struct mb_link *l)
{
        const struct mb_link_cfg *c = &l->cfg;
        uint64_t now = now_ms();

        if (l->connected)
                return 0;
        if (l->backoff_ms && now < l->retry_at_ms)
                return l->connect_err;
        if (!l->ctx) {
                l->ctx = c->device[0] ?
                         modbus_new_rtu(c->device, c->baud,
                                        parity_char[c->parity], c->data_bits,
                                        c->stop_bits) :
                         modbus_new_tcp(c->host, c->port);
                if (!l->ctx)
                        return -ENOMEM;
                modbus_set_response_timeout(l->ctx,
                                            (uint32_t)(c->timeout_ms / 1000),
                                            (uint32_t)(c->timeout_ms % 1000) *
                                            1000);
        }
        if (modbus_connect(l->ctx) < 0) {
                l->connect_err = map_errno(errno);
                if (l->connect_err == -ENOENT || l->connect_err == -EIO)
                        l->connect_err = -ENODEV;
                l->backoff_ms = l->backoff_ms ?
                                l->backoff_ms * 2 : BACKOFF_FIRST_MS;
                if (l->backoff_ms > BACKOFF_MAX_MS)
                        l->backoff_ms = BACKOFF_MAX_MS;
                l->retry_at_ms = now + l->backoff_ms;
                return l->connect_err;
        }
        l->connected = true;
        l->fd = modbus_get_socket(l->ctx);
        l->backoff_ms = 0;
        return 0;
}

enum op { OP_READ_INPUT, OP_READ_HOLDING, OP_WRITE_COIL, OP_READ_COIL };

/* Reads one coil or register by a raw request, so that the answer's unit
 * id, function and length are checked by mb_parse_read_response (libmodbus
 * 3.1 checks none of the unit id on TCP). A TCP transaction id is not
 * checked: after any failure the connection is replaced, so no late answer
 * can arrive on it. Returns 0 or -errno; errno-style errors keep libmodbus'
 * errno for map_errno. */
static int read_one(struct mb_link *l, int unit, int function, int addr,
                    uint16_t *ret)
{
        uint8_t req[6] = { (uint8_t)unit, (uint8_t)function,
                           (uint8_t)(addr >> 8), (uint8_t)addr, 0, 1 };
        uint8_t rsp[MODBUS_MAX_ADU_LENGTH];
        int hl = modbus_get_header_length(l->ctx);

        if (modbus_send_raw_request(l->ctx, req, sizeof(req)) < 0)
                return map_errno(errno);
        int n = modbus_receive_confirmation(l->ctx, rsp);
        if (n < 0)
                return map_errno(errno);
        return mb_parse_read_response(rsp, n, hl, l->cfg.device[0] ? 2 : 0,
                                      unit, function, ret);
}

/* One transaction with retries. Caller holds mu. */
static int transact(struct mb_link *l, int unit, enum op op, int addr,
                    uint16_t *io)
{
        int err = -EIO;

        for (int attempt = 0; attempt <= l->cfg.retries; attempt++) {
                int rc = ensure(l);

                if (rc < 0)
                        return rc;
                modbus_set_slave(l->ctx, unit);
                switch (op) {
                case OP_READ_INPUT:
                        rc = read_one(l, unit, 0x04, addr, io);
                        break;
                case OP_READ_HOLDING:
                        rc = read_one(l, unit, 0x03, addr, io);
                        break;
                case OP_WRITE_COIL:
                        rc = modbus_write_bit(l->ctx, addr, *io ? 1 : 0);
                        if (rc < 0)
                                rc = map_errno(errno);
                        break;
                case OP_READ_COIL:
                        rc = read_one(l, unit, 0x01, addr, io);
                        break;
                }
                if (rc >= 0)
                        return 0;
                err = rc;
                if (err == -EREMOTEIO)
                        return err;     /* it answered: no point asking again */
                /* Anything else may leave a late or partial answer in the
                 * pipe that the next transaction would take for its own. On
                 * TCP, start a fresh connection; on a serial line, flush. */
                if (l->cfg.device[0] && err != -EBADF && err != -ECONNRESET &&
                    err != -EIO)
                        modbus_flush(l->ctx);
                else
                        drop(l);
        }
        return err;
}

int mb_link_read_reg(struct mb_link *l, int unit, bool input, int addr,
                     uint16_t *ret)
{
        pthread_mutex_lock(&l->mu);
        int rc = transact(l, unit, input ? OP_READ_INPUT : OP_READ_HOLDING,
                          addr, ret);
        pthread_mutex_unlock(&l->mu);
        return rc;
}

int mb_link_write_coil(struct mb_link *l, int unit, int addr, bool on)
{
        uint16_t v = on;

        pthread_mutex_lock(&l->mu);
        int rc = transact(l, unit, OP_WRITE_COIL, addr, &v);
        if (rc == 0) {
                rc = transact(l, unit, OP_READ_COIL, addr, &v);
                if (rc == 0 && (v != 0) != on)
                        rc = -EIO;
        }
        pthread_mutex_unlock(&l->mu);
        return rc;
}

int mb_link_read_coil(struct mb_link *l, int unit, int addr, bool *ret)
{
        uint16_t v = 0;

        pthread_mutex_lock(&l->mu);
        int rc = transact(l, unit, OP_READ_COIL, addr, &v);
        pthread_mutex_unlock(&l->mu);
        if (rc == 0)
                *ret = v != 0;
        return rc;
}
