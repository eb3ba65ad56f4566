#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>
#include <thread>

namespace nlkit {

FdResult OpenNetlinkSocket(int protocol) {
  FdResult result;
  result.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (result.fd < 0) {
    result.err = errno;
    result.syscall = "socket";
  }
  return result;
}

FdResult OpenNetlinkSocketInNamespace(int netnsFd, int protocol) {
  FdResult result;
  try {
    std::thread worker([&result, netnsFd, protocol] {
      if (setns(netnsFd, CLONE_NEWNET) != 0) {
        result.err = errno;
        result.syscall = "setns";
        return;
      }
      result = OpenNetlinkSocket(protocol);
    });
    worker.join();
  } catch (const std::system_error& e) {
    result.fd = -1;
    result.err = e.code().value() > 0 ? e.code().value() : EAGAIN;
    result.syscall = "pthread_create";
  }
  return result;
}

FdResult OpenNamespaceFile(const std::string& path) {
  FdResult result;
  do {
    result.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (result.fd < 0 && errno == EINTR);
  if (result.fd < 0) {
    result.err = errno;
    result.syscall = "open";
  }
  return result;
}

}  // namespace nlkit
