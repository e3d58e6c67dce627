#ifndef EXE_CZLIB_SHIM_H
#define EXE_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 is a macro; this gives it a callable name. windowBits 31
   selects the gzip wrapper, which `tar -xz` and `gzip -d` read. */
static inline int exe_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
}
#endif
