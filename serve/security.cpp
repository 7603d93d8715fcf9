// Access rules of the web lab; see security.h for the threat model.
#include "serve/security.h"

#include <descent/core/error.h>

#include <array>
#include <cctype>
#include <fstream>

namespace descent::serve {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// "name" or "name:port" with name a loopback name and port the server's.
bool is_loopback_authority(std::string_view authority, int port, bool port_required) {
  for (std::string_view name : {"localhost", "127.0.0.1", "[::1]"}) {
    if (authority.size() < name.size() || !iequals(authority.substr(0, name.size()), name))
      continue;
    const std::string_view rest = authority.substr(name.size());
    if (rest.empty()) return !port_required;
    if (rest.front() == ':' && rest.substr(1) == std::to_string(port)) return true;
  }
  return false;
}

}  // namespace

std::string random_token() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::array<unsigned char, 32> bytes{};
  if (!in.read(reinterpret_cast<char*>(bytes.data()), bytes.size()))
    throw IOError("serve: cannot read 32 bytes from /dev/urandom for the access token");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

bool token_equals(std::string_view given, std::string_view expected) {
  // Length is not secret (always 64); the content is compared without an early exit.
  if (given.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

std::optional<std::string> request_token(std::string_view authorization,
                                         std::string_view token_header,
                                         std::string_view token_param) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() &&
      iequals(authorization.substr(0, kBearer.size()), kBearer))
    return std::string(authorization.substr(kBearer.size()));
  if (!token_header.empty()) return std::string(token_header);
  if (!token_param.empty()) return std::string(token_param);
  return std::nullopt;
}

bool is_loopback_host(std::string_view host_header, int port) {
  return is_loopback_authority(host_header, port, false);
}

bool is_loopback_origin(std::string_view origin, int port) {
  constexpr std::string_view kScheme = "http://";
  if (origin.size() <= kScheme.size() || !iequals(origin.substr(0, kScheme.size()), kScheme))
    return false;
  return is_loopback_authority(origin.substr(kScheme.size()), port, true);
}

}  // namespace descent::serve
