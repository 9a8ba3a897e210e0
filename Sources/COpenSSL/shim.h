#ifndef PIER_COPENSSL_SHIM_H
#define PIER_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/bn.h>
#include <openssl/kdf.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

/* Parameter names with static storage. OSSL_PARAM_BLD keeps the *pointer* to the key name until
   OSSL_PARAM_BLD_to_param, so a Swift-bridged temporary string would dangle (PLATFORM.md). String
   literals have static storage; functions (not arrays, which import as tuples) hand them to Swift. */
static inline const char *pier_ossl_pkey_param_rsa_n(void) { return OSSL_PKEY_PARAM_RSA_N; }
static inline const char *pier_ossl_pkey_param_rsa_e(void) { return OSSL_PKEY_PARAM_RSA_E; }
static inline const char *pier_ossl_key_type_rsa(void) { return "RSA"; }

/* Macros that do not import into Swift. */
static inline int pier_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline void pier_openssl_free(void *pointer) { OPENSSL_free(pointer); }
static inline int pier_evp_ctrl_gcm_set_ivlen(void) { return EVP_CTRL_GCM_SET_IVLEN; }
static inline int pier_evp_ctrl_gcm_get_tag(void) { return EVP_CTRL_GCM_GET_TAG; }
static inline int pier_evp_ctrl_gcm_set_tag(void) { return EVP_CTRL_GCM_SET_TAG; }
/* BIO_get_mem_data is a macro over BIO_ctrl. */
static inline long pier_bio_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

#endif
