#ifndef CERTDROP_CARCHIVE_SHIM_H
#define CERTDROP_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>
#include <langinfo.h>
#include <locale.h>
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

// Without a UTF-8 LC_CTYPE, libarchive returns NULL for every non-ASCII entry name. Switches LC_CTYPE to a
// UTF-8 locale only when the current one is not UTF-8 already. Returns 1 when LC_CTYPE is UTF-8 afterwards.
// Not thread-safe (setlocale): call it once, before any archive is read (ArchiveKit uses a static let).
static inline int cd_ensure_utf8_ctype(void) {
    const char *codeset = nl_langinfo(CODESET);
    if (codeset != NULL && strcmp(codeset, "UTF-8") == 0) {
        return 1;
    }
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL && setlocale(LC_CTYPE, "C.utf8") == NULL
        && setlocale(LC_CTYPE, "en_US.UTF-8") == NULL) {
        return 0;
    }
    codeset = nl_langinfo(CODESET);
    return codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

#endif
