#include "support/vectors.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>

#include "support/test_support.h"

namespace tenzro::tee::testing {

std::optional<std::filesystem::path> VectorsDir() {
  const char* env = std::getenv("TEE_VECTORS_DIR");
  std::filesystem::path p = (env != nullptr && *env != '\0')
                                ? std::filesystem::path(env)
                                : std::filesystem::path(SourceDir()) / ".." / "shared" / "vectors";
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) return p;
  static std::once_flag once;
  std::call_once(once, [&] {
    std::fprintf(stderr,
                 "*** REAL VECTORS ABSENT: %s is not a directory (set TEE_VECTORS_DIR). "
                 "Tests over real vendor evidence are SKIPPED. ***\n",
                 p.string().c_str());
  });
  return std::nullopt;
}

Bytes ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

namespace {

Bytes Mutated(const VectorCase& c, const std::string& target, Bytes data) {
  for (const auto& m : c.mutate) {
    if (m.target != target) continue;
    if (m.offset >= data.size())
      throw std::runtime_error(c.name + ": mutation offset out of range");
    uint8_t& b = data[m.offset];
    if (m.op == "xor") {
      b = static_cast<uint8_t>(b ^ m.value);
    } else if (m.op == "add") {
      b = static_cast<uint8_t>(b + m.value);
    } else if (m.op == "set") {
      b = m.value;
    } else if (m.op == "or") {
      b = static_cast<uint8_t>(b | m.value);
    } else {
      throw std::runtime_error(c.name + ": unknown mutation op " + m.op);
    }
  }
  return data;
}

}  // namespace

Bytes VectorCase::Evidence() const {
  return Mutated(*this, "evidence", ReadFileBytes(dir / evidence));
}

Bytes VectorCase::Collateral(const std::string& role) const {
  auto it = collateral.find(role);
  if (it == collateral.end()) throw std::runtime_error(name + ": no collateral role " + role);
  return Mutated(*this, role, ReadFileBytes(dir / it->second));
}

std::vector<Bytes> VectorCase::AllCollateral() const {
  std::vector<Bytes> out;
  for (const auto& [role, file] : collateral) out.push_back(Collateral(role));
  return out;
}

std::vector<VectorCase> LoadCases(const std::string& vendor) {
  auto root = VectorsDir();
  if (!root) return {};
  const Bytes raw = ReadFileBytes(*root / vendor / "cases.json");
  const auto doc = nlohmann::json::parse(raw.begin(), raw.end());
  std::vector<VectorCase> out;
  for (const auto& j : doc) {
    VectorCase c;
    c.name = j.at("name").get<std::string>();
    c.set = j.at("set").get<std::string>();
    c.kind = j.value("kind", "");
    c.scope = j.value("scope", "");
    c.evidence = j.value("evidence", "");
    if (j.contains("collateral")) {
      for (const auto& [role, file] : j.at("collateral").items())
        c.collateral[role] = file.get<std::string>();
    }
    c.verify_at = j.at("verify_at").get<uint64_t>();
    if (j.contains("policy")) c.policy = j.at("policy");
    c.expect = j.at("expect");
    if (j.contains("mutate")) {
      for (const auto& m : j.at("mutate")) {
        c.mutate.push_back({m.at("target").get<std::string>(), m.at("offset").get<size_t>(),
                            m.at("op").get<std::string>(), m.at("value").get<uint8_t>()});
      }
    }
    c.dir = *root / vendor / c.set;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tenzro::tee::testing
