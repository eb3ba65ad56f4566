// The C reference of the route dump benchmark: libmnl dumps the IPv4 routes
// of a network namespace and decodes every route into a struct, addresses
// formatted as text (as nlkit's objects have them). It times each round in
// process and prints one JSON line.
//
//   route-dump NETNS_PATH ROUNDS
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct route {
  unsigned table, oif, priority, protocol, scope, type, dst_len;
  char dst[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN], prefsrc[INET_ADDRSTRLEN];
};

struct state {
  struct route *routes;
  size_t count, capacity;
};

static int attribute(const struct nlattr *attr, void *data) {
  const struct nlattr **table = data;
  int type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, RTA_MAX) < 0) return MNL_CB_OK;
  table[type] = attr;
  return MNL_CB_OK;
}

static void address(const struct nlattr *attr, char *out) {
  if (attr && mnl_attr_get_payload_len(attr) == 4) inet_ntop(AF_INET, mnl_attr_get_payload(attr), out, INET_ADDRSTRLEN);
  else out[0] = 0;
}

static int route(const struct nlmsghdr *nlh, void *data) {
  struct state *s = data;
  const struct nlattr *tb[RTA_MAX + 1] = {0};
  const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
  mnl_attr_parse(nlh, sizeof(*rtm), attribute, tb);
  if (s->count == s->capacity) {
    s->capacity = s->capacity ? s->capacity * 2 : 1024;
    s->routes = realloc(s->routes, s->capacity * sizeof(struct route));
  }
  struct route *r = &s->routes[s->count++];
  r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
  r->oif = tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0;
  r->priority = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
  r->protocol = rtm->rtm_protocol;
  r->scope = rtm->rtm_scope;
  r->type = rtm->rtm_type;
  r->dst_len = rtm->rtm_dst_len;
  address(tb[RTA_DST], r->dst);
  address(tb[RTA_GATEWAY], r->gateway);
  address(tb[RTA_PREFSRC], r->prefsrc);
  return MNL_CB_OK;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t dump(struct state *s) {
  char buf[32768];
  struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) { perror("mnl_socket"); exit(1); }
  unsigned seq = (unsigned)time(NULL);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
  rtm->rtm_family = AF_INET;
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) { perror("sendto"); exit(1); }
  unsigned portid = mnl_socket_get_portid(nl);
  s->count = 0;
  int ret;
  while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
    ret = mnl_cb_run(buf, ret, seq, portid, route, s);
    if (ret <= MNL_CB_STOP) break;
  }
  if (ret < 0) { perror("dump"); exit(1); }
  mnl_socket_close(nl);
  return s->count;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s NETNS_PATH ROUNDS\n", argv[0]); return 2; }
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) { perror("setns"); return 1; }
  int rounds = atoi(argv[2]);
  double *seconds = calloc(rounds, sizeof(double));
  struct state s = {0};
  size_t routes = dump(&s); // warm-up
  unsigned long checksum = 0;
  for (int i = 0; i < rounds; i++) {
    double t = now();
    routes = dump(&s);
    seconds[i] = now() - t;
    for (size_t k = 0; k < s.count; k++) checksum += s.routes[k].oif + (unsigned char)s.routes[k].dst[0];
  }
  qsort(seconds, rounds, sizeof(double), compare);
  printf("{\"routes\":%zu,\"median\":%.9f,\"min\":%.9f,\"checksum\":%lu}\n", routes, seconds[rounds / 2], seconds[0], checksum);
  return 0;
}
