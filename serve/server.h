#pragma once
// `descent serve`: the web lab's HTTP server (cpp-httplib). It serves the built front end
// (web/dist) and the JSON API of api.h, and streams repeated updates with server-sent events.
// Access rules (security.h): loopback bind by default, a random per-launch token on every /api
// request (401 when missing, 403 when wrong), Host must be a loopback name unless the host was
// chosen explicitly (403), Origin must be this server's on /api requests that carry one (403),
// bodies over max_body_bytes get 413, malformed requests 400 with {"error": "..."}; a bounded
// pool of worker threads answers. See docs/web-lab.md.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace descent::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8765;                          // 0: any free port (tests)
  bool host_chosen = false;                 // --host given: accept any Host header
  std::filesystem::path runs_dir = "runs";  // page 6 lists the runs under it
  std::filesystem::path static_dir;         // the built front end; empty: API only
  std::string token;                        // empty: random_token()
  size_t max_body_bytes = 1 << 20;
  int threads = 8;
  int max_stream_interval_ms = 1000;  // upper bound of a stream's pause between events
};

class LabServer {
 public:
  explicit LabServer(ServerOptions options);
  ~LabServer();
  LabServer(const LabServer&) = delete;
  LabServer& operator=(const LabServer&) = delete;

  // Binds the socket; returns the port. IOError naming host and port when it cannot.
  int bind();
  // Serves until stop() (blocking). bind() first.
  void listen();
  // bind() and listen() on a background thread; returns the port once it accepts connections.
  int start_background();
  void stop();

  int port() const;
  const std::string& token() const;
  // http://<host>:<port>/?token=<token>
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace descent::serve
