#include "core/status.h"

namespace tenzro::tee {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kConfig:
      return "config";
    case ErrorCode::kStorage:
      return "storage";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kEpochOrder:
      return "epoch_order";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kSimulationDisabled:
      return "simulation_disabled";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kOverflow:
      return "overflow";
    case ErrorCode::kNoSnapshot:
      return "no_snapshot";
    case ErrorCode::kEmpty:
      return "empty";
    case ErrorCode::kParamsMismatch:
      return "params_mismatch";
    case ErrorCode::kAbiVersion:
      return "abi_version";
    case ErrorCode::kCollateral:
      return "collateral";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kAuthentication:
      return "authentication";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace tenzro::tee
