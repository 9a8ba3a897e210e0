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
#endif
