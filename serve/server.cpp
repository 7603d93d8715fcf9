// The web lab's server: access rules in front of every request, the API routes, the static
// front end. See server.h and security.h.
#include "serve/server.h"

#include <descent/core/error.h>
#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "serve/routes.h"
#include "serve/security.h"

namespace descent::serve {

struct LabServer::Impl {
  ServerOptions options;
  httplib::Server http;
  int port = 0;
  std::thread thread;
};

namespace {

using Handled = httplib::Server::HandlerResponse;

// The rules of security.h, in order; answers and returns Handled for a refused request.
Handled check_access(const ServerOptions& o, int port, const httplib::Request& req,
                     httplib::Response& res) {
  const std::string host = req.get_header_value("Host");
  if (!o.host_chosen && !is_loopback_host(host, port)) {
    send_error(res, 403,
               fmt::format("Host '{}' is not a loopback name (localhost, 127.0.0.1, [::1]); "
                           "start the server with --host to serve other names",
                           host));
    return Handled::Handled;
  }
  if (!req.path.starts_with("/api/")) return Handled::Unhandled;  // the static front end

  const std::optional<std::string> token =
      request_token(req.get_header_value("Authorization"), req.get_header_value("X-Descent-Token"),
                    req.get_param_value("token"));
  if (!token) {
    send_error(res, 401,
               "missing access token: send 'Authorization: Bearer <token>' (the token is in the "
               "URL the server printed)");
    return Handled::Handled;
  }
  if (!token_equals(*token, o.token)) {
    send_error(res, 403, "wrong access token");
    return Handled::Handled;
  }
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    const bool same = o.host_chosen ? origin == "http://" + host : is_loopback_origin(origin, port);
    if (!same) {
      send_error(res, 403, fmt::format("cross-origin request from '{}' refused", origin));
      return Handled::Handled;
    }
  }
  return Handled::Unhandled;
}

}  // namespace

LabServer::LabServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  ServerOptions& o = impl_->options;
  if (o.token.empty()) o.token = random_token();
  if (o.threads < 1) throw ValueError("serve: threads must be >= 1");
  httplib::Server& http = impl_->http;
  const int threads = o.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(o.max_body_bytes);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Content-Security-Policy",
                             "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                             "img-src 'self' data:; frame-ancestors 'none'"}});
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return check_access(impl_->options, impl_->port, req, res);
  });
  // Statuses httplib answers by itself (404 of an unknown path, 413 of a large body, 400 of a
  // malformed request line) get a JSON body too.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string what = res.status == 413   ? "request body too large"
                             : res.status == 404 ? "not found"
                                                 : fmt::format("HTTP status {}", res.status);
    send_error(res, res.status, what);
  });
  add_api_routes(http, o);
  if (!o.static_dir.empty()) {
    if (!http.set_mount_point("/", o.static_dir.string()))
      throw IOError(
          fmt::format("serve: static directory {} does not exist (build the front end "
                      "with `npm run build` in web/, or give --static)",
                      o.static_dir.string()));
  }
}

LabServer::~LabServer() {
  stop();
}

int LabServer::bind() {
  ServerOptions& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host)
                               : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) throw IOError(fmt::format("serve: cannot listen on {}:{}", o.host, o.port));
  impl_->port = port;
  return port;
}

void LabServer::listen() {
  impl_->http.listen_after_bind();
}

int LabServer::start_background() {
  const int port = bind();
  impl_->thread = std::thread([this] { listen(); });
  while (!impl_->http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void LabServer::stop() {
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int LabServer::port() const {
  return impl_->port;
}
const std::string& LabServer::token() const {
  return impl_->options.token;
}

std::string LabServer::url() const {
  const std::string& host = impl_->options.host;
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return fmt::format("http://{}:{}/?token={}", shown, impl_->port, impl_->options.token);
}

}  // namespace descent::serve
