#include "file/mapped.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zkm31::file {

Mapped::Mapped(int fd, bool populate) {
  struct stat st{};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return;
  void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
  if (p != MAP_FAILED) data_ = static_cast<const uint8_t*>(p), size_ = size_t(st.st_size);
}

Mapped::Mapped(const std::string& path, bool populate) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  Mapped m(fd, populate);
  ::close(fd);
  std::swap(data_, m.data_);
  std::swap(size_, m.size_);
}

void Mapped::release() const {
  if (data_) ::madvise(const_cast<uint8_t*>(data_), size_, MADV_DONTNEED);
}

void Mapped::release(std::span<const uint8_t> part) const {
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t from = (uintptr_t(part.data()) + page - 1) & ~(page - 1), to = (uintptr_t(part.data()) + part.size()) & ~(page - 1);
  if (data_ && part.data() >= data_ && part.data() + part.size() <= data_ + size_ && from < to)
    ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

Mapped::~Mapped() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace zkm31::file
