// Whole-file reads: one allocation sized from the file, one fread.
#include "file_bytes.h"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <sys/stat.h>

#include "descent/core/error.h"

namespace descent::data {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  const auto fail = [&](std::string_view what) {
    return IOError(fmt::format("{}: {}: {}", path, what, std::strerror(errno)));
  };
  errno = 0;
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw fail("cannot open");
  struct stat st {};
  if (fstat(fileno(f.get()), &st) != 0) throw fail("cannot stat");
  if (!S_ISREG(st.st_mode))
    throw IOError(fmt::format("{}: is not a regular file (a directory?)", path));
  const off_t size = st.st_size;
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && std::fread(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
    throw fail("short read");
  return bytes;
}

}  // namespace descent::data
