#include "base/content_hash.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace vmmsim;

TEST(ContentHash, IsFnv1a64) {
  // The reference vectors of FNV-1a, 64 bits.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(fnv1a64("bar", fnv1a64("foo")), fnv1a64("foobar"))
      << "a hash continues over more bytes";
}

TEST(ContentHash, OfAFileIsOfItsBytes) {
  const std::string path = ::testing::TempDir() + "content_hash_test.bin";
  std::string bytes(200000, '\0');  // more than one read's buffer, NUL bytes included
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  std::ofstream(path, std::ios::binary) << bytes;
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx",
                static_cast<unsigned long long>(fnv1a64(bytes)));
  EXPECT_EQ(file_fnv1a64(path), std::string(expected));
  std::remove(path.c_str());
  EXPECT_FALSE(file_fnv1a64(path)) << "a file that is not there has no hash";
}
