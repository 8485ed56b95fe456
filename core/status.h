// Status and Result<T>: the error model inside the plugin.
//
// No exceptions of our own cross layer boundaries: every fallible function
// returns Status or Result<T>. ErrorCode values equal the C ABI status codes
// (abi/tenzro_tee.h), which are never renumbered.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace tenzro::tee {

enum class ErrorCode : int32_t {
  kOk = 0,
  kInvalidArgument = 1,
  kConfig = 2,
  kStorage = 3,
  kNotFound = 4,
  kEpochOrder = 5,
  kTooLarge = 6,
  kSimulationDisabled = 7,
  kUnsupported = 8,
  kOverflow = 9,
  kNoSnapshot = 10,
  kEmpty = 11,
  kParamsMismatch = 12,
  kAbiVersion = 13,
  kCollateral = 14,
  kInternal = 15,
  // Issue 14: a ciphertext, sealed share or FROST signature share that fails
  // its authentication check (tampered, wrong key, wrong key id).
  kAuthentication = 16,
};

const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status Error(ErrorCode code, std::string message) {
  return Status(code, std::move(message));
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok()
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // REQUIRES: !ok()
  const Status& status() const& { return std::get<Status>(v_); }
  Status&& status() && { return std::get<Status>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tenzro::tee

#define TEE_CONCAT_INNER(a, b) a##b
#define TEE_CONCAT(a, b) TEE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` fails.
#define TEE_TRY(expr)                          \
  do {                                         \
    ::tenzro::tee::Status tee_try_s_ = (expr); \
    if (!tee_try_s_.ok()) return tee_try_s_;   \
  } while (0)

// Declares `lhs` from a Result, returning its Status from the enclosing
// function on failure.
#define TEE_ASSIGN_OR_RETURN(lhs, expr) \
  TEE_ASSIGN_OR_RETURN_IMPL(TEE_CONCAT(tee_res_, __LINE__), lhs, expr)
#define TEE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()
