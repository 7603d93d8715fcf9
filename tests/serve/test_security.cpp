// The access rules of the web lab as plain functions (serve/security.h).
#include <gtest/gtest.h>

#include <set>

#include "serve/security.h"

namespace descent::serve {
namespace {

TEST(ServeSecurity, RandomTokensAreLongHexAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const std::string t = random_token();
    EXPECT_EQ(t.size(), 64u);
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(ServeSecurity, TokenEquality) {
  EXPECT_TRUE(token_equals("abc", "abc"));
  EXPECT_FALSE(token_equals("abd", "abc"));
  EXPECT_FALSE(token_equals("ab", "abc"));
  EXPECT_FALSE(token_equals("", "abc"));
}

TEST(ServeSecurity, TokenFromHeaderOrQuery) {
  EXPECT_EQ(request_token("Bearer xyz", "", ""), "xyz");
  EXPECT_EQ(request_token("bearer xyz", "", ""), "xyz");
  EXPECT_EQ(request_token("", "hdr", "q"), "hdr");
  EXPECT_EQ(request_token("", "", "q"), "q");
  EXPECT_EQ(request_token("Basic abc", "", ""), std::nullopt);
  EXPECT_EQ(request_token("", "", ""), std::nullopt);
}

TEST(ServeSecurity, LoopbackHosts) {
  for (const char* h : {"localhost", "localhost:8765", "127.0.0.1:8765", "[::1]:8765", "LOCALHOST"})
    EXPECT_TRUE(is_loopback_host(h, 8765)) << h;
  for (const char* h : {"evil.example", "evil.example:8765", "localhost:8766", "127.0.0.1:87651",
                        "localhost.evil.example", "127.0.0.1.nip.io:8765", "", "localhost:"})
    EXPECT_FALSE(is_loopback_host(h, 8765)) << h;
}

TEST(ServeSecurity, LoopbackOrigins) {
  EXPECT_TRUE(is_loopback_origin("http://127.0.0.1:8765", 8765));
  EXPECT_TRUE(is_loopback_origin("http://localhost:8765", 8765));
  EXPECT_TRUE(is_loopback_origin("http://[::1]:8765", 8765));
  EXPECT_FALSE(is_loopback_origin("http://localhost", 8765));  // another port (80)
  EXPECT_FALSE(is_loopback_origin("http://evil.example:8765", 8765));
  EXPECT_FALSE(is_loopback_origin("https://localhost:8765", 8765));
  EXPECT_FALSE(is_loopback_origin("null", 8765));
}

}  // namespace
}  // namespace descent::serve
