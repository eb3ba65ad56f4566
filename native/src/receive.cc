#include "receive.h"

#include <errno.h>
#include <string.h>

#include <algorithm>

namespace nlkit {

void DatagramReceiver::Reserve(uint32_t count) {
  if (headers_.size() >= count) return;
  headers_.resize(count);
  vectors_.resize(count);
  senders_.resize(count);
  control_.resize(static_cast<size_t>(count) * kControlWords);
}

void DatagramReceiver::Describe(const mmsghdr& header, uint32_t slotSize, uint32_t* row) const {
  memset(row, 0, kMetaStride * sizeof(uint32_t));
  // With MSG_TRUNC in the flags, netlink reports the datagram's real size.
  const uint32_t size = header.msg_len;
  uint32_t flags = 0;
  if (size > slotSize || (header.msg_hdr.msg_flags & MSG_TRUNC)) flags |= kFlagTruncated;
  row[kMetaLength] = std::min(size, slotSize);
  row[kMetaSize] = size;

  const auto* sender = static_cast<const sockaddr_nl*>(header.msg_hdr.msg_name);
  if (header.msg_hdr.msg_namelen >= sizeof(sockaddr_nl)) {
    row[kMetaPort] = sender->nl_pid;
    row[kMetaGroups] = sender->nl_groups;
  }

  msghdr hdr = header.msg_hdr;  // CMSG_NXTHDR takes a non-const msghdr
  for (cmsghdr* c = CMSG_FIRSTHDR(&hdr); c != nullptr; c = CMSG_NXTHDR(&hdr, c)) {
    const size_t payload = c->cmsg_len - CMSG_LEN(0);
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && payload >= sizeof(ucred)) {
      ucred cred;
      memcpy(&cred, CMSG_DATA(c), sizeof cred);
      row[kMetaPid] = static_cast<uint32_t>(cred.pid);
      row[kMetaUid] = cred.uid;
      row[kMetaGid] = cred.gid;
      flags |= kFlagCredentials;
    } else if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_PKTINFO && payload >= sizeof(nl_pktinfo)) {
      nl_pktinfo info;
      memcpy(&info, CMSG_DATA(c), sizeof info);
      row[kMetaGroup] = info.group;
      flags |= kFlagGroup;
    } else if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID && payload >= sizeof(int)) {
      int nsid;
      memcpy(&nsid, CMSG_DATA(c), sizeof nsid);
      row[kMetaNsid] = static_cast<uint32_t>(nsid);
      flags |= kFlagNsid;
    }
  }
  row[kMetaFlags] = flags;
}

DatagramReceiver::Result DatagramReceiver::Receive(int fd, uint8_t* base, uint32_t slotSize, uint32_t slots,
                                                   uint32_t* meta) {
  Result result;
  if (pendingError_ != 0) {
    result.err = pendingError_;
    pendingError_ = 0;
    return result;
  }
  while (result.datagrams < slots) {
    const uint32_t first = result.datagrams;
    const uint32_t want = std::min(slots - first, kMaxMessagesPerCall);
    Reserve(want);
    for (uint32_t i = 0; i < want; i++) {
      vectors_[i].iov_base = base + static_cast<size_t>(first + i) * slotSize;
      vectors_[i].iov_len = slotSize;
      msghdr& h = headers_[i].msg_hdr;
      h.msg_name = &senders_[i];
      h.msg_namelen = sizeof(sockaddr_nl);
      h.msg_iov = &vectors_[i];
      h.msg_iovlen = 1;
      h.msg_control = &control_[static_cast<size_t>(i) * kControlWords];
      h.msg_controllen = kControlWords * sizeof(uint64_t);
      h.msg_flags = 0;
      headers_[i].msg_len = 0;
    }
    const int n = recvmmsg(fd, headers_.data(), want, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      // The kernel reports a receive-queue overrun once, as an error of the
      // next receive; what is still queued comes after it.
      if (err == ENOBUFS) {
        result.overrun = true;
        continue;
      }
      if (first > 0 || result.overrun) {
        pendingError_ = err;
      } else {
        result.err = err;
      }
      break;
    }
    for (int i = 0; i < n; i++) {
      Describe(headers_[i], slotSize, meta + static_cast<size_t>(first + i) * kMetaStride);
    }
    result.datagrams += static_cast<uint32_t>(n);
    // Fewer than asked: the queue is empty, or an error (an overrun) waits
    // for the next call. Either way another call now would be wasted.
    if (static_cast<uint32_t>(n) < want) break;
  }
  return result;
}

}  // namespace nlkit
