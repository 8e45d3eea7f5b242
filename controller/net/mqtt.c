/* mqtt.c: see mqtt.h. The link to the broker (look-up, connect, watch,
 * reconnect, close) and what is published; mqtt_handle.c handles what
 * arrives. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <mosquitto.h>

#include "net/ha_discovery.h"
#include "net/mqtt.h"
#include "net/mqtt_priv.h"
#include "core/schedule.h"
#include "net/ha_state.h"
#include "net/status_json.h"

#define SERVICE_MS 250                  /* misc, reconnect, republish */
#define BACKOFF_FIRST_MS 250.0
#define BACKOFF_MAX_MS 3000.0
#define CONNECT_TIMEOUT_MS 10000.0      /* no CONNACK by then: try again */
#define REPUBLISH_MS 10000              /* virtual ms, and real ms */
#define DISCOVERY_WAIT_MS 500.0         /* real: for the retained one */


static void on_fd(void *ctx, int fd, uint32_t events);

/* Keeps the loop's watch in step with libmosquitto's socket: a new socket
 * after each connect, none after a loss, EPOLLOUT while it has data to
 * send. Called after every libmosquitto call. */
static void sync_fd(struct mqtt *m)
{
        int fd = mosquitto_socket(m->mosq);
        const struct port *p = m->port;

        if (m->fd >= 0 && (m->fd_stale || fd != m->fd)) {
                p->del_fd(p->ctx, m->fd);
                m->fd = -1;
        }
        m->fd_stale = false;
        /* After a loss the old socket may linger until the next connect
         * closes it: do not watch it. */
        if (fd < 0 || m->link == LINK_DOWN)
                return;
        bool want_write = mosquitto_want_write(m->mosq);
        if (!want_write)
                mqtt_flow_all_written(&m->flow);
        uint32_t ev = EPOLLIN | (want_write ? EPOLLOUT : 0);
        if (m->fd < 0) {
                if (p->add_fd(p->ctx, fd, ev, on_fd, m) < 0)
                        return;
                m->fd = fd;
        } else if (ev != m->fd_events) {
                p->mod_fd(p->ctx, fd, ev);
        }
        m->fd_events = ev;
}


/* A result was written to the socket, or the broker acknowledged a QoS 1
 * message. */
static void on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
        struct mqtt *m = ctx;

        (void)mosq;
        mqtt_flow_published(&m->flow, mid);
}

static void on_connect(struct mosquitto *mosq, void *ctx, int rc)
{
        struct mqtt *m = ctx;
        char topic[TOPIC_MAX];
        static const char *const subs[] = { "set", "mode/set",
                "temperature/set", "preset/set", "minutes/set" };

        if (rc != 0) {
                /* Once per reason, not at every retry. */
                if (rc != m->said_refused)
                        mqtt_log(m, "error", "broker %s:%d refused the "
                             "connection: %s", m->cfg->mqtt.host,
                             m->cfg->mqtt.port, mosquitto_connack_string(rc));
                m->said_refused = rc;
                m->said_down = true;
                return;         /* libmosquitto drops the link; we retry */
        }
        m->said_refused = 0;
        m->link = LINK_UP;
        mqtt_flow_connected(&m->flow);
        m->backoff_ms = BACKOFF_FIRST_MS;
        m->said_down = false;
        mqtt_log(m, "info", "connected to %s:%d as %s", m->cfg->mqtt.host,
             m->cfg->mqtt.port, m->cfg->mqtt.client_id);
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
                snprintf(topic, sizeof(topic), "%s/+/%s", m->root, subs[i]);
                mosquitto_subscribe(mosq, NULL, topic, 1);
        }
        /* The discovery message already retained says what to remove:
         * it comes right after the subscription. */
        ha_device_topic(m->cfg, topic, sizeof(topic));
        mosquitto_subscribe(mosq, NULL, topic, 1);
        snprintf(topic, sizeof(topic), "%s/+/%s/+/config",
                 m->cfg->mqtt.discovery_prefix, m->cfg->device_id);
        mosquitto_subscribe(mosq, NULL, topic, 1);
        m->disc_due = true;
        m->disc_at_ms = (double)port_real_ms(m->port) + DISCOVERY_WAIT_MS;
        for (int i = 0; i < m->port->core->nzones; i++)
                m->zones[i].sent = false;
        snprintf(topic, sizeof(topic), "%s/availability", m->root);
        mqtt_publish(m, topic, "online", true);
        mqtt_publish_all_state(m);
        mqtt_publish_schedule(m);
}

static void schedule_retry(struct mqtt *m)
{
        double now = (double)port_real_ms(m->port);
        /* Jitter of up to a quarter, so a house of pads does not knock on
         * a returning broker all at once. */
        double jitter = m->backoff_ms * 0.25 * (rand_r(&m->rng) % 1000) / 1000.0;

        m->retry_at_ms = now + m->backoff_ms + jitter;
        m->backoff_ms = fmin(m->backoff_ms * 2, BACKOFF_MAX_MS);
}

static void link_lost(struct mqtt *m, const char *why)
{
        bool was_up = m->link == LINK_UP;

        m->link = LINK_DOWN;
        m->fd_stale = true;
        if (was_up)
                mqtt_log(m, "warning", "connection lost (%s); reconnecting", why);
        else if (!m->said_down)
                mqtt_log(m, "warning", "cannot reach %s:%d (%s); retrying",
                     m->cfg->mqtt.host, m->cfg->mqtt.port, why);
        m->said_down = true;
        schedule_retry(m);
}

/* Why libmosquitto gave up, for people. errno is read at once. */
static const char *loss_reason(int rc)
{
        if (rc == MOSQ_ERR_ERRNO)
                return strerror(errno);
        if (rc == MOSQ_ERR_KEEPALIVE)
                return "the broker stopped answering (keepalive)";
        return mosquitto_strerror(rc);
}

static void on_disconnect(struct mosquitto *mosq, void *ctx, int rc)
{
        struct mqtt *m = ctx;

        (void)mosq;
        if (m->closing)
                return;
        if (m->link != LINK_DOWN)
                link_lost(m, loss_reason(rc));
}

static void try_connect(struct mqtt *m, const char *host)
{
        const struct mqtt_cfg *c = &m->cfg->mqtt;

        m->link = LINK_CONNECTING;
        m->connect_began_ms = (double)port_real_ms(m->port);
        int rc = mosquitto_connect_async(m->mosq, host, c->port,
                                         c->keepalive_s);
        if (rc != MOSQ_ERR_SUCCESS)
                link_lost(m, loss_reason(rc));
        sync_fd(m);
}

/* A host name is looked up beside the loop (getaddrinfo_a), because a
 * lookup can take seconds when DNS or mDNS is away. libmosquitto's own
 * lookup then finds the name answered: without TLS it gets the address
 * itself; with TLS it needs the name, to check the certificate. */
static void start_lookup(struct mqtt *m)
{
        struct gaicb *list[1] = { &m->gai };

        m->gai_hints = (struct addrinfo){ .ai_family = AF_UNSPEC,
                                          .ai_socktype = SOCK_STREAM };
        m->gai = (struct gaicb){ .ar_name = m->cfg->mqtt.host,
                                 .ar_request = &m->gai_hints };
        int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
        if (rc != 0) {
                link_lost(m, gai_strerror(rc));
                return;
        }
        m->gai_busy = true;
        m->link = LINK_RESOLVING;
}

static void check_lookup(struct mqtt *m)
{
        char addr[INET6_ADDRSTRLEN + 1];
        int rc = gai_error(&m->gai);

        if (rc == EAI_INPROGRESS)
                return;
        m->gai_busy = false;
        /* IPv4 first: a broker listening on 127.0.0.1 only is common, and
         * "localhost" may list ::1 first. */
        const struct addrinfo *ai = m->gai.ar_result;
        for (const struct addrinfo *p = ai; rc == 0 && p; p = p->ai_next)
                if (p->ai_family == AF_INET) {
                        ai = p;
                        break;
                }
        if (rc == 0 && ai && getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
                                         sizeof(addr), NULL, 0,
                                         NI_NUMERICHOST) == 0) {
                freeaddrinfo(m->gai.ar_result);
                m->gai.ar_result = NULL;
                try_connect(m, m->cfg->mqtt.tls_ca_file[0] ? m->cfg->mqtt.host :
                            addr);
                return;
        }
        if (m->gai.ar_result)
                freeaddrinfo(m->gai.ar_result);
        m->gai.ar_result = NULL;
        char why[160];
        snprintf(why, sizeof(why), "cannot resolve %s: %s", m->cfg->mqtt.host,
                 rc ? gai_strerror(rc) : "no address");
        link_lost(m, why);
}

/* After a libmosquitto call that failed: the link is gone if its socket
 * is (the disconnect callback has usually said so already). */
static void check_rc(struct mqtt *m, int rc)
{
        if (rc != MOSQ_ERR_SUCCESS && m->link != LINK_DOWN &&
            mosquitto_socket(m->mosq) < 0)
                link_lost(m, loss_reason(rc));
}

static void on_fd(void *ctx, int fd, uint32_t events)
{
        struct mqtt *m = ctx;
        int rc = MOSQ_ERR_SUCCESS;

        (void)fd;
        /* libmosquitto reads as many packets here as it has QoS 1
         * messages queued (not 64): mqtt_flow keeps that queue, and so
         * this pass, short. */
        if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                /* The states the pass marked go out after the batch
                 * (mqtt_after_batch), with its events'. */
                m->reading = true;
                rc = mosquitto_loop_read(m->mosq, 64);
                m->reading = false;
        }
        if (rc == MOSQ_ERR_SUCCESS && (events & EPOLLOUT) &&
            mosquitto_socket(m->mosq) >= 0)
                rc = mosquitto_loop_write(m->mosq, 16);
        check_rc(m, rc);
        sync_fd(m);
}

static double on_service(void *ctx)
{
        struct mqtt *m = ctx;
        double now = (double)port_real_ms(m->port);
        char summary[384];

        if (mqtt_flow_summary(&m->flow, now, summary, sizeof(summary)))
                mqtt_log(m, "warning", "%s", summary);
        switch (m->link) {
        case LINK_DOWN:
                if (now < m->retry_at_ms)
                        break;
                if (m->numeric_host)
                        try_connect(m, m->cfg->mqtt.host);
                else
                        start_lookup(m);
                break;
        case LINK_RESOLVING:
                check_lookup(m);
                break;
        case LINK_CONNECTING:
                if (now - m->connect_began_ms > CONNECT_TIMEOUT_MS) {
                        mosquitto_disconnect(m->mosq);
                        link_lost(m, "no answer");
                        sync_fd(m);
                        break;
                }
                check_rc(m, mosquitto_loop_misc(m->mosq));
                sync_fd(m);
                break;
        case LINK_UP:
                /* TLS may hold whole packets in its own buffer, where epoll
                 * cannot see them: read them here at the latest. A read
                 * with nothing to read returns at once. */
                if (m->cfg->mqtt.tls_ca_file[0]) {
                        m->reading = true;
                        check_rc(m, mosquitto_loop_read(m->mosq, 64));
                        m->reading = false;
                }
                if (m->link == LINK_UP)
                        check_rc(m, mosquitto_loop_misc(m->mosq));
                if (m->link == LINK_UP && m->disc_due &&
                    now >= m->disc_at_ms)
                        mqtt_publish_discovery(m);
                if (m->link == LINK_UP &&
                    (port_now_ms(m->port) - m->last_publish_ms >= REPUBLISH_MS ||
                     now - m->last_publish_real_ms >= REPUBLISH_MS))
                        mqtt_publish_all_state(m);
                else if (m->link == LINK_UP)
                        mqtt_publish_changes(m);
                /* What that marked goes out after the batch. */
                sync_fd(m);
                break;
        }
        return SERVICE_MS;
}


static int wire_publish(struct mqtt *m, int *mid, const char *topic, int len,
                        const void *payload, int qos, bool retain)
{
        return mosquitto_publish(m->mosq, mid, topic, len, payload, qos,
                                 retain);
}

static const struct mqtt_wire mosquitto_wire = {
        .publish = wire_publish,
        .strerror = mosquitto_strerror,
        .sync = sync_fd,
};

static void on_message(struct mosquitto *mosq, void *ctx,
                       const struct mosquitto_message *msg)
{
        struct mqtt_msg in = { msg->topic, msg->payload, msg->payloadlen,
                               msg->retain };

        (void)mosq;
        mqtt_handle_msg(ctx, &in);
}

struct mqtt *mqtt_open(const struct port *port, const char *version,
                       char *err, size_t errlen)
{
        const struct config *cfg = port->cfg;
        const struct mqtt_cfg *c = &cfg->mqtt;
        struct mqtt *m = calloc(1, sizeof(*m));
        char topic[TOPIC_MAX];
        int rc;

        if (!m) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        m->port = port;
        m->wire = &mosquitto_wire;
        m->cfg = cfg;
        m->version = version;
        m->fd = -1;
        m->backoff_ms = BACKOFF_FIRST_MS;
        m->rng = (unsigned)port_real_ms(port) ^ (unsigned)getpid();
        m->flow.window_start_ms = (double)port_real_ms(m->port);
        m->opened_ms = port_now_ms(port);
        mqtt_config_url(cfg, m->config_url, sizeof(m->config_url));
        ha_root_topic(cfg, m->root, sizeof(m->root));
        unsigned char bin[sizeof(struct in6_addr)];
        m->numeric_host = inet_pton(AF_INET, c->host, bin) == 1 ||
                          inet_pton(AF_INET6, c->host, bin) == 1;

        mosquitto_lib_init();
        m->mosq = mosquitto_new(c->client_id, true, m);
        if (!m->mosq) {
                snprintf(err, errlen, "cannot create client: %s", strerror(errno));
                goto fail;
        }
        mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                             MQTT_PROTOCOL_V311);
        /* Small messages that answer a command: send them now, not after
         * Nagle waits for the broker's ACK (40 ms and more per reply). */
        mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
        if (c->username[0] &&
            mosquitto_username_pw_set(m->mosq, c->username,
                                      c->password[0] ? c->password : NULL)) {
                snprintf(err, errlen, "username or password not accepted");
                goto fail;
        }
        if (c->tls_ca_file[0] && access(c->tls_ca_file, R_OK) < 0) {
                snprintf(err, errlen, "mqtt.tls_ca_file %s: %s", c->tls_ca_file,
                         strerror(errno));
                goto fail;
        }
        if (c->tls_ca_file[0]) {
                rc = mosquitto_tls_set(m->mosq, c->tls_ca_file, NULL, NULL,
                                       NULL, NULL);
                if (rc != MOSQ_ERR_SUCCESS) {
                        snprintf(err, errlen, "mqtt.tls_ca_file %s: %s",
                                 c->tls_ca_file, rc == MOSQ_ERR_ERRNO ?
                                 strerror(errno) : mosquitto_strerror(rc));
                        goto fail;
                }
        }
        snprintf(topic, sizeof(topic), "%s/availability", m->root);
        if (mosquitto_will_set(m->mosq, topic, 7, "offline", 1, true)) {
                snprintf(err, errlen, "cannot set the last will");
                goto fail;
        }
        mosquitto_connect_callback_set(m->mosq, on_connect);
        mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
        mosquitto_message_callback_set(m->mosq, on_message);
        mosquitto_publish_callback_set(m->mosq, on_publish);
        m->timer = port->add_timer(port->ctx, 0, on_service, m);
        if (m->timer < 0) {
                snprintf(err, errlen, "no timer left on the loop");
                goto fail;
        }
        return m;
fail:
        if (m->mosq)
                mosquitto_destroy(m->mosq);
        mosquitto_lib_cleanup();
        free(m);
        return NULL;
}

/* At exit: "offline" (retained) and a clean DISCONNECT, so the broker
 * drops the last will. Flushes for at most half a second; the loop is
 * ending, so a short poll here delays nothing else. */
void mqtt_close(struct mqtt *m)
{
        char topic[TOPIC_MAX];

        if (!m)
                return;
        m->port->del_timer(m->port->ctx, m->timer);
        m->closing = true;
        if (m->gai_busy && gai_cancel(&m->gai) != EAI_CANCELED) {
                /* The lookup thread still owns m->gai: give it a moment,
                 * and if it is stuck leave m allocated (we are exiting). */
                const struct gaicb *list[1] = { &m->gai };
                struct timespec ts = { 0, 200 * 1000000L };
                gai_suspend(list, 1, &ts);
                if (gai_error(&m->gai) == EAI_INPROGRESS) {
                        mosquitto_destroy(m->mosq);
                        return;
                }
        }
        if (m->gai.ar_result)
                freeaddrinfo(m->gai.ar_result);
        if (m->link == LINK_UP) {
                snprintf(topic, sizeof(topic), "%s/availability", m->root);
                mqtt_publish(m, topic, "offline", true);
                mosquitto_disconnect(m->mosq);
                double until = (double)port_real_ms(m->port) + 500;
                while (mosquitto_want_write(m->mosq) &&
                       mosquitto_socket(m->mosq) >= 0 &&
                       (double)port_real_ms(m->port) < until) {
                        struct pollfd p = { mosquitto_socket(m->mosq), POLLOUT, 0 };
                        if (poll(&p, 1, 50) > 0 &&
                            mosquitto_loop_write(m->mosq, 16) != MOSQ_ERR_SUCCESS)
                                break;
                }
        }
        if (m->fd >= 0)
                m->port->del_fd(m->port->ctx, m->fd);
        mosquitto_destroy(m->mosq);
        mosquitto_lib_cleanup();
        free(m->disc_prev);
        free(m);
}
