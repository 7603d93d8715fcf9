#pragma once
// Errors thrown by descent. Every failure is an exception derived from descent::Error whose
// message names the operation and the offending shapes, dtypes, keys or positions.
#include <stdexcept>
#include <string>

namespace descent {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Incompatible or invalid shapes (broadcasting, matmul inner dimensions, reshape sizes, ...).
class ShapeError : public Error {
  using Error::Error;
};

// A dtype the operation does not accept, or a mismatch between operands.
class DTypeError : public Error {
  using Error::Error;
};

// An index or axis outside its valid range.
class IndexError : public Error {
  using Error::Error;
};

// An invalid argument value (negative count, step of zero, non-finite where finite is required).
class ValueError : public Error {
  using Error::Error;
};

// Misuse of automatic differentiation (backward twice, non-scalar without grad_outputs, ...).
class AutogradError : public Error {
  using Error::Error;
};

// A tensor whose storage the system cannot provide; the message names the shape and the bytes.
class OutOfMemoryError : public Error {
  using Error::Error;
};

// Files and streams: what file, what position.
class IOError : public Error {
  using Error::Error;
};

// A file (or bytes in memory) that does not follow its format: bad magic, inconsistent sizes,
// a malformed CSV row. The message reads "source: byte offset N: what" or "source:line: what".
class FormatError : public IOError {
  using IOError::IOError;
};

}  // namespace descent
