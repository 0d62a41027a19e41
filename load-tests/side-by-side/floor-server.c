/*
 * The floor: the least work any server can do per delivery in ../shared/bench's side-by-side run.
 *
 * Not a product: a measuring stick for issue 14. One thread, epoll, no allocation after start-up.
 * It speaks the bench's generic protocol: a client's first text frame subscribes it (no JSON
 * parsing: any text frame does), it answers {"type":"subscribed","channel":"room1"}, and every
 * message Redis publishes on CHANNEL is written unchanged as one text frame, with one send(2) per
 * socket, to every subscriber in the order they subscribed. No per-socket queue, no JSON, no
 * metadata: what it pays per delivery is the kernel's send plus a loop step. If this server cannot
 * reach a latency figure on this machine, no server can.
 *
 * Build: gcc -O2 -o floor-server floor-server.c -lcrypto
 * Run:   PORT=3100 REDIS_PORT=6392 [CHANNEL=ws:ch:{room1}] [FLOOR_STAMP=1] ./floor-server
 *        (any path; FLOOR_STAMP=1 puts "channel" and "timestamp" first in each frame as the node
 *        does, so its frames are as long as the node's)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 65536
#define IN_CAP 8192
#define REDIS_CAP (1 << 20)

struct conn { int open; int upgraded; int subscribed; size_t inlen; char in[IN_CAP]; };

static struct conn *conns[MAX_FDS];
static int subscribers[MAX_FDS];
static int subscriber_count;
static long long delivered, short_writes, messages;
static volatile sig_atomic_t stop;
static char redis_in[REDIS_CAP];
static size_t redis_len;
static unsigned char frame[REDIS_CAP + 16];

static void on_signal(int s) { (void) s; stop = 1; }

static void nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void base64(const unsigned char *in, int n, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int o = 0;
    for (int i = 0; i < n; i += 3) {
        unsigned v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = 0;
}

static void close_conn(int fd) {
    for (int i = 0; i < subscriber_count; i++) {
        if (subscribers[i] == fd) {
            memmove(&subscribers[i], &subscribers[i + 1], (subscriber_count - i - 1) * sizeof(int));
            subscriber_count--;
            break;
        }
    }
    free(conns[fd]);
    conns[fd] = NULL;
    close(fd);
}

static void send_text(int fd, const char *text) {
    unsigned char out[256];
    size_t n = strlen(text);
    out[0] = 0x81;
    out[1] = (unsigned char) n;
    memcpy(out + 2, text, n);
    send(fd, out, n + 2, MSG_NOSIGNAL);
}

/* The HTTP upgrade: answers 101 once the request's head is in. Returns 0 to keep the socket. */
static int upgrade(int fd, struct conn *c) {
    c->in[c->inlen] = 0;
    char *end = strstr(c->in, "\r\n\r\n");
    if (!end) return c->inlen >= IN_CAP - 1 ? -1 : 0;
    char *key = strcasestr(c->in, "\r\nSec-WebSocket-Key:");
    if (!key) return -1;
    key += 20;
    while (*key == ' ') key++;
    char *eol = strstr(key, "\r\n");
    char joined[128];
    int klen = (int) (eol - key);
    if (klen <= 0 || klen > 60) return -1;
    snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", klen, key);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((unsigned char *) joined, strlen(joined), digest);
    char accept[64], reply[256];
    base64(digest, SHA_DIGEST_LENGTH, accept);
    int n = snprintf(reply, sizeof reply, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
    send(fd, reply, n, MSG_NOSIGNAL);
    size_t used = (size_t) (end + 4 - c->in);
    memmove(c->in, c->in + used, c->inlen - used);
    c->inlen -= used;
    c->upgraded = 1;
    return 0;
}

/* Client frames (masked): text subscribes, close closes, ping gets a pong. Returns -1 to close. */
static int frames(int fd, struct conn *c) {
    while (c->inlen >= 6) {
        unsigned char *p = (unsigned char *) c->in;
        int opcode = p[0] & 15;
        size_t len = p[1] & 127, head = 2;
        if (len == 126) { len = p[2] << 8 | p[3]; head = 4; }
        else if (len == 127) return -1;
        if (c->inlen < head + 4 + len) return 0;
        unsigned char *mask = p + head, *payload = p + head + 4;
        for (size_t i = 0; i < len; i++) payload[i] ^= mask[i & 3];
        if (opcode == 8) return -1;
        if (opcode == 9) {
            unsigned char pong[130] = {0x8A, (unsigned char) len};
            memcpy(pong + 2, payload, len < 125 ? len : 125);
            send(fd, pong, 2 + (len < 125 ? len : 125), MSG_NOSIGNAL);
        } else if (opcode == 1 && !c->subscribed) {
            c->subscribed = 1;
            subscribers[subscriber_count++] = fd;
            send_text(fd, "{\"type\":\"subscribed\",\"channel\":\"room1\"}");
        }
        size_t used = head + 4 + len;
        memmove(c->in, c->in + used, c->inlen - used);
        c->inlen -= used;
    }
    return 0;
}

static int stamp;   /* FLOOR_STAMP=1: frames as big as the node's (channel and timestamp first) */

static void fan_out(const char *payload, size_t len) {
    static char stamped[REDIS_CAP];
    if (stamp && len > 1 && payload[0] == '{') {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int n = snprintf(stamped, sizeof stamped, "{\"channel\":\"room1\",\"timestamp\":%lld,",
                         (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000);
        memcpy(stamped + n, payload + 1, len - 1);
        payload = stamped;
        len = n + len - 1;
    }
    size_t head;
    frame[0] = 0x81;
    if (len < 126) { frame[1] = (unsigned char) len; head = 2; }
    else { frame[1] = 126; frame[2] = len >> 8; frame[3] = len & 255; head = 4; }
    memcpy(frame + head, payload, len);
    size_t total = head + len;
    for (int i = 0; i < subscriber_count; i++) {
        ssize_t n = send(subscribers[i], frame, total, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n == (ssize_t) total) delivered++; else short_writes++;
    }
    messages++;
}

/* One RESP integer or bulk string at *pos; returns its start (bulk) or NULL when incomplete. */
static const char *resp_item(size_t *pos, size_t *len) {
    char *crlf = memmem(redis_in + *pos, redis_len - *pos, "\r\n", 2);
    if (!crlf) return NULL;
    char type = redis_in[*pos];
    long n = strtol(redis_in + *pos + 1, NULL, 10);
    size_t after = (size_t) (crlf - redis_in) + 2;
    if (type == ':') { *pos = after; *len = 0; return redis_in + after; }
    if (type != '$' || after + n + 2 > redis_len) return NULL;
    *pos = after + n + 2;
    *len = (size_t) n;
    return redis_in + after;
}

/* Pub/sub pushes: *3 [message, channel, payload] or a subscribe confirmation. */
static void redis_pushes(void) {
    size_t pos = 0;
    while (pos < redis_len) {
        size_t at = pos;
        char *crlf = memmem(redis_in + pos, redis_len - pos, "\r\n", 2);
        if (!crlf || redis_in[pos] != '*') break;
        long items = strtol(redis_in + pos + 1, NULL, 10);
        pos = (size_t) (crlf - redis_in) + 2;
        const char *item[3];
        size_t len[3];
        int complete = 1;
        for (long i = 0; i < items; i++) {
            size_t l;
            const char *s = resp_item(&pos, &l);
            if (!s) { complete = 0; break; }
            if (i < 3) { item[i] = s; len[i] = l; }
        }
        if (!complete) { pos = at; break; }
        if (items == 3 && len[0] == 7 && memcmp(item[0], "message", 7) == 0) fan_out(item[2], len[2]);
    }
    memmove(redis_in, redis_in + pos, redis_len - pos);
    redis_len -= pos;
}

int main(void) {
    int port = getenv("PORT") ? atoi(getenv("PORT")) : 3100;
    int redis_port = getenv("REDIS_PORT") ? atoi(getenv("REDIS_PORT")) : 6392;
    const char *channel = getenv("CHANNEL") ? getenv("CHANNEL") : "ws:ch:{room1}";
    stamp = getenv("FLOOR_STAMP") && strcmp(getenv("FLOOR_STAMP"), "1") == 0;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int redis = socket(AF_INET, SOCK_STREAM, 0);
    addr.sin_port = htons(redis_port);
    if (connect(redis, (struct sockaddr *) &addr, sizeof addr) != 0) { perror("redis"); return 1; }
    char cmd[256];
    int n = snprintf(cmd, sizeof cmd, "*2\r\n$9\r\nSUBSCRIBE\r\n$%zu\r\n%s\r\n", strlen(channel), channel);
    send(redis, cmd, n, 0);
    nonblocking(redis);

    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_port = htons(port);
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) != 0 || listen(listener, 4096) != 0) {
        perror("listen");
        return 1;
    }
    nonblocking(listener);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    ev.data.fd = listener;
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    ev.data.fd = redis;
    epoll_ctl(ep, EPOLL_CTL_ADD, redis, &ev);
    printf("floor server on ws://127.0.0.1:%d/ws pid=%d, channel %s\n", port, getpid(), channel);
    fflush(stdout);

    struct epoll_event events[256];
    while (!stop) {
        int ready = epoll_wait(ep, events, 256, 200);
        for (int e = 0; e < ready; e++) {
            int fd = events[e].data.fd;
            if (fd == listener) {
                int c;
                while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FDS) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[c] = calloc(1, sizeof(struct conn));
                    ev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
            } else if (fd == redis) {
                ssize_t r;
                while ((r = recv(redis, redis_in + redis_len, REDIS_CAP - redis_len, 0)) > 0) {
                    redis_len += (size_t) r;
                    redis_pushes();
                }
                if (r == 0) { fprintf(stderr, "redis closed\n"); stop = 1; }
            } else {
                struct conn *c = conns[fd];
                if (!c) continue;
                ssize_t r = recv(fd, c->in + c->inlen, IN_CAP - 1 - c->inlen, 0);
                if (r <= 0) {
                    if (r == 0 || errno != EAGAIN) close_conn(fd);
                    continue;
                }
                c->inlen += (size_t) r;
                if ((!c->upgraded && upgrade(fd, c) != 0) || (c->upgraded && frames(fd, c) != 0)) close_conn(fd);
            }
        }
    }
    printf("messages %lld delivered %lld short writes %lld\n", messages, delivered, short_writes);
    return 0;
}
