// The standalone (non-consensus) verify path has its own verifier objects
// (DESIGN §2, issue 9 item 2): whatever it is shown, with whatever issuers a
// caller brings, no consensus answer of the node may change. Two plugin
// instances get the same consensus calls; one of them also serves standalone
// verify calls carrying extra issuers. Their admissions, registrations, epoch
// reports, weights and schedules must be byte-identical.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "attestation/snp/sim/simulator.h"
#include "attestation/tdx/sim/scenario.h"
#include "plugin/plugin.h"
#include "support/test_support.h"

using namespace tenzro::tee;

namespace {

constexpr uint64_t kNow = tdx::sim::kSimNow;

std::unique_ptr<plugin::Plugin> OpenNode(const testing::TempDir& dir, const std::string& name) {
  const std::string cfg = dir.Sub(name + ".toml");
  {
    std::ofstream out(cfg);
    out << "[tee]\ndb_path = \"" << dir.Sub(name + "-db") << "\"\nlog_level = \"off\"\n"
        << "[tee.consensus]\nsimulation = true\n";
  }
  auto p = plugin::Plugin::Open(cfg, nullptr);
  BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().ToString()));
  return std::move(*p);
}

// The bytes a node answers to the consensus calls, in one transcript.
struct Transcript {
  Bytes bytes;
  void Add(ByteView v) { bytes.insert(bytes.end(), v.begin(), v.end()); }
  void Add(uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Add(const Status& s) { Add(static_cast<uint64_t>(s.code())); }
};

struct Inputs {
  BindingInput tdx_binding{testing::IdFromLabel("tdx-validator"),
                           testing::HashFromLabel("challenge")};
  BindingInput snp_binding{testing::IdFromLabel("snp-validator"),
                           testing::HashFromLabel("challenge")};
  Bytes tdx_quote;
  Bytes tcb_info_bare;                      // TCB Info without its issuer chain
  Bytes tcb_issuers;                        // the chain a standalone caller brings for it
  std::vector<Bytes> other_tdx_collateral;  // QE Identity, CRLs (with chains)
  Bytes snp_evidence;
  Bytes snp_vek_pem, snp_chain_pem;
};

Inputs MakeInputs() {
  Inputs in;
  auto quote = tdx::sim::SimulateQuote(true, in.tdx_binding);
  BOOST_REQUIRE(quote.ok());
  in.tdx_quote = std::move(*quote);
  auto s = tdx::sim::Scenario::Tdx(tdx::sim::QuoteFormat::kTdxV4, kNow);
  s.tcb_info.signing.chain = std::vector<x509::Certificate>{};
  auto bare = tdx::sim::MakeTcbInfo(s.tcb_info);
  BOOST_REQUIRE(bare.ok());
  in.tcb_info_bare = std::move(*bare);
  const auto& dev = tdx::sim::Dev();
  in.tcb_issuers = tdx::sim::CertsPem({dev.tcb_signing.cert, dev.root.cert});
  s.with_tcb_info = false;
  auto rest = s.Collateral();
  BOOST_REQUIRE(rest.ok());
  in.other_tdx_collateral = std::move(*rest);

  auto spec = snp::sim::DefaultSimSpec(snp::format::Product::kGenoa);
  snp::sim::Bind(spec.report, in.snp_binding);
  auto ev = snp::sim::Simulate(spec);
  BOOST_REQUIRE(ev.ok());
  in.snp_evidence = ev->Extended(false);
  const std::string vek = ev->VekPem();
  const std::string chain = ev->ChainPem();
  in.snp_vek_pem.assign(vek.begin(), vek.end());
  in.snp_chain_pem.assign(chain.begin(), chain.end());
  return in;
}

// Non-consensus traffic: verify calls that bring issuers of their own.
void ServeStandalone(plugin::Plugin& node, const Inputs& in) {
  StandaloneRequest tdx_req;
  tdx_req.tee_type = TeeType::IntelTdx;
  tdx_req.evidence = AsView(in.tdx_quote);
  tdx_req.collateral_blobs = {AsView(in.tcb_info_bare), AsView(in.tcb_issuers)};
  for (const auto& b : in.other_tdx_collateral) tdx_req.collateral_blobs.push_back(AsView(b));
  tdx_req.now = kNow;
  tdx_req.binding = in.tdx_binding;
  auto v = node.Verify(tdx_req);
  BOOST_REQUIRE(v.ok());
  // The caller's issuers make the standalone verdict valid: the cache had a
  // chance to learn something.
  BOOST_TEST(v->valid(), "standalone TDX verify with the caller's issuers");

  StandaloneRequest snp_req;
  snp_req.tee_type = TeeType::AmdSevSnp;
  snp_req.evidence = AsView(in.snp_evidence);
  snp_req.collateral_blobs = {AsView(in.snp_vek_pem), AsView(in.snp_chain_pem)};
  snp_req.now = kNow;
  snp_req.binding = in.snp_binding;
  auto w = node.Verify(snp_req);
  BOOST_REQUIRE(w.ok());
}

Transcript RunConsensus(plugin::Plugin& node, const Inputs& in, bool serve_standalone) {
  Transcript t;
  auto& hooks = node.hooks();
  if (serve_standalone) ServeStandalone(node, in);
  // The bare TCB Info first: no admitted document names its signer.
  const Status bare = hooks.SubmitCollateral(TeeType::IntelTdx, AsView(in.tcb_info_bare), kNow);
  // The scenario is meaningful only if the bare TCB Info is refused on its
  // own: nothing admitted names its signer.
  if (!serve_standalone)
    BOOST_TEST(!bare.ok(), "a TCB Info without an admitted issuer was admitted");
  t.Add(bare);
  if (serve_standalone) ServeStandalone(node, in);
  for (const auto& b : in.other_tdx_collateral)
    t.Add(hooks.SubmitCollateral(TeeType::IntelTdx, AsView(b), kNow));
  t.Add(hooks.SubmitCollateral(TeeType::AmdSevSnp, AsView(in.snp_vek_pem), kNow));

  const std::vector<std::pair<BindingInput, std::pair<TeeType, const Bytes*>>> regs = {
      {in.tdx_binding, {TeeType::IntelTdx, &in.tdx_quote}},
      {in.snp_binding, {TeeType::AmdSevSnp, &in.snp_evidence}},
  };
  for (const auto& [binding, ev] : regs) {
    if (serve_standalone) ServeStandalone(node, in);
    consensus::Registration reg;
    reg.id = binding.validator_id;
    reg.stake_be = testing::Stake(1000);
    reg.tee_type = ev.first;
    reg.evidence = AsView(*ev.second);
    reg.challenge = binding.challenge;
    reg.registered_at = kNow;
    auto o = hooks.RegisterValidator(reg);
    BOOST_REQUIRE(o.ok());
    t.Add(o->attested ? 1 : 0);
    t.Add(static_cast<uint64_t>(o->reason));
    t.Add(static_cast<uint64_t>(o->valid_until));
  }
  consensus::Registration plain;
  plain.id = testing::IdFromLabel("unattested");
  plain.stake_be = testing::Stake(1000);
  plain.registered_at = kNow;
  BOOST_REQUIRE(hooks.RegisterValidator(plain).ok());

  for (uint64_t e = 1; e <= 2; ++e) {
    if (serve_standalone) ServeStandalone(node, in);
    auto r = hooks.OnEpoch(e, kNow + e * 3600, testing::HashFromLabel("seed" + std::to_string(e)));
    BOOST_REQUIRE(r.ok());
    t.Add(r->epoch);
    t.Add(r->epoch_time);
    t.Add(r->snapshot_size);
    t.Add(r->attested);
    t.Add(r->reevaluated);
    t.Add(r->demoted);
    t.Add(r->expiring);
    t.Add(AsView(r->total_weight_be));
    t.Add(AsView(r->params_hash));
    t.Add(AsView(r->collateral_hash));
    auto view = hooks.Epoch(e);
    BOOST_REQUIRE(view.ok());
    BOOST_REQUIRE(
        (*view)
            ->ForEachWeight([&](size_t, const ValidatorId& id, const U256Bytes& w, bool attested) {
              t.Add(AsView(id));
              t.Add(AsView(w));
              t.Add(attested ? 1 : 0);
            })
            .ok());
    auto table = (*view)->Table();
    BOOST_REQUIRE(table.ok());
    std::vector<uint32_t> schedule(4096);
    (*table)->Schedule(0, schedule.size(), schedule.data());
    for (uint32_t i : schedule) t.Add(i);
  }
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(standalone_isolation)

BOOST_AUTO_TEST_CASE(standalone_verify_never_changes_a_consensus_answer) {
  const Inputs in = MakeInputs();
  testing::TempDir dir;
  auto quiet = OpenNode(dir, "quiet");
  auto busy = OpenNode(dir, "busy");
  const Transcript a = RunConsensus(*quiet, in, false);
  const Transcript b = RunConsensus(*busy, in, true);
  BOOST_TEST(a.bytes.size() == b.bytes.size());
  BOOST_TEST((a.bytes == b.bytes),
             "a node that served standalone verify calls answers differently");
  auto rec_quiet = quiet->hooks().GetRecord(in.tdx_binding.validator_id);
  auto rec_busy = busy->hooks().GetRecord(in.tdx_binding.validator_id);
  BOOST_REQUIRE(rec_quiet.ok());
  BOOST_REQUIRE(rec_busy.ok());
  BOOST_TEST((rec_quiet->status == rec_busy->status));
  BOOST_TEST((rec_quiet->reason == rec_busy->reason));
}

BOOST_AUTO_TEST_SUITE_END()
