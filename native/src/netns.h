// Creating netlink sockets, here or inside another network namespace.
//
// setns(2) moves only the calling thread, and a socket keeps the namespace it
// was created in. So to open a socket in namespace N without moving the Node
// process, a short-lived thread joins N, creates the socket and exits:
//
//   main thread ──open("/run/netns/N")──► nsfd ──spawn──┐        ┌──► fd (in N)
//                                                       └─ thread: setns(nsfd) ; socket() ─┘
#pragma once

#include <string>

namespace nlkit {

// A file descriptor, or the errno and the call that failed.
struct FdResult {
  int fd = -1;
  int err = 0;
  const char* syscall = "";
};

// socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol).
FdResult OpenNetlinkSocket(int protocol);

// The same, created inside the network namespace open as `netnsFd`.
FdResult OpenNetlinkSocketInNamespace(int netnsFd, int protocol);

// Opens a namespace file read-only, close-on-exec.
FdResult OpenNamespaceFile(const std::string& path);

}  // namespace nlkit
