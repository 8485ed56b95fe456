// Real vendor vectors (../shared/vectors, never copied into the repo): the
// one setting TEE_VECTORS_DIR (default ../shared/vectors beside the source
// tree), and the loader of <vendor>/cases.json (fields in CASES.md) with its
// byte mutations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"

namespace tenzro::tee::testing {

// The vectors directory, or nullopt when it is absent (a clear message is
// printed to stderr once, naming the path that was looked for).
std::optional<std::filesystem::path> VectorsDir();

struct VectorMutation {
  std::string target;  // "evidence" or a collateral role
  size_t offset = 0;
  std::string op;  // xor, add, set, or
  uint8_t value = 0;
};

struct VectorCase {
  std::string name, set, kind, scope, evidence;
  std::map<std::string, std::string> collateral;  // role -> file (relative to dir)
  uint64_t verify_at = 0;
  nlohmann::json policy = nlohmann::json::object();
  nlohmann::json expect = nlohmann::json::object();
  std::vector<VectorMutation> mutate;
  std::filesystem::path dir;  // <vectors>/<vendor>/<set>

  // File contents with this case's mutations for that target applied.
  Bytes Evidence() const;
  Bytes Collateral(const std::string& role) const;
  // Every collateral file of the case (mutated), in role order.
  std::vector<Bytes> AllCollateral() const;
};

// Every case of <vendor>/cases.json; empty (with the message of VectorsDir)
// when the vectors are absent. Throws std::runtime_error on a malformed file.
std::vector<VectorCase> LoadCases(const std::string& vendor);

// Whole file; throws std::runtime_error when unreadable.
Bytes ReadFileBytes(const std::filesystem::path& path);

}  // namespace tenzro::tee::testing
