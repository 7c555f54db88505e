#ifndef CERTDROP_CARCHIVE_SHIM_H
#define CERTDROP_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

// libarchive's file-type macros are composite and do not import into Swift.
static inline unsigned int cd_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int cd_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int cd_ae_iflnk(void) { return AE_IFLNK; }
static inline unsigned int cd_ae_ifmt(void) { return AE_IFMT; }
static inline unsigned int cd_ae_ifchr(void) { return AE_IFCHR; }
static inline unsigned int cd_ae_ifblk(void) { return AE_IFBLK; }
static inline unsigned int cd_ae_ififo(void) { return AE_IFIFO; }
static inline unsigned int cd_ae_ifsock(void) { return AE_IFSOCK; }

// Zeroes a buffer through a volatile pointer so that the compiler cannot drop the stores as dead: used for
// the passphrase copies handed to libarchive.
static inline void cd_wipe(void *buffer, size_t count) {
    volatile unsigned char *p = (volatile unsigned char *)buffer;
    while (count > 0) {
        *p++ = 0;
        count--;
    }
}

#endif
