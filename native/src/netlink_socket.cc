#include "netlink_socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "errors.h"
#include "netns.h"

namespace nlkit {
namespace {

// ---- argument checks: a wrong argument is a typed error, never a crash ----

// Send and receive run once per request, so each argument costs one N-API
// call: napi_get_value_double is the number check too, and
// napi_get_typedarray_info gives the type, length and data pointer at once
// (node-addon-api's IsTypedArray + TypedArrayType + As<> would be three).

double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* name, double min, double max) {
  double d;
  if (napi_get_value_double(info.Env(), info[i], &d) != napi_ok) {
    throw ArgumentError(info.Env(), std::string(name) + " must be a number");
  }
  if (!(d >= min && d <= max) || std::floor(d) != d) {
    throw ArgumentError(info.Env(), std::string(name) + " must be an integer in [" + std::to_string(static_cast<long long>(min)) +
                                        ", " + std::to_string(static_cast<long long>(max)) + "], got " + std::to_string(d));
  }
  return d;
}

uint32_t U32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<uint32_t>(NumberArg(info, i, name, 0, 4294967295.0));
}

int32_t I32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<int32_t>(NumberArg(info, i, name, -2147483648.0, 2147483647.0));
}

// A typed array argument's memory, checked to be of the wanted element type.
template <typename T>
struct Elements {
  T* data;
  size_t length;  // in elements
};

template <typename T>
Elements<T> TypedArrayArg(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type want, const char* name,
                          const char* typeName) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  // Fails (napi_invalid_arg, no exception pending) for anything but a typed array.
  if (napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, nullptr, nullptr) != napi_ok || type != want) {
    throw ArgumentError(info.Env(), std::string(name) + " must be a " + typeName);
  }
  // A zero-length or detached view may report no data pointer at all.
  return Elements<T>{static_cast<T*>(data), data == nullptr ? 0 : length};
}

Elements<uint8_t> BytesArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return TypedArrayArg<uint8_t>(info, i, napi_uint8_array, name, "Uint8Array");
}

Elements<uint32_t> WordsArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return TypedArrayArg<uint32_t>(info, i, napi_uint32_array, name, "Uint32Array");
}

sockaddr_nl NetlinkAddress(uint32_t portId, uint32_t groups) {
  sockaddr_nl addr;
  memset(&addr, 0, sizeof addr);
  addr.nl_family = AF_NETLINK;
  addr.nl_pid = portId;
  addr.nl_groups = groups;
  return addr;
}

// "/run/netns/NAME" for a bare name; anything with a slash is a path already.
std::string NamespacePath(Napi::Env env, const std::string& netns) {
  if (netns.find('/') != std::string::npos) return netns;
  if (netns.empty() || netns == "." || netns == "..") {
    throw ArgumentError(env, "netns \"" + netns + "\" is not a namespace name");
  }
  return "/run/netns/" + netns;
}

}  // namespace

Napi::Function NetlinkSocket::Define(Napi::Env env) {
  return DefineClass(env, "NetlinkSocket",
                     {
                         InstanceMethod<&NetlinkSocket::Fd>("fd"),
                         InstanceMethod<&NetlinkSocket::Bind>("bind"),
                         InstanceMethod<&NetlinkSocket::Address>("address"),
                         InstanceMethod<&NetlinkSocket::Send>("send"),
                         InstanceMethod<&NetlinkSocket::SendBatch>("sendBatch"),
                         InstanceMethod<&NetlinkSocket::Receive>("receive"),
                         InstanceMethod<&NetlinkSocket::SetOption>("setOption"),
                         InstanceMethod<&NetlinkSocket::GetOption>("getOption"),
                         InstanceMethod<&NetlinkSocket::Memberships>("memberships"),
                         InstanceMethod<&NetlinkSocket::SetReadableHandler>("setReadableHandler"),
                         InstanceMethod<&NetlinkSocket::Close>("close"),
                     });
}

// new NetlinkSocket(protocol, netns?)
NetlinkSocket::NetlinkSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkSocket>(info) {
  Napi::Env env = info.Env();
  const int protocol = I32Arg(info, 0, "protocol");
  Napi::Value netns = info[1];
  FdResult opened;
  if (netns.IsUndefined() || netns.IsNull()) {
    opened = OpenNetlinkSocket(protocol);
  } else if (netns.IsString()) {
    const std::string path = NamespacePath(env, netns.As<Napi::String>().Utf8Value());
    FdResult ns = OpenNamespaceFile(path);
    if (ns.fd < 0) throw ErrnoError(env, ns.err, ns.syscall);
    opened = OpenNetlinkSocketInNamespace(ns.fd, protocol);
    close(ns.fd);
  } else if (netns.IsNumber()) {
    const int nsfd = I32Arg(info, 1, "netns");
    if (nsfd < 0) throw ArgumentError(env, "netns must be a namespace name, path or a non-negative fd");
    opened = OpenNetlinkSocketInNamespace(nsfd, protocol);
  } else {
    throw ArgumentError(env, "netns must be a namespace name, path or fd");
  }
  if (opened.fd < 0) throw ErrnoError(env, opened.err, opened.syscall);
  fd_ = opened.fd;
}

NetlinkSocket::~NetlinkSocket() {
  // Only reached once unpinned (or at environment teardown): no handler is
  // running. Release the fd and the poll handle without touching JS state.
  pinned_ = false;
  if (poll_ != nullptr) {
    poll_->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_->handle),
             [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
    poll_ = nullptr;
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void NetlinkSocket::RequireOpen(Napi::Env env, const char* syscall) const {
  if (fd_ < 0) throw ErrnoError(env, EBADF, syscall);
}

Napi::Value NetlinkSocket::Fd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fd_);
}

// bind(portId, groups)
Napi::Value NetlinkSocket::Bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "bind");
  const sockaddr_nl addr = NetlinkAddress(U32Arg(info, 0, "portId"), U32Arg(info, 1, "groups"));
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) throw ErrnoError(env, errno, "bind");
  return env.Undefined();
}

// address() -> { portId, groups }
Napi::Value NetlinkSocket::Address(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "getsockname");
  sockaddr_nl addr;
  socklen_t length = sizeof addr;
  memset(&addr, 0, sizeof addr);
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) throw ErrnoError(env, errno, "getsockname");
  Napi::Object result = Napi::Object::New(env);
  result.Set("portId", Napi::Number::New(env, addr.nl_pid));
  result.Set("groups", Napi::Number::New(env, addr.nl_groups));
  return result;
}

// send(bytes, portId, groups) -> bytes sent
Napi::Value NetlinkSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Elements<uint8_t> data = BytesArg(info, 0, "datagram");
  const sockaddr_nl to = NetlinkAddress(U32Arg(info, 1, "portId"), U32Arg(info, 2, "groups"));
  RequireOpen(env, "sendmsg");
  ssize_t n;
  do {
    n = sendto(fd_, data.data, data.length, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw ErrnoError(env, errno, "sendmsg");
  return Napi::Number::New(env, static_cast<double>(n));
}

// sendBatch(bytes, lengths, count, portId, groups) -> datagrams sent
Napi::Value NetlinkSocket::SendBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Elements<uint8_t> data = BytesArg(info, 0, "data");
  const Elements<uint32_t> lengths = WordsArg(info, 1, "lengths");
  const uint32_t count = U32Arg(info, 2, "count");
  sockaddr_nl to = NetlinkAddress(U32Arg(info, 3, "portId"), U32Arg(info, 4, "groups"));
  RequireOpen(env, "sendmmsg");
  if (count > lengths.length) throw ArgumentError(env, "count is larger than the lengths given");
  const uint32_t* length = lengths.data;
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; i++) total += length[i];
  if (total > data.length) {
    throw ArgumentError(env, "datagram lengths add up to " + std::to_string(total) + " bytes, more than the " +
                                 std::to_string(data.length) + " given");
  }
  uint8_t* base = data.data;
  size_t offset = 0;
  uint32_t sent = 0;
  while (sent < count) {
    const uint32_t want = std::min(count - sent, kMaxMessagesPerCall);
    if (sendHeaders_.size() < want) {
      sendHeaders_.resize(want);
      sendVectors_.resize(want);
    }
    size_t at = offset;
    for (uint32_t i = 0; i < want; i++) {
      sendVectors_[i].iov_base = base + at;
      sendVectors_[i].iov_len = length[sent + i];
      at += length[sent + i];
      msghdr& h = sendHeaders_[i].msg_hdr;
      memset(&h, 0, sizeof h);
      h.msg_name = &to;
      h.msg_namelen = sizeof to;
      h.msg_iov = &sendVectors_[i];
      h.msg_iovlen = 1;
      sendHeaders_[i].msg_len = 0;
    }
    const int n = sendmmsg(fd_, sendHeaders_.data(), want, MSG_DONTWAIT);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      // Report what went out; the failure recurs on the caller's retry.
      if (sent > 0) break;
      throw ErrnoError(env, err, "sendmmsg");
    }
    for (int i = 0; i < n; i++) offset += length[sent + i];
    sent += static_cast<uint32_t>(n);
    if (static_cast<uint32_t>(n) < want) break;
  }
  return Napi::Number::New(env, sent);
}

// receive(region, slotSize, slots, meta) -> datagrams * 2 + (overrun ? 1 : 0)
// One number, so that the hot path allocates no result object here.
Napi::Value NetlinkSocket::Receive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Elements<uint8_t> region = BytesArg(info, 0, "region");
  const uint32_t slotSize = U32Arg(info, 1, "slotSize");
  const uint32_t slots = U32Arg(info, 2, "slots");
  const Elements<uint32_t> meta = WordsArg(info, 3, "meta");
  RequireOpen(env, "recvmmsg");
  if (slotSize == 0) throw ArgumentError(env, "slotSize must be at least 1");
  if (static_cast<uint64_t>(slotSize) * slots > region.length) {
    throw ArgumentError(env, std::to_string(slots) + " slots of " + std::to_string(slotSize) + " bytes do not fit in a " +
                                 std::to_string(region.length) + "-byte region");
  }
  if (static_cast<uint64_t>(slots) * kMetaStride > meta.length) {
    throw ArgumentError(env, "meta has room for fewer than " + std::to_string(slots) + " rows");
  }
  if (slots == 0) return Napi::Number::New(env, 0);
  const DatagramReceiver::Result r = receiver_.Receive(fd_, region.data, slotSize, slots, meta.data);
  if (r.err != 0) throw ErrnoError(env, r.err, "recvmmsg");
  return Napi::Number::New(env, static_cast<double>(r.datagrams) * 2 + (r.overrun ? 1 : 0));
}

// setOption(level, name, value)
Napi::Value NetlinkSocket::SetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int level = I32Arg(info, 0, "level");
  const int name = I32Arg(info, 1, "name");
  const int value = I32Arg(info, 2, "value");
  RequireOpen(env, "setsockopt");
  if (setsockopt(fd_, level, name, &value, sizeof value) != 0) throw ErrnoError(env, errno, "setsockopt");
  return env.Undefined();
}

// getOption(level, name) -> int
Napi::Value NetlinkSocket::GetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int level = I32Arg(info, 0, "level");
  const int name = I32Arg(info, 1, "name");
  RequireOpen(env, "getsockopt");
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd_, level, name, &value, &length) != 0) throw ErrnoError(env, errno, "getsockopt");
  return Napi::Number::New(env, value);
}

// memberships() -> Uint32Array: bit j of word i is group 32 * i + j + 1.
Napi::Value NetlinkSocket::Memberships(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "getsockopt");
  std::vector<uint32_t> words(8);
  socklen_t length;
  for (;;) {
    length = static_cast<socklen_t>(words.size() * sizeof(uint32_t));
    if (getsockopt(fd_, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, words.data(), &length) != 0) {
      throw ErrnoError(env, errno, "getsockopt");
    }
    // The kernel writes the size it needs, which may exceed what it copied.
    if (length <= words.size() * sizeof(uint32_t)) break;
    words.resize(length / sizeof(uint32_t) + 1);
  }
  const size_t count = length / sizeof(uint32_t);
  Napi::Uint32Array result = Napi::Uint32Array::New(env, count);
  std::copy(words.begin(), words.begin() + count, result.Data());
  return result;
}

// setReadableHandler(fn | null)
Napi::Value NetlinkSocket::SetReadableHandler(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value handler = info[0];
  if (handler.IsNull() || handler.IsUndefined()) {
    StopPolling();
    return env.Undefined();
  }
  if (!handler.IsFunction()) throw ArgumentError(env, "the readable handler must be a function or null");
  RequireOpen(env, "poll");
  StartPolling(env, handler.As<Napi::Function>());
  return env.Undefined();
}

void NetlinkSocket::StartPolling(Napi::Env env, Napi::Function handler) {
  if (poll_ == nullptr) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      throw Napi::Error::New(env, "no event loop to poll the socket in");
    }
    Poll* poll = new Poll();
    poll->owner = this;
    poll->handle.data = poll;
    const int rc = uv_poll_init(loop, &poll->handle, fd_);
    if (rc < 0) {
      delete poll;  // never registered with the loop: no uv_close needed
      throw ErrnoError(env, -rc, "uv_poll_init");
    }
    poll_ = poll;
  }
  const int rc = uv_poll_start(&poll_->handle, UV_READABLE, OnPoll);
  if (rc < 0) throw ErrnoError(env, -rc, "uv_poll_start");
  handler_ = Napi::Persistent(handler);
  if (!asyncContext_) asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "nlkit.NetlinkSocket");
  // While a handler is set the socket must not be collected: the loop may
  // call back into it at any time.
  if (!pinned_) {
    Ref();
    pinned_ = true;
  }
}

void NetlinkSocket::StopPolling() {
  if (poll_ != nullptr) uv_poll_stop(&poll_->handle);
  handler_.Reset();
  asyncContext_.reset();
  if (pinned_) {
    pinned_ = false;
    Unref();
  }
}

void NetlinkSocket::CloseNow() {
  StopPolling();
  if (poll_ != nullptr) {
    // libuv may still hold the handle until the close callback runs; the
    // socket object may be gone by then, so the handle owns itself.
    poll_->owner = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_->handle),
             [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    // Not retried on EINTR: Linux releases the descriptor either way.
    close(fd_);
    fd_ = -1;
  }
}

// close(): idempotent.
Napi::Value NetlinkSocket::Close(const Napi::CallbackInfo& info) {
  CloseNow();
  return info.Env().Undefined();
}

void NetlinkSocket::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  Poll* poll = static_cast<Poll*>(handle->data);
  NetlinkSocket* self = poll->owner;
  if (self == nullptr || self->handler_.IsEmpty()) return;
  if (status < 0) {
    // libuv turns POLLERR into a failed poll and stops the handle. On a
    // netlink socket POLLERR means a pending socket error, in practice an
    // overrun (ENOBUFS) that the handler's next receive() reports. Keep
    // polling; if restarting fails, receive() reports why.
    uv_poll_start(handle, UV_READABLE, OnPoll);
  }
  self->CallHandler();
}

void NetlinkSocket::CallHandler() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  // Locals keep the socket object and the handler alive through the call,
  // even if the handler closes the socket or replaces itself.
  Napi::Object receiver = Value();
  Napi::Function handler = handler_.Value();
  std::unique_ptr<Napi::AsyncContext> context = std::move(asyncContext_);
  try {
    handler.MakeCallback(receiver, {}, *context);
  } catch (const Napi::Error& error) {
    // A throwing handler is an uncaught exception of the process, as for any
    // event listener; it never unwinds into libuv.
    Napi::Value value = error.Value();
    if (!value.IsEmpty()) napi_fatal_exception(env, value);
  }
  // Still the same subscription: keep the context for the next call.
  if (!asyncContext_ && !handler_.IsEmpty()) asyncContext_ = std::move(context);
}

}  // namespace nlkit
