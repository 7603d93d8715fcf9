// Checkpoint files: atomic writing (temporary file, fsync, rename, fsync of the directory) and
// reading straight into tensor storage.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "checkpoint_header.h"

namespace descent::app {
namespace {

using detail::fail;

std::string system_reason() {
  return std::strerror(errno);
}

// A file descriptor closed on destruction (errors on that path are moot: we are failing).
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes now and reports failure (close can report a delayed write error).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

// Writes all of `bytes`, continuing after partial writes and signals. Large buffers go in one
// call each (the kernel may still split them; Linux caps one write near 2 GiB).
bool write_all(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return true;
}

// Reads exactly bytes.size() bytes; false with errno set on error, or errno = 0 at end of file.
bool read_all(int fd, std::span<uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::read(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;
      return false;
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return true;
}

// The temporary file beside the destination: ".<name>.tmp-<pid>-<n>". Created with O_EXCL so
// two writers never share one; removed on destruction unless committed by the rename.
class TempFile {
 public:
  TempFile(const std::filesystem::path& dest, const std::string& source) {
    static std::atomic<uint64_t> counter{0};
    const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = dest.parent_path() / fmt::format(".{}.tmp-{}-{}-{}", dest.filename().string(),
                                               ::getpid(), tick, counter++);
      // 0666 and the umask, as for any new file.
      const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) {
        fd_.reset(fd);
        return;
      }
      if (errno != EEXIST) break;
    }
    path_.clear();
    fail(source, fmt::format("cannot create a temporary file in '{}': {}",
                             dest.parent_path().string(), system_reason()));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  Fd& fd() { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  void committed() { path_.clear(); }

 private:
  std::filesystem::path path_;
  Fd fd_;
};

}  // namespace

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  const std::string source = path.string();
  if (path.filename().empty()) fail(source, "path names no file");
  // Everything that can fail without I/O (names, metadata, encoding) fails before the
  // temporary file exists.
  const detail::EncodedCheckpoint enc = detail::encode_checkpoint(checkpoint, source);
  const std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  TempFile tmp(dir / path.filename(), source);

  auto io_fail = [&](const char* step) {
    fail(source, fmt::format("{} '{}' failed: {}", step, tmp.path().string(), system_reason()));
  };
  if (!write_all(tmp.fd().get(), enc.head)) io_fail("writing");
  for (const Tensor& t : enc.tensors) {
    if (!write_all(tmp.fd().get(), detail::EncodedCheckpoint::bytes_of(t))) io_fail("writing");
  }
  // The data must be on disk before the rename makes it visible under the real name; otherwise
  // a crash could leave a complete-looking name over incomplete contents.
  if (::fsync(tmp.fd().get()) != 0) io_fail("fsync of");
  if (!tmp.fd().close()) io_fail("closing");
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
    fail(source, fmt::format("renaming '{}' to '{}' failed: {}", tmp.path().string(), source,
                             system_reason()));
  }
  tmp.committed();
  // The rename itself is durable only once the directory entry is.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    fail(source, fmt::format("written, but fsync of the directory '{}' failed: {}", dir.string(),
                             system_reason()));
  }
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  const std::string source = path.string();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(source, fmt::format("cannot open: {}", system_reason()));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(source, fmt::format("cannot stat: {}", system_reason()));
  if (!S_ISREG(st.st_mode)) fail(source, "is not a regular file");
  const auto total = static_cast<uint64_t>(st.st_size);

  // Reads `n` bytes at the current position or fails naming the offset.
  uint64_t pos = 0;
  auto read_exact = [&](std::span<uint8_t> dst) {
    if (!read_all(fd.get(), dst)) {
      fail(source, errno == 0
                       ? fmt::format("unexpected end of file (byte offset {})", pos)
                       : fmt::format("read failed: {} (byte offset {})", system_reason(), pos));
    }
    pos += dst.size();
  };

  uint8_t prefix[detail::kLengthBytes] = {};
  if (total >= detail::kLengthBytes) read_exact(prefix);
  const uint64_t n = detail::decode_header_length(prefix, total, source);
  std::string header(n, '\0');
  read_exact({reinterpret_cast<uint8_t*>(header.data()), header.size()});
  detail::CheckpointLayout layout = detail::decode_header(header, total, source);

  // Records tile the data section in order, so reading them one after another reads it all.
  Checkpoint out;
  out.metadata = std::move(layout.user_metadata);
  uint32_t crc = 0;
  for (detail::TensorRecord& r : layout.records) {
    Tensor t = Tensor::empty(r.shape, r.dtype);
    const std::span<uint8_t> dst(static_cast<uint8_t*>(t.raw_data()), r.end - r.begin);
    read_exact(dst);
    crc = detail::crc32_update(crc, dst);
    out.tensors.emplace_back(std::move(r.name), std::move(t));
  }
  detail::check_crc(crc, layout, source);
  return out;
}

}  // namespace descent::app
