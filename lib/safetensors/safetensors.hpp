#pragma once
// SafeTensors checkpoints (Hugging Face's weight format), read mapped: an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}, then
// the raw little-endian tensor bytes. Nothing is copied: a tensor is converted to float on demand,
// whole or a few rows at a time, from the page cache. Every lie a header can tell (sizes, offsets,
// dtypes, names, shapes) is a BadInput naming the file and the tensor.
//
//   auto ckpt = safetensors::Checkpoint::open(dir);   // a .safetensors file, an index, or a directory
//   for (const auto& t : ckpt.tensors()) …             // name, dtype, shape
//   ckpt.read(ckpt.tensor("lm_head.weight"), buffer);  // or read_rows(t, first_row, rows_buffer)
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zkm31::file {
class Mapped;
}

namespace zkm31::safetensors {

enum class DType { F32, F16, BF16, I8, I32, I64 };
std::string_view dtype_name(DType d);
size_t dtype_size(DType d);

struct TensorInfo {
  std::string name;
  DType dtype;
  std::vector<uint64_t> shape;
  uint64_t numel = 1;
  uint64_t begin = 0, end = 0;  // byte range within the data section (after the header)
  size_t shard = 0;             // which file of the checkpoint holds it

  // Elements per row: the product of every dimension but the first (1 for a scalar or a vector).
  uint64_t row_length() const;
  uint64_t rows() const { return row_length() == 0 ? 0 : numel / row_length(); }
};

struct Header {
  std::vector<TensorInfo> tensors;  // in data order (ascending offsets)
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // file offset of the data section: 8 + header length
};

// Parses and checks the header of a whole SafeTensors file given as bytes; `what` names it in errors.
Header parse_header(std::span<const uint8_t> file, const std::string& what);

// Converts `out.size()` elements of dtype `d` from `raw` (little-endian, exactly out.size() elements).
void to_float(DType d, std::span<const uint8_t> raw, std::span<float> out);

// One file, or a sharded checkpoint (model.safetensors.index.json and its shard files), mapped.
class Checkpoint {
 public:
  // `path` is a .safetensors file, a *.index.json, or a directory holding model.safetensors.index.json
  // or model.safetensors.
  static Checkpoint open(const std::string& path);
  Checkpoint(Checkpoint&&) noexcept;
  Checkpoint& operator=(Checkpoint&&) noexcept;
  ~Checkpoint();

  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // sorted by name
  bool has(std::string_view name) const;
  const TensorInfo& tensor(std::string_view name) const;  // BadInput naming the missing tensor

  // The tensor's bytes where they lie in the mapping.
  std::span<const uint8_t> raw(const TensorInfo& t) const;
  // The whole tensor as float; out.size() must be t.numel.
  void read(const TensorInfo& t, std::span<float> out) const;
  // out.size() / t.row_length() whole rows starting at `first_row`, as float.
  void read_rows(const TensorInfo& t, uint64_t first_row, std::span<float> out) const;

 private:
  Checkpoint() = default;
  std::vector<TensorInfo> add_file(const std::string& path);  // maps it; its tensors, in data order

  std::vector<std::unique_ptr<file::Mapped>> files_;  // one per shard
  std::vector<uint64_t> data_starts_;                 // per shard
  std::vector<TensorInfo> tensors_;
};

}  // namespace zkm31::safetensors
