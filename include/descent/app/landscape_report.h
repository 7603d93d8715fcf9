#pragma once
// Loss landscapes inside reports: the section a landscape draws (used by landscape.html and by a
// run's report.html), landscape.json read back into a LandscapeResult, and the landscapes found
// in a run directory's analysis/ folder.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/app/landscape_job.h"
#include "descent/app/report.h"

namespace descent::app {

// The name of the folder where instruments write into a run directory.
inline constexpr const char* kAnalysisDirName = "analysis";

// One report section: line charts of loss and accuracy against α for an interpolation; heatmaps
// of loss (log colors) and accuracy, the cuts through θ0 along d1 and d2, and a note naming the
// directions (random filter-normalized with their seed, or the Hessian eigenvectors with λ1, λ2)
// for a 2-D slice.
ReportSection landscape_section(const LandscapeResult& result);

// The inverse of landscape_json (landscape_job.h): null values become NaN. ValueError naming
// `where` and the key for a document that is not a landscape or whose arrays disagree in length.
LandscapeResult landscape_from_json(const nlohmann::json& document, const std::string& where);

// True when `document` is an object whose "kind" is "interpolation" or "slice".
bool looks_like_landscape(const nlohmann::json& document);

// One section per landscape JSON file under <run_dir>/analysis/ (any depth, sorted by path),
// titled with the file's path relative to the run directory. Other JSON files are ignored; a
// landscape file that cannot be read becomes a section that says why, so a damaged file never
// stops a report. No folder: no sections.
std::vector<ReportSection> run_landscape_sections(const std::filesystem::path& run_dir);

}  // namespace descent::app
