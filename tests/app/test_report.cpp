// The HTML report: self-contained (embedded uPlot, no network references), data JSON that
// parses back with every run and metric, escaping, the generic table, sections and charts.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app_test_util.h"
#include "descent/app/report.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using testing::ScratchDir;

// Two optimizers, 2 epochs of 3 steps: per-step train loss and lr, per-epoch test metrics.
std::vector<MetricRecord> two_runs() {
  std::vector<MetricRecord> out;
  for (const std::string run : {"sgd:lr=0.1,momentum=0.9", "adam:lr=0.001"}) {
    for (int64_t step = 1; step <= 6; ++step) {
      const int64_t epoch = (step - 1) / 3;
      out.push_back({run, step, epoch, 0.01 * step, "train", "loss", 2.0 / step});
      out.push_back({run, step, epoch, 0.01 * step, "train", "lr", 0.1});
      if (step % 3 == 0) {
        out.push_back({run, step, epoch, 0.01 * step, "test", "loss", 1.0 / step});
        out.push_back({run, step, epoch, 0.01 * step, "test", "accuracy", 0.5 + 0.05 * step});
      }
    }
  }
  return out;
}

ReportData sample_report() {
  ReportData data;
  data.title = "compare on fashion-mnist";
  data.config = {{"model", "mlp"}, {"epochs", 2}};
  data.summary.columns = {"optimizer", "final train loss", "test accuracy", "s/epoch"};
  data.summary.rows = {{std::string("sgd:lr=0.1,momentum=0.9"), 0.3333333, 0.8, int64_t{3}},
                       {std::string("adam:lr=0.001"), 0.25, 0.85, 2.5}};
  data.metrics = two_runs();
  return data;
}

// The text of <script type="application/json" id="report-data">…</script>.
std::string data_script(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const size_t begin = page.find(open);
  EXPECT_NE(begin, std::string::npos);
  if (begin == std::string::npos) return "{}";
  const size_t start = begin + open.size();
  const size_t end = page.find("</script>", start);
  EXPECT_NE(end, std::string::npos);
  return page.substr(start, end - start);
}

nlohmann::json page_data(const std::string& page) {
  return nlohmann::json::parse(data_script(page));
}

const nlohmann::json* find_chart(const nlohmann::json& data, const std::string& title) {
  for (const auto& c : data["charts"]) {
    if (c["title"] == title) return &c;
  }
  return nullptr;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(Report, EmbedsUplotAndItsOwnScriptInline) {
  const std::string page = render_report_html(sample_report());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("var uPlot="), std::string::npos);          // the library itself
  EXPECT_NE(page.find(".uplot"), std::string::npos);              // its stylesheet
  EXPECT_NE(page.find("uPlot.join("), std::string::npos);         // the report's script
  EXPECT_NE(page.find("charts by uPlot 1."), std::string::npos);  // version in the header
  EXPECT_GT(page.size(), 50000u);
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
}

TEST(Report, LoadsNothingFromTheNetwork) {
  const std::string page = render_report_html(sample_report());
  for (const char* ref : {"src=\"http", "href=\"http", "src='http", "href='http", "url(http",
                          "url(\"http", "url('http", "@import", "<link", "<iframe", "<img"}) {
    EXPECT_EQ(page.find(ref), std::string::npos) << ref;
  }
  // The only URL anywhere is uPlot's attribution comment.
  EXPECT_EQ(count(page, "http://") + count(page, "https://"), 1u);
  EXPECT_NE(page.find("/*! https://github.com/leeoniya/uPlot"), std::string::npos);
}

TEST(Report, DataJsonHoldsEveryRunAndMetric) {
  const std::string page = render_report_html(sample_report());
  const nlohmann::json data = page_data(page);
  EXPECT_EQ(data["runs"], (std::vector<std::string>{"sgd:lr=0.1,momentum=0.9", "adam:lr=0.001"}));
  EXPECT_GE(data["palette"].size(), 8u);
  ASSERT_EQ(data["charts"].size(), 4u);
  // Order: loss (train, test), accuracy, then the others.
  std::vector<std::string> titles;
  for (const auto& c : data["charts"]) titles.push_back(c["title"]);
  EXPECT_EQ(titles,
            (std::vector<std::string>{"train loss", "test loss", "test accuracy", "train lr"}));

  const nlohmann::json& train_loss = *find_chart(data, "train loss");
  EXPECT_EQ(train_loss["x_label"], "step");
  EXPECT_EQ(train_loss["log_y"], true);
  ASSERT_EQ(train_loss["series"].size(), 2u);
  EXPECT_EQ(train_loss["series"][1]["label"], "adam:lr=0.001");
  EXPECT_EQ(train_loss["series"][1]["x"], (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_DOUBLE_EQ(train_loss["series"][1]["y"][3].get<double>(), 0.5);

  const nlohmann::json& acc = *find_chart(data, "test accuracy");
  EXPECT_EQ(acc["x_label"], "epoch");
  EXPECT_EQ(acc["log_y"], false);
  EXPECT_EQ(acc["series"][0]["x"], (std::vector<double>{0, 1}));
  EXPECT_DOUBLE_EQ(acc["series"][0]["y"][1].get<double>(), 0.8);
  EXPECT_EQ(find_chart(data, "train lr")->at("x_label"), "step");
  // One chart container per chart spec, numbered in order.
  for (size_t i = 0; i < data["charts"].size(); ++i) {
    EXPECT_NE(page.find(fmt::format("data-chart=\"{}\"", i)), std::string::npos);
  }
  EXPECT_EQ(count(page, "class=\"chart\" data-chart="), data["charts"].size());
}

TEST(Report, EscapesNamesEverywhere) {
  ReportData data = sample_report();
  const std::string evil = "x</script><script>alert(1)</script><!--&'\"";
  data.title = "title " + evil;
  for (MetricRecord& r : data.metrics) {
    if (r.run == "adam:lr=0.001") r.run = evil;
  }
  data.summary.rows[0][0] = evil;
  data.config = {{"name", evil}};
  data.sections.push_back({"section " + evil, "<p>trusted</p>", {}});
  const std::string page = render_report_html(data);

  // No name can open or close an element: the only script tags are the page's three.
  EXPECT_EQ(count(page, "<script"), 3u);
  EXPECT_EQ(count(page, "</script>"), 3u);
  EXPECT_EQ(page.find("<!--"), std::string::npos);
  EXPECT_NE(page.find("<title>title x&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--"
                      "&amp;&#39;&quot;</title>"),
            std::string::npos);
  EXPECT_NE(page.find("<h2>section x&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("<p>trusted</p>"), std::string::npos);  // section HTML is verbatim

  const std::string script = data_script(page);
  EXPECT_EQ(script.find('<'), std::string::npos);
  EXPECT_NE(script.find("\\u003c/script>"), std::string::npos);
  const nlohmann::json parsed = nlohmann::json::parse(script);
  EXPECT_EQ(parsed["runs"][1], evil);  // the JSON still holds the exact name
  EXPECT_EQ(parsed["title"], "title " + evil);
}

TEST(Report, InvalidUtf8InNamesIsReplacedNotFatal) {
  ReportData data = sample_report();
  data.metrics[0].run = "bad\xff";
  const nlohmann::json parsed = page_data(render_report_html(data));
  EXPECT_EQ(parsed["runs"][0], "bad\xEF\xBF\xBD");
}

TEST(Report, SummaryTableShowsEveryCell) {
  const std::string page = render_report_html(sample_report());
  EXPECT_NE(page.find("<th>final train loss</th>"), std::string::npos);
  EXPECT_NE(page.find("<td>sgd:lr=0.1,momentum=0.9</td><td class=\"num\">0.3333</td>"
                      "<td class=\"num\">0.8</td><td class=\"num\">3</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<td class=\"num\">2.5</td>"), std::string::npos);
  ReportData bad = sample_report();
  bad.summary.rows[1].pop_back();
  EXPECT_THROW(render_report_html(bad), ValueError);
}

TEST(Report, ConfigIsCollapsibleAndOptional) {
  const std::string page = render_report_html(sample_report());
  EXPECT_NE(page.find("<details class=\"config card\"><summary>Resolved configuration</summary>"
                      "<pre>{\n  &quot;model&quot;: &quot;mlp&quot;,\n  &quot;epochs&quot;: 2\n}"
                      "</pre></details>"),
            std::string::npos);
  ReportData bare = sample_report();
  bare.config = nullptr;
  bare.summary = {};
  const std::string plain = render_report_html(bare);
  EXPECT_EQ(plain.find("Resolved configuration"), std::string::npos);
  EXPECT_EQ(plain.find("<table"), std::string::npos);
}

TEST(Report, NonFiniteValuesBecomeGapsAndDuplicatesKeepTheLast) {
  ReportData data;
  data.title = "diverged";
  data.metrics = {{"r", 1, 0, 0.0, "train", "loss", 1.0},
                  {"r", 2, 0, 0.0, "train", "loss", HUGE_VAL},
                  {"r", 3, 0, 0.0, "train", "loss", std::nan("")},
                  {"r", 2, 0, 0.0, "train", "loss", 0.5}};  // step 2 again (a resumed run)
  const nlohmann::json chart = page_data(render_report_html(data))["charts"][0];
  EXPECT_EQ(chart["series"][0]["x"], (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(chart["series"][0]["y"], nlohmann::json::parse("[1.0, 0.5, null]"));
}

TEST(Report, SectionsAddGenericCharts) {
  ReportData data = sample_report();
  ChartSpec spectrum{"Hessian eigenvalues", "index", "eigenvalue", false, {}};
  spectrum.series.push_back({"adam:lr=0.001", {2, 0, 1}, {0.5, 3.0, 1.5}});
  spectrum.series.push_back({"top-k", {0}, {9.0}});
  data.sections.push_back({"Curvature", "<p>Top eigenvalues at the end.</p>", {spectrum}});
  const std::string page = render_report_html(data);
  const nlohmann::json charts = page_data(page)["charts"];
  ASSERT_EQ(charts.size(), 5u);
  const nlohmann::json& c = charts[4];
  EXPECT_EQ(c["title"], "Hessian eigenvalues");
  EXPECT_EQ(c["x_label"], "index");
  EXPECT_EQ(c["series"][0]["x"], (std::vector<double>{0, 1, 2}));  // sorted for uPlot
  EXPECT_EQ(c["series"][0]["y"], (std::vector<double>{3.0, 1.5, 0.5}));
  EXPECT_LT(page.find("<h2>Metrics</h2>"), page.find("<h2>Curvature</h2>"));
  EXPECT_NE(page.find("data-chart=\"4\""), std::string::npos);

  data.sections[0].charts[0].series[0].y.pop_back();
  EXPECT_THROW(render_report_html(data), ValueError);
}

TEST(Report, EmptyMetricsStillRender) {
  ReportData data;
  data.title = "nothing yet";
  const std::string page = render_report_html(data);
  EXPECT_NE(page.find("No metrics were recorded."), std::string::npos);
  const nlohmann::json parsed = page_data(page);
  EXPECT_TRUE(parsed["runs"].empty());
  EXPECT_TRUE(parsed["charts"].empty());
}

TEST(Report, WriteReportIsAtomicAndReadable) {
  ScratchDir dir;
  const auto path = dir.path() / "report.html";
  write_report(path, sample_report());
  EXPECT_EQ(read_text_file(path), render_report_html(sample_report()));
  EXPECT_THROW(write_report(dir.path() / "absent" / "report.html", sample_report()), IOError);
}

TEST(Report, HtmlEscape) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(html_escape("plain é"), "plain é");
}

}  // namespace
}  // namespace descent::app
