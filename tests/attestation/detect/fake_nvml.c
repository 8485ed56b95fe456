/* A fake libnvidia-ml.so.1 for the detection and NVIDIA generation tests,
 * loaded through the same dlopen path as the real one. It exports the NVML
 * symbols the plugin uses, with nvml.h's layouts, and plays three GPUs:
 * two H100s (HOPPER) and an A100 (AMPERE, not CC-capable).
 *
 * TENZRO_FAKE_NVML selects a behaviour: unset or "cc_on" (production CC on),
 * "cc_off", "devtools", "init_fail", "no_gpu", "bad_nonce" (the report
 * ignores the caller's nonce). Test-only: never shipped.
 *
 * fake_nvml_set_gpu(report, chain) (not an NVML symbol) makes the H100s
 * answer through the test's callbacks instead: a test plays a GPU with the
 * NVIDIA simulator behind it (signed reports for the driver's nonce, the
 * development chain), found with dlsym on the same loaded library. */
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef void* nvmlDevice_t;

#define FAKE_SUCCESS 0
#define FAKE_ERROR_UNINITIALIZED 1
#define FAKE_ERROR_INVALID_ARGUMENT 2
#define FAKE_ERROR_DRIVER_NOT_LOADED 9

typedef struct {
  unsigned int environment;
  unsigned int ccFeature;
  unsigned int devToolsMode;
} nvmlConfComputeSystemState_t;
typedef struct {
  unsigned int certChainSize;
  unsigned int attestationCertChainSize;
  unsigned char certChain[0x1000];
  unsigned char attestationCertChain[0x1400];
} nvmlConfComputeGpuCertificate_t;
typedef struct {
  unsigned int isCecAttestationReportPresent;
  unsigned int attestationReportSize;
  unsigned int cecAttestationReportSize;
  unsigned char nonce[0x20];
  unsigned char attestationReport[0x2000];
  unsigned char cecAttestationReport[0x1000];
} nvmlConfComputeGpuAttestationReport_t;

static const char* mode(void) {
  const char* m = getenv("TENZRO_FAKE_NVML");
  return m == NULL ? "cc_on" : m;
}
static int is(const char* m) { return strcmp(mode(), m) == 0; }

static char g_devices[3];
static const char* const kNames[3] = {"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB",
                                      "NVIDIA H100 80GB HBM3"};
static const unsigned kArch[3] = {9, 7, 9};

/* report(gpu, nonce, out, capacity) and chain(gpu, out, capacity) return the
 * bytes written, or -1. */
typedef int (*fake_nvml_report_fn)(unsigned gpu, const unsigned char nonce[32], unsigned char* out,
                                   unsigned capacity);
typedef int (*fake_nvml_chain_fn)(unsigned gpu, unsigned char* out, unsigned capacity);
static fake_nvml_report_fn g_report;
static fake_nvml_chain_fn g_chain;
void fake_nvml_set_gpu(fake_nvml_report_fn report, fake_nvml_chain_fn chain);
void fake_nvml_set_gpu(fake_nvml_report_fn report, fake_nvml_chain_fn chain) {
  g_report = report;
  g_chain = chain;
}

static int index_of(nvmlDevice_t d) {
  int i;
  for (i = 0; i < 3; ++i)
    if (d == (nvmlDevice_t)&g_devices[i]) return i;
  return -1;
}

nvmlReturn_t nvmlInit_v2(void) { return is("init_fail") ? FAKE_ERROR_DRIVER_NOT_LOADED : 0; }
nvmlReturn_t nvmlShutdown(void) { return FAKE_SUCCESS; }
const char* nvmlErrorString(nvmlReturn_t r) {
  return r == FAKE_ERROR_DRIVER_NOT_LOADED ? "Driver Not Loaded" : "Fake NVML error";
}
nvmlReturn_t nvmlSystemGetDriverVersion(char* v, unsigned int n) {
  if (v == NULL || n < 10) return FAKE_ERROR_INVALID_ARGUMENT;
  strcpy(v, "550.54.15");
  return FAKE_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* n) {
  *n = is("no_gpu") ? 0u : 3u;
  return FAKE_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t* d) {
  if (i >= 3 || is("no_gpu")) return FAKE_ERROR_INVALID_ARGUMENT;
  *d = (nvmlDevice_t)&g_devices[i];
  return FAKE_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned int n) {
  int i = index_of(d);
  if (i < 0 || n < 32) return FAKE_ERROR_INVALID_ARGUMENT;
  strcpy(name, kNames[i]);
  return FAKE_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetArchitecture(nvmlDevice_t d, unsigned int* arch) {
  int i = index_of(d);
  if (i < 0) return FAKE_ERROR_INVALID_ARGUMENT;
  *arch = kArch[i];
  return FAKE_SUCCESS;
}
nvmlReturn_t nvmlSystemGetConfComputeState(nvmlConfComputeSystemState_t* s) {
  s->environment = 2;
  s->ccFeature = is("cc_off") ? 0u : 1u;
  s->devToolsMode = is("devtools") ? 1u : 0u;
  return FAKE_SUCCESS;
}

/* The SPDM GET_MEASUREMENTS request the driver sends (version 1.1, code
 * 0xE0, signature requested, all measurements, the nonce, slot 0), then a
 * response whose bytes name the GPU. */
nvmlReturn_t nvmlDeviceGetConfComputeGpuAttestationReport(
    nvmlDevice_t d, nvmlConfComputeGpuAttestationReport_t* r) {
  static const unsigned char head[4] = {0x11, 0xE0, 0x01, 0xFF};
  static const char resp[] =
      "\x11\x60"
      "FAKE-SPDM-MEASUREMENTS-RESPONSE-GPU-";
  unsigned char* p;
  int i = index_of(d);
  if (i < 0 || kArch[i] < 9) return FAKE_ERROR_INVALID_ARGUMENT;
  if (g_report != NULL) {
    int n = g_report((unsigned)i, r->nonce, r->attestationReport,
                     (unsigned)sizeof r->attestationReport);
    if (n < 0) return FAKE_ERROR_INVALID_ARGUMENT;
    r->attestationReportSize = (unsigned)n;
    r->isCecAttestationReportPresent = 0;
    r->cecAttestationReportSize = 0;
    return FAKE_SUCCESS;
  }
  p = r->attestationReport;
  memcpy(p, head, 4);
  if (is("bad_nonce"))
    memset(p + 4, 0x5A, 32);
  else
    memcpy(p + 4, r->nonce, 32);
  p[36] = 0;
  memcpy(p + 37, resp, sizeof resp - 1);
  p[37 + sizeof resp - 1] = (unsigned char)('0' + i);
  r->attestationReportSize = (unsigned)(37 + sizeof resp);
  r->isCecAttestationReportPresent = 0;
  r->cecAttestationReportSize = 0;
  return FAKE_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetConfComputeGpuCertificate(nvmlDevice_t d,
                                                    nvmlConfComputeGpuCertificate_t* c) {
  static const char pem[] =
      "-----BEGIN CERTIFICATE-----\nRkFLRS1HUFUtREVWSUNFLUNFUlQ=\n-----END CERTIFICATE-----\n";
  int i = index_of(d);
  if (i < 0) return FAKE_ERROR_INVALID_ARGUMENT;
  if (g_chain != NULL) {
    int n = g_chain((unsigned)i, c->attestationCertChain, (unsigned)sizeof c->attestationCertChain);
    if (n < 0) return FAKE_ERROR_INVALID_ARGUMENT;
    c->attestationCertChainSize = (unsigned)n;
    c->certChainSize = 0;
    return FAKE_SUCCESS;
  }
  memcpy(c->attestationCertChain, pem, sizeof pem - 1);
  c->attestationCertChainSize = (unsigned)(sizeof pem - 1);
  memcpy(c->certChain, pem, sizeof pem - 1);
  c->certChainSize = (unsigned)(sizeof pem - 1);
  return FAKE_SUCCESS;
}
