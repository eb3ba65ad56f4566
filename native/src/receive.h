// Many datagrams per system call, straight into caller-given slots.
//
//   base ─► ┌─ slot 0 (slotSize) ─┬─ slot 1 ──────┬─ ... ─┐
//           │ datagram │ unused   │ datagram │    │       │
//           └──────────┴──────────┴──────────┴────┴───────┘
//   meta ─► row i = kMetaStride u32 words describing datagram i:
//           [length size flags port groups group pid uid gid nsid]
//
// The row layout mirrors RECV_META_* and RECV_FLAG_* of
// src/transport/transport.ts; change both together.
#pragma once

#include <linux/netlink.h>
#include <stdint.h>
#include <sys/socket.h>

#include <vector>

namespace nlkit {

constexpr uint32_t kMetaStride = 10;
constexpr uint32_t kMetaLength = 0;
constexpr uint32_t kMetaSize = 1;
constexpr uint32_t kMetaFlags = 2;
constexpr uint32_t kMetaPort = 3;
constexpr uint32_t kMetaGroups = 4;
constexpr uint32_t kMetaGroup = 5;
constexpr uint32_t kMetaPid = 6;
constexpr uint32_t kMetaUid = 7;
constexpr uint32_t kMetaGid = 8;
constexpr uint32_t kMetaNsid = 9;

constexpr uint32_t kFlagTruncated = 1;
constexpr uint32_t kFlagCredentials = 2;
constexpr uint32_t kFlagNsid = 4;
constexpr uint32_t kFlagGroup = 8;

// The kernel caps one recvmmsg/sendmmsg call at UIO_MAXIOV messages.
constexpr uint32_t kMaxMessagesPerCall = 1024;

class DatagramReceiver {
 public:
  struct Result {
    uint32_t datagrams = 0;
    // recvmmsg reported ENOBUFS: the kernel dropped datagrams for this socket.
    bool overrun = false;
    // A failure other than EAGAIN/ENOBUFS, with no datagram to return first.
    int err = 0;
  };

  // Receives, never blocking, until `slots` datagrams are in or the queue is
  // empty. Caller guarantees slots * slotSize bytes at base and
  // slots * kMetaStride words at meta.
  Result Receive(int fd, uint8_t* base, uint32_t slotSize, uint32_t slots, uint32_t* meta);

 private:
  // Room for the control messages the socket options can produce:
  // SCM_CREDENTIALS (12 bytes), NETLINK_PKTINFO (4), NETLINK_LISTEN_ALL_NSID (4).
  static constexpr size_t kControlWords = 16;  // 128 bytes, cmsghdr-aligned

  void Reserve(uint32_t count);
  void Describe(const mmsghdr& header, uint32_t slotSize, uint32_t* row) const;

  std::vector<mmsghdr> headers_;
  std::vector<iovec> vectors_;
  std::vector<sockaddr_nl> senders_;
  std::vector<uint64_t> control_;
  // An error met after some datagrams were already received: returned by the
  // next call, so that neither the datagrams nor the error are lost.
  int pendingError_ = 0;
};

}  // namespace nlkit
