#include "attestation/tdx/tcb_match.h"

#include <algorithm>
#include <cstdio>

namespace tenzro::tee::tdx {
namespace {

// The tcbDate of the nearest level before index i (newer) with a later date.
template <typename Level>
std::optional<uint64_t> NewerLevelDate(const std::vector<Level>& levels, size_t i) {
  for (size_t k = i; k > 0; --k) {
    if (levels[k - 1].tcb_date > levels[i].tcb_date) return levels[k - 1].tcb_date;
  }
  return std::nullopt;
}

void AddAdvisories(std::vector<std::string>& out, const std::vector<std::string>& more) {
  for (const auto& a : more) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
}

bool IsConfigurationNeeded(TcbStatus s) {
  return s == TcbStatus::kConfigurationNeeded || s == TcbStatus::kOutOfDateConfigurationNeeded ||
         s == TcbStatus::kConfigurationAndSWHardeningNeeded ||
         s == TcbStatus::kTDRelaunchAdvisedConfigurationNeeded;
}

// An input component that is out of date pulls a good level down to OutOfDate
// (or OutOfDateConfigurationNeeded); a revoked one revokes it.
TcbStatus Converge(TcbStatus level, TcbStatus component) {
  if (component == TcbStatus::kRevoked) return TcbStatus::kRevoked;
  if (component == TcbStatus::kUpToDate) return level;
  // Intel treats every other component status as OutOfDate.
  if (level == TcbStatus::kUpToDate || level == TcbStatus::kSWHardeningNeeded)
    return TcbStatus::kOutOfDate;
  if (level == TcbStatus::kConfigurationNeeded ||
      level == TcbStatus::kConfigurationAndSWHardeningNeeded) {
    return TcbStatus::kOutOfDateConfigurationNeeded;
  }
  return level;
}

void NoteOutOfDate(TcbEvaluation& e, std::optional<uint64_t> since) {
  const uint64_t s = since.value_or(0);
  e.out_of_date_since = e.out_of_date_since == UINT64_MAX ? s : std::min(e.out_of_date_since, s);
}

std::string ModuleId(uint8_t major) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "TDX_%02X", static_cast<unsigned>(major));
  return buf;
}

const TdxModuleIdentity* FindModule(const TcbInfo& info, uint8_t major) {
  const std::string id = ModuleId(major);
  for (const auto& m : info.tdx_module_identities) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

}  // namespace

bool IsOutOfDate(TcbStatus s) {
  return s == TcbStatus::kOutOfDate || s == TcbStatus::kOutOfDateConfigurationNeeded;
}

QeEvaluation EvaluateQe(const QeIdentity& id, const QeReportIdentity& qe) {
  QeEvaluation e;
  if ((qe.misc_select & id.miscselect_mask) != id.miscselect) {
    e.failure = "QE MISCSELECT does not match the QE identity";
    return e;
  }
  for (size_t i = 0; i < qe.attributes.size(); ++i) {
    if ((qe.attributes[i] & id.attributes_mask[i]) != id.attributes[i]) {
      e.failure = "QE ATTRIBUTES do not match the QE identity";
      return e;
    }
  }
  if (qe.mr_signer != id.mrsigner) {
    e.failure = "QE MRSIGNER does not match the QE identity";
    return e;
  }
  if (qe.isv_prod_id != id.isvprodid) {
    e.failure = "QE ISVPRODID " + std::to_string(qe.isv_prod_id) + " is not the identity's " +
                std::to_string(id.isvprodid);
    return e;
  }
  for (size_t i = 0; i < id.tcb_levels.size(); ++i) {
    const auto& l = id.tcb_levels[i];
    if (qe.isv_svn >= l.isvsvn) {
      e.matched = true;
      e.status = l.status;
      e.advisory_ids = l.advisory_ids;
      if (l.status != TcbStatus::kUpToDate) e.newer_level_date = NewerLevelDate(id.tcb_levels, i);
      return e;
    }
  }
  e.failure = "QE ISVSVN " + std::to_string(qe.isv_svn) + " is below every QE identity TCB level";
  return e;
}

TcbEvaluation EvaluateTcb(const TcbInfo& info, const PlatformTcb& platform,
                          const std::optional<TdTcb>& td, const QeEvaluation& qe) {
  TcbEvaluation e;
  e.out_of_date_since = UINT64_MAX;
  if (!qe.matched) {
    e.failure = qe.failure;
    return e;
  }
  const bool tdx = td.has_value();
  if (tdx != (info.id == "TDX")) {
    e.failure = "TCB Info id " + info.id + " does not match the quote's TEE";
    return e;
  }

  // TDX module identity (Intel QVL 4.1.2.4.11 and TdxModuleCheck).
  std::optional<TcbStatus> module_status;
  const IsvSvnLevel* module_level = nullptr;
  std::optional<uint64_t> module_newer;
  if (tdx) {
    const uint8_t major = td->tee_tcb_svn[1];
    const TdxModuleIdentity* module = nullptr;
    if (major == 0) {
      if (!info.tdx_module) {
        e.failure = "TDX TCB Info has no tdxModule";
        return e;
      }
      module = &*info.tdx_module;
    } else {
      module = FindModule(info, major);
      if (module == nullptr) {
        e.failure = "TCB Info has no TDX module identity " + ModuleId(major);
        return e;
      }
    }
    if (module->mrsigner != td->mr_signer_seam) {
      e.failure = "MRSIGNERSEAM does not match the TDX module identity";
      return e;
    }
    for (size_t i = 0; i < 8; ++i) {
      if ((td->seam_attributes[i] & module->attributes_mask[i]) != module->attributes[i]) {
        e.failure = "SEAM attributes do not match the TDX module identity";
        return e;
      }
    }
    if (major == 0) {
      module_status = TcbStatus::kUpToDate;
    } else {
      const uint8_t isvsvn = td->tee_tcb_svn[0];
      for (size_t i = 0; i < module->tcb_levels.size(); ++i) {
        if (isvsvn >= module->tcb_levels[i].isvsvn) {
          module_level = &module->tcb_levels[i];
          module_status = module_level->status;
          if (module_level->status != TcbStatus::kUpToDate)
            module_newer = NewerLevelDate(module->tcb_levels, i);
          break;
        }
      }
      if (!module_status) {
        e.failure =
            "TDX module SVN " + std::to_string(isvsvn) + " is below every level of " + module->id;
        return e;
      }
    }
  }

  // SGX and TDX levels (TcbLevelCheck::matchTcbLevels), newest first.
  std::optional<size_t> sgx_index, tdx_index;
  for (size_t i = 0; i < info.tcb_levels.size(); ++i) {
    const TcbLevel& l = info.tcb_levels[i];
    bool sgx_ok = platform.pcesvn >= l.pcesvn;
    for (size_t c = 0; c < 16 && sgx_ok; ++c)
      sgx_ok = platform.sgx_components[c] >= l.sgx_components[c];
    if (!sgx_ok) continue;
    if (!sgx_index) sgx_index = i;
    if (!tdx) break;
    if (!l.tdx_components) continue;
    bool tdx_ok = true;
    for (size_t c = td->tee_tcb_svn[1] > 0 ? 2 : 0; c < 16 && tdx_ok; ++c) {
      tdx_ok = td->tee_tcb_svn[c] >= (*l.tdx_components)[c];
    }
    if (tdx_ok) {
      tdx_index = i;
      break;
    }
  }
  if (!sgx_index) {
    e.failure = "no TCB level matches the PCK certificate's SGX TCB components and PCESVN";
    return e;
  }
  const TcbLevel& sgx_level = info.tcb_levels[*sgx_index];
  if (!tdx) {
    e.status = sgx_level.status;
    e.advisory_ids = sgx_level.advisory_ids;
    if (IsOutOfDate(sgx_level.status))
      NoteOutOfDate(e, NewerLevelDate(info.tcb_levels, *sgx_index));
  } else {
    if (!tdx_index) {
      e.failure = "no TCB level matches the quote's TEE_TCB_SVN";
      return e;
    }
    const TcbLevel& tdx_level = info.tcb_levels[*tdx_index];
    e.advisory_ids = tdx_level.advisory_ids;
    if (IsOutOfDate(tdx_level.status))
      NoteOutOfDate(e, NewerLevelDate(info.tcb_levels, *tdx_index));
    e.status = Converge(tdx_level.status, *module_status);
    if (module_level != nullptr) {
      AddAdvisories(e.advisory_ids, module_level->advisory_ids);
      if (module_level->status != TcbStatus::kUpToDate) NoteOutOfDate(e, module_newer);
    }

    // TD 1.5: relaunch advised when the running TD is out of date only
    // because of a TDX update it could pick up by relaunching (TDRelaunchCheck).
    const bool qe_ok = qe.status == TcbStatus::kUpToDate;
    const bool sgx_ok = sgx_level.status == TcbStatus::kUpToDate ||
                        sgx_level.status == TcbStatus::kSWHardeningNeeded ||
                        sgx_level.status == TcbStatus::kConfigurationNeeded ||
                        sgx_level.status == TcbStatus::kConfigurationAndSWHardeningNeeded;
    if (td->tee_tcb_svn2 && qe_ok && sgx_ok && IsOutOfDate(e.status) &&
        module_status == TcbStatus::kOutOfDate) {
      const Svn16& svn2 = *td->tee_tcb_svn2;
      const TcbLevel& latest = info.tcb_levels.front();
      const auto latest_tdx = latest.tdx_components.value_or(std::array<uint8_t, 16>{});
      bool relaunch = false;
      if (svn2[1] == 0) {
        relaunch = svn2[0] >= latest_tdx[0] && svn2[2] >= latest_tdx[2];
      } else {
        const TdxModuleIdentity* m2 = FindModule(info, svn2[1]);
        if (m2 == nullptr || m2->tcb_levels.empty()) {
          e = TcbEvaluation{};
          e.failure =
              "TEE_TCB_SVN2 names TDX module " + ModuleId(svn2[1]) + " absent from the TCB Info";
          return e;
        }
        relaunch = svn2[0] >= m2->tcb_levels.front().isvsvn && svn2[2] >= latest_tdx[2];
      }
      if (relaunch) {
        e.status = IsConfigurationNeeded(sgx_level.status) || IsConfigurationNeeded(e.status)
                       ? TcbStatus::kTDRelaunchAdvisedConfigurationNeeded
                       : TcbStatus::kTDRelaunchAdvised;
      }
    }
  }

  // The QE's own TCB status (convergeTcbStatusWithQeTcbStatus).
  if (qe.status != TcbStatus::kUpToDate) {
    e.status = Converge(e.status, qe.status);
    if (qe.status != TcbStatus::kRevoked) NoteOutOfDate(e, qe.newer_level_date);
  }
  AddAdvisories(e.advisory_ids, qe.advisory_ids);
  if (!IsOutOfDate(e.status)) e.out_of_date_since = 0;
  if (e.out_of_date_since == UINT64_MAX) e.out_of_date_since = 0;
  e.matched = true;
  return e;
}

}  // namespace tenzro::tee::tdx
