#pragma once
// The web lab's access rules, as plain functions of header strings so they can be tested alone.
// The model is Jupyter's and TensorBoard's: the server binds 127.0.0.1, and every /api request
// must carry a random per-launch token that only the user who started the server saw (it is
// printed in the URL). Two browser attacks remain against a loopback server and are closed here:
//
//   DNS rebinding  a foreign page whose name resolves to 127.0.0.1 talks to the server as a
//                  "same-origin" page; its requests carry its own Host name, so Host must be a
//                  loopback name (localhost, 127.0.0.1, [::1], with or without the port) unless
//                  the user chose --host on purpose.
//   cross-site     a foreign page may send simple POSTs or open an EventSource; the browser marks
//                  them with its Origin, which must be this server's (http://<loopback>:<port>).
//                  A request without Origin (curl, a same-origin GET) passes on the token alone.
#include <optional>
#include <string>
#include <string_view>

namespace descent::serve {

// 32 bytes from /dev/urandom as 64 lowercase hex digits. IOError when it cannot be read.
std::string random_token();

// Equal strings, compared in time independent of where they differ (no timing oracle).
bool token_equals(std::string_view given, std::string_view expected);

// The token of a request: "Authorization: Bearer <t>", else "X-Descent-Token: <t>", else the
// `token` query parameter (EventSource cannot set headers). Empty strings count as absent.
std::optional<std::string> request_token(std::string_view authorization,
                                         std::string_view token_header,
                                         std::string_view token_param);

// Host header "localhost", "127.0.0.1" or "[::1]", optionally followed by ":<port>" with the
// server's port (names compared case-insensitively).
bool is_loopback_host(std::string_view host_header, int port);

// Origin "http://<loopback name>:<port>" as above.
bool is_loopback_origin(std::string_view origin, int port);

}  // namespace descent::serve
