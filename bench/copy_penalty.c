/* copy_penalty: bandwidth of the kernel's copy between the page cache and a user buffer,
 * against (destination - source) mod 4096.
 *
 *   cc -O2 -o copy_penalty bench/copy_penalty.c
 *   ./copy_penalty [DIR] [MIB] [REPEATS]        (defaults: /dev/shm 256 7)
 *
 * A file of MIB MiB is written to DIR (and kept in the page cache: run it on /dev/shm, or on a
 * disk whose page cache holds the file). Then, for each buffer offset b (bytes past a page) and
 * file offset f (bytes past a page), the whole file is read with pread() into the buffer and
 * written back with pwrite() from it; the median of REPEATS of each is printed in GB/s (1e9
 * bytes/s) with the difference the kernel's copy sees:
 *   read:  (destination - source) mod 4096 = (b - f) mod 4096
 *   write: (destination - source) mod 4096 = (f - b) mod 4096
 * "bounce" is the same read through a page-aligned 4 MiB bounce buffer (pread into it, then
 * memcpy into the user buffer): what a library pays to avoid the slow case when it has one.
 * The offsets are visited in a rotated order per repeat, the buffer is touched before timing and
 * one untimed warm-up pass runs first. "malloc" names the offset glibc's malloc gives a large
 * buffer (as numpy's and Rust's allocations do), printed on the first line.
 *
 * Some CPUs copy slowly when the difference is small: AMD Zen 3 with FSRM (`rep movsb`, the
 * kernel's copy_user) is about 3x slower at differences 1..63 (glibc bug 30994 is the user-space
 * case). On CPUs without the pathology every line reads the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Reads (write=0) or writes (write=1) len bytes at file offset off into/from buf. */
static double transfer(int fd, char *buf, size_t len, off_t off, int write) {
    double t0 = now();
    size_t done = 0;
    while (done < len) {
        ssize_t n = write ? pwrite(fd, buf + done, len - done, off + (off_t)done)
                          : pread(fd, buf + done, len - done, off + (off_t)done);
        if (n <= 0) {
            fprintf(stderr, "copy_penalty: %s: %s\n", write ? "pwrite" : "pread",
                    n < 0 ? strerror(errno) : "short file");
            exit(1);
        }
        done += (size_t)n;
    }
    return (double)len / (now() - t0) / 1e9;
}

/* Reads len bytes at off into buf through the page-aligned bounce buffer of BOUNCE bytes. */
#define BOUNCE (4u << 20)
static double bounced(int fd, char *buf, size_t len, off_t off, char *bounce) {
    double t0 = now();
    for (size_t done = 0; done < len;) {
        size_t want = len - done < BOUNCE ? len - done : BOUNCE;
        ssize_t n = pread(fd, bounce, want, off + (off_t)done);
        if (n <= 0) {
            fprintf(stderr, "copy_penalty: pread: %s\n", n < 0 ? strerror(errno) : "short file");
            exit(1);
        }
        memcpy(buf + done, bounce, (size_t)n);
        done += (size_t)n;
    }
    return (double)len / (now() - t0) / 1e9;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/dev/shm";
    size_t mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 256;
    int reps = argc > 3 ? atoi(argv[3]) : 7;
    if (mib == 0 || reps < 1) {
        fprintf(stderr, "usage: copy_penalty [DIR] [MIB>0] [REPEATS>0]\n");
        return 2;
    }
    size_t len = mib << 20;
    const long page = 4096;
    /* buffer offsets b and file offsets f (bytes past a page) */
    const long boffs[] = {0, 16, 32, 48, 64, 128, 256, 1024, 2048, 2064, 4032, 4080};
    const long foffs[] = {0, 2048};
    const int nb = sizeof boffs / sizeof *boffs, nf = sizeof foffs / sizeof *foffs;
    const int cases = nb * nf;

    void *probe = malloc(len);
    long malloc_off = probe ? (long)((uintptr_t)probe % (uintptr_t)page) : -1;
    free(probe);

    char path[4096];
    snprintf(path, sizeof path, "%s/copy_penalty.%d.bin", dir, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf(stderr, "copy_penalty: %s: %s\n", path, strerror(errno));
        return 1;
    }
    unlink(path); /* gone when we exit */
    char *base = mmap(NULL, len + 2 * (size_t)page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        perror("copy_penalty: mmap");
        return 1;
    }
    memset(base, 1, len + 2 * (size_t)page); /* touched: no page faults while timed */
    transfer(fd, base, len + (size_t)page, 0, 1); /* the file: len + a page */

    double *rd = calloc((size_t)cases * (size_t)reps, sizeof *rd);
    double *wr = calloc((size_t)cases * (size_t)reps, sizeof *wr);
    double *bo = calloc((size_t)cases * (size_t)reps, sizeof *bo);
    char *bounce = mmap(NULL, BOUNCE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bounce == MAP_FAILED) {
        perror("copy_penalty: mmap");
        return 1;
    }
    memset(bounce, 1, BOUNCE);
    for (int c = 0; c < cases; c++) /* untimed warm-up */
        transfer(fd, base + boffs[c % nb], len, foffs[c / nb], 0);
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < cases; i++) {
            int c = (i + r * 5) % cases; /* rotated order */
            char *buf = base + boffs[c % nb];
            off_t off = foffs[c / nb];
            rd[c * reps + r] = transfer(fd, buf, len, off, 0);
            wr[c * reps + r] = transfer(fd, buf, len, off, 1);
            bo[c * reps + r] = bounced(fd, buf, len, off, bounce);
        }
    }
    printf("copy_penalty: %zu MiB in %s, median of %d; glibc malloc gives offset %ld\n", mib, dir,
           reps, malloc_off);
    printf("%8s %8s %10s %10s %10s %10s %12s\n", "buf off", "file off", "read diff", "read GB/s",
           "write diff", "write GB/s", "bounce GB/s");
    for (int c = 0; c < cases; c++) {
        long b = boffs[c % nb], f = foffs[c / nb];
        printf("%8ld %8ld %10ld %10.2f %10ld %10.2f %12.2f\n", b, f, ((b - f) % page + page) % page,
               median(rd + c * reps, reps), ((f - b) % page + page) % page,
               median(wr + c * reps, reps), median(bo + c * reps, reps));
    }
    close(fd);
    return 0;
}
