/* The C side of the proc connector benchmark: a NETLINK_CONNECTOR socket
 * subscribed to process events, read with recvmmsg, each event's parent tgid
 * counted per pid (fork: parent_tgid, exit: parent_tgid), the NLMSG_OK /
 * NLMSG_NEXT way. The same work the nlkit reader does.
 *
 *   proc-reader live|drain SLOTS RCVBUF
 *
 * Prints "ready" once subscribed. Then reads stdin lines:
 *   live:  reads events as they come; on "stop PID" drains what is queued and
 *          reports the events whose parent is PID.
 *   drain: reads nothing until "drain PID", then drains the queue, timed.
 * Report: {"events":N,"total":T,"enobufs":E,"gaps":G,"seconds":S}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/connector.h>
#include <linux/cn_proc.h>
#include <linux/netlink.h>

#define SLOT 4096
#define MAXPID (1 << 22)

static int *parents;
static long total, enobufs, gaps;
static uint32_t next_seq[1024];
static unsigned char seen_cpu[1024];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void count(struct nlmsghdr *h) {
  struct cn_msg *cn = NLMSG_DATA(h);
  if (cn->id.idx != CN_IDX_PROC || cn->len < sizeof(struct proc_event)) return;
  struct proc_event *ev = (struct proc_event *)cn->data;
  unsigned cpu = ev->cpu & 1023;
  if (seen_cpu[cpu] && cn->seq != next_seq[cpu]) gaps += (uint32_t)(cn->seq - next_seq[cpu]);
  seen_cpu[cpu] = 1;
  next_seq[cpu] = cn->seq + 1;
  total++;
  int parent = -1;
  if (ev->what == PROC_EVENT_FORK) parent = ev->event_data.fork.parent_tgid;
  else if (ev->what == PROC_EVENT_EXIT) parent = ev->event_data.exit.parent_tgid;
  if (parent >= 0 && parent < MAXPID) parents[parent]++;
}

/* Reads until nothing is queued; returns datagrams read. */
static long drain(int fd, struct mmsghdr *msgs, int slots) {
  long n = 0;
  for (;;) {
    int got = recvmmsg(fd, msgs, slots, MSG_DONTWAIT, NULL);
    if (got < 0) {
      if (errno == ENOBUFS) { enobufs++; continue; }
      if (errno == EAGAIN || errno == EINTR) return n;
      perror("recvmmsg");
      exit(1);
    }
    for (int i = 0; i < got; i++) {
      int len = (int)msgs[i].msg_len;
      for (struct nlmsghdr *h = msgs[i].msg_hdr.msg_iov->iov_base; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) count(h);
      msgs[i].msg_len = 0;
    }
    n += got;
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: proc-reader live|drain SLOTS RCVBUF\n"); return 2; }
  int live = strcmp(argv[1], "live") == 0;
  int slots = atoi(argv[2]);
  int rcvbuf = atoi(argv[3]);
  parents = calloc(MAXPID, sizeof(int));
  int fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR);
  if (fd < 0) { perror("socket"); return 1; }
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
  struct { struct nlmsghdr h; struct cn_msg cn; enum proc_cn_mcast_op op; } __attribute__((packed)) req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = NLMSG_DONE;
  req.cn.id.idx = CN_IDX_PROC;
  req.cn.id.val = CN_VAL_PROC;
  req.cn.len = sizeof req.op;
  req.op = PROC_CN_MCAST_LISTEN;
  if (send(fd, &req, sizeof req, 0) < 0) { perror("send"); return 1; }

  char *buf = malloc((size_t)slots * SLOT);
  struct iovec *iov = calloc(slots, sizeof *iov);
  struct mmsghdr *msgs = calloc(slots, sizeof *msgs);
  for (int i = 0; i < slots; i++) {
    iov[i].iov_base = buf + (size_t)i * SLOT;
    iov[i].iov_len = SLOT;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  printf("ready\n");
  fflush(stdout);

  char line[128];
  int pid = -1;
  double seconds = 0;
  if (live) {
    struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
    for (;;) {
      if (poll(p, 2, -1) < 0 && errno != EINTR) { perror("poll"); return 1; }
      if (p[0].revents) drain(fd, msgs, slots);
      if (p[1].revents) {
        if (!fgets(line, sizeof line, stdin) || sscanf(line, "stop %d", &pid) != 1) return 1;
        drain(fd, msgs, slots);
        break;
      }
    }
  } else {
    if (!fgets(line, sizeof line, stdin) || sscanf(line, "drain %d", &pid) != 1) return 1;
    double a = now();
    drain(fd, msgs, slots);
    seconds = now() - a;
  }
  printf("{\"events\":%d,\"total\":%ld,\"enobufs\":%ld,\"gaps\":%ld,\"seconds\":%.6f}\n",
         pid >= 0 && pid < MAXPID ? parents[pid] : 0, total, enobufs, gaps, seconds);
  return 0;
}
