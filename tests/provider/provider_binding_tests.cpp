// Domain separation of the bindings (issue 15, DESIGN §4) through the real
// TDX and SNP verifiers: evidence bound for a validator is not provider
// evidence, evidence bound for one provider, model or proof is not evidence
// for another, and the reverse.
#include <boost/test/unit_test.hpp>

#include <string>

#include "provider_support.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::provtest;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;

namespace {

struct Case {
  TeeType type;
  const char* name;
};
const Case kCases[] = {{TeeType::IntelTdx, "tdx"}, {TeeType::AmdSevSnp, "snp"}};

Bytes Evidence(TeeType type, const ReportDataBinding& b) {
  return type == TeeType::IntelTdx ? TdxQuote(b) : SnpEvidence(b);
}

const Hash32 kKey = IdFromLabel("provider-a");
const Hash32 kModel = HashFromLabel("llama-3-70b weights");
const Hash32 kChallenge = HashFromLabel("provider-challenge");

FailureCode ReasonOf(const Verdict& v) { return v.reason(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(provider_binding)

BOOST_AUTO_TEST_CASE(provider_evidence_verifies_only_as_its_own_provider_and_model) {
  auto verifier = MakeVerifier();
  const ModelBinding mine{kKey, kModel, kChallenge};
  for (const Case& c : kCases) {
    BOOST_TEST_CONTEXT(c.name) {
      const Bytes ev = Evidence(c.type, mine);
      const Verdict ok = Verify(*verifier, c.type, ev, mine);
      BOOST_TEST(ok.valid());
      BOOST_TEST((ok.binding_valid == std::optional<bool>(true)));

      const ModelBinding other_model{kKey, HashFromLabel("another model"), kChallenge};
      const ModelBinding other_provider{IdFromLabel("provider-b"), kModel, kChallenge};
      const ModelBinding other_challenge{kKey, kModel, HashFromLabel("another challenge")};
      // The same key and challenge as a validator's binding.
      const BindingInput as_validator{kKey, kChallenge};
      for (const ReportDataBinding& wrong :
           {ReportDataBinding(other_model), ReportDataBinding(other_provider),
            ReportDataBinding(other_challenge), ReportDataBinding(as_validator)}) {
        const Verdict v = Verify(*verifier, c.type, ev, wrong);
        BOOST_TEST(!v.valid());
        BOOST_TEST((ReasonOf(v) == FailureCode::kBindingMismatch));
        BOOST_TEST((v.binding_valid == std::optional<bool>(false)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(validator_evidence_is_not_provider_evidence) {
  auto verifier = MakeVerifier();
  const BindingInput validator{kKey, kChallenge};
  for (const Case& c : kCases) {
    BOOST_TEST_CONTEXT(c.name) {
      const Bytes ev = Evidence(c.type, validator);
      BOOST_TEST(Verify(*verifier, c.type, ev, validator).valid());
      // Whatever model hash the provider claims, even zero.
      for (const Hash32& model : {kModel, Hash32{}}) {
        const Verdict v = Verify(*verifier, c.type, ev, ModelBinding{kKey, model, kChallenge});
        BOOST_TEST((ReasonOf(v) == FailureCode::kBindingMismatch));
      }
      const Verdict zk =
          Verify(*verifier, c.type, ev, ZkBinding{kKey, Hash32{}, Hash32{}, kChallenge});
      BOOST_TEST((ReasonOf(zk) == FailureCode::kBindingMismatch));
    }
  }
}

BOOST_AUTO_TEST_CASE(zk_evidence_is_bound_to_exactly_one_proof) {
  auto verifier = MakeVerifier();
  const Hash32 vk = HashFromLabel("vk-1");
  const ZkBinding bound = ZkBinding::For(Text("proof-1"), Text("inputs-1"), vk, kChallenge);
  for (const Case& c : kCases) {
    BOOST_TEST_CONTEXT(c.name) {
      const Bytes ev = Evidence(c.type, bound);
      BOOST_TEST(Verify(*verifier, c.type, ev, bound).valid());
      for (const ZkBinding& wrong :
           {ZkBinding::For(Text("proof-2"), Text("inputs-1"), vk, kChallenge),
            ZkBinding::For(Text("proof-1"), Text("inputs-2"), vk, kChallenge),
            ZkBinding::For(Text("proof-1"), Text("inputs-1"), HashFromLabel("vk-2"), kChallenge),
            ZkBinding::For(Text("proof-1"), Text("inputs-1"), vk, HashFromLabel("c2"))}) {
        const Verdict v = Verify(*verifier, c.type, ev, wrong);
        BOOST_TEST((ReasonOf(v) == FailureCode::kBindingMismatch));
      }
      // Nor is it a model provider's evidence with the same bytes as fields.
      const Verdict m =
          Verify(*verifier, c.type, ev, ModelBinding{bound.proof_hash, bound.vk_id, kChallenge});
      BOOST_TEST((ReasonOf(m) == FailureCode::kBindingMismatch));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
