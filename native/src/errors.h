// Errors thrown to JavaScript. Two kinds, which src/transport/native.ts turns
// into nlkit's typed errors:
//   errno error    { message, errno (positive), syscall }  ->  NetlinkError
//   argument error { message, code: 'ERR_NLKIT_ARGUMENT' } ->  ArgumentError
#pragma once

#include <napi.h>

#include <string>

namespace nlkit {

Napi::Error ErrnoError(Napi::Env env, int errnum, const char* syscall);
Napi::Error ArgumentError(Napi::Env env, const std::string& message);

}  // namespace nlkit
