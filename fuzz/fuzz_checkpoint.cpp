// libFuzzer target for the checkpoint loader: any byte string must either parse or be refused
// with a descent::Error; crashes, sanitizer reports, leaks and other exceptions are bugs.
// Seed corpus: fuzz/corpus/checkpoint/ (tools/make_checkpoint_corpus.py).
#include <cstddef>
#include <cstdint>
#include <span>

#include "descent/app/checkpoint.h"
#include "descent/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const descent::app::Checkpoint c =
        descent::app::parse_checkpoint(std::span<const uint8_t>(data, size), "fuzz");
    // A file that parses must serialize again and parse back to the same tensors.
    const std::vector<uint8_t> again = descent::app::serialize_checkpoint(c);
    const descent::app::Checkpoint back = descent::app::parse_checkpoint(again, "fuzz/again");
    if (back.tensors.size() != c.tensors.size() || back.metadata != c.metadata) __builtin_trap();
  } catch (const descent::Error&) {
    // Refused with a message: the expected outcome for most inputs.
  }
  return 0;
}
