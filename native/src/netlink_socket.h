// NetlinkSocket: one AF_NETLINK socket as a JavaScript object.
//
//   new NetlinkSocket(protocol, netns?)   netns: path or name (string), or fd
//   bind(portId, groups)                  address() -> { portId, groups }
//   send(bytes, portId, groups) -> bytes sent
//   sendBatch(bytes, lengths, count, portId, groups) -> datagrams sent
//   receive(region, slotSize, slots, meta) -> datagrams * 2 + (overrun ? 1 : 0)
//   setOption(level, name, value)         getOption(level, name) -> int
//   memberships() -> Uint32Array group mask words
//   setReadableHandler(fn | null)         close()
//
// Readiness is a uv_poll handle on the fd in Node's own event loop: no thread
// per socket, no busy loop. Level-triggered, as epoll reports it to libuv.
#pragma once

#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "receive.h"

namespace nlkit {

class NetlinkSocket : public Napi::ObjectWrap<NetlinkSocket> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit NetlinkSocket(const Napi::CallbackInfo& info);
  ~NetlinkSocket() override;

 private:
  // Outlives the socket object when needed: libuv frees a handle only in its
  // close callback, which runs on a later loop iteration.
  struct Poll {
    uv_poll_t handle;
    NetlinkSocket* owner;
  };

  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Address(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value SendBatch(const Napi::CallbackInfo& info);
  Napi::Value Receive(const Napi::CallbackInfo& info);
  Napi::Value SetOption(const Napi::CallbackInfo& info);
  Napi::Value GetOption(const Napi::CallbackInfo& info);
  Napi::Value Memberships(const Napi::CallbackInfo& info);
  Napi::Value SetReadableHandler(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  // Throws EBADF (as `syscall`) once the socket is closed.
  void RequireOpen(Napi::Env env, const char* syscall) const;
  void StartPolling(Napi::Env env, Napi::Function handler);
  void StopPolling();
  void CloseNow();
  void CallHandler();
  static void OnPoll(uv_poll_t* handle, int status, int events);

  int fd_ = -1;
  Poll* poll_ = nullptr;
  bool pinned_ = false;
  Napi::FunctionReference handler_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
  DatagramReceiver receiver_;
  std::vector<mmsghdr> sendHeaders_;
  std::vector<iovec> sendVectors_;
};

}  // namespace nlkit
