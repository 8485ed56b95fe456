#include "attestation/tdx/json_scan.h"

#include <algorithm>

namespace tenzro::tee::tdx {
namespace {

constexpr size_t kMaxDepth = 64;

Status Bad(const std::string& what, size_t at) {
  return Error(ErrorCode::kInvalidArgument, "JSON: " + what + " at byte " + std::to_string(at));
}

bool IsWs(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Scanner {
 public:
  explicit Scanner(ByteView t) : t_(t) {}
  size_t pos() const { return pos_; }
  void SkipWs() {
    while (pos_ < t_.size() && IsWs(t_[pos_])) ++pos_;
  }
  bool Peek(uint8_t& c) const {
    if (pos_ >= t_.size()) return false;
    c = t_[pos_];
    return true;
  }
  bool Eat(uint8_t c) {
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A string starting at pos_ ('"'); leaves pos_ after the closing quote.
  Status String(ByteView& content) {
    const size_t start = pos_;
    if (!Eat('"')) return Bad("expected a string", pos_);
    while (pos_ < t_.size()) {
      const uint8_t c = t_[pos_];
      if (c == '"') {
        content = t_.subspan(start + 1, pos_ - start - 1);
        ++pos_;
        return Status::Ok();
      }
      if (c < 0x20) return Bad("control character in a string", pos_);
      pos_ += (c == '\\') ? 2 : 1;
    }
    return Bad("unterminated string", start);
  }
  // Any value starting at pos_; leaves pos_ just after it.
  Status Value() {
    std::vector<uint8_t> closers;
    for (;;) {
      SkipWs();
      uint8_t c = 0;
      if (!Peek(c)) return Bad("truncated value", pos_);
      if (c == '"') {
        ByteView s;
        TEE_TRY(String(s));
      } else if (c == '{' || c == '[') {
        if (closers.size() >= kMaxDepth) return Bad("nested too deeply", pos_);
        closers.push_back(c == '{' ? '}' : ']');
        ++pos_;
        continue;  // the first element (or the closer) follows
      } else if (c == '}' || c == ']') {
        if (closers.empty() || closers.back() != c) return Bad("unbalanced bracket", pos_);
        closers.pop_back();
        ++pos_;
      } else if (c == ',' || c == ':') {
        if (closers.empty()) return Bad("unexpected separator", pos_);
        ++pos_;
        continue;
      } else {
        // Number or literal: up to the next delimiter.
        const size_t start = pos_;
        while (pos_ < t_.size() && !IsWs(t_[pos_]) && t_[pos_] != ',' && t_[pos_] != '}' &&
               t_[pos_] != ']' && t_[pos_] != ':') {
          ++pos_;
        }
        if (pos_ == start) return Bad("unexpected character", pos_);
      }
      if (closers.empty()) return Status::Ok();
    }
  }

 private:
  ByteView t_;
  size_t pos_ = 0;
};

}  // namespace

Result<ScannedObject> ScanJsonObject(ByteView text) {
  Scanner s(text);
  s.SkipWs();
  if (!s.Eat('{')) return Bad("expected an object", s.pos());
  ScannedObject out;
  s.SkipWs();
  if (s.Eat('}')) {
    out.end = s.pos();
    return out;
  }
  for (;;) {
    s.SkipWs();
    JsonMember m;
    TEE_TRY(s.String(m.key));
    s.SkipWs();
    if (!s.Eat(':')) return Bad("expected ':'", s.pos());
    s.SkipWs();
    const size_t start = s.pos();
    TEE_TRY(s.Value());
    m.value = text.subspan(start, s.pos() - start);
    out.members.push_back(m);
    s.SkipWs();
    if (s.Eat('}')) break;
    if (!s.Eat(',')) return Bad("expected ',' or '}'", s.pos());
  }
  out.end = s.pos();
  return out;
}

Result<ByteView> UniqueMember(const ScannedObject& obj, std::string_view key) {
  const JsonMember* found = nullptr;
  for (const auto& m : obj.members) {
    if (std::equal(m.key.begin(), m.key.end(), key.begin(), key.end())) {
      if (found != nullptr)
        return Error(ErrorCode::kInvalidArgument, "JSON: duplicate member " + std::string(key));
      found = &m;
    }
  }
  if (found == nullptr)
    return Error(ErrorCode::kInvalidArgument, "JSON: no member " + std::string(key));
  return found->value;
}

Result<std::string> PlainJsonString(ByteView value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    return Error(ErrorCode::kInvalidArgument, "JSON: expected a string value");
  }
  ByteView inner = value.subspan(1, value.size() - 2);
  if (std::any_of(inner.begin(), inner.end(),
                  [](uint8_t c) { return c == '\\' || c == '"' || c < 0x20; })) {
    return Error(ErrorCode::kInvalidArgument, "JSON: string value has escapes");
  }
  return std::string(inner.begin(), inner.end());
}

}  // namespace tenzro::tee::tdx
