#pragma once
// A web lab server started in-process on a free loopback port for one test, and an HTTP client
// for it that carries the token unless told otherwise.
#include <httplib.h>

#include <descent/core/error.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "serve/server.h"

namespace descent::serve::testing {

inline constexpr const char* kToken = "test-token-0123456789";

class TestServer {
 public:
  explicit TestServer(std::filesystem::path runs = "no-runs-here",
                      std::filesystem::path static_dir = {}) {
    server_ = std::make_unique<LabServer>(ServerOptions{.host = "127.0.0.1",
                                                        .port = 0,
                                                        .runs_dir = std::move(runs),
                                                        .static_dir = std::move(static_dir),
                                                        .token = kToken,
                                                        .threads = 4});
    port_ = server_->start_background();
  }
  ~TestServer() { server_->stop(); }

  int port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // A client; requests made with auth() carry the token.
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(20);
    return c;
  }
  static httplib::Headers auth(httplib::Headers extra = {}) {
    extra.emplace("Authorization", std::string("Bearer ") + kToken);
    return extra;
  }

 private:
  std::unique_ptr<LabServer> server_;
  int port_ = 0;
};

// The message `call` fails with (a ValueError), or "(no error)".
inline std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ValueError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace descent::serve::testing
