// The /api route table: each route parses its input, calls one function of api.h and answers
// JSON; exceptions become 4xx/5xx answers with {"error": "..."} so one bad request never
// disturbs the others.
#include "serve/routes.h"

#include <descent/core/error.h>

#include <charconv>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "serve/api.h"
#include "serve/api_playground.h"
#include "serve/request.h"

namespace descent::serve {
namespace {

constexpr int64_t kMaxStreamSteps = 2000;

void send_json(httplib::Response& res, const Json& body) {
  res.set_content(body.dump(), "application/json");
}

// Runs `handler`, mapping its exceptions to statuses: bad input 400, unknown id 404, anything
// else 500 (a bug or an I/O failure; the message still says what).
void answer(httplib::Response& res, const std::function<Json()>& handler) {
  try {
    send_json(res, handler());
  } catch (const NotFound& e) {
    send_error(res, 404, e.what());
  } catch (const ValueError& e) {
    send_error(res, 400, request_message(e.what()));
  } catch (const std::exception& e) {
    send_error(res, 500, e.what());
  }
}

using BodyHandler = Json (*)(const nlohmann::json&);

void post(httplib::Server& server, const std::string& path, BodyHandler handler) {
  server.Post(path, [handler](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] { return handler(parse_body(req.body)); });
  });
}

// GET /api/linear/stream?state=<the body of /api/linear/step>&interval_ms=<pause>: one event per
// gradient step, each the report of api_linear_step with steps = 1 from the previous event's
// parameters; "steps" of the state (1..2000) is the number of events, then an "end" event. The
// browser stops early by closing the EventSource.
void add_linear_stream(httplib::Server& server, const ServerOptions& options) {
  const int max_interval = options.max_stream_interval_ms;
  server.Get("/api/linear/stream",
             [max_interval](const httplib::Request& req, httplib::Response& res) {
               struct Stream {
                 nlohmann::json state;
                 int64_t remaining = 0;
                 int interval_ms = 0;
               };
               auto stream = std::make_shared<Stream>();
               try {
                 if (!req.has_param("state")) throw ValueError("request: state: is required");
                 stream->state = parse_body(req.get_param_value("state"));
                 const auto steps = stream->state.find("steps");
                 if (steps == stream->state.end() || !steps->is_number_integer() ||
                     steps->get<int64_t>() < 1 || steps->get<int64_t>() > kMaxStreamSteps)
                   throw ValueError("request: state.steps: must be an integer in [1, 2000]");
                 stream->remaining = steps->get<int64_t>();
                 const std::string interval = req.get_param_value("interval_ms");
                 stream->interval_ms = 50;
                 if (!interval.empty()) {
                   const char* const end = interval.data() + interval.size();
                   const auto parsed = std::from_chars(interval.data(), end, stream->interval_ms);
                   if (parsed.ec != std::errc() || parsed.ptr != end)
                     throw ValueError("request: interval_ms: expected an integer");
                 }
                 if (stream->interval_ms < 0 || stream->interval_ms > max_interval)
                   throw ValueError("request: interval_ms: must be in [0, " +
                                    std::to_string(max_interval) + "]");
                 stream->state["steps"] = 1;
                 api_linear_step(stream->state);  // validates everything before the stream starts
               } catch (const ValueError& e) {
                 return send_error(res, 400, request_message(e.what()));
               }
               res.set_header("Cache-Control", "no-store");
               res.set_chunked_content_provider(
                   "text/event-stream", [stream](size_t, httplib::DataSink& sink) {
                     if (stream->remaining == 0) {
                       const std::string end = "event: end\ndata: {}\n\n";
                       sink.write(end.data(), end.size());
                       sink.done();
                       return true;
                     }
                     std::string event;
                     try {
                       const Json report = api_linear_step(stream->state);
                       stream->state["params"] = report["params"];
                       event = "data: " + report.dump() + "\n\n";
                     } catch (const std::exception& e) {
                       event = "event: error\ndata: " + Json{{"error", e.what()}}.dump() + "\n\n";
                       stream->remaining = 1;
                     }
                     --stream->remaining;
                     // A failed write means the browser went away: returning false ends the stream.
                     if (!sink.write(event.data(), event.size())) return false;
                     std::this_thread::sleep_for(std::chrono::milliseconds(stream->interval_ms));
                     return true;
                   });
             });
}

// GET /api/playground/stream?state=<the body of /api/playground>: one "data" event with the
// points, then one event per frame (playground_frame_json) as the C++ run produces them, then
// "end" ({"status"}). The run happens inside the first call of the content provider, writing
// each frame as it comes; a failed write (the browser closed the EventSource) cancels the run.
void add_playground_stream(httplib::Server& server) {
  server.Get("/api/playground/stream", [](const httplib::Request& req, httplib::Response& res) {
    auto options = std::make_shared<app::PlaygroundOptions>();
    try {
      if (!req.has_param("state")) throw ValueError("request: state: is required");
      *options = playground_options(parse_body(req.get_param_value("state")));
    } catch (const ValueError& e) {
      return send_error(res, 400, request_message(e.what()));
    }
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider("text/event-stream", [options](size_t,
                                                                    httplib::DataSink& sink) {
      auto send = [&sink](const std::string& event, const Json& data) {
        const std::string text =
            (event.empty() ? "" : "event: " + event + "\n") + "data: " + data.dump() + "\n\n";
        return sink.write(text.data(), text.size());
      };
      std::string status;
      try {
        status =
            app::run_playground(
                *options,
                [&](const app::PlaygroundFrame& f) { return send("", playground_frame_json(f)); },
                [&](const app::PlaygroundData& d) {
                  Json data = playground_data_json(d);
                  data["grid"] = options->grid;
                  send("data", data);
                })
                .status;
      } catch (const std::exception& e) {
        send("error", Json{{"error", e.what()}});
        status = "error";
      }
      if (status != "cancelled") send("end", Json{{"status", status}});
      sink.done();
      return status != "cancelled";
    });
  });
}

}  // namespace

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(Json{{"error", message}}.dump(), "application/json");
}

void add_api_routes(httplib::Server& server, const ServerOptions& options) {
  server.Get("/api/info", [](const httplib::Request&, httplib::Response& res) {
    answer(res, [] { return api_info(); });
  });
  server.Get("/api/linear/lecture", [](const httplib::Request&, httplib::Response& res) {
    answer(res, [] { return api_linear_lecture(); });
  });
  post(server, "/api/linear/evaluate", api_linear_evaluate);
  post(server, "/api/linear/step", api_linear_step);
  add_linear_stream(server, options);
  post(server, "/api/problem/grid", api_problem_grid);
  post(server, "/api/race", api_race);
  post(server, "/api/dynamics", api_dynamics);
  post(server, "/api/dynamics/regimes", api_dynamics_regimes);
  post(server, "/api/taylor", api_taylor);
  post(server, "/api/taylor/local", api_taylor_local);
  post(server, "/api/playground", api_playground);
  post(server, "/api/playground/regularization", api_playground_regularization);
  add_playground_stream(server);
  const std::filesystem::path runs = options.runs_dir;
  server.Get("/api/runs", [runs](const httplib::Request&, httplib::Response& res) {
    answer(res, [&] { return api_runs(runs); });
  });
  server.Get("/api/runs/metrics", [runs](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      return api_run_metrics(runs, req.get_param_value("name"), req.get_param_value("version"));
    });
  });
}

}  // namespace descent::serve
