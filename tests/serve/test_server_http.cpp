// The web lab server over real HTTP on a loopback port: the access rules answer with the right
// 4xx and a JSON error, and the server keeps answering afterwards.
#include <descent/app/metrics_log.h>
#include <descent/app/run_dir.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../app/app_test_util.h"
#include "serve/api.h"
#include "serve_test_util.h"

namespace descent::serve {
namespace {

using testing::TestServer;

std::string error_of(const httplib::Result& r) {
  return nlohmann::json::parse(r->body).at("error").get<std::string>();
}

std::string lecture_body() {
  return api_linear_lecture().dump();
}

// The server still answers a good request correctly.
void expect_alive(TestServer& s) {
  auto r = s.client().Get("/api/linear/lecture", TestServer::auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body).at("reg"), 0.1);
}

TEST(ServeHttp, MissingTokenIs401) {
  TestServer s;
  auto r = s.client().Get("/api/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(error_of(r).find("token"), std::string::npos);
  expect_alive(s);
}

TEST(ServeHttp, WrongTokenIs403InEveryPlace) {
  TestServer s;
  auto c = s.client();
  auto r1 = c.Get("/api/info", {{"Authorization", "Bearer wrong"}});
  auto r2 = c.Get("/api/info", {{"X-Descent-Token", "wrong"}});
  auto r3 = c.Get("/api/info?token=wrong");
  for (auto* r : {&r1, &r2, &r3}) {
    ASSERT_TRUE(*r);
    EXPECT_EQ((*r)->status, 403);
    EXPECT_EQ(error_of(*r), "wrong access token");
  }
  expect_alive(s);
}

TEST(ServeHttp, TokenInHeaderOrQueryIsAccepted) {
  TestServer s;
  auto c = s.client();
  EXPECT_EQ(c.Get("/api/info", {{"X-Descent-Token", testing::kToken}})->status, 200);
  EXPECT_EQ(c.Get(std::string("/api/info?token=") + testing::kToken)->status, 200);
}

TEST(ServeHttp, ForeignHostIs403) {
  TestServer s;
  auto r = s.client().Get("/api/info", TestServer::auth({{"Host", "evil.example:80"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(error_of(r).find("evil.example"), std::string::npos);
  // Also for the static pages (DNS rebinding would read them under a foreign name).
  EXPECT_EQ(s.client().Get("/", {{"Host", "evil.example"}})->status, 403);
  expect_alive(s);
}

TEST(ServeHttp, ForeignOriginIs403AndOwnOriginPasses) {
  TestServer s;
  auto c = s.client();
  auto bad = c.Post("/api/linear/evaluate", TestServer::auth({{"Origin", "http://evil.example"}}),
                    lecture_body(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 403);
  EXPECT_NE(error_of(bad).find("cross-origin"), std::string::npos);
  auto good = c.Post("/api/linear/evaluate", TestServer::auth({{"Origin", s.origin()}}),
                     lecture_body(), "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
}

TEST(ServeHttp, OversizedBodyIs413) {
  TestServer s;
  const std::string big(2 << 20, ' ');
  auto r = s.client().Post("/api/linear/evaluate", TestServer::auth(), big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  expect_alive(s);
}

TEST(ServeHttp, MalformedJsonIs400NamingTheProblem) {
  TestServer s;
  auto c = s.client();
  auto r = c.Post("/api/linear/evaluate", TestServer::auth(), "{\"points\": [", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(error_of(r).find("not valid JSON"), std::string::npos);

  nlohmann::json body = api_linear_lecture();
  body.erase("points");
  r = c.Post("/api/linear/evaluate", TestServer::auth(), body.dump(), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(error_of(r), "request: points: is required");

  body = api_linear_lecture();
  body["reg"] = "high";
  r = c.Post("/api/linear/evaluate", TestServer::auth(), body.dump(), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(error_of(r).find("reg: expected a number"), std::string::npos);

  body = api_linear_lecture();
  body["points"][3]["x"] = {1.0};
  r = c.Post("/api/linear/evaluate", TestServer::auth(), body.dump(), "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(error_of(r).find("points[3].x"), std::string::npos);

  r = c.Post("/api/race", TestServer::auth(), R"({"function": "nope", "optimizers": ["adam"]})",
             "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(error_of(r).find("nope"), std::string::npos);
  expect_alive(s);
}

TEST(ServeHttp, DeeplyNestedBodyIs400AndTheServerLives) {
  // 300,000 levels in 600 KB, under the body limit: parsed whole, the error message that
  // prints the value would overflow the stack of the server's thread and kill the process.
  TestServer s;
  const size_t depth = 300000;
  const std::string body =
      "{\"eigenvalues\": " + std::string(depth, '[') + std::string(depth, ']') + "}";
  auto r = s.client().Post("/api/dynamics", TestServer::auth(), body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(error_of(r),
            "request: body is not valid JSON: nests deeper than 256 levels (byte 271)");
  expect_alive(s);
}

TEST(ServeHttp, UnknownApiPathIs404Json) {
  TestServer s;
  auto r = s.client().Get("/api/nothing", TestServer::auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(error_of(r), "not found");
}

TEST(ServeHttp, ApiAnswersEqualTheFunctions) {
  TestServer s;
  auto c = s.client();
  auto r = c.Post("/api/linear/step", TestServer::auth(), lecture_body(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body), nlohmann::json(api_linear_step(api_linear_lecture())));
  const nlohmann::json race = {
      {"function", "booth"}, {"optimizers", {"adam:lr=0.1"}}, {"steps", 5}};
  r = c.Post("/api/race", TestServer::auth(), race.dump(), "application/json");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body), nlohmann::json(api_race(race)));
}

TEST(ServeHttp, LinearStreamSendsOneEventPerStep) {
  TestServer s;
  nlohmann::json state = api_linear_lecture();
  state["steps"] = 3;
  httplib::Params params{{"state", state.dump()}, {"interval_ms", "0"}, {"token", testing::kToken}};
  auto r = s.client().Get("/api/linear/stream?" + httplib::detail::params_to_query_str(params),
                          {{"Origin", s.origin()}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  // Events are the successive single steps: event k has the parameters after k steps.
  std::vector<nlohmann::json> events;
  size_t pos = 0;
  while ((pos = r->body.find("data: {\"", pos)) != std::string::npos) {
    const size_t end = r->body.find("\n\n", pos);
    events.push_back(nlohmann::json::parse(r->body.substr(pos + 6, end - pos - 6)));
    pos = end;
  }
  ASSERT_EQ(events.size(), 3u);
  nlohmann::json three = api_linear_lecture();
  three["steps"] = 3;
  EXPECT_EQ(events[2]["params"], nlohmann::json(api_linear_step(three)["params"]));
  EXPECT_NE(r->body.find("event: end"), std::string::npos);

  // A foreign Origin on a stream is refused like a state-changing request.
  auto bad = s.client().Get("/api/linear/stream?" + httplib::detail::params_to_query_str(params),
                            {{"Origin", "http://evil.example"}});
  EXPECT_EQ(bad->status, 403);
  params.erase("state");
  auto missing =
      s.client().Get("/api/linear/stream?" + httplib::detail::params_to_query_str(params));
  EXPECT_EQ(missing->status, 400);

  // interval_ms is a whole integer in range: "10ms" is not read as 10.
  params.emplace("state", state.dump());
  for (const char* bad : {"10ms", "1e3", "", " 5", "99999999999", "-1", "5000"}) {
    params.erase("interval_ms");
    params.emplace("interval_ms", bad);
    auto r_bad =
        s.client().Get("/api/linear/stream?" + httplib::detail::params_to_query_str(params));
    ASSERT_TRUE(r_bad);
    if (std::string(bad).empty()) {
      EXPECT_EQ(r_bad->status, 200);  // absent or empty: the default
      continue;
    }
    EXPECT_EQ(r_bad->status, 400) << bad;
    EXPECT_THAT(error_of(r_bad), ::testing::StartsWith("request: interval_ms: ")) << bad;
  }
}

TEST(ServeHttp, StaticFilesNeedNoTokenButApiDoes) {
  app::testing::ScratchDir dir;
  std::ofstream(dir.path() / "index.html") << "<!doctype html><title>lab</title>";
  TestServer s("no-runs-here", dir.path());
  auto r = s.client().Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("<title>lab</title>"), std::string::npos);
  EXPECT_EQ(s.client().Get("/api/info")->status, 401);
}

TEST(ServeHttp, RunsAreNamedByIdNeverByPath) {
  app::testing::ScratchDir dir;
  const app::RunDir run = app::create_run_dir(dir.path(), "demo");
  {
    app::MetricsLog log(run.path);
    log.append(app::MetricRecord{
        .run = "adam", .step = 1, .split = "train", .metric = "loss", .value = 2.5});
    log.append(app::MetricRecord{
        .run = "adam", .step = 2, .split = "train", .metric = "loss", .value = 1.5});
  }
  TestServer s(dir.path());
  auto c = s.client();
  auto r = c.Get("/api/runs", TestServer::auth());
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body),
            nlohmann::json::parse(R"([{"name":"demo","version":"v0","has_metrics":true}])"));
  r = c.Get("/api/runs/metrics?name=demo&version=v0", TestServer::auth());
  ASSERT_EQ(r->status, 200);
  const nlohmann::json m = nlohmann::json::parse(r->body);
  EXPECT_EQ(m["series"][0]["value"], nlohmann::json({2.5, 1.5}));
  EXPECT_EQ(m["series"][0]["step"], nlohmann::json({1, 2}));
  for (const char* bad : {"name=..&version=v0", "name=demo&version=..%2F..%2Fetc",
                          "name=%2Fetc&version=v0", "name=.hidden&version=v0"}) {
    r = c.Get(std::string("/api/runs/metrics?") + bad, TestServer::auth());
    EXPECT_EQ(r->status, 400) << bad;
  }
  EXPECT_EQ(c.Get("/api/runs/metrics?name=demo&version=v9", TestServer::auth())->status, 404);
  expect_alive(s);
}

}  // namespace
}  // namespace descent::serve
