/* eiofs: a FUSE file system over a directory whose writes fail with EIO (an I/O error of
 * the device) once a number of bytes has been written through it, for h5par's tests of a
 * failing device mid-write (issue 8). Everything else passes through to the directory.
 *
 * Usage: eiofs BACKING_DIR MOUNT_POINT LIMIT_BYTES [fuse options, e.g. -f]
 * Build: cc -o eiofs eiofs.c $(pkg-config --cflags --libs fuse3)   (Debian: libfuse3-dev) */

#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char backing[4096];
static long long limit;
static atomic_llong written;

/* The path under the backing directory. */
static void real(char *out, size_t cap, const char *path) {
  snprintf(out, cap, "%s%s", backing, path);
}

#define REAL(var, path) \
  char var[8192];       \
  real(var, sizeof var, path)

static int e_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  (void)fi;
  REAL(p, path);
  return lstat(p, st) == 0 ? 0 : -errno;
}

static int e_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                     struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
  (void)off;
  (void)fi;
  (void)flags;
  REAL(p, path);
  DIR *d = opendir(p);
  if (!d) return -errno;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) fill(buf, e->d_name, NULL, 0, 0);
  closedir(d);
  return 0;
}

static int e_open(const char *path, struct fuse_file_info *fi) {
  REAL(p, path);
  int fd = open(p, fi->flags);
  if (fd < 0) return -errno;
  fi->fh = fd;
  return 0;
}

static int e_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  REAL(p, path);
  int fd = open(p, fi->flags | O_CREAT, mode);
  if (fd < 0) return -errno;
  fi->fh = fd;
  return 0;
}

static int e_read(const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi) {
  (void)path;
  ssize_t r = pread(fi->fh, buf, n, off);
  return r < 0 ? -errno : (int)r;
}

static int e_write(const char *path, const char *buf, size_t n, off_t off,
                   struct fuse_file_info *fi) {
  (void)path;
  if (atomic_fetch_add(&written, (long long)n) + (long long)n > limit) return -EIO;
  ssize_t r = pwrite(fi->fh, buf, n, off);
  return r < 0 ? -errno : (int)r;
}

static int e_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  close(fi->fh);
  return 0;
}

static int e_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path;
  return (datasync ? fdatasync(fi->fh) : fsync(fi->fh)) == 0 ? 0 : -errno;
}

static int e_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  if (fi) return ftruncate(fi->fh, size) == 0 ? 0 : -errno;
  REAL(p, path);
  return truncate(p, size) == 0 ? 0 : -errno;
}

static int e_unlink(const char *path) {
  REAL(p, path);
  return unlink(p) == 0 ? 0 : -errno;
}

static int e_rename(const char *from, const char *to, unsigned int flags) {
  if (flags) return -EINVAL;
  REAL(a, from);
  REAL(b, to);
  return rename(a, b) == 0 ? 0 : -errno;
}

static int e_mkdir(const char *path, mode_t mode) {
  REAL(p, path);
  return mkdir(p, mode) == 0 ? 0 : -errno;
}

static int e_rmdir(const char *path) {
  REAL(p, path);
  return rmdir(p) == 0 ? 0 : -errno;
}

static int e_statfs(const char *path, struct statvfs *st) {
  (void)path;
  return statvfs(backing, st) == 0 ? 0 : -errno;
}

static int e_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  (void)fi;
  REAL(p, path);
  return chmod(p, mode) == 0 ? 0 : -errno;
}

static int e_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  (void)fi;
  REAL(p, path);
  return utimensat(AT_FDCWD, p, tv, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int e_fallocate(const char *path, int mode, off_t off, off_t len,
                       struct fuse_file_info *fi) {
  (void)path;
  return fallocate(fi->fh, mode, off, len) == 0 ? 0 : -errno;
}

static const struct fuse_operations ops = {
    .getattr = e_getattr,
    .readdir = e_readdir,
    .open = e_open,
    .create = e_create,
    .read = e_read,
    .write = e_write,
    .release = e_release,
    .fsync = e_fsync,
    .truncate = e_truncate,
    .unlink = e_unlink,
    .rename = e_rename,
    .mkdir = e_mkdir,
    .rmdir = e_rmdir,
    .statfs = e_statfs,
    .chmod = e_chmod,
    .utimens = e_utimens,
    .fallocate = e_fallocate,
};

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: eiofs BACKING_DIR MOUNT_POINT LIMIT_BYTES [fuse options]\n");
    return 2;
  }
  if (!realpath(argv[1], backing)) {
    perror(argv[1]);
    return 2;
  }
  limit = atoll(argv[3]);
  /* fuse_main sees: eiofs MOUNT_POINT [options] */
  char *fargv[64];
  int fargc = 0;
  fargv[fargc++] = argv[0];
  fargv[fargc++] = argv[2];
  for (int i = 4; i < argc && fargc < 62; i++) fargv[fargc++] = argv[i];
  return fuse_main(fargc, fargv, &ops, NULL);
}
