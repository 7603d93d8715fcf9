// `descent serve`: the web lab. Starts the server of serve/ (cpp-httplib) and prints the URL
// with the access token; everything else is in serve/ and the app layer below it.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "serve/server.h"

#ifndef DESCENT_WEB_DIST
#define DESCENT_WEB_DIST ""
#endif

namespace descent::cli {
namespace {

struct ServeCliOptions {
  std::string host = "127.0.0.1";
  int port = 8765;
  std::string runs = "runs";
  std::string static_dir = DESCENT_WEB_DIST;
  int threads = 8;
};

void run(const ServeCliOptions& o, bool host_chosen) {
  serve::ServerOptions options;
  options.host = o.host;
  options.port = o.port;
  options.host_chosen = host_chosen;
  options.runs_dir = o.runs;
  options.static_dir = o.static_dir;
  options.threads = o.threads;
  serve::LabServer server(options);
  server.bind();
  fmt::print("descent web lab: {}\n", server.url());
  if (host_chosen)
    fmt::print("warning: --host given: any Host header is accepted; the token is the only guard\n");
  fmt::print("runs: {}   static files: {}\nPress Ctrl-C to stop.\n", o.runs, o.static_dir);
  std::fflush(stdout);
  server.listen();
}

}  // namespace

void register_serve(CLI::App& app) {
  auto opt = std::make_shared<ServeCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "serve", "The web lab: interactive pages for the lecture's demos, at a local URL");
  CLI::Option* host =
      sub->add_option("--host", opt->host,
                      "Address to bind (default 127.0.0.1; giving it also accepts any Host header)")
          ->capture_default_str();
  sub->add_option("--port", opt->port, "TCP port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  sub->add_option("--runs", opt->runs, "Directory of runs listed on the Runs page")
      ->capture_default_str();
  sub->add_option("--static", opt->static_dir, "Directory of the built front end (web/dist)")
      ->capture_default_str();
  sub->add_option("--threads", opt->threads, "Worker threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  sub->callback([opt, host] { run(*opt, host->count() > 0); });
}

}  // namespace descent::cli
