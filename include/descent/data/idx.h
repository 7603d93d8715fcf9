#pragma once
// IDX files: the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
//
//   offset 0   two zero bytes
//   offset 2   type code: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
//   offset 3   rank r (descent accepts 1 to kMaxIdxRank)
//   offset 4   r sizes, each a big-endian uint32
//   then       prod(sizes) elements of the type, big-endian, row-major
//
// The file may be gzip-compressed (recognized by its first two bytes 0x1f 0x8b, whatever its
// name). Reading is strict: the payload must hold exactly the bytes the header declares. For a
// gzip file the header also sets the decompression limit: descent inflates at most the header
// plus the declared payload plus one byte (to detect extra data), in one pass into a buffer
// allocated once from the header, and refuses a header declaring more than a deflate stream of
// the file's size could possibly produce (deflate expands at most ~1032:1), so a forged header
// cannot make it allocate absurd amounts of memory.
//
// Every failure is a FormatError (an IOError for a file that cannot be read) whose message reads
// "source: byte offset N: what", N counting bytes of the (decompressed) IDX stream; problems of
// the gzip layer name the offset in the compressed file.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "descent/core/shape.h"
#include "descent/core/tensor.h"
#include "descent/data/dataset.h"

namespace descent::data {

enum class IdxType : uint8_t {
  UInt8 = 0x08,
  Int8 = 0x09,
  Int16 = 0x0B,
  Int32 = 0x0C,
  Float32 = 0x0D,
  Float64 = 0x0E,
};

inline constexpr int kMaxIdxRank = 4;

// Bytes per element (1, 1, 2, 4, 4, 8).
size_t idx_type_size(IdxType t);
// "ubyte", "byte", "short", "int", "float", "double".
std::string_view idx_type_name(IdxType t);

// A decoded IDX array: elements in host byte order, row-major.
struct IdxArray {
  IdxType type = IdxType::UInt8;
  Shape dims;
  std::unique_ptr<uint8_t[]> bytes;  // numel() * idx_type_size(type) bytes
  size_t nbytes = 0;

  int64_t numel() const { return dims.numel(); }
  // Element i converted to double.
  double value(int64_t i) const;
};

// Parses IDX bytes (raw or gzip) held in memory; `source` names them in error messages.
IdxArray parse_idx(std::span<const uint8_t> bytes, std::string_view source);
// Reads and parses a file.
IdxArray load_idx(const std::string& path);

// Elements as a contiguous tensor of shape dims, converted to `dtype` and multiplied by `scale`
// (floating dtypes only; integer conversion is exact and requires scale == 1).
Tensor idx_to_tensor(const IdxArray& a, DType dtype, double scale = 1.0);

struct IdxDatasetOptions {
  int64_t num_classes = 10;  // labels must lie in [0, num_classes)
  bool flatten = true;       // images [N, d1, d2] become [N, d1*d2]
  double scale = 1.0 / 255;  // multiplies every pixel: ubyte pixels land in [0, 1]
};

// A classification dataset from an images array (rank >= 1, first size N) and a labels array
// (rank 1 of an integer type, N entries). Errors name the labels source and the byte offset of
// the first bad label, or the count mismatch.
Dataset idx_dataset(const IdxArray& images, std::string_view images_source, const IdxArray& labels,
                    std::string_view labels_source, const IdxDatasetOptions& options = {});
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         const IdxDatasetOptions& options = {});

// Where Debian's dataset-fashion-mnist installs the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The four files of the MNIST layout in `dir`: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each with or without ".gz". Works for MNIST
// and Fashion-MNIST alike; `name` becomes the datasets' names ("<name>/train", "<name>/test").
Split load_mnist_layout(const std::string& dir, std::string_view name,
                        const IdxDatasetOptions& options = {});
// Fashion-MNIST: 60000 training and 10000 test images [N, 784] in [0, 1], 10 named classes.
Split load_fashion_mnist(const std::string& dir = kFashionMnistDir,
                         const IdxDatasetOptions& options = {});
// The ten class names of Fashion-MNIST, "T-shirt/top" to "Ankle boot".
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace descent::data
