// Pages 4 and 5 of the web lab: /api/taylor*, /api/playground* against the analysis/app
// functions they wrap, their field-naming errors, and the playground's event stream over HTTP.
#include <descent/analysis/critical_point.h>
#include <descent/analysis/local_model.h>
#include <descent/analysis/problems.h>
#include <descent/analysis/taylor.h>
#include <descent/app/playground.h>
#include <descent/core/error.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "serve/api.h"
#include "serve_test_util.h"

namespace descent::serve {
namespace {

using testing::error_of;

TEST(ServeTaylor, TableEqualsTaylorTable) {
  const Json r = api_taylor({{"degrees", {1, 5, 13}}, {"range", {-6.0, 6.0}}, {"points", 50}});
  const analysis::TaylorTable t = analysis::taylor_table(analysis::scalar_function_by_name("sin"),
                                                         0.0, {1, 5, 13}, -6.0, 6.0, 50);
  EXPECT_EQ(r["x"].get<std::vector<double>>(), t.x);
  EXPECT_EQ(r["f"].get<std::vector<double>>(), t.f);
  EXPECT_EQ(r["polynomial"].get<std::vector<std::vector<double>>>(), t.polynomial);
  EXPECT_EQ(r["max_error"].get<std::vector<double>>(), t.max_error);
  // sin's series: c_1 = 1, c_3 = −1/6; higher degrees follow sin further out.
  EXPECT_NEAR(r["coefficients"][3].get<double>(), -1.0 / 6.0, 1e-14);
  EXPECT_LT(t.max_error[2], t.max_error[1]);
}

TEST(ServeTaylor, LocalModelEqualsLocalModelGridAndClassifiesCriticalPoints) {
  const Json r = api_taylor_local({{"function", "himmelblau"}, {"point", {1.0, -0.5}}, {"n", 7}});
  const analysis::Problem p = analysis::problem_by_name("himmelblau");
  const analysis::LocalModelGrid2 g = analysis::local_model_grid(p, 1.0, -0.5, p.range, 7);
  EXPECT_EQ(r["f"].get<std::vector<double>>(), g.f);
  EXPECT_EQ(r["m1"].get<std::vector<double>>(), g.m1);
  EXPECT_EQ(r["m2"].get<std::vector<double>>(), g.m2);
  EXPECT_EQ(r["gradient"][1].get<double>(), g.gradient[1]);
  EXPECT_EQ(r["hessian"][0][1].get<double>(), g.hessian[0][1]);
  ASSERT_EQ(r["critical_points"].size(), 4u);  // Himmelblau's four minima
  for (const Json& c : r["critical_points"]) EXPECT_EQ(c["kind"], "minimum");
  const Json s = api_taylor_local({{"function", "saddle"}});
  ASSERT_EQ(s["critical_points"].size(), 1u);
  EXPECT_EQ(s["critical_points"][0]["kind"], "saddle");
  // H = diag(2, −2): eigenvalues −2 and 2.
  EXPECT_EQ(s["critical_points"][0]["eigenvalues"].get<std::vector<double>>(),
            (std::vector<double>{-2.0, 2.0}));
  EXPECT_EQ(api_taylor_local({{"function", "monkey_saddle"}})["critical_points"][0]["kind"],
            "degenerate");
}

TEST(ServeTaylor, BadInputNamesTheField) {
  EXPECT_NE(error_of([] {
              api_taylor({{"degrees", {1, -3}}});
            }).find("degrees[1]"),
            std::string::npos);
  EXPECT_NE(error_of([] { api_taylor(nlohmann::json::object()); }).find("degrees"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_taylor({{"degrees", {1}}, {"points", 1}});
            }).find("points"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_taylor({{"degrees", {1}}, {"function", "nope"}});
            }).find("nope"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_taylor_local({{"function", "booth"}, {"point", {1.0}}});
            }).find("point"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_taylor_local({{"function", "booth"}, {"n", 1000}});
            }).find("n"),
            std::string::npos);
}

TEST(ServePlayground, AnswerEqualsRunPlaygroundAndTheLossFalls) {
  const nlohmann::json body = {
      {"dataset", "circles"}, {"samples", 40},      {"widths", {12}}, {"activation", "tanh"},
      {"steps", 60},          {"report_every", 30}, {"grid", 10},     {"optimizer", "sgd:lr=0.5"}};
  const Json r = api_playground(body);
  const app::PlaygroundResult direct = app::run_playground({.dataset = "circles",
                                                            .samples = 40,
                                                            .widths = {12},
                                                            .activation = "tanh",
                                                            .optimizer = "sgd:lr=0.5",
                                                            .steps = 60,
                                                            .report_every = 30,
                                                            .grid = 10});
  ASSERT_EQ(r["frames"].size(), direct.frames.size());
  for (size_t k = 0; k < direct.frames.size(); ++k) {
    EXPECT_EQ(r["frames"][k]["losses"].get<std::vector<double>>(), direct.frames[k].losses);
    EXPECT_EQ(r["frames"][k]["classes"].get<std::vector<int64_t>>(), direct.frames[k].classes);
  }
  EXPECT_EQ(r["data"]["x"].get<std::vector<double>>(), direct.data.x);
  EXPECT_LT(r["frames"].back()["test_loss"].get<double>(),
            r["frames"][0]["test_loss"].get<double>());
  EXPECT_TRUE(r["frames"][0]["sharpness"].is_null());
}

TEST(ServePlayground, RegularizationRunsOnePerLambda) {
  const nlohmann::json body = {{"dataset", "moons"},
                               {"samples", 30},
                               {"widths", {8}},
                               {"steps", 30},
                               {"grid", 6},
                               {"lambdas", {0.0, 0.1}},
                               {"optimizer", "sgd:lr=0.3"}};
  const Json r = api_playground_regularization(body);
  ASSERT_EQ(r["runs"].size(), 2u);
  const app::PlaygroundResult strong = app::run_playground({.dataset = "moons",
                                                            .samples = 30,
                                                            .widths = {8},
                                                            .l2 = 0.1,
                                                            .optimizer = "sgd:lr=0.3",
                                                            .steps = 30,
                                                            .report_every = 30,
                                                            .grid = 6,
                                                            .sharpness = false});
  EXPECT_EQ(r["runs"][1]["classes"].get<std::vector<int64_t>>(), strong.last.classes);
  EXPECT_EQ(r["runs"][1]["lambda"].get<double>(), 0.1);
  EXPECT_NE(error_of([&] {
              nlohmann::json b = body;
              b["lambdas"] = {0.1, -1.0};
              api_playground_regularization(b);
            }).find("lambdas[1]"),
            std::string::npos);
}

TEST(ServePlayground, BadInputNamesTheField) {
  EXPECT_NE(error_of([] {
              api_playground({{"widths", {4, 0}}});
            }).find("widths[1]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_playground({{"widths", {4, "wide"}}});
            }).find("widths[1]"),
            std::string::npos);
  EXPECT_NE(error_of([] { api_playground({{"steps", 999999}}); }).find("steps"), std::string::npos);
  EXPECT_NE(error_of([] {
              api_playground({{"optimizer", "nosuch"}});
            }).find("nosuch"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_playground({{"colour", 1}});
            }).find("colour: unknown key"),
            std::string::npos);
}

TEST(ServePlaygroundHttp, StreamSendsDataFramesAndEnd) {
  testing::TestServer s;
  const std::string state =
      R"({"dataset":"xor","samples":20,"widths":[6],"steps":20,"report_every":10,"grid":5})";
  httplib::Params params{{"state", state}};
  auto r = s.client().Get("/api/playground/stream?" + httplib::detail::params_to_query_str(params),
                          testing::TestServer::auth({{"Origin", s.origin()}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(r->body.find("event: data\n"), std::string::npos);
  EXPECT_NE(r->body.find("event: end\ndata: {\"status\":\"completed\"}"), std::string::npos);
  size_t frames = 0;
  for (size_t pos = 0; (pos = r->body.find("data: {\"step\"", pos)) != std::string::npos; ++pos)
    ++frames;
  EXPECT_EQ(frames, 3u);  // steps 0, 10, 20
  auto bad = s.client().Get("/api/playground/stream?" + httplib::detail::params_to_query_str(
                                                            {{"state", R"({"widths":[4,0]})"}}),
                            testing::TestServer::auth());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("request: widths[1]"), std::string::npos);
  auto post = s.client().Post("/api/taylor", testing::TestServer::auth(), R"({"degrees":[1,"x"]})",
                              "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 400);
  EXPECT_NE(post->body.find("request: degrees[1]"), std::string::npos);
  EXPECT_EQ(s.client().Get("/api/info", testing::TestServer::auth())->status, 200);
}

// A client that goes away cancels its run: after four abandoned streams, each of which would keep
// a worker busy for minutes, the four workers of the test server are free again at once.
TEST(ServePlaygroundHttp, ClosingTheStreamCancelsTheRun) {
  testing::TestServer s;
  const std::string state =
      R"({"dataset":"spiral","samples":300,"widths":[256,256,256],"steps":5000,"report_every":1})";
  const std::string path =
      "/api/playground/stream?" + httplib::detail::params_to_query_str({{"state", state}});
  for (int i = 0; i < 4; ++i) {
    size_t received = 0;
    auto r = s.client().Get(path, testing::TestServer::auth(), [&](const char*, size_t n) {
      received += n;
      return false;  // hang up after the first chunk
    });
    EXPECT_GT(received, 0u);
  }
  const auto start = std::chrono::steady_clock::now();
  auto info = s.client().Get("/api/info", testing::TestServer::auth());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, 200);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
}

}  // namespace
}  // namespace descent::serve
