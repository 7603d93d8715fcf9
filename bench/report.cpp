// Printing the results table and sections, and writing results.csv.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "bench.h"

namespace descent::bench {
namespace {

// Prints a table with left-aligned first column and right-aligned others, except columns
// whose index is in `left` (free text such as notes).
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, size_t left_from) {
  std::vector<size_t> width(header.size(), 0);
  auto widen = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  };
  widen(header);
  for (const auto& r : rows) widen(r);
  auto line = [&](const std::vector<std::string>& r) {
    std::string out = " ";
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string& cell = i < r.size() ? r[i] : std::string();
      const bool is_left = i == 0 || i >= left_from;
      const bool last = i + 1 == width.size();
      if (is_left)
        out += last ? cell : fmt::format("{:<{}}", cell, width[i]);
      else
        out += fmt::format("{:>{}}", cell, width[i]);
      if (!last) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    fmt::print("{}\n", out);
  };
  line(header);
  size_t total = 1;
  for (size_t w : width) total += w + 2;
  fmt::print(" {}\n", std::string(std::min<size_t>(total - 3, 110), '-'));
  for (const auto& r : rows) line(r);
}

std::string csv_number(double v) {
  return std::isfinite(v) ? fmt::format("{:.6g}", v) : "";
}

}  // namespace

std::string fmt_value(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3f}", v);
}

std::string fmt_percent(double fraction) {
  return std::isfinite(fraction) ? fmt::format("{:.1f}%", 100.0 * fraction) : "-";
}

void Report::print() const {
  fmt::print("\n== descent vs PyTorch (ratio = descent / pytorch; lower is better) ==\n");
  std::vector<std::vector<std::string>> table;
  for (const Row& r : rows) {
    const double ratio = r.ratio();
    table.push_back({r.workload + (r.in_csv ? "" : " *"), fmt_value(r.descent),
                     fmt_value(r.pytorch),
                     std::isfinite(ratio) ? fmt::format("{:.3f}", ratio) : "-", r.unit, r.note});
  }
  print_table({"workload", "descent", "pytorch", "ratio", "unit", "note"}, table, 5);
  if (std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.in_csv; }))
    fmt::print(" (* printed only, not in results.csv)\n");

  for (const Section& s : sections) {
    fmt::print("\n== {} ==\n", s.title);
    print_table(s.header, s.rows, s.header.size());
    for (const std::string& n : s.notes) fmt::print(" {}\n", n);
  }

  if (!goals.empty()) {
    fmt::print("\n== goals ==\n");
    std::vector<std::vector<std::string>> g;
    for (const Goal& goal : goals)
      g.push_back({goal.met ? "met" : "MISSED", goal.what, goal.measured});
    print_table({"", "goal", "measured"}, g, 1);
  }
  std::fflush(stdout);
}

void Report::write_csv(const std::string& path) const {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "workload,descent,pytorch,ratio,unit\n";
  for (const Row& r : rows) {
    if (!r.in_csv) continue;
    out << r.workload << ',' << csv_number(r.descent) << ',' << csv_number(r.pytorch) << ','
        << csv_number(r.ratio()) << ',' << r.unit << '\n';
  }
  if (!out) throw std::runtime_error("error writing " + path);
}

double Context::torch_value(const std::string& workload) const {
  const TorchResult* r = torch ? torch->find(workload) : nullptr;
  return r ? r->value : kNaN;
}

std::string Context::torch_note(const std::string& workload) const {
  const TorchResult* r = torch ? torch->find(workload) : nullptr;
  if (!r) return torch && !torch->ran ? "pytorch did not run" : "no pytorch result";
  if (r->by_threads.size() <= 1) return fmt::format("torch {} thr", r->threads);
  std::string others;
  for (const auto& [n, v] : r->by_threads)
    if (n != r->threads)
      others += fmt::format("{}{} thr {}", others.empty() ? "" : ", ", n, fmt_value(v));
  return fmt::format("torch best at {} thr ({})", r->threads, others);
}

Row& Context::add_row(const std::string& workload, double descent_value, const std::string& unit,
                      const std::string& note) {
  Row row;
  row.workload = workload;
  row.descent = descent_value;
  row.pytorch = torch_value(workload);
  row.unit = unit;
  const std::string tn = torch_note(workload);
  row.note = note.empty() ? tn : note + "; " + tn;
  if (const TorchResult* r = torch ? torch->find(workload) : nullptr; r && r->unit != unit) {
    row.pytorch = kNaN;
    row.note += fmt::format("; UNIT MISMATCH (pytorch reported {})", r->unit);
  }
  report->rows.push_back(std::move(row));
  return report->rows.back();
}

void Context::torch_once(const std::string& workload, std::vector<double>& into) const {
  if (!session) return;
  const TorchResult* r = torch ? torch->find(workload) : nullptr;
  if (const std::optional<double> v = session->measure(workload, r ? r->threads : 1))
    into.push_back(*v);
}

void Context::take_best_torch(Row& row, const std::vector<double>& alternated) {
  if (alternated.empty()) return;
  const double best = *std::min_element(alternated.begin(), alternated.end());
  if (std::isnan(row.pytorch) || best < row.pytorch) row.pytorch = best;
  row.note += fmt::format("; torch = best of its batch run and {} alternated", alternated.size());
}

}  // namespace descent::bench
