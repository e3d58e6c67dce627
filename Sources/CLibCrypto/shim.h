#ifndef EXE_CLIBCRYPTO_SHIM_H
#define EXE_CLIBCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
