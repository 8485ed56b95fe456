// http/verify_body.h and http/public_base64.h: the fast reader of the verify
// route's body must answer exactly as the reference reader (the nlohmann-json
// code the route always had), and the variable-time base64 decoder exactly as
// libsodium's. Tables of bad bodies with the status and error code the API
// has always given, plain bodies that must take the fast path, and seeded
// (deterministic) mutations of valid bodies compared answer for answer.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "crypto/base64.h"
#include "http/public_base64.h"
#include "http/verify_body.h"

using namespace tenzro::tee;
using namespace tenzro::tee::http;

namespace {

using Answer = std::variant<VerifyBody, Response>;

const std::string kKey(64, 'a');
const std::string kChallenge = std::string(62, '0') + "7f";

std::string B64(const std::string& s) {
  return crypto::Base64Encode(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// The same answer: the same decoded body, or the same status, type and body.
bool Same(const Answer& a, const Answer& b) {
  if (a.index() != b.index()) return false;
  if (const auto* ra = std::get_if<Response>(&a)) {
    const auto& rb = std::get<Response>(b);
    return ra->status == rb.status && ra->content_type == rb.content_type && ra->body == rb.body;
  }
  const auto& x = std::get<VerifyBody>(a);
  const auto& y = std::get<VerifyBody>(b);
  auto binding = [](const VerifyBody& v) {
    return v.binding ? ToHex(AsView(v.binding->validator_id)) + ToHex(AsView(v.binding->challenge))
                     : std::string("-");
  };
  return x.tee_type == y.tee_type && x.evidence == y.evidence && x.collateral == y.collateral &&
         binding(x) == binding(y) && x.at == y.at;
}

std::string Describe(const Answer& a) {
  if (const auto* r = std::get_if<Response>(&a)) return std::to_string(r->status) + " " + r->body;
  const auto& v = std::get<VerifyBody>(a);
  return "ok " + std::string(TeeTypeName(v.tee_type)) + " evidence " + ToHex(AsView(v.evidence)) +
         " blobs " + std::to_string(v.collateral.size()) + " at " +
         (v.at ? std::to_string(*v.at) : "-");
}

ApiLimits SmallLimits() {
  ApiLimits l;
  l.max_evidence_bytes = 8;
  l.max_collateral_blobs = 2;
  l.max_collateral_bytes = 6;
  return l;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_body)

// Every string of up to 4 characters over an alphabet with the edge cases
// (padding, whitespace, NUL, characters outside the alphabet), every byte
// value at every position of a few blocks, and canonical encodings of random
// bytes with one character changed.
BOOST_AUTO_TEST_CASE(public_base64_decodes_as_libsodium_on_every_input) {
  const std::string alphabet = std::string("AQgw/+=z9 \n!-") + '\0';
  std::vector<std::string> inputs = {""};
  for (size_t len = 1; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const auto& s : inputs)
      if (s.size() == len - 1)
        for (char c : alphabet) next.push_back(s + c);
    inputs.insert(inputs.end(), next.begin(), next.end());
  }
  // Every byte value at every position of a block, alone, after a block
  // and before padding: the decoder must not take any other character for
  // one of the 64 or for '='.
  for (const std::string base : {"QUJD", "QUJDQUJD", "QUI=", "QQ=="}) {
    for (size_t p = 0; p < base.size(); ++p) {
      for (int c = 0; c < 256; ++c) {
        std::string s = base;
        s[p] = static_cast<char>(c);
        inputs.push_back(s);
      }
    }
  }
  std::mt19937 rng(13);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(rng() % 40, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    std::string text = B64(bytes);
    inputs.push_back(text);
    if (!text.empty()) {
      text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
      inputs.push_back(text);
    }
  }
  size_t accepted = 0;
  for (const auto& s : inputs) {
    const auto want = crypto::Base64Decode(s);
    const auto got = DecodePublicBase64(s);
    BOOST_TEST_CONTEXT(ToHex(AsView(Bytes(s.begin(), s.end())))) { BOOST_TEST((got == want)); }
    accepted += want.has_value();
  }
  // Both sides of the comparison were exercised.
  BOOST_TEST(accepted > 1000u);
  BOOST_TEST(accepted < inputs.size());
}

// The answers the API has always given (tests/http/http_api_tests.cpp,
// http_abuse) and the cases a second parser could get wrong: for each, the
// fast reader declines and the route answers what the reference answers.
BOOST_AUTO_TEST_CASE(bad_bodies_answer_as_the_reference_reader) {
  const std::string ok_tail = R"(,"provider":"IntelTdx"})";
  struct Case {
    std::string name;
    std::string body;
    unsigned status;   // 0: accepted (the reference reads it)
    std::string code;  // the error code, or the accepted evidence in hex
  };
  const std::vector<Case> cases = {
      {"empty", "", 400, "malformed_json"},
      {"truncated", R"({"attestation":"0x00","provider":"IntelT)", 400, "malformed_json"},
      {"truncated after a comma", R"({"attestation":"0x00",)", 400, "malformed_json"},
      {"not an object", R"(["0x00"])", 400, "malformed_json"},
      {"null", "null", 400, "malformed_json"},
      {"trailing junk", R"({"attestation":"0x00","provider":"IntelTdx"} x)", 400, "malformed_json"},
      {"two documents", R"({"attestation":"0x00","provider":"IntelTdx"}{})", 400, "malformed_json"},
      {"deep nesting",
       R"({"attestation":"0x00","provider":"IntelTdx","at":)" + std::string(17, '[') +
           std::string(17, ']') + "}",
       400, "malformed_json"},
      {"nested junk", R"({"attestation":"0x00","provider":"IntelTdx","at":{"a":[1,{}]}})", 400,
       "wrong_type"},
      {"collateral of arrays",
       R"({"attestation":"0x00","provider":"IntelTdx","collateral":[["AA=="]]})", 400,
       "bad_encoding"},
      {"control character",
       "{\"attestation\":\"0x\x01"
       "00\"" +
           ok_tail,
       400, "malformed_json"},
      {"invalid UTF-8", "{\"attestation\":\"0x00\",\"provider\":\"Intel\xff\"}", 400,
       "malformed_json"},
      {"lone surrogate", R"({"attestation":"0x00","provider":"\ud800"})", 400, "malformed_json"},
      {"unknown field", R"({"attestation":"0x00","provider":"IntelTdx","extra":1})", 400,
       "unknown_field"},
      {"unknown field, escaped", R"({"attestation":"0x00","provider":"IntelTdx","a\u0074x":1})",
       400, "unknown_field"},
      {"unknown provider", R"({"attestation":"0x00","provider":"IntelTdxx"})", 400,
       "unknown_provider"},
      {"provider None", R"({"attestation":"0x00","provider":"None"})", 400, "unknown_provider"},
      {"provider number", R"({"attestation":"0x00","provider":3})", 400, "wrong_type"},
      {"provider missing", R"({"attestation":"0x00"})", 400, "wrong_type"},
      {"attestation number", R"({"attestation":42,"provider":"IntelTdx"})", 400, "wrong_type"},
      {"attestation missing", R"({"provider":"IntelTdx"})", 400, "wrong_type"},
      {"attestation null", R"({"attestation":null,"provider":"IntelTdx"})", 400, "wrong_type"},
      {"non-hex", R"({"attestation":"0x0g")" + ok_tail, 400, "bad_encoding"},
      {"odd hex length", R"({"attestation":"0x000")" + ok_tail, 400, "bad_encoding"},
      {"empty hex", R"({"attestation":"0x")" + ok_tail, 400, "bad_encoding"},
      {"empty attestation", R"({"attestation":"")" + ok_tail, 400, "bad_encoding"},
      {"base64 bad character", R"({"attestation":"!!!!")" + ok_tail, 400, "bad_encoding"},
      {"base64 without padding", R"({"attestation":"AQI")" + ok_tail, 400, "bad_encoding"},
      {"base64 padding bits", R"({"attestation":"AR==")" + ok_tail, 400, "bad_encoding"},
      {"base64 '=' inside", R"({"attestation":"AA==AAAA")" + ok_tail, 400, "bad_encoding"},
      {"base64 url alphabet", R"({"attestation":"AB-_")" + ok_tail, 400, "bad_encoding"},
      {"attestation over the limit", R"({"attestation":"0x000000000000000000")" + ok_tail, 413,
       "payload_too_large"},
      {"attestation text over the limit",
       R"({"attestation":")" + std::string(24, 'A') + "\"" + ok_tail, 413, "payload_too_large"},
      {"at negative", R"({"attestation":"0x00","provider":"IntelTdx","at":-5})", 400, "wrong_type"},
      {"at minus zero", R"({"attestation":"0x00","provider":"IntelTdx","at":-0})", 400,
       "wrong_type"},
      {"at fraction", R"({"attestation":"0x00","provider":"IntelTdx","at":1.5})", 400,
       "wrong_type"},
      {"at 1.0", R"({"attestation":"0x00","provider":"IntelTdx","at":1.0})", 400, "wrong_type"},
      {"at exponent", R"({"attestation":"0x00","provider":"IntelTdx","at":1E2})", 400,
       "wrong_type"},
      {"at 2^64", R"({"attestation":"0x00","provider":"IntelTdx","at":18446744073709551616})", 400,
       "wrong_type"},
      {"at huge",
       R"({"attestation":"0x00","provider":"IntelTdx","at":1)" + std::string(30, '0') + "}", 400,
       "wrong_type"},
      {"at overflowing a double", R"({"attestation":"0x00","provider":"IntelTdx","at":1e400})", 400,
       "malformed_json"},
      {"at leading zero", R"({"attestation":"0x00","provider":"IntelTdx","at":01})", 400,
       "malformed_json"},
      {"at string", R"({"attestation":"0x00","provider":"IntelTdx","at":"now"})", 400,
       "wrong_type"},
      {"at true", R"({"attestation":"0x00","provider":"IntelTdx","at":true})", 400, "wrong_type"},
      {"collateral string", R"({"attestation":"0x00","provider":"IntelTdx","collateral":"x"})", 400,
       "wrong_type"},
      {"collateral number", R"({"attestation":"0x00","provider":"IntelTdx","collateral":[1]})", 400,
       "bad_encoding"},
      {"collateral bad base64",
       R"({"attestation":"0x00","provider":"IntelTdx","collateral":["AA==","A"]})", 400,
       "bad_encoding"},
      {"too many blobs", R"({"attestation":"0x00","provider":"IntelTdx","collateral":["","",""]})",
       413, "payload_too_large"},
      {"collateral over its bytes",
       R"({"attestation":"0x00","provider":"IntelTdx","collateral":["AAAAAAAA","AAAA"]})", 413,
       "payload_too_large"},
      {"key short", R"({"attestation":"0x00","provider":"IntelTdx","validator_key":"00"})", 400,
       "wrong_type"},
      {"key without challenge",
       R"({"attestation":"0x00","provider":"IntelTdx","validator_key":")" + kKey + "\"}", 400,
       "invalid_argument"},
      {"challenge and nonce differ",
       R"({"attestation":"0x00","provider":"IntelTdx","validator_key":")" + kKey +
           R"(","challenge":")" + kChallenge + R"(","nonce":")" + kKey + "\"}",
       400, "invalid_argument"},
      {"challenge non-hex",
       R"({"attestation":"0x00","provider":"IntelTdx","validator_key":")" + kKey +
           R"(","challenge":")" + std::string(64, 'g') + "\"}",
       400, "wrong_type"},
      {"duplicate key, last bad",
       R"({"attestation":"0x00","provider":"IntelTdx","provider":"Nope"})", 400,
       "unknown_provider"},
      // Accepted by the reference: the fast reader declines them, the
      // reference reads them as it always did.
      {"duplicate key, last wins", R"({"attestation":"0x00","attestation":"0x0102")" + ok_tail, 0,
       "0102"},
      {"unicode escape in a string", R"({"attestation":"\u0030x0A","provider":"Intel\u0054dx"})", 0,
       "0a"},
      {"escaped solidus in base64", R"({"attestation":"AQ\/\/")" + ok_tail, 0, "010fff"},
      {"whitespace in base64", R"({"attestation":"AQ\nID")" + ok_tail, 0, "010203"},
      {"byte order mark", "\xef\xbb\xbf{\"attestation\":\"0x01\"" + ok_tail, 0, "01"},
  };
  const ApiLimits limits = SmallLimits();
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const Answer reference = ReadVerifyBodyReference(c.body, limits);
      const Answer got = ReadVerifyBody(c.body, limits);
      BOOST_TEST(Same(got, reference), Describe(got) << " vs " << Describe(reference));
      BOOST_TEST(!ReadVerifyBodyFast(c.body, limits).has_value());
      if (c.status == 0) {
        BOOST_REQUIRE(std::holds_alternative<VerifyBody>(got));
        BOOST_TEST(ToHex(AsView(std::get<VerifyBody>(got).evidence)) == c.code);
      } else {
        BOOST_REQUIRE(std::holds_alternative<Response>(got));
        const auto& r = std::get<Response>(got);
        BOOST_TEST(r.status == c.status);
        BOOST_TEST(nlohmann::json::parse(r.body)["error"] == c.code);
      }
    }
  }
}

// Plain bodies, as clients send them, take the fast reader and decode to
// exactly what the reference reads.
BOOST_AUTO_TEST_CASE(plain_bodies_take_the_fast_reader) {
  const std::string blob1 = B64("collateral one"), blob2 = B64(std::string(300, '\x7f'));
  const std::vector<std::string> bodies = {
      R"({"attestation":"0x0102ff","provider":"IntelTdx"})",
      R"({"provider":"AmdSevSnp","attestation":"0XABCDEF"})",
      R"({"attestation":")" + B64("quote bytes") + R"(","provider":"AwsNitro","at":0})",
      " {\n \"attestation\" : \"0x01\" ,\t\"provider\":\"IntelTdx\", \"at\": 1752919234 }\r\n",
      R"({"attestation":"0x01","provider":"IntelTdx","at":18446744073709551615})",
      R"({"attestation":"0x01","provider":"IntelTdx","at":9223372036854775808})",
      R"({"attestation":"0x01","provider":"IntelTdx","collateral":[]})",
      R"({"attestation":"0x01","provider":"IntelTdx","collateral":[")" + blob1 + R"(",")" + blob2 +
          R"("]})",
      R"({"attestation":"0x01","provider":"IntelTdx","validator_key":")" + kKey +
          R"(","challenge":")" + kChallenge + "\"}",
      R"({"attestation":"0x01","provider":"IntelTdx","nonce":")" + kChallenge +
          R"(","validator_key":")" + kKey + "\"}",
      R"({"attestation":"0x01","provider":"IntelTdx","validator_key":")" + kKey +
          R"(","challenge":")" + kChallenge + R"(","nonce":")" + kChallenge + "\"}",
  };
  const ApiLimits limits;  // the defaults
  for (const std::string& body : bodies) {
    BOOST_TEST_CONTEXT(body.substr(0, 100)) {
      const auto fast = ReadVerifyBodyFast(body, limits);
      BOOST_REQUIRE(fast.has_value());
      const Answer reference = ReadVerifyBodyReference(body, limits);
      BOOST_TEST(Same(Answer(*fast), reference), Describe(*fast) << " vs " << Describe(reference));
    }
  }
  // The binding and the blobs are really there (not two empty answers).
  const auto bound = ReadVerifyBodyFast(bodies[8], limits);
  BOOST_REQUIRE(bound.has_value() && bound->binding.has_value());
  BOOST_TEST(ToHex(AsView(bound->binding->challenge)) == kChallenge);
  const auto blobs = ReadVerifyBodyFast(bodies[7], limits);
  BOOST_REQUIRE(blobs.has_value());
  BOOST_TEST(blobs->collateral.size() == 2u);
  // A body over kFastBodyMax is left to the reference.
  const std::string big = R"({"attestation":"0x)" + std::string(kFastBodyMax, '0') + "\"" +
                          R"(,"provider":"IntelTdx"})";
  BOOST_TEST(!ReadVerifyBodyFast(big, limits).has_value());
}

// Seeded mutations of valid bodies (bytes deleted, inserted, replaced, the
// text cut): whatever the fast reader accepts, the reference reads the same;
// whatever it declines, the route answers the reference's answer.
BOOST_AUTO_TEST_CASE(mutated_bodies_answer_as_the_reference) {
  const std::vector<std::string> seeds = {
      R"({"attestation":"0x0102ff","provider":"IntelTdx","at":12})",
      R"({"attestation":"AQID","provider":"IntelTdx","collateral":["AA==","AQI="]})",
      R"({"attestation":"0x01","provider":"IntelTdx","validator_key":")" + kKey +
          R"(","challenge":")" + kChallenge + "\"}",
  };
  const std::string interesting = std::string("\"\\-{}[],: 0x9=A/+eE.tnu") + '\0' + '\xff';
  std::mt19937 rng(1307);
  const ApiLimits limits = SmallLimits();
  size_t fast_accepted = 0, declined = 0, mismatches = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = seeds[rng() % seeds.size()];
    for (auto m = 1 + rng() % 3; m > 0 && !body.empty(); --m) {
      const size_t at = rng() % body.size();
      const char c = interesting[rng() % interesting.size()];
      switch (rng() % 4) {
        case 0:
          body.erase(at, 1);
          break;
        case 1:
          body.insert(at, 1, c);
          break;
        case 2:
          body[at] = c;
          break;
        default:
          body.resize(at);
          break;
      }
    }
    const Answer reference = ReadVerifyBodyReference(body, limits);
    const auto fast = ReadVerifyBodyFast(body, limits);
    const Answer got = ReadVerifyBody(body, limits);
    if (fast) {
      ++fast_accepted;
    } else {
      ++declined;
    }
    if (!Same(got, reference) || (fast && !Same(Answer(*fast), reference))) {
      if (++mismatches <= 5)
        BOOST_ERROR(ToHex(AsView(Bytes(body.begin(), body.end())))
                    << ": " << Describe(got) << " vs " << Describe(reference));
    }
  }
  BOOST_TEST(mismatches == 0u);
  BOOST_TEST(fast_accepted > 100u);
  BOOST_TEST(declined > 100u);
}

// The pool's threads read bodies at the same time, each with its own
// parser: answers stay exact (and TSan sees no race in the build that has it).
BOOST_AUTO_TEST_CASE(readers_run_concurrently) {
  const std::vector<std::string> bodies = {
      R"({"attestation":"0x0102ff","provider":"IntelTdx","at":12})",
      R"({"attestation":"AQID","provider":"AwsNitro","collateral":["AA==",")" +
          B64(std::string(5000, 'c')) + R"("]})",
      R"({"attestation":"0x01","provider":"IntelTdx","at":-1})",
      R"({"attestation":"0x01","provider":"IntelTdx",)",
  };
  const ApiLimits limits;
  std::vector<Answer> want;
  for (const auto& b : bodies) want.push_back(ReadVerifyBodyReference(b, limits));
  std::atomic<int> mismatches{0}, fast{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < 400; ++i) {
        const size_t k = (i + t) % bodies.size();
        if (!Same(ReadVerifyBody(bodies[k], limits), want[k])) ++mismatches;
        if (ReadVerifyBodyFast(bodies[k], limits)) ++fast;
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(mismatches.load() == 0);
  BOOST_TEST(fast.load() == 4 * 400 / 2);  // the two valid bodies
}

BOOST_AUTO_TEST_SUITE_END()
