// A thin C layer over the system's OpenSSL libcrypto (libssl-dev) and libsodium (libsodium-dev).
// Swift calls these instead of OpenSSL directly, so that the OpenSSL headers
// (and their macros) stay out of Swift modules.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// Fills `out` with `length` cryptographically secure random bytes. Returns 1 on success.
int cb_random_bytes(uint8_t *out, size_t length);

/// scrypt (RFC 7914) through libsodium. Returns 1 on success.
int cb_scrypt(const uint8_t *password, size_t password_length,
              const uint8_t *salt, size_t salt_length,
              uint64_t n, uint64_t r, uint64_t p,
              uint8_t *out, size_t out_length);

/// SHA-256 of `data`; `out` must hold 32 bytes. Returns 1 on success.
int cb_sha256(const uint8_t *data, size_t length, uint8_t *out);

/// Constant-time comparison; returns 1 when equal.
int cb_equal_constant_time(const uint8_t *a, const uint8_t *b, size_t length);

/// Writes a new self-signed certificate (ECDSA P-256, SHA-256) for `common_name`,
/// valid for `days`, with subjectAltName DNS:common_name, DNS:localhost, IP:127.0.0.1
/// and IP:::1, to PEM files at `cert_path` and `key_path` (the key with mode 0600).
/// Returns 1 on success, 0 on failure.
int cb_write_self_signed_certificate(const char *common_name, int days,
                                     const char *cert_path, const char *key_path);

/// Whether the first certificate in the PEM file at `cert_path` is self-signed (its issuer is
/// its subject and its own key verifies it): 1 yes, 0 no, -1 when it cannot be read.
int cb_certificate_is_self_signed(const char *cert_path);

/// Lowers the calling thread's scheduling priority to `nice` (Linux: per thread), so that
/// the work it does (password hashing) yields the CPU to the event loops. Returns 0 on success.
int cb_lower_thread_priority(int nice);

/// Makes glibc serve allocations of `threshold` bytes or more from mmap, always: they go
/// back to the system when freed (scrypt's 16 MiB work area per hash; without this glibc
/// raises its threshold after the first such free and keeps later ones in each thread's
/// heap for good), and only their touched pages are resident (a large buffer kept per
/// connection but mostly unused). Returns 1 on success (0 where not glibc).
int cb_map_large_allocations(size_t threshold);
