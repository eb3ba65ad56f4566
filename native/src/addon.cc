// The nlkit_native module: the NetlinkSocket class, the receive metadata
// layout (checked against the TypeScript one at load time) and the socket
// option numbers of this platform.
#include <napi.h>
#include <sys/socket.h>

#include "netlink_socket.h"
#include "receive.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkSocket", nlkit::NetlinkSocket::Define(env));
  exports.Set("metaStride", Napi::Number::New(env, nlkit::kMetaStride));
  exports.Set("maxMessagesPerCall", Napi::Number::New(env, nlkit::kMaxMessagesPerCall));
  // SOL_SOCKET and SO_* differ between architectures (MIPS, SPARC, ...), so
  // they come from the headers this addon was compiled with.
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("SOL_SOCKET", Napi::Number::New(env, SOL_SOCKET));
  constants.Set("SO_RCVBUF", Napi::Number::New(env, SO_RCVBUF));
  constants.Set("SO_RCVBUFFORCE", Napi::Number::New(env, SO_RCVBUFFORCE));
  constants.Set("SO_SNDBUF", Napi::Number::New(env, SO_SNDBUF));
  constants.Set("SO_PASSCRED", Napi::Number::New(env, SO_PASSCRED));
  exports.Set("constants", constants);
  return exports;
}

}  // namespace

NODE_API_MODULE(nlkit_native, Init)
