#pragma once
// The /api routes of the web lab on a cpp-httplib server (internal to serve/; server.cpp adds
// the access rules in front of them).
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "serve/server.h"

namespace descent::serve {

// {"error": message} with `status`.
void send_error(httplib::Response& res, int status, const std::string& message);

void add_api_routes(httplib::Server& server, const ServerOptions& options);

}  // namespace descent::serve
