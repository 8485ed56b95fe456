// detect_tee(): which TEEs this machine offers, their versions where the
// platform exposes them, and whether evidence can be produced now (and if
// not, why). Node side only (DESIGN §2: never a consensus input).
//
// Every path goes through a DeviceIo (injectable root), CPUID through an
// injectable function, NVML through dlopen of an injectable library path, so
// tests run against fake /dev, /sys, configfs and a fake libnvidia-ml.so.1.
// Detection needs no root and never fails: what cannot be read is "not
// detected" or "not ready", with the reason.
//
// Seen as:
//   Intel TDX   /dev/tdx_guest (/dev/tdx-guest on older kernels), configfs-tsm
//               provider tdx_guest, CPUID leaf 0x21 signature "IntelTDX    ".
//               Ready when configfs-tsm serves tdx_guest (the only kernel path
//               to a quote). Version: TEE_TCB_SVN of a TDREPORT when the
//               device lets us ask for one ("major.minor").
//   AMD SEV-SNP /dev/sev-guest, configfs-tsm provider sev_guest. Ready when
//               either is usable. Version: the firmware of a report when the
//               device lets us ask for one.
//   AWS Nitro   /dev/nsm. Ready when it exists. Version: the NSM's
//               "major.minor.patch" from DescribeNSM when the device answers.
//   NVIDIA      NVML: GPUs, architecture, driver version, CC state; ready when
//               CC is on in production mode with a Hopper-or-later GPU. Without
//               NVML, the kernel module's /proc/driver/nvidia/version says a
//               driver is there (not ready: NVML is needed to attest).
//   TPM         /dev/tpmrm0 or /dev/tpm0: reported present, not a TEE type.
// Thread-safety: safe from several threads (no shared state).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attestation/tee_type.h"
#include "core/device_io.h"

namespace tenzro::tee::detect {

// CPUID(leaf, subleaf) -> {eax, ebx, ecx, edx}.
using CpuidFn = std::function<std::array<uint32_t, 4>(uint32_t leaf, uint32_t subleaf)>;
// The executing CPU's CPUID (zeros on non-x86 builds and for leaves above the
// maximum the CPU reports).
std::array<uint32_t, 4> HostCpuid(uint32_t leaf, uint32_t subleaf);

struct Environment {
  const DeviceIo* io = nullptr;  // REQUIRES: non-null
  CpuidFn cpuid = HostCpuid;
  std::string nvml_library = "libnvidia-ml.so.1";
};

struct GpuInfo {
  unsigned index = 0;
  std::string name;
  std::string arch;  // "HOPPER", ...
  bool cc_capable = false;
};

struct TeeInfo {
  TeeType type = TeeType::None;
  std::string version;                  // empty when not exposed
  bool ready = false;                   // evidence can be produced now
  std::string reason;                   // why not ready; empty when ready
  std::vector<std::string> interfaces;  // what showed it, e.g. "/dev/tdx_guest"
  // NVIDIA only.
  std::string driver_version;
  std::string cc_mode;  // "on", "off", "devtools", "unknown"
  std::vector<GpuInfo> gpus;
};

struct NotDetected {
  TeeType type = TeeType::None;
  std::string reason;
};

struct Detection {
  std::vector<TeeInfo> tees;  // in TeeType order
  std::vector<NotDetected> absent;
  bool tpm = false;
  std::string tpm_device;
  // The first ready TEE in the order TDX, SNP, Nitro, NVIDIA (what "auto" picks).
  const TeeInfo* FirstReady() const;
  const TeeInfo* Find(TeeType t) const;
};

Detection detect_tee(const Environment& env);

// Human name of the seed ("Intel TDX", "AMD SEV-SNP", "AWS Nitro", "NVIDIA GPU CC").
std::string_view TeeDisplayName(TeeType t);

// {"tees": [{"tee_type", "name", "version", "ready", "reason", "interfaces",
//  (NVIDIA) "driver_version", "cc_mode", "gpus": [{index, name, arch,
//  cc_capable}]}], "not_detected": [{"tee_type", "reason"}],
//  "tpm": {"present", "device"}}
nlohmann::json DetectionToJson(const Detection& d);

}  // namespace tenzro::tee::detect
