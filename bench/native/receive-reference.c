/*
 * The C reference for bench/native/receive.ts: the same receive work as
 * nlkit's NativeTransport + codec scan, written the plain way.
 *
 *   receive-reference MESSAGES ROUNDS SIZE SLOTS SLOT_SIZE
 *
 * Per round: a sender socket queues MESSAGES user-to-user datagrams of SIZE
 * bytes (one netlink message each) on a receiver socket with a large forced
 * receive buffer; then the receiver drains them, timed: poll() once, then
 * recvmmsg(MSG_DONTWAIT) of up to SLOTS datagrams into SLOT_SIZE-byte slots,
 * walking every nlmsghdr of every datagram. One warm-up round is not timed.
 * Prints one JSON line: {"messages":M,"seconds":[per timed round],"checksum":C}
 * where M is the messages of one round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEND_BATCH 256

static void die(const char *what) {
  fprintf(stderr, "receive-reference: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int open_bound(uint32_t *port) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_USERSOCK);
  if (fd < 0) die("socket");
  struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind");
  socklen_t len = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) die("getsockname");
  *port = addr.nl_pid;
  return fd;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Queues `count` copies of `message` on port `to`; returns how many went. */
static long fill(int tx, uint32_t to, unsigned char *message, unsigned size, long count) {
  struct sockaddr_nl dst = { .nl_family = AF_NETLINK, .nl_pid = to };
  struct iovec iov[SEND_BATCH];
  struct mmsghdr hdr[SEND_BATCH];
  long sent = 0;
  while (sent < count) {
    int want = count - sent < SEND_BATCH ? (int)(count - sent) : SEND_BATCH;
    for (int i = 0; i < want; i++) {
      iov[i] = (struct iovec){ message, size };
      hdr[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov[i], .msg_iovlen = 1 } };
    }
    int n = sendmmsg(tx, hdr, want, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      die("sendmmsg");
    }
    sent += n;
    if (n < want) break;
  }
  return sent;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s MESSAGES ROUNDS SIZE SLOTS SLOT_SIZE\n", argv[0]);
    return 2;
  }
  long messages = atol(argv[1]);
  int rounds = atoi(argv[2]);
  unsigned size = (unsigned)atoi(argv[3]);
  unsigned slots = (unsigned)atoi(argv[4]);
  unsigned slot_size = (unsigned)atoi(argv[5]);
  if (messages < 1 || rounds < 1 || size < NLMSG_HDRLEN || slots < 1 || slot_size < size) {
    fprintf(stderr, "receive-reference: bad arguments\n");
    return 2;
  }

  uint32_t rx_port, tx_port;
  int rx = open_bound(&rx_port);
  int tx = open_bound(&tx_port);
  int rcvbuf = 1 << 30;
  if (setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) die("SO_RCVBUFFORCE");

  unsigned char *message = calloc(1, size);
  struct nlmsghdr *nlh = (struct nlmsghdr *)message;
  nlh->nlmsg_len = size;
  nlh->nlmsg_type = 0x100;

  unsigned char *region = malloc((size_t)slots * slot_size);
  struct mmsghdr *hdr = calloc(slots, sizeof *hdr);
  struct iovec *iov = calloc(slots, sizeof *iov);
  struct sockaddr_nl *from = calloc(slots, sizeof *from);
  if (!message || !region || !hdr || !iov || !from) die("malloc");

  double *seconds = calloc(rounds, sizeof *seconds);
  uint64_t checksum = 0;
  if (!seconds) die("malloc");
  for (int round = 0; round <= rounds; round++) {
    long queued = fill(tx, rx_port, message, size, messages);
    long received = 0;
    double start = now();
    struct pollfd pfd = { .fd = rx, .events = POLLIN };
    if (poll(&pfd, 1, -1) < 0) die("poll");
    while (received < queued) {
      for (unsigned i = 0; i < slots; i++) {
        iov[i] = (struct iovec){ region + (size_t)i * slot_size, slot_size };
        hdr[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i], .msg_iovlen = 1 } };
      }
      int n = recvmmsg(rx, hdr, slots, MSG_DONTWAIT | MSG_TRUNC, NULL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        die("recvmmsg");
      }
      for (int i = 0; i < n; i++) {
        int len = (int)(hdr[i].msg_len < slot_size ? hdr[i].msg_len : slot_size);
        for (struct nlmsghdr *h = (struct nlmsghdr *)iov[i].iov_base; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
          checksum += h->nlmsg_type;
          received++;
        }
      }
    }
    double elapsed = now() - start;
    if (received != messages) {
      fprintf(stderr, "receive-reference: round %d received %ld of %ld\n", round, received, messages);
      return 1;
    }
    if (round > 0) seconds[round - 1] = elapsed; /* round 0 warms up */
  }
  printf("{\"messages\":%ld,\"seconds\":[", messages);
  for (int i = 0; i < rounds; i++) printf("%s%.9f", i ? "," : "", seconds[i]);
  printf("],\"checksum\":%llu}\n", (unsigned long long)checksum);
  return 0;
}
