/*
 * nfq-delay: a packet delay line for the multi-host test, for kernels built without `sch_netem`.
 *
 * The test's router namespace sends the packets of an impaired link to NFQUEUE queue N
 * (`iptables -A FORWARD -o veth -j NFQUEUE --queue-num N --queue-bypass`); this program holds each packet
 * for DELAY ± JITTER milliseconds (uniform) and then lets it go on (NF_ACCEPT). Packets keep their order,
 * as netem does with a FIFO child qdisc: a packet never leaves before the one queued ahead of it. Packet
 * loss and partitions are not done here but by the kernel (iptables `statistic` and DROP rules).
 *
 * It speaks nfnetlink_queue over a raw netlink socket (no libnetfilter_queue), copies only packet metadata
 * and prints "ready" on stdout once the queue is bound. SIGTERM/SIGINT: every held packet is released first.
 *
 * usage: nfq-delay QUEUE DELAY_MS JITTER_MS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 65536

static int sock;
static uint16_t queue;
static volatile sig_atomic_t stopping;

/* Held packets, a ring in arrival order; due times never decrease along it. */
static struct {
  uint32_t id;
  int64_t due_us;
} held[MAX_HELD];
static size_t head, count;

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what) {
  fprintf(stderr, "nfq-delay: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* Appends one netlink attribute to the message in buf (4-byte aligned). */
static void put_attr(char *buf, uint16_t type, const void *data, uint16_t len) {
  struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
  struct nlattr *attr = (struct nlattr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));
  attr->nla_type = type;
  attr->nla_len = NLA_HDRLEN + len;
  memcpy((char *)attr + NLA_HDRLEN, data, len);
  nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(attr->nla_len);
}

/* Starts a queue-subsystem message of `type` in buf. */
static void begin(char *buf, uint8_t type, uint16_t flags) {
  memset(buf, 0, 256);
  struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
  nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg));
  nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  struct nfgenmsg *g = NLMSG_DATA(nlh);
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  g->res_id = htons(queue);
}

static void send_msg(char *buf) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
  while (sendto(sock, buf, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    if (errno != EINTR) die("sendto");
  }
}

/* Waits for the kernel's acknowledgement of a configuration message; exits on an error answer. */
static void expect_ack(const char *what) {
  char buf[8192];
  ssize_t n = recv(sock, buf, sizeof buf, 0);
  if (n < 0) die(what);
  struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
  if (nlh->nlmsg_type == NLMSG_ERROR) {
    struct nlmsgerr *err = NLMSG_DATA(nlh);
    if (err->error != 0) {
      errno = -err->error;
      die(what);
    }
  }
}

static void configure(void) {
  char buf[256];
  struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_INET)};
  begin(buf, NFQNL_MSG_CONFIG, NLM_F_ACK);
  put_attr(buf, NFQA_CFG_CMD, &cmd, sizeof cmd);
  send_msg(buf);
  expect_ack("bind queue");

  struct nfqnl_msg_config_params params = {.copy_range = htonl(0), .copy_mode = NFQNL_COPY_META};
  uint32_t maxlen = htonl(MAX_HELD);
  begin(buf, NFQNL_MSG_CONFIG, NLM_F_ACK);
  put_attr(buf, NFQA_CFG_PARAMS, &params, sizeof params);
  put_attr(buf, NFQA_CFG_QUEUE_MAXLEN, &maxlen, sizeof maxlen);
  send_msg(buf);
  expect_ack("configure queue");
}

static void verdict(uint32_t id) {
  char buf[256];
  struct nfqnl_msg_verdict_hdr v = {.verdict = htonl(NF_ACCEPT), .id = htonl(id)};
  begin(buf, NFQNL_MSG_VERDICT, 0);
  put_attr(buf, NFQA_VERDICT_HDR, &v, sizeof v);
  send_msg(buf);
}

/* Releases every held packet that is due by `now` (all of them when `now` is INT64_MAX). */
static void release(int64_t now) {
  while (count > 0 && held[head].due_us <= now) {
    verdict(held[head].id);
    head = (head + 1) % MAX_HELD;
    count--;
  }
}

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: nfq-delay QUEUE DELAY_MS JITTER_MS\n");
    return 2;
  }
  queue = (uint16_t)atoi(argv[1]);
  int64_t delay_us = (int64_t)(atof(argv[2]) * 1000);
  int64_t jitter_us = (int64_t)(atof(argv[3]) * 1000);
  if (delay_us < 0 || jitter_us < 0 || jitter_us > delay_us) {
    fprintf(stderr, "nfq-delay: need 0 <= JITTER_MS <= DELAY_MS\n");
    return 2;
  }
  srand((unsigned)now_us());

  sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
  if (sock < 0) die("netlink socket");
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (bind(sock, (struct sockaddr *)&local, sizeof local) < 0) die("bind");
  int big = 8 << 20;
  setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  configure();

  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready queue=%u delay=%sms jitter=%sms\n", queue, argv[2], argv[3]);
  fflush(stdout);

  static char buf[65536];
  int64_t last_due = 0;
  while (!stopping) {
    int timeout = -1;
    if (count > 0) {
      int64_t wait = held[head].due_us - now_us();
      timeout = wait <= 0 ? 0 : (int)((wait + 999) / 1000);
    }
    struct pollfd p = {.fd = sock, .events = POLLIN};
    int ready = poll(&p, 1, timeout);
    if (ready < 0 && errno != EINTR) die("poll");
    if (ready > 0) {
      ssize_t n = recv(sock, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        /* ENOBUFS: the kernel dropped queued notifications; those packets are lost, as on a full link. */
        if (errno != ENOBUFS) die("recv");
      }
      for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; n > 0 && NLMSG_OK(nlh, (size_t)n); nlh = NLMSG_NEXT(nlh, n)) {
        if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET || (nlh->nlmsg_type >> 8) != NFNL_SUBSYS_QUEUE) continue;
        size_t len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof(struct nfgenmsg));
        struct nlattr *attr = (struct nlattr *)((char *)NLMSG_DATA(nlh) + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
        for (; len >= NLA_HDRLEN && attr->nla_len >= NLA_HDRLEN && attr->nla_len <= len;
             len -= NLA_ALIGN(attr->nla_len), attr = (struct nlattr *)((char *)attr + NLA_ALIGN(attr->nla_len))) {
          if ((attr->nla_type & NLA_TYPE_MASK) != NFQA_PACKET_HDR) continue;
          struct nfqnl_msg_packet_hdr *ph = (struct nfqnl_msg_packet_hdr *)((char *)attr + NLA_HDRLEN);
          int64_t spread = jitter_us > 0 ? (int64_t)(rand() % (2 * jitter_us + 1)) - jitter_us : 0;
          int64_t due = now_us() + delay_us + spread;
          if (due < last_due) due = last_due;
          last_due = due;
          if (count == MAX_HELD) release(INT64_MAX);
          held[(head + count) % MAX_HELD].id = ntohl(ph->packet_id);
          held[(head + count) % MAX_HELD].due_us = due;
          count++;
          break;
        }
      }
    }
    release(now_us());
  }
  release(INT64_MAX);
  return 0;
}
