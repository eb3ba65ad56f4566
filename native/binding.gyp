# The nlkit native addon: AF_NETLINK sockets only (open, bind, options,
# send, receive, readiness). Protocol logic lives in TypeScript.
{
  "targets": [
    {
      "target_name": "nlkit_native",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/netns.cc",
        "src/netlink_socket.cc",
        "src/receive.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-missing-field-initializers"]
    }
  ]
}
