#include "CClassbookCrypto.h"

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

int cb_random_bytes(uint8_t *out, size_t length) {
    if (length > INT32_MAX) return 0;
    return RAND_bytes(out, (int)length) == 1;
}

int cb_scrypt(const uint8_t *password, size_t password_length,
              const uint8_t *salt, size_t salt_length,
              uint64_t n, uint64_t r, uint64_t p,
              uint8_t *out, size_t out_length) {
    // libsodium's scrypt computes RFC 7914 exactly (the same keys as OpenSSL's
    // EVP_PBE_scrypt, so stored hashes stay valid) with SIMD Salsa20/8.
    // sodium_init is idempotent and thread-safe; it returns 1 once already done.
    if (sodium_init() < 0) return 0;
    if (r > UINT32_MAX || p > UINT32_MAX) return 0;
    return crypto_pwhash_scryptsalsa208sha256_ll(password, password_length, salt, salt_length,
                                                 n, (uint32_t)r, (uint32_t)p, out, out_length) == 0;
}

int cb_sha256(const uint8_t *data, size_t length, uint8_t *out) {
    unsigned int out_length = 0;
    return EVP_Digest(data, length, out, &out_length, EVP_sha256(), NULL) == 1 && out_length == 32;
}

int cb_equal_constant_time(const uint8_t *a, const uint8_t *b, size_t length) {
    return CRYPTO_memcmp(a, b, length) == 0;
}

static int add_extension(X509 *cert, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

int cb_write_self_signed_certificate(const char *common_name, int days,
                                     const char *cert_path, const char *key_path) {
    int ok = 0;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    FILE *cert_file = NULL;
    FILE *key_file = NULL;
    int key_fd = -1;
    char san[512];

    key = EVP_EC_gen("P-256");
    if (key == NULL) goto done;
    cert = X509_new();
    if (cert == NULL) goto done;
    if (X509_set_version(cert, 2) != 1) goto done;

    uint8_t serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) goto done;
    serial[0] &= 0x7f;
    BIGNUM *serial_bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (serial_bn == NULL) goto done;
    BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert));
    BN_free(serial_bn);

    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 24 * 3600);
    if (X509_set_pubkey(cert, key) != 1) goto done;

    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Classbook", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0);
    if (X509_set_issuer_name(cert, name) != 1) goto done;

    snprintf(san, sizeof san, "DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", common_name);
    if (!add_extension(cert, NID_subject_alt_name, san)) goto done;
    // Its own issuer: clients that pin it as a trust root (BoringSSL) require CA:TRUE.
    if (!add_extension(cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0")) goto done;
    if (!add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign")) goto done;
    if (!add_extension(cert, NID_ext_key_usage, "serverAuth")) goto done;
    if (X509_sign(cert, key, EVP_sha256()) == 0) goto done;

    key_fd = open(key_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (key_fd < 0) goto done;
    key_file = fdopen(key_fd, "w");
    if (key_file == NULL) goto done;
    key_fd = -1;
    if (PEM_write_PrivateKey(key_file, key, NULL, NULL, 0, NULL, NULL) != 1) goto done;

    cert_file = fopen(cert_path, "w");
    if (cert_file == NULL) goto done;
    if (PEM_write_X509(cert_file, cert) != 1) goto done;
    ok = 1;

done:
    if (key_fd >= 0) close(key_fd);
    if (key_file != NULL && fclose(key_file) != 0) ok = 0;
    if (cert_file != NULL && fclose(cert_file) != 0) ok = 0;
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

int cb_lower_thread_priority(int nice) {
#ifdef __linux__
    // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#else
    (void)nice;
    return -1;
#endif
}

int cb_map_large_allocations(size_t threshold) {
#ifdef __GLIBC__
    // Setting M_MMAP_THRESHOLD turns glibc's dynamic threshold off.
    return mallopt(M_MMAP_THRESHOLD, (int)threshold);
#else
    (void)threshold;
    return 0;
#endif
}

int cb_certificate_is_self_signed(const char *cert_path) {
    FILE *file = fopen(cert_path, "r");
    if (file == NULL) return -1;
    X509 *certificate = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    if (certificate == NULL) return -1;
    int result = X509_check_issued(certificate, certificate) == X509_V_OK ? 1 : 0;
    if (result == 1) {
        EVP_PKEY *key = X509_get0_pubkey(certificate);
        result = key != NULL && X509_verify(certificate, key) == 1 ? 1 : 0;
    }
    X509_free(certificate);
    return result;
}
