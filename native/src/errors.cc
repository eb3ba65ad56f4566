#include "errors.h"

#include <string.h>

namespace nlkit {

Napi::Error ErrnoError(Napi::Env env, int errnum, const char* syscall) {
  char text[128];
  // GNU strerror_r returns the text, which may or may not be `text`.
  const char* reason = strerror_r(errnum, text, sizeof text);
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + ": " + reason);
  error.Set("errno", Napi::Number::New(env, errnum));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

Napi::Error ArgumentError(Napi::Env env, const std::string& message) {
  Napi::Error error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "ERR_NLKIT_ARGUMENT"));
  return error;
}

}  // namespace nlkit
