/* tenzro_tee.h -- C ABI of the tenzro-tee validator plugin (libtenzro_tee.so).
 *
 * The node loads the plugin with dlopen(), calls tee_negotiate() with the ABI
 * version it was built for and receives a table of functions. Every call but
 * negotiation goes through that table.
 *
 * Conventions
 * - Versioning: TEE_ABI_VERSION grows when the table grows; fields are only
 *   appended, never reordered. The table starts with its version and its size
 *   so a newer host can tell which fields an older plugin has.
 * - Status codes: every call returns an int32_t status (TEE_OK or TEE_ERR_*).
 *   The values are never renumbered. tee_status_str() names them. On failure
 *   the calling thread's last error for the handle (last_error) says what was
 *   wrong, naming the argument or key, and nothing that was stored changes.
 * - Verdicts are not errors: a registration whose evidence fails is TEE_OK
 *   with attested = 0 and the failure code in the result. TEE_ERR_INTERNAL
 *   (disk, memory, library failure) is never a verdict on the evidence.
 * - Bytes: pointer + length. Identifiers (Ed25519 public keys), challenges,
 *   seeds and hashes are exactly 32 bytes; stakes and weights are unsigned
 *   256-bit big-endian integers in 32 bytes. Times are unix seconds.
 * - Ownership: results the plugin allocates (JSON strings, arrays, evidence)
 *   are released with the table's free(); the plugin never frees host memory
 *   and never keeps a host pointer after a call returns (callbacks aside).
 * - Threading: every call is safe from several threads on the same handle.
 *   Host callbacks run on the thread that triggered them (fetchers: a plugin
 *   thread), may run concurrently, and must not call back into the plugin. close() joins every
 * thread the plugin started; no other call may be in flight on that handle when it is called.
 * - Exceptions never cross this boundary.
 *
 * - Errors of calls made with a NULL handle (open, a NULL-handle call) are
 *   read with last_error(NULL) on the same thread.
 * - Epochs: 0 .. 2^64-2; the first on_epoch may be 0. Records registered
 *   before the first epoch count from it; later ones from the next epoch.
 *   Epoch 2^64-1 is refused (TEE_ERR_INVALID_ARGUMENT) so that "the next
 *   epoch" never wraps. Epoch times never go back: a new epoch whose time is
 *   earlier than the last one's is TEE_ERR_EPOCH_ORDER (equal is allowed).
 *
 * The header is C89/C99 and C++ clean and includes only <stdint.h> and
 * <stddef.h>.
 */
#ifndef TENZRO_TEE_H_
#define TENZRO_TEE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TEE_ABI_VERSION 2u

/* ---- status codes (never renumbered) ---------------------------------- */
#define TEE_OK 0
#define TEE_ERR_INVALID_ARGUMENT 1    /* null pointer, bad length, zero stake */
#define TEE_ERR_CONFIG 2              /* config file missing or malformed */
#define TEE_ERR_STORAGE 3             /* database corrupt, locked or unwritable */
#define TEE_ERR_NOT_FOUND 4           /* no such validator / epoch */
#define TEE_ERR_EPOCH_ORDER 5         /* epoch older than the last one */
#define TEE_ERR_TOO_LARGE 6           /* evidence or collateral over its limit */
#define TEE_ERR_SIMULATION_DISABLED 7 /* simulate_evidence with simulation off */
#define TEE_ERR_UNSUPPORTED 8         /* TEE type or call not available */
#define TEE_ERR_OVERFLOW 9            /* 256-bit weight arithmetic overflowed */
#define TEE_ERR_NO_SNAPSHOT 10        /* no snapshot for that epoch */
#define TEE_ERR_EMPTY 11              /* snapshot has no validators */
#define TEE_ERR_PARAMS_MISMATCH 12    /* database made under other chain params */
#define TEE_ERR_ABI_VERSION 13        /* host ABI version 0 (see tee_negotiate) */
#define TEE_ERR_COLLATERAL 14         /* collateral rejected (not genuine, stale) */
#define TEE_ERR_INTERNAL 15           /* library, memory or unexpected failure */
#define TEE_ERR_AUTHENTICATION 16     /* ciphertext or FROST share fails authentication */

/* ---- limits --------------------------------------------------------------- */
/* Most registrations one register_batch call takes. */
#define TEE_MAX_BATCH 1048576u

/* ---- TEE types --------------------------------------------------------- */
#define TEE_TYPE_NONE 0
#define TEE_TYPE_INTEL_TDX 1
#define TEE_TYPE_INTEL_SGX 2
#define TEE_TYPE_AMD_SEV_SNP 3
#define TEE_TYPE_AWS_NITRO 4
#define TEE_TYPE_NVIDIA_GPU 5
#define TEE_TYPE_SIMULATED 6

/* ---- validator status ------------------------------------------------- */
#define TEE_VALIDATOR_UNATTESTED 0
#define TEE_VALIDATOR_ATTESTED 1
#define TEE_VALIDATOR_EXPIRED 2
#define TEE_VALIDATOR_REVOKED 3

/* ---- verdict failure codes (DESIGN §3 order; never renumbered) -------- */
#define TEE_FAIL_NONE 0
#define TEE_FAIL_MALFORMED 1
#define TEE_FAIL_UNSUPPORTED 2
#define TEE_FAIL_BAD_SIGNATURE 3
#define TEE_FAIL_CHAIN_UNTRUSTED 4
#define TEE_FAIL_CHAIN_INCOMPLETE 5
#define TEE_FAIL_NOT_YET_VALID 6
#define TEE_FAIL_EXPIRED 7
#define TEE_FAIL_REVOKED 8
#define TEE_FAIL_COLLATERAL_MISSING 9
#define TEE_FAIL_NO_MATCHING_TCB 10
#define TEE_FAIL_TCB_STATUS_REJECTED 11
#define TEE_FAIL_FIRMWARE_TOO_OLD 12
#define TEE_FAIL_DEBUG_ENCLAVE 13
#define TEE_FAIL_VMPL 14
#define TEE_FAIL_POLICY_VIOLATION 15
#define TEE_FAIL_MEASUREMENT_MISMATCH 16
#define TEE_FAIL_BINDING_MISMATCH 17
#define TEE_FAIL_NONCE_MISMATCH 18
#define TEE_FAIL_SIMULATION_DISABLED 19
#define TEE_FAIL_INTERNAL \
  20 /* reserved: never returned (a machine failure is a status, never a verdict) */

/* ---- log levels of the log callback ------------------------------------ */
#define TEE_LOG_TRACE 0
#define TEE_LOG_DEBUG 1
#define TEE_LOG_INFO 2
#define TEE_LOG_WARN 3
#define TEE_LOG_ERROR 4

/* ---- validator events of the validator_event callback ------------------ */
#define TEE_EVENT_REGISTERED 1
#define TEE_EVENT_DEREGISTERED 2
#define TEE_EVENT_DEMOTED 3
#define TEE_EVENT_EXPIRING 4

/* ---- hybrid ZK-in-TEE: answers of the zk_verify callback (issue 15) ----- */
#define TEE_ZK_INVALID 0     /* the proof does not verify under vk_id */
#define TEE_ZK_VALID 1       /* it verifies */
#define TEE_ZK_UNSUPPORTED 2 /* the host has no verifier for vk_id */

/* ---- model providers (issue 15) ---------------------------------------- */
#define TEE_MAX_MODEL_ID 128u        /* bytes of a model id (printable ASCII) */
#define TEE_MAX_PROVIDER_EVIDENCE 8u /* pieces of evidence one registration carries */
#define TEE_MAX_PAGE 4096u           /* most entries one paginated query returns */
#define TEE_MAX_ZK_BYTES (16u << 20) /* proof, and public inputs, of verify_hybrid */

typedef struct tee_handle tee_handle; /* opaque */

/* Host callbacks. Any pointer may be NULL. `size` is sizeof(tee_host_callbacks)
 * as the host knows it, so the struct can grow. */
typedef struct tee_host_callbacks {
  uint32_t size;
  void* user;
  /* One formatted log line (not NUL-terminated; len bytes). */
  void (*log)(void* user, int32_t level, const char* line, size_t len);
  /* A validator changed: event is TEE_EVENT_*, reason a TEE_FAIL_* code. */
  void (*validator_event)(void* user, const uint8_t validator_id[32], int32_t event,
                          int32_t reason);
  /* A fetcher got and verified collateral; the node may propose it on chain
   * and later pass it to submit_collateral. Runs on a plugin thread. */
  void (*collateral_fetched)(void* user, int32_t tee_type, const uint8_t* data, size_t len);

  /* ---- issue 15 (appended: a host whose size stops before them has none) */
  /* A model provider changed: event is TEE_EVENT_*, reason a TEE_FAIL_* code. */
  void (*provider_event)(void* user, const uint8_t provider_id[32], int32_t event, int32_t reason);
  /* Hybrid ZK-in-TEE: verifies a ZK proof with the verifier the host keeps
   * for vk_id. Returns TEE_ZK_VALID, TEE_ZK_INVALID, or TEE_ZK_UNSUPPORTED
   * when it has no verifier for vk_id (any other value counts as invalid).
   * NULL: every vk id is unsupported. May run on several threads at once. */
  int32_t (*zk_verify)(void* user, const uint8_t vk_id[32], const uint8_t* proof, size_t proof_len,
                       const uint8_t* public_inputs, size_t public_inputs_len);
} tee_host_callbacks;

/* Outcome of one registration. */
typedef struct tee_register_result {
  int32_t attested;          /* 1 when the record is attested */
  int32_t reason;            /* TEE_FAIL_* of the verdict, TEE_FAIL_NONE if attested */
  int64_t valid_until;       /* inclusive unix seconds; -1 when unattested */
  uint8_t evidence_hash[32]; /* identity of the evidence (DESIGN §4): a hash of what the
                                vendor key signed, so trailing bytes or another encoding
                                of the signature are the same evidence; zero without */
} tee_register_result;

/* One entry of a batch (genesis) registration. */
typedef struct tee_registration {
  const uint8_t* validator_id; /* 32 bytes */
  const uint8_t* stake_be;     /* 32 bytes, big-endian, non-zero */
  int32_t tee_type;            /* TEE_TYPE_*; TEE_TYPE_NONE without evidence */
  const uint8_t* evidence;     /* may be NULL when evidence_len is 0 */
  size_t evidence_len;
  const uint8_t* challenge; /* 32 bytes; required when evidence is given */
  uint64_t registered_at;   /* unix seconds: the evidence time of TDX/SNP */
} tee_registration;

typedef struct tee_record {
  uint8_t validator_id[32];
  uint8_t stake_be[32];
  int32_t tee_type;
  int32_t status;            /* TEE_VALIDATOR_* */
  int32_t reason;            /* TEE_FAIL_* that made it unattested, or NONE */
  uint8_t evidence_hash[32]; /* identity of the evidence backing the record (as in
                                tee_register_result); zero if none passed */
  int32_t reserved;          /* zero; keeps the layout free of padding */
  int64_t valid_until;       /* -1 when never attested */
  uint64_t registered_at;
  uint64_t verified_at_epoch; /* last epoch that evaluated it: every epoch
                                 re-evaluates attested records; otherwise the
                                 epoch of registration or demotion */
  uint64_t registered_epoch;  /* first epoch whose snapshot includes it */
} tee_record;

typedef struct tee_epoch_report {
  uint64_t epoch;
  uint64_t epoch_time;
  uint64_t snapshot_size; /* validators in the snapshot */
  uint64_t attested;      /* of which attested */
  uint64_t reevaluated;   /* attested records re-evaluated */
  uint64_t demoted;       /* of which demoted */
  uint64_t expiring;      /* attested, valid_until inside the window */
  uint8_t total_weight_be[32];
  uint8_t params_hash[32];
  uint8_t collateral_hash[32];
} tee_epoch_report;

typedef struct tee_weight {
  uint8_t validator_id[32];
  uint8_t weight_be[32];
  int32_t attested;
} tee_weight;

/* ---- issue 15: model providers ------------------------------------------ */

/* One piece of a provider's evidence. */
typedef struct tee_evidence {
  int32_t tee_type; /* TEE_TYPE_*, not NONE */
  int32_t reserved; /* zero */
  const uint8_t* data;
  size_t len;
} tee_evidence;

typedef struct tee_provider_record {
  uint8_t provider_id[32];
  uint8_t model_hash[32];
  char model_id[132];  /* NUL-terminated (at most TEE_MAX_MODEL_ID bytes), zero-padded */
  uint32_t tee_types;  /* bit (1u << TEE_TYPE_*) for each type of its evidence */
  int32_t status;      /* TEE_VALIDATOR_* */
  int32_t reason;      /* TEE_FAIL_* that made it unattested, or NONE */
  int64_t valid_until; /* earliest of its evidence; -1 unless attested */
  uint64_t registered_at;
  uint64_t registered_epoch;
  uint64_t verified_at_epoch;
  uint32_t evidence_count;
  int32_t reserved; /* zero */
} tee_provider_record;

/* The provider part of an epoch report. tee_epoch_report keeps its layout
 * (hosts built for version 1 allocate it): this struct carries its own size,
 * set by the host to sizeof(tee_epoch_providers) as it knows it, so fields
 * may be appended later; the plugin writes no byte past it. */
typedef struct tee_epoch_providers {
  uint32_t size;
  uint32_t reserved;
  uint64_t providers;   /* registered at the epoch */
  uint64_t attested;    /* attested after re-evaluation */
  uint64_t reevaluated; /* attested before it */
  uint64_t demoted;
  uint64_t expiring; /* attested, valid_until inside the window */
} tee_epoch_providers;

/* A collateral blob passed to verify(). */
typedef struct tee_blob {
  const uint8_t* data;
  size_t len;
} tee_blob;

typedef struct tee_api {
  uint32_t abi_version; /* TEE_ABI_VERSION of the plugin */
  uint32_t size;        /* sizeof(tee_api) of the plugin */

  /* Opens the plugin with the node's TOML config. cb may be NULL. On failure
   * *out is NULL and last_error(NULL), on the same thread, says why. */
  int32_t (*open)(const char* config_path, const tee_host_callbacks* cb, tee_handle** out);
  /* Flushes, joins the plugin's threads and frees the handle. NULL is a no-op. */
  int32_t (*close)(tee_handle* h);

  /* Registers or renews (same id) a validator (DESIGN §6). evidence may be
   * NULL/0 with TEE_TYPE_NONE: the validator is registered unattested.
   * Evidence requires a TEE type other than NONE and a challenge, and a TEE
   * type other than NONE requires evidence (else TEE_ERR_INVALID_ARGUMENT).
   * out may be NULL. */
  int32_t (*register_validator)(tee_handle* h, const uint8_t validator_id[32],
                                const uint8_t stake_be[32], int32_t tee_type,
                                const uint8_t* evidence, size_t evidence_len,
                                const uint8_t* challenge, uint64_t registered_at,
                                tee_register_result* out);
  /* Registers n validators in one atomic write batch (genesis). Either all are
   * stored or none. out (n entries) may be NULL. Duplicate ids, and n over
   * TEE_MAX_BATCH (checked before anything is allocated), are
   * TEE_ERR_INVALID_ARGUMENT; n = 0 is a no-op. */
  int32_t (*register_batch)(tee_handle* h, const tee_registration* regs, size_t n,
                            tee_register_result* out);
  int32_t (*deregister)(tee_handle* h, const uint8_t validator_id[32]);
  /* Admits a collateral document of a TEE type (DESIGN §2): it is verified at
   * `now` and, if genuine, stored and used from the next epoch on. */
  int32_t (*submit_collateral)(tee_handle* h, int32_t tee_type, const uint8_t* data, size_t len,
                               uint64_t now);
  int32_t (*get_record)(tee_handle* h, const uint8_t validator_id[32], tee_record* out);

  /* Starts epoch E: re-evaluates attested records at epoch_time against the
   * admitted collateral, then freezes the snapshot of E, in one atomic batch.
   * E equal to the last epoch, with the same time and seed, returns its
   * report again (with another time or seed: TEE_ERR_INVALID_ARGUMENT); an
   * older E, or a new E with an earlier epoch_time than the last epoch's, is
   * TEE_ERR_EPOCH_ORDER; E = 2^64-1 is TEE_ERR_INVALID_ARGUMENT. out may be
   * NULL. */
  int32_t (*on_epoch)(tee_handle* h, uint64_t epoch, uint64_t epoch_time, const uint8_t seed[32],
                      tee_epoch_report* out);
  /* Weights of an epoch's snapshot, ordered by validator id. *out freed with free(). */
  int32_t (*get_weights)(tee_handle* h, uint64_t epoch, tee_weight** out, size_t* n);
  /* Leader of (epoch, slot) (DESIGN §7). */
  int32_t (*leader)(tee_handle* h, uint64_t epoch, uint64_t slot, uint8_t out_id[32]);
  /* Leaders of slots [first_slot, first_slot + count) as indices into the
   * epoch's id-ordered weights (get_weights). *out (count entries) freed with
   * free(). 1 <= count <= 2^28 (TEE_ERR_TOO_LARGE above); windows of a larger
   * schedule give the same leaders. */
  int32_t (*schedule)(tee_handle* h, uint64_t epoch, uint64_t first_slot, uint64_t count,
                      uint32_t** out);

  /* Verifies evidence without registering anything (not consensus). The
   * collateral blobs are recognised by content. validator_id and challenge
   * are both NULL (no binding check) or both 32 bytes. *json_out is the
   * verdict JSON of DESIGN §3, NUL-terminated, freed with free(). Returns
   * TEE_OK whether the evidence is valid or not. Node limits of the config's
   * [tee] table bound the collateral: more than verify_max_collateral_blobs
   * blobs, or more than verify_max_collateral_bytes bytes in all, is
   * TEE_ERR_TOO_LARGE; evidence over [tee.consensus] max_evidence_bytes too. */
  int32_t (*verify)(tee_handle* h, int32_t tee_type, const uint8_t* evidence, size_t evidence_len,
                    const tee_blob* collateral, size_t n_collateral, uint64_t now,
                    const uint8_t* validator_id, const uint8_t* challenge, char** json_out,
                    size_t* json_len);
  /* Makes Simulated evidence (TEE_TYPE_SIMULATED, the published Ed25519
   * development key) bound to (validator_id, challenge), issued at issued_at.
   * Only when [tee.consensus] simulation = true. Only the Simulated type: the
   * production module links no TDX or SNP simulator, so it carries none of
   * their development private keys; simulated TDX/SNP evidence comes from the
   * test simulators and tenzro-sim. *out freed with free(). */
  int32_t (*simulate_evidence)(tee_handle* h, const uint8_t validator_id[32],
                               const uint8_t challenge[32], uint64_t issued_at, uint8_t** out,
                               size_t* out_len);

  /* Frees anything the plugin returned. NULL is a no-op. */
  void (*free)(void* p);
  /* The calling thread's last error message on h (h may be NULL for open()
   * failures, truncated to 1023 bytes). Never NULL; valid until the thread's
   * next call and never after close(h). The messages belong to the handle:
   * close() frees them, and a later handle (even at the same address)
   * starts with none. */
  const char* (*last_error)(const tee_handle* h);
  /* Status as JSON (versions, params_hash, last epoch, counts); freed with free(). */
  int32_t (*status)(tee_handle* h, char** json_out, size_t* json_len);

  /* ---- issue 12: detection and evidence generation (ABI version 2) -------
   * The node's side, never consensus: nothing here feeds a weight or a
   * leader. Both read this machine's devices (/dev, /sys, configfs-tsm) and
   * load NVML with dlopen("libnvidia-ml.so.1"); neither needs root to run,
   * but generation needs access to the device it uses. */

  /* The TEEs this machine offers as JSON, NUL-terminated, freed with free():
   * {"tees": [{"tee_type", "name", "version", "ready", "reason",
   * "interfaces", and for NVIDIA "driver_version", "cc_mode", "gpus"}],
   * "not_detected": [{"tee_type", "reason"}], "tpm": {"present", "device"}}.
   * Detection never fails on what it cannot read: it says why instead. */
  int32_t (*detect)(tee_handle* h, char** json_out, size_t* json_len);
  /* Evidence of tee_type made by this machine's hardware and bound to
   * (validator_id, challenge) (DESIGN §4), in the form register_validator
   * verifies: TDX a quote, SEV-SNP the report and its certificate table,
   * Nitro the NSM's attestation document, NVIDIA the serialized evidence
   * JSON. A hardware type is never simulated, whatever the environment.
   * TEE_TYPE_SIMULATED is simulate_evidence (simulation on only) issued at
   * issued_at; the hardware types ignore issued_at. TEE_ERR_NOT_FOUND: no
   * such TEE here; TEE_ERR_UNSUPPORTED: no usable path to evidence (the
   * message says why) or a type without a generator; TEE_ERR_INTERNAL: the
   * device failed (the message says what it answered). Renewing a record
   * reported TEE_EVENT_EXPIRING is one call of this and register_validator.
   * *out freed with free(). */
  int32_t (*generate_evidence)(tee_handle* h, int32_t tee_type, const uint8_t validator_id[32],
                               const uint8_t challenge[32], uint64_t issued_at, uint8_t** out,
                               size_t* out_len);

  /* ---- issue 14: enclave crypto and MPC key shares (ABI version 2) -------
   * None of these is a consensus input. The key source is [tee.enclave]
   * key_source; with none, encrypt fails with TEE_ERR_UNSUPPORTED "no
   * hardware key source for <vendor>". Wire formats: attestation/
   * enclave_crypto/enclave_crypto.h and attestation/mpc/frost.h (README). */

  /* AES-256-GCM under HKDF-SHA256(root key, salt = key_id, info = vendor
   * tag). key_id: 1..255 bytes. *out (header(1) || nonce(12) || ciphertext
   * || tag(16)) freed with free(). */
  int32_t (*enclave_encrypt)(tee_handle* h, const uint8_t* key_id, size_t key_id_len,
                             const uint8_t* plaintext, size_t plaintext_len, uint8_t** out,
                             size_t* out_len);
  /* Tampered, truncated or another key id: TEE_ERR_AUTHENTICATION (or
   * TEE_ERR_INVALID_ARGUMENT when too short); a simulation ciphertext on a
   * node without the simulation source: TEE_ERR_SIMULATION_DISABLED. *out
   * is NULL on any failure; the host wipes and frees the plaintext. */
  int32_t (*enclave_decrypt)(tee_handle* h, const uint8_t* key_id, size_t key_id_len,
                             const uint8_t* sealed, size_t sealed_len, uint8_t** out,
                             size_t* out_len);
  /* key_source = "recipient": the DER SubjectPublicKeyInfo of the plugin's
   * ephemeral RSA-2048 key (for the attestation document / KMS Recipient),
   * and the delivery of the 32-byte root key as a CMS EnvelopedData
   * (RSAES-OAEP) for it (KMS CiphertextForRecipient). Other sources:
   * TEE_ERR_UNSUPPORTED. */
  int32_t (*enclave_recipient_public_key)(tee_handle* h, uint8_t** out, size_t* out_len);
  int32_t (*enclave_deliver_root_key)(tee_handle* h, const uint8_t* cms_der, size_t cms_len);

  /* FROST(Ed25519, SHA-512), RFC 9591. generate: trusted-dealer shares,
   * 2 <= threshold <= total <= 255, sealed in the mpc_shares column family;
   * group_public_key receives the group's Ed25519 public key. */
  int32_t (*mpc_generate_shares)(tee_handle* h, uint16_t threshold, uint16_t total,
                                 uint8_t group_public_key[32]);
  /* Round one for participant's share: commitment = id u16 LE || hiding(32)
   * || binding(32). The nonces stay in the plugin's memory, single use. */
  int32_t (*mpc_commit)(tee_handle* h, const uint8_t group_public_key[32], uint16_t participant,
                        uint8_t commitment[66]);
  /* Round two: commitment_list = count u8 || count * 66-byte commitments,
   * ascending ids, containing this share's outstanding commitment and at
   * least threshold entries. signature_share = id u16 LE || z(32).
   * A used or unknown commitment: TEE_ERR_NOT_FOUND. */
  int32_t (*mpc_sign_with_share)(tee_handle* h, const uint8_t group_public_key[32],
                                 uint16_t participant, const uint8_t* message, size_t message_len,
                                 const uint8_t* commitment_list, size_t commitment_list_len,
                                 uint8_t signature_share[34]);
  /* Verifies every share (shares = count u8 || count * 34 bytes) and writes
   * the 64-byte Ed25519 signature. When a share fails: TEE_ERR_AUTHENTICATION,
   * bad_participants[0..*bad_count) names each failing participant
   * (bad_participants holds 255 bytes; both may be NULL). */
  int32_t (*mpc_aggregate)(tee_handle* h, const uint8_t group_public_key[32],
                           const uint8_t* message, size_t message_len,
                           const uint8_t* commitment_list, size_t commitment_list_len,
                           const uint8_t* shares, size_t shares_len, uint8_t signature[64],
                           uint8_t* bad_participants, size_t* bad_count);
  /* Attested signing events (DESIGN 4): report_data = SHA-512("tenzro-tee-
   * mpc-v1" || group_public_key || SHA-512(message) || event_id), event_id
   * 1..255 bytes, for the evidence the node generates; check: TEE_OK when
   * report_data (from evidence whose verdict is valid) commits to the event,
   * TEE_ERR_AUTHENTICATION otherwise. h may be NULL for both. */
  int32_t (*mpc_signing_report_data)(const tee_handle* h, const uint8_t group_public_key[32],
                                     const uint8_t* message, size_t message_len,
                                     const uint8_t* event_id, size_t event_id_len,
                                     uint8_t report_data[64]);
  int32_t (*mpc_check_signing_binding)(const tee_handle* h, const uint8_t report_data[64],
                                       const uint8_t group_public_key[32], const uint8_t* message,
                                       size_t message_len, const uint8_t* event_id,
                                       size_t event_id_len);

  /* ---- issue 15: model providers and hybrid ZK-in-TEE (ABI version 2) ----
   * Providers never have a weight and never lead. Their evidence is bound
   * to SHA-512("tenzro-tee-model-v1" || provider_id || model_hash ||
   * challenge) (TDX/SNP report data; Nitro nonce; NVIDIA nonce = first 32
   * bytes), so validator evidence is not provider evidence nor the reverse. */

  /* Registers or renews (same id) a provider of model_id (1..TEE_MAX_MODEL_ID
   * printable ASCII bytes, not NUL-terminated) with 1..TEE_MAX_PROVIDER_EVIDENCE
   * pieces of evidence (a CPU TEE and a GPU, say). It is attested only when
   * every piece passes; otherwise it is stored unattested and out->reason is
   * the first failure. out->evidence_hash is zero. out may be NULL. */
  int32_t (*register_provider)(tee_handle* h, const uint8_t provider_id[32], const char* model_id,
                               size_t model_id_len, const uint8_t model_hash[32],
                               const tee_evidence* evidence, size_t n_evidence,
                               const uint8_t challenge[32], uint64_t registered_at,
                               tee_register_result* out);
  int32_t (*deregister_provider)(tee_handle* h, const uint8_t provider_id[32]);
  /* Providers with evidence of tee_type (a provider with two types is listed
   * under both), ordered by id: ids after start_after (NULL: from the first),
   * at most max (1..TEE_MAX_PAGE). *out (*n entries, maybe 0) freed with
   * free(); a page shorter than max is the last. */
  int32_t (*get_providers_by_type)(tee_handle* h, int32_t tee_type, const uint8_t* start_after,
                                   size_t max, tee_provider_record** out, size_t* n);
  /* The same for the providers of one model id. */
  int32_t (*get_providers_by_model)(tee_handle* h, const char* model_id, size_t model_id_len,
                                    const uint8_t* start_after, size_t max,
                                    tee_provider_record** out, size_t* n);
  /* Validators registered with evidence of tee_type, the same paging. */
  int32_t (*get_validators_by_type)(tee_handle* h, int32_t tee_type, const uint8_t* start_after,
                                    size_t max, tee_record** out, size_t* n);
  /* The provider's current verdict at `now` (DESIGN §6): its stored claims
   * against the admitted collateral, no signature re-checked, as JSON (see
   * README, "Model providers"). Not consensus: on_epoch decides statuses. */
  int32_t (*verify_provider_attestation)(tee_handle* h, const uint8_t provider_id[32], uint64_t now,
                                         char** json_out, size_t* json_len);
  /* on_epoch, and the provider part of its report in *providers (may be
   * NULL; providers->size must be set). */
  int32_t (*on_epoch_v2)(tee_handle* h, uint64_t epoch, uint64_t epoch_time, const uint8_t seed[32],
                         tee_epoch_report* out, tee_epoch_providers* providers);
  /* Hybrid ZK-in-TEE (not consensus): valid only if the TEE evidence is
   * valid (as verify() with its collateral), bound to SHA-512("tenzro-tee-zk-v1"
   * || SHA-256(proof) || SHA-256(public_inputs) || vk_id || challenge), and
   * the host's zk_verify callback says TEE_ZK_VALID. No callback, or
   * TEE_ZK_UNSUPPORTED, is never valid. *json_out reports the TEE part and
   * the ZK part apart; TEE_OK whether valid or not. proof and public inputs:
   * at most TEE_MAX_ZK_BYTES each (public inputs may be empty). */
  int32_t (*verify_hybrid)(tee_handle* h, int32_t tee_type, const uint8_t* evidence,
                           size_t evidence_len, const tee_blob* collateral, size_t n_collateral,
                           uint64_t now, const uint8_t* proof, size_t proof_len,
                           const uint8_t* public_inputs, size_t public_inputs_len,
                           const uint8_t vk_id[32], const uint8_t challenge[32], char** json_out,
                           size_t* json_len);
} tee_api;

/* Returns the plugin's function table in *out for a host built for
 * host_abi_version. Fields are only appended, so every version >= 1 is
 * served with the same table: a host built for an older version uses the
 * prefix it knows; a host built for a newer version must read the table's
 * abi_version and size and not call fields beyond them. 0 is
 * TEE_ERR_ABI_VERSION. *out is NULL on any failure. */
int32_t tee_negotiate(uint32_t host_abi_version, const tee_api** out);

/* A hash of this header's layout: hosts may compare it with their own copy. */
const char* tee_abi_hash(void);

/* Static name of a status code ("TEE_OK", ...); "TEE_ERR_UNKNOWN" otherwise. */
const char* tee_status_str(int32_t status);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TENZRO_TEE_H_ */
