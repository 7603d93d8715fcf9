// landscape.json read back, and the landscapes of a run directory as report sections (see
// landscape_report.h).
#include "descent/app/landscape_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/app/json_text.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& message) {
  throw ValueError(fmt::format("{}: {}", where, message));
}

const json& member(const json& doc, const char* key, const std::string& where) {
  if (!doc.contains(key)) bad(where, fmt::format("missing key \"{}\"", key));
  return doc[key];
}

std::string text(const json& doc, const char* key, const std::string& where) {
  const json& v = member(doc, key, where);
  if (!v.is_string()) bad(where, fmt::format("\"{}\" must be a string", key));
  return v.get<std::string>();
}

// An array of numbers in which null stands for a non-finite value (landscape_json writes NaN
// and infinities as null).
std::vector<double> numbers(const json& doc, const char* key, const std::string& where) {
  const json& v = member(doc, key, where);
  if (!v.is_array()) bad(where, fmt::format("\"{}\" must be an array", key));
  std::vector<double> out;
  out.reserve(v.size());
  for (const json& x : v) {
    if (x.is_null()) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (x.is_number()) {
      out.push_back(x.get<double>());
    } else {
      bad(where, fmt::format("\"{}\" must hold numbers or null", key));
    }
  }
  return out;
}

void require_size(const std::vector<double>& v, size_t n, const char* key,
                  const std::string& where) {
  if (v.size() != n) {
    bad(where, fmt::format("\"{}\" has {} values, expected {}", key, v.size(), n));
  }
}

}  // namespace

bool looks_like_landscape(const json& document) {
  if (!document.is_object() || !document.contains("kind") || !document["kind"].is_string()) {
    return false;
  }
  const std::string kind = document["kind"];
  return kind == "interpolation" || kind == "slice";
}

LandscapeResult landscape_from_json(const json& doc, const std::string& where) {
  if (!looks_like_landscape(doc)) {
    bad(where, "not a landscape (\"kind\" must be \"interpolation\" or \"slice\")");
  }
  LandscapeResult r;
  r.kind = doc["kind"];
  r.checkpoint = text(doc, "checkpoint", where);
  r.split = text(doc, "split", where);
  const json& examples = member(doc, "examples", where);
  if (!examples.is_number_integer()) bad(where, "\"examples\" must be an integer");
  r.examples = examples.get<int64_t>();
  if (r.kind == "interpolation") {
    r.to = text(doc, "to", where);
    r.line.alpha = numbers(doc, "alpha", where);
    r.line.loss = numbers(doc, "loss", where);
    r.line.accuracy = numbers(doc, "accuracy", where);
    require_size(r.line.loss, r.line.alpha.size(), "loss", where);
    require_size(r.line.accuracy, r.line.alpha.size(), "accuracy", where);
    return r;
  }
  const json& seed = member(doc, "seed", where);
  if (!seed.is_number_unsigned()) bad(where, "\"seed\" must be a non-negative integer");
  r.seed = seed.get<uint64_t>();
  // landscape_json describes the directions in words; the first word names the kind.
  r.directions = text(doc, "directions", where).starts_with("hessian") ? "hessian" : "random";
  if (r.directions == "hessian") {
    r.eigenvalues = numbers(doc, "eigenvalues", where);
    require_size(r.eigenvalues, 2, "eigenvalues", where);
  }
  r.slice.a = numbers(doc, "a", where);
  r.slice.b = numbers(doc, "b", where);
  if (r.slice.a.empty() || r.slice.b.empty()) bad(where, "\"a\" and \"b\" must not be empty");
  const size_t n = r.slice.a.size() * r.slice.b.size();
  r.slice.loss = numbers(doc, "loss", where);
  r.slice.accuracy = numbers(doc, "accuracy", where);
  require_size(r.slice.loss, n, "loss", where);
  require_size(r.slice.accuracy, n, "accuracy", where);
  return r;
}

std::vector<ReportSection> run_landscape_sections(const fs::path& run_dir) {
  const fs::path analysis = run_dir / kAnalysisDirName;
  std::error_code ec;
  if (!fs::is_directory(analysis, ec)) return {};
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(analysis, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::vector<ReportSection> sections;
  for (const fs::path& file : files) {
    const std::string name = file.lexically_relative(run_dir).generic_string();
    try {
      const json doc = parse_json_text<json>(read_text_file(file));
      if (!looks_like_landscape(doc)) continue;
      ReportSection s = landscape_section(landscape_from_json(doc, name));
      s.title = fmt::format("Loss landscape ({}): {}", name, s.title);
      sections.push_back(std::move(s));
    } catch (const std::exception& e) {
      // A file that is not JSON at all is skipped like any other stray file; a landscape that
      // does not read says why in the report.
      if (dynamic_cast<const JsonTextError*>(&e) != nullptr ||
          dynamic_cast<const json::exception*>(&e) != nullptr)
        continue;
      sections.push_back(
          {.title = fmt::format("Loss landscape ({})", name),
           .html = "<p class=\"note\">could not be read: " + html_escape(e.what()) + "</p>\n",
           .charts = {}});
    }
  }
  return sections;
}

}  // namespace descent::app
